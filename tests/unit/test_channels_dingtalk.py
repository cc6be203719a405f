from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from demo.sandbox import DINGTALK_SECRET, FakePlatforms, refused_url
from notify.base import Message, TargetSpec
from notify.dingtalk import DingTalkChannel
from notify.sizing import TRUNCATION_NOTE

NOW = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MESSAGE = Message(
    "esc-0001",
    "【督办】人民路垃圾清运不及时",
    "路段：人民路东段\n办理时限：5月12日18时前",
    mentions=("13800000000",),
)
dingtalk = DingTalkChannel()


@pytest.fixture
def fake():
    with FakePlatforms(clock=NOW.timestamp, dingtalk_keyword="督办") as server:
        yield server


@pytest.fixture
def client():
    with httpx.Client(timeout=5) as c:
        yield c


def target(url: str, secret: str | None = DINGTALK_SECRET, **kwargs) -> TargetSpec:
    return TargetSpec("钉钉创卫群", "dingtalk", url, secret=secret, **kwargs)


def test_a_signed_message_accepted_by_dingtalk_is_ok(fake, client):
    outcome = dingtalk.send(client, target(fake.dingtalk_url()), MESSAGE, NOW)

    assert outcome.kind == "ok"
    sent = fake.requests[0].json
    assert sent["msgtype"] == "markdown"
    assert sent["markdown"]["title"] == "【督办】人民路垃圾清运不及时"
    assert sent["markdown"]["text"].startswith("#### 【督办】人民路垃圾清运不及时")


def test_mentioned_mobiles_are_in_at_mobiles_and_in_the_text(fake, client):
    dingtalk.send(client, target(fake.dingtalk_url()), MESSAGE, NOW)

    sent = fake.requests[0].json
    assert sent["at"] == {"atMobiles": ["13800000000"], "isAtAll": False}
    assert sent["markdown"]["text"].endswith("@13800000000")


def test_a_rate_limited_send_is_retried_after_ten_minutes(fake, client):
    fake.fail_next("dingtalk", "rate_limit")

    outcome = dingtalk.send(client, target(fake.dingtalk_url()), MESSAGE, NOW)

    assert (outcome.kind, outcome.code, outcome.retry_after) == ("retry", 410100, 600.0)


def test_a_message_with_a_link_goes_out_as_an_action_card_with_one_button(fake, client):
    message = Message("esc-0005", "【督办】人民路垃圾清运", "路段：人民路东段", link="https://cw.example/problems/1")

    outcome = dingtalk.send(client, target(fake.dingtalk_url()), message, NOW)

    assert outcome.kind == "ok"
    sent = fake.requests[0].json
    assert sent["msgtype"] == "actionCard" and "at" not in sent
    card = sent["actionCard"]
    assert (card["singleTitle"], card["singleURL"]) == ("查看详情", "https://cw.example/problems/1")
    assert card["text"].startswith("#### 【督办】人民路垃圾清运")


def test_an_action_card_for_a_list_has_a_button_for_the_list_and_the_first_items(fake, client):
    links = tuple((f"任务{i}", f"https://cw.example/tasks/{i}") for i in range(5))
    message = Message("esc-0006", "【督办】今日待办", "清单", link="https://cw.example/tasks", links=links)

    dingtalk.send(client, target(fake.dingtalk_url()), message, NOW)

    buttons = fake.requests[0].json["actionCard"]["btns"]
    assert [b["actionURL"] for b in buttons] == ["https://cw.example/tasks", "https://cw.example/tasks/0",
                                                 "https://cw.example/tasks/1"]


def test_a_message_that_mentions_stays_markdown_with_its_link_because_cards_cannot_at(fake, client):
    message = Message("esc-0007", "【督办】人民路", "请处理。", mentions=("13800000000",),
                      link="https://cw.example/problems/1")

    dingtalk.send(client, target(fake.dingtalk_url()), message, NOW)

    sent = fake.requests[0].json
    assert sent["msgtype"] == "markdown" and sent["at"]["atMobiles"] == ["13800000000"]
    assert "[查看详情](https://cw.example/problems/1)" in sent["markdown"]["text"]


def test_a_wrong_signing_secret_is_fatal_with_the_platform_code_in_the_message(fake, client):
    wrong = target(fake.dingtalk_url(), secret="SEC" + "0" * 64)

    outcome = dingtalk.send(client, wrong, MESSAGE, NOW)

    assert outcome.kind == "fatal"
    assert outcome.code == 310000
    assert "310000" in outcome.msg and "sign not match" in outcome.msg


def test_a_wrong_access_token_is_fatal(fake, client):
    outcome = dingtalk.send(client, target(fake.dingtalk_url("f" * 64)), MESSAGE, NOW)

    assert (outcome.kind, outcome.code) == ("fatal", 300005)


def test_a_missing_signature_on_a_signing_robot_is_fatal(fake, client):
    outcome = dingtalk.send(client, target(fake.dingtalk_url(), secret=None), MESSAGE, NOW)

    assert (outcome.kind, outcome.code) == ("fatal", 310000)


def test_a_robot_without_signing_accepts_an_unsigned_message(client):
    with FakePlatforms(dingtalk_secret=None) as fake:
        outcome = dingtalk.send(client, target(fake.dingtalk_url(), secret=None), MESSAGE, NOW)

        assert outcome.kind == "ok"
        assert set(fake.requests[0].query) == {"access_token"}


def test_a_keyword_the_robot_does_not_know_is_fatal(fake, client):
    message = Message("esc-0002", "人民路垃圾清运", "请处理。")

    outcome = dingtalk.send(client, target(fake.dingtalk_url(), keyword="创卫"), message, NOW)

    assert outcome.kind == "fatal"
    assert "keywords not in content" in outcome.msg


def test_the_target_keyword_makes_a_message_without_it_acceptable(fake, client):
    message = Message("esc-0003", "人民路垃圾清运", "请处理。")

    outcome = dingtalk.send(client, target(fake.dingtalk_url(), keyword="督办"), message, NOW)

    assert outcome.kind == "ok"
    assert fake.requests[0].json["markdown"]["title"] == "【督办】人民路垃圾清运"


def test_an_oversize_body_is_truncated_with_a_note_and_accepted(fake, client):
    body = "\n".join(f"{i}. 人民路东段垃圾清运不及时，沿街商户门前三包落实不到位。" for i in range(400))
    message = Message("esc-0004", "【督办】问题清单", body)

    outcome = dingtalk.send(client, target(fake.dingtalk_url()), message, NOW)

    assert outcome.kind == "ok"
    received = fake.requests[0]
    assert len(received.body) <= 20_000
    assert received.json["markdown"]["text"].endswith(TRUNCATION_NOTE)


def test_a_server_error_is_retried(fake, client):
    fake.fail_next("dingtalk", "server_error", status=503)

    outcome = dingtalk.send(client, target(fake.dingtalk_url()), MESSAGE, NOW)

    assert (outcome.kind, outcome.code, outcome.retry_after) == ("retry", 503, 30.0)


def test_a_refused_connection_is_retried(client):
    outcome = dingtalk.send(client, target(refused_url("/robot/send?access_token=t")), MESSAGE, NOW)

    assert outcome.kind == "retry"
