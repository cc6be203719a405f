from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from demo.sandbox import FEISHU_SECRET, FakePlatforms, refused_url
from notify.base import Message, TargetSpec
from notify.feishu import FeishuChannel
from notify.sizing import TRUNCATION_NOTE

NOW = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MESSAGE = Message(
    "esc-0001",
    "【督办】人民路垃圾清运不及时",
    "路段：人民路东段\n办理时限：5月12日18时前",
    link="https://cw.example/problems/1",
)
feishu = FeishuChannel()


@pytest.fixture
def fake():
    with FakePlatforms(clock=NOW.timestamp, feishu_keyword="督办") as server:
        yield server


@pytest.fixture
def client():
    with httpx.Client(timeout=5) as c:
        yield c


def target(url: str, secret: str | None = FEISHU_SECRET, **kwargs) -> TargetSpec:
    return TargetSpec("飞书创卫群", "feishu", url, secret=secret, **kwargs)


def test_a_signed_card_with_a_link_button_accepted_by_feishu_is_ok(fake, client):
    outcome = feishu.send(client, target(fake.feishu_url(), keyword="督办"), MESSAGE, NOW)

    assert outcome.kind == "ok"
    card = fake.requests[0].json["card"]
    assert fake.requests[0].json["msg_type"] == "interactive"
    assert card["header"]["title"]["content"] == "【督办】人民路垃圾清运不及时"
    assert card["elements"][0]["text"]["content"].startswith("【督办】路段：人民路东段")
    button = card["elements"][-1]["actions"][0]
    assert (button["text"]["content"], button["url"]) == ("查看详情", "https://cw.example/problems/1")


def test_a_keyword_only_in_the_title_is_refused_as_feishu_scans_the_body(fake, client):
    message = Message("esc-0011", "【督办】人民路", "路段：人民路东段")

    unconfigured = feishu.send(client, target(fake.feishu_url()), message, NOW)
    configured = feishu.send(client, target(fake.feishu_url(), keyword="督办"), message, NOW)

    assert (unconfigured.kind, unconfigured.code) == ("fatal", 19024)
    assert configured.kind == "ok"
    rows = fake.requests[1].json["content"]["post"]["zh_cn"]["content"]
    assert rows[0] == [{"tag": "text", "text": "【督办】路段：人民路东段"}]


def test_at_all_becomes_an_at_element_and_mobiles_are_written_out(fake, client):
    message = Message("esc-0002", "【督办】门前三包", "请整改。", mentions=("13800000000", "@all"))

    feishu.send(client, target(fake.feishu_url()), message, NOW)

    last_row = fake.requests[0].json["content"]["post"]["zh_cn"]["content"][-1]
    assert "@13800000000" in last_row[0]["text"]
    assert last_row[1] == {"tag": "at", "user_id": "all"}


def test_a_frequency_limited_send_is_retried_after_60_seconds(fake, client):
    fake.fail_next("feishu", "rate_limit")

    outcome = feishu.send(client, target(fake.feishu_url()), MESSAGE, NOW)

    assert (outcome.kind, outcome.code, outcome.retry_after) == ("retry", 11232, 60.0)


def test_a_burst_rejected_with_http_400_too_many_request_is_retried(fake, client):
    fake.fail_next("feishu", "burst")

    outcome = feishu.send(client, target(fake.feishu_url()), MESSAGE, NOW)

    assert (outcome.kind, outcome.code, outcome.retry_after) == ("retry", 9499, 60.0)


def test_a_wrong_signing_secret_is_fatal_with_the_platform_code_in_the_message(fake, client):
    wrong = target(fake.feishu_url(), secret="wrong-secret-0000")

    outcome = feishu.send(client, wrong, MESSAGE, NOW)

    assert (outcome.kind, outcome.code) == ("fatal", 19021)
    assert "19021" in outcome.msg


def test_a_wrong_hook_id_is_fatal(fake, client):
    outcome = feishu.send(client, target(fake.feishu_url("0" * 36)), MESSAGE, NOW)

    assert (outcome.kind, outcome.code) == ("fatal", 19001)


def test_a_keyword_the_bot_does_not_know_is_fatal(fake, client):
    message = Message("esc-0003", "人民路垃圾清运", "请处理。")

    outcome = feishu.send(client, target(fake.feishu_url(), keyword="创卫"), message, NOW)

    assert (outcome.kind, outcome.code) == ("fatal", 19024)


def test_an_oversize_body_is_truncated_with_a_note_and_accepted(fake, client):
    body = "\n".join(f"{i}. 人民路东段垃圾清运不及时，沿街商户门前三包落实不到位。" for i in range(400))
    message = Message("esc-0004", "【督办】问题清单", body)

    outcome = feishu.send(client, target(fake.feishu_url(), keyword="督办"), message, NOW)

    assert outcome.kind == "ok"
    received = fake.requests[0]
    assert len(received.body) <= 20_000
    rows = received.json["content"]["post"]["zh_cn"]["content"]
    assert rows[-1][0]["text"].endswith(TRUNCATION_NOTE)


def test_a_body_over_the_limit_would_have_been_a_fatal_bad_request(fake, client):
    # what the adapter's truncation protects against: the platform's own answer to 20 KB+
    oversize = b'{"msg_type":"text","x":"' + b"a" * 20_001 + b'"}'

    response = client.post(fake.feishu_url(), content=oversize)

    assert response.status_code == 400
    assert response.json()["code"] == 9499


def test_a_server_error_is_retried(fake, client):
    fake.fail_next("feishu", "server_error", status=500, retry_after="120")

    outcome = feishu.send(client, target(fake.feishu_url()), MESSAGE, NOW)

    assert (outcome.kind, outcome.code, outcome.retry_after) == ("retry", 500, 120.0)


def test_a_refused_connection_is_retried(client):
    outcome = feishu.send(client, target(refused_url("/open-apis/bot/v2/hook/h")), MESSAGE, NOW)

    assert outcome.kind == "retry"
