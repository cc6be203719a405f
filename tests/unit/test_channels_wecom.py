from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from demo.sandbox import FakePlatforms, refused_url
from notify.base import Message, TargetSpec
from notify.sizing import TRUNCATION_NOTE, utf8_len
from notify.wecom import WeComChannel

NOW = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MESSAGE = Message(
    "esc-0001",
    "【督办】人民路垃圾清运不及时",
    "路段：人民路东段\n办理时限：5月12日18时前",
    link="https://cw.example/problems/1",
)
wecom = WeComChannel()


@pytest.fixture
def fake():
    with FakePlatforms() as server:
        yield server


@pytest.fixture
def client():
    with httpx.Client(timeout=5) as c:
        yield c


def target(url: str, **kwargs) -> TargetSpec:
    return TargetSpec("企业微信创卫群", "wecom", url, **kwargs)


def test_a_message_with_a_link_goes_out_as_a_text_notice_card_that_opens_the_link(fake, client):
    outcome = wecom.send(client, target(fake.wecom_url()), MESSAGE, NOW)

    assert outcome.kind == "ok"
    sent = fake.requests[0].json
    assert sent["msgtype"] == "template_card"
    card = sent["template_card"]
    assert card["card_type"] == "text_notice"
    assert card["main_title"]["title"] == "【督办】人民路垃圾清运不及时"
    assert card["sub_title_text"].startswith("路段：人民路东段")
    assert card["card_action"] == {"type": 1, "url": "https://cw.example/problems/1"}
    assert card["jump_list"] == [{"type": 1, "title": "查看详情", "url": "https://cw.example/problems/1"}]


def test_a_card_title_is_cut_to_26_characters_and_its_jump_list_to_three(fake, client):
    links = tuple((f"第{i}项巡查任务", f"https://cw.example/tasks/{i}") for i in range(5))
    message = Message("esc-0010", "【提醒】" + "路段周巡查保洁" * 6, "清单" * 100,
                      link="https://cw.example/tasks", links=links)

    outcome = wecom.send(client, target(fake.wecom_url()), message, NOW)

    assert outcome.kind == "ok"
    card = fake.requests[0].json["template_card"]
    assert len(card["main_title"]["title"]) == 26 and card["main_title"]["title"].endswith("…")
    assert len(card["sub_title_text"]) <= 112
    assert [j["url"] for j in card["jump_list"]] == [f"https://cw.example/tasks/{i}" for i in range(3)]


def test_a_card_with_mentions_is_followed_by_a_text_message_that_mentions(fake, client):
    message = Message("esc-0012", "【上报】人民路积水", "请研究。", mentions=("13800000000",),
                      link="https://cw.example/problems/2")

    outcome = wecom.send(client, target(fake.wecom_url()), message, NOW)

    assert outcome.kind == "ok"
    card, text = (r.json for r in fake.requests)
    assert card["msgtype"] == "template_card" and "mentioned_mobile_list" not in str(card)
    assert text["msgtype"] == "text" and text["text"]["mentioned_mobile_list"] == ["13800000000"]
    assert wecom.requests_for(message) == 2 and wecom.requests_for(MESSAGE) == 1


def test_mentions_by_mobile_go_out_as_text_because_markdown_cannot_mention_them(fake, client):
    message = Message("esc-0002", "【提醒】门前三包", "请及时整改。", mentions=("13800000000", "@all"))

    outcome = wecom.send(client, target(fake.wecom_url()), message, NOW)

    assert outcome.kind == "ok"
    sent = fake.requests[0].json
    assert sent["msgtype"] == "text"
    assert sent["text"]["mentioned_mobile_list"] == ["13800000000", "@all"]


def test_a_rate_limited_send_is_retried_after_60_seconds(fake, client):
    fake.fail_next("wecom", "rate_limit")

    outcome = wecom.send(client, target(fake.wecom_url()), MESSAGE, NOW)

    assert (outcome.kind, outcome.code, outcome.retry_after) == ("retry", 45009, 60.0)


def test_a_wrong_key_is_fatal_with_the_platform_code_in_the_message(fake, client):
    outcome = wecom.send(client, target(fake.wecom_url("0000-wrong-key-0000")), MESSAGE, NOW)

    assert outcome.kind == "fatal"
    assert outcome.code == 93000
    assert "93000" in outcome.msg


def test_an_oversize_body_is_truncated_with_a_note_and_accepted(fake, client):
    body = "\n".join(f"{i}. 人民路东段垃圾清运不及时，沿街商户门前三包落实不到位。" for i in range(200))
    message = Message("esc-0003", "【督办】问题清单", body)

    outcome = wecom.send(client, target(fake.wecom_url()), message, NOW)

    assert outcome.kind == "ok"
    content = fake.requests[0].json["markdown"]["content"]
    assert utf8_len(content) <= 4096
    assert content.endswith(TRUNCATION_NOTE)


def test_a_server_error_is_retried_after_the_retry_after_header(fake, client):
    fake.fail_next("wecom", "server_error", status=502, retry_after="7")

    outcome = wecom.send(client, target(fake.wecom_url()), MESSAGE, NOW)

    assert (outcome.kind, outcome.code, outcome.retry_after) == ("retry", 502, 7.0)


def test_a_server_error_after_a_rate_limit_still_succeeds_on_the_third_try(fake, client):
    fake.fail_next("wecom", "rate_limit")
    fake.fail_next("wecom", "server_error")

    kinds = [wecom.send(client, target(fake.wecom_url()), MESSAGE, NOW).kind for _ in range(3)]

    assert kinds == ["retry", "retry", "ok"]


def test_a_refused_connection_is_retried(client):
    url = refused_url("/cgi-bin/webhook/send?key=693a91f6-7a2c-4b1e-9d3f-0c5e8b2a4f11")

    outcome = wecom.send(client, target(url), MESSAGE, NOW)

    assert outcome.kind == "retry"
    assert outcome.retry_after > 0


def test_a_message_without_a_link_goes_out_as_markdown(fake, client):
    message = Message("esc-0013", "【简报】第3期", "统计周期：1月13日—19日")

    assert wecom.send(client, target(fake.wecom_url()), message, NOW).kind == "ok"
    assert fake.requests[0].json["markdown"]["content"] == "**【简报】第3期**\n统计周期：1月13日—19日"


def test_the_target_keyword_is_put_in_front_of_a_title_that_lacks_it(fake, client):
    message = Message("esc-0004", "人民路垃圾清运", "请处理。")

    wecom.send(client, target(fake.wecom_url(), keyword="创卫"), message, NOW)

    assert fake.requests[0].json["markdown"]["content"].startswith("**【创卫】人民路垃圾清运**")
