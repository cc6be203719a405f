from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from notify.classify import (
    DINGTALK,
    FEISHU,
    WECOM,
    classify_error,
    classify_reply,
    classify_status,
    retry_after_seconds,
)

NOW = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def reply(status: int, **kwargs) -> httpx.Response:
    request = httpx.Request("POST", "https://robot.example/send")
    return httpx.Response(status, request=request, **kwargs)


def test_http_200_with_errcode_zero_is_ok():
    outcome = classify_reply(reply(200, json={"errcode": 0, "errmsg": "ok"}), WECOM, NOW)

    assert (outcome.kind, outcome.code) == ("ok", 0)


@pytest.mark.parametrize(
    "response",
    [
        reply(200, text="<html>gateway login page</html>"),
        reply(200, json={"errmsg": "ok"}),
        reply(200, json={"errcode": False, "errmsg": "ok"}),
        reply(200, json={"errcode": "0", "errmsg": "ok"}),
        reply(200, json=[0]),
        reply(201, json={"errcode": 0, "errmsg": "ok"}),
        reply(302, headers={"Location": "https://login.example"}),
    ],
    ids=["html", "no-code", "false", "string-zero", "list", "201", "redirect"],
)
def test_anything_short_of_http_200_with_a_zero_code_is_not_success(response):
    assert classify_reply(response, WECOM, NOW).kind == "fatal"


@pytest.mark.parametrize(
    ("fmt", "body", "after"),
    [
        (WECOM, {"errcode": 45009, "errmsg": "api freq out of limit"}, 60.0),
        (WECOM, {"errcode": -1, "errmsg": "system busy"}, 5.0),
        (DINGTALK, {"errcode": 130101, "errmsg": "send too fast"}, 600.0),
        (DINGTALK, {"errcode": 410100, "errmsg": "send too fast, exceed 20 times per minute"}, 600.0),
        (DINGTALK, {"errcode": -1, "errmsg": "系统繁忙"}, 5.0),
        (FEISHU, {"code": 11232, "msg": "frequency limited"}, 60.0),
    ],
)
def test_platform_rate_limit_codes_are_retried_after_their_minimum_wait(fmt, body, after):
    outcome = classify_reply(reply(200, json=body), fmt, NOW)

    assert (outcome.kind, outcome.retry_after) == ("retry", after)


def test_feishu_9499_is_retried_only_when_it_says_too_many_request():
    burst = classify_reply(reply(400, json={"code": 9499, "msg": "too many request"}), FEISHU, NOW)
    malformed = classify_reply(reply(400, json={"code": 9499, "msg": "Bad Request"}), FEISHU, NOW)

    assert burst.kind == "retry"
    assert malformed.kind == "fatal"


def test_an_unknown_non_zero_code_is_fatal():
    body = {"errcode": 310000, "errmsg": "keywords not in content"}

    outcome = classify_reply(reply(200, json=body), DINGTALK, NOW)

    assert (outcome.kind, outcome.code) == ("fatal", 310000)
    assert outcome.msg == "errcode 310000: keywords not in content"


def test_429_and_5xx_are_retried_whatever_the_body_says():
    outcome = classify_reply(reply(503, json={"errcode": 0}), WECOM, NOW)

    assert (outcome.kind, outcome.code, outcome.retry_after) == ("retry", 503, 30.0)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(None, 30.0), ("15", 15.0), ("Mon, 11 May 2026 02:01:30 GMT", 90.0),
     ("Mon, 11 May 2026 01:00:00 GMT", 0.0), ("soon", 30.0)],
)
def test_retry_after_accepts_seconds_and_http_dates_relative_to_now(header, seconds):
    assert retry_after_seconds(header, NOW) == seconds


def test_a_plain_endpoint_is_ok_on_any_2xx_and_fatal_on_other_4xx():
    assert classify_status(reply(204), NOW).kind == "ok"
    assert classify_status(reply(422, text="bad field"), NOW).kind == "fatal"
    assert classify_status(reply(429, headers={"Retry-After": "3"}), NOW).retry_after == 3.0


def test_connection_problems_are_retried_but_a_bad_scheme_is_fatal():
    request = httpx.Request("POST", "https://robot.example/send")

    assert classify_error(httpx.ConnectError("refused", request=request)).kind == "retry"
    assert classify_error(httpx.ReadTimeout("slow", request=request)).kind == "retry"
    assert classify_error(httpx.UnsupportedProtocol("ftp", request=request)).kind == "fatal"
