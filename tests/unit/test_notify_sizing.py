import json
import re

import pytest

from notify.base import Message, TargetSpec
from notify.dingtalk import MAX_BODY_BYTES as DINGTALK_MAX
from notify.dingtalk import DingTalkChannel
from notify.feishu import MAX_BODY_BYTES as FEISHU_MAX
from notify.feishu import FeishuChannel
from notify.sizing import TRUNCATION_NOTE, encode_json, fit_utf8, fit_within, split_utf8, utf8_len
from notify.wecom import MARKDOWN_MAX_BYTES, TEXT_MAX_BYTES, WeComChannel

LINE = "人民路东段垃圾清运不及时，沿街商户门前三包落实不到位。"  # 27 characters, 81 bytes


def test_a_chinese_character_counts_three_bytes():
    assert utf8_len("创卫") == 6
    assert utf8_len(LINE) == 81


def test_fit_utf8_leaves_text_that_fits_unchanged():
    assert fit_utf8(LINE, 81) == LINE


def test_fit_utf8_cuts_on_a_character_boundary_and_appends_the_note():
    note_bytes = utf8_len(TRUNCATION_NOTE)
    # one byte short of a whole character before the note: the cut must move back
    fitted = fit_utf8(LINE * 3, note_bytes + 3 * 10 + 2)

    assert fitted == LINE[:10] + TRUNCATION_NOTE
    assert utf8_len(fitted) <= note_bytes + 32


def test_fit_utf8_takes_a_custom_suffix():
    assert fit_utf8("督办事项" * 10, 12, suffix="…") == "督办事…"


def test_fit_utf8_refuses_a_budget_smaller_than_its_note():
    with pytest.raises(ValueError):
        fit_utf8(LINE, 5)


def test_fit_within_counts_json_escaping_of_newlines_and_quotes():
    body = '第"一"行\n' * 500

    def size(text):
        return len(encode_json({"content": text}))

    fitted = fit_within(size, body, 1000)

    assert size(fitted) <= 1000
    assert fitted.endswith(TRUNCATION_NOTE)


def test_split_utf8_returns_short_text_as_one_unnumbered_part():
    assert split_utf8(LINE, 100) == [LINE]


def test_split_utf8_breaks_on_line_ends_and_numbers_the_parts():
    text = "\n".join(f"{i}. {LINE}" for i in range(1, 31))

    parts = split_utf8(text, 600)

    assert len(parts) > 1
    assert all(utf8_len(p) <= 600 for p in parts)
    assert [re.match(r"\((\d+)/(\d+)\) ", p).groups() for p in parts] == [
        (str(i), str(len(parts))) for i in range(1, len(parts) + 1)
    ]
    unlabelled = [re.sub(r"^\(\d+/\d+\) ", "", p) for p in parts]
    assert "\n".join(unlabelled) == text  # every part ends on a whole line


def test_split_utf8_cuts_a_single_overlong_line_between_characters():
    text = LINE * 20

    parts = split_utf8(text, 100)

    assert all(utf8_len(p) <= 100 for p in parts)
    assert "".join(re.sub(r"^\(\d+/\d+\) ", "", p) for p in parts) == text


def test_split_utf8_refuses_a_budget_too_small_for_the_labels():
    with pytest.raises(ValueError):
        split_utf8(LINE * 5, 8)


def _long_message(**kwargs):
    body = "\n".join(f"{i}. {LINE}" for i in range(1, 400))  # about 35 KB
    return Message("k-long", "【督办】问题清单", body, **kwargs)


def test_wecom_markdown_is_truncated_to_4096_bytes_with_the_note():
    target = TargetSpec("企微", "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")

    payload = WeComChannel().render(target, _long_message())
    content = payload["markdown"]["content"]

    assert utf8_len(content) <= MARKDOWN_MAX_BYTES
    assert content.startswith("**【督办】问题清单**")
    assert content.endswith(TRUNCATION_NOTE)


def test_a_long_wecom_card_keeps_its_link_and_says_the_rest_is_one_tap_away():
    target = TargetSpec("企微", "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")

    card = WeComChannel().render(target, _long_message(link="https://cw.example/p/1"))["template_card"]

    assert card["card_action"]["url"] == "https://cw.example/p/1"
    assert len(card["sub_title_text"]) <= 112 and card["sub_title_text"].endswith("（点开查看全部）")


def test_wecom_text_with_mentions_is_truncated_to_2048_bytes():
    target = TargetSpec("企微", "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")

    payload = WeComChannel().render(target, _long_message(mentions=("13800000000",)))

    assert payload["msgtype"] == "text"
    assert utf8_len(payload["text"]["content"]) <= TEXT_MAX_BYTES
    assert payload["text"]["mentioned_mobile_list"] == ["13800000000"]


def test_dingtalk_and_feishu_bodies_fit_their_limits_as_sent():
    ding = TargetSpec("钉钉", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t")
    feishu = TargetSpec("飞书", "feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/h")

    ding_body = encode_json(DingTalkChannel().render(ding, _long_message()))
    feishu_body = encode_json(FeishuChannel().render(feishu, _long_message()))

    assert utf8_len(ding_body.decode()) <= DINGTALK_MAX
    # room is left for the timestamp and sign added at send time
    assert len(feishu_body) + len(',"timestamp":"1778464800","sign":""') + 44 <= FEISHU_MAX
    assert TRUNCATION_NOTE in json.loads(ding_body)["markdown"]["text"]
