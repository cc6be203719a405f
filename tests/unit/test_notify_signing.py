import base64
import hashlib
import hmac
import urllib.parse
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from demo.sandbox import DINGTALK_SECRET, FEISHU_SECRET, FakePlatforms
from notify.base import Message, TargetSpec
from notify.dingtalk import DingTalkChannel
from notify.feishu import FeishuChannel
from notify.signing import dingtalk_sign, feishu_sign, webhook_signature
from notify.webhook import WebhookChannel

NOW = datetime(2026, 5, 11, 10, 0, 0, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
MESSAGE = Message("esc-0001", "【督办】人民路垃圾清运不及时", "请牵头部门于今日内处理。")


@pytest.fixture
def fake():
    with FakePlatforms(clock=NOW.timestamp) as server:
        yield server


@pytest.fixture
def client():
    with httpx.Client(timeout=5) as c:
        yield c


def test_dingtalk_sign_matches_the_published_python_sample_after_its_final_quote():
    timestamp = 1599360473123
    # the official sample: quote_plus(base64(hmac(secret, f"{ts}\n{secret}")))
    string_to_sign = f"{timestamp}\n{DINGTALK_SECRET}".encode()
    digest = hmac.new(DINGTALK_SECRET.encode(), string_to_sign, digestmod=hashlib.sha256).digest()
    published = urllib.parse.quote_plus(base64.b64encode(digest))

    assert urllib.parse.quote_plus(dingtalk_sign(DINGTALK_SECRET, timestamp)) == published


def test_dingtalk_sign_is_raw_base64_so_httpx_quotes_it_only_once():
    sign = dingtalk_sign(DINGTALK_SECRET, 1599360473123)

    assert "%" not in sign
    assert len(base64.b64decode(sign)) == 32


def test_feishu_sign_matches_the_golden_value():
    assert feishu_sign("test", 1599360473) == "NVcdmaRhTlOqmXksontxmKEP4AYWAMD5VOczwSqarks="


def test_feishu_sign_uses_the_string_to_sign_as_key_unlike_dingtalk():
    dingtalk_style = base64.b64encode(
        hmac.new(b"test", b"1599360473\ntest", hashlib.sha256).digest()
    ).decode()

    assert feishu_sign("test", 1599360473) != dingtalk_style


def test_webhook_signature_covers_timestamp_and_body():
    one = webhook_signature("s3cret-key-123", 1, b"{}")

    assert one.startswith("sha256=")
    assert one != webhook_signature("s3cret-key-123", 2, b"{}")
    assert one != webhook_signature("s3cret-key-123", 1, b"{ }")


def test_dingtalk_signs_with_now_in_milliseconds_and_the_sign_arrives_decoded_once(fake, client):
    target = TargetSpec("钉钉督办群", "dingtalk", fake.dingtalk_url(), secret=DINGTALK_SECRET)

    outcome = DingTalkChannel().send(client, target, MESSAGE, NOW)

    assert outcome.kind == "ok"
    query = fake.requests[0].query
    expected_ms = int(NOW.timestamp()) * 1000 + 123
    assert query["timestamp"] == str(expected_ms)
    assert query["sign"] == dingtalk_sign(DINGTALK_SECRET, expected_ms)
    assert query["access_token"] == fake.dingtalk_token


def test_feishu_send_puts_timestamp_in_seconds_and_sign_in_the_json_body(fake, client):
    target = TargetSpec("飞书督办群", "feishu", fake.feishu_url(), secret=FEISHU_SECRET)

    outcome = FeishuChannel().send(client, target, MESSAGE, NOW)

    assert outcome.kind == "ok"
    received = fake.requests[0]
    assert received.query == {}
    assert received.json["timestamp"] == str(int(NOW.timestamp()))
    assert received.json["sign"] == feishu_sign(FEISHU_SECRET, int(NOW.timestamp()))


@pytest.mark.parametrize(
    ("channel", "url", "secret", "code"),
    [
        (DingTalkChannel(), "dingtalk_url", DINGTALK_SECRET, 310000),
        (FeishuChannel(), "feishu_url", FEISHU_SECRET, 19021),
    ],
)
def test_a_signature_made_more_than_an_hour_ago_is_rejected_as_fatal(
    fake, client, channel, url, secret, code
):
    target = TargetSpec("群", channel.name, getattr(fake, url)(), secret=secret)

    outcome = channel.send(client, target, MESSAGE, NOW - timedelta(hours=2))

    assert outcome.kind == "fatal"
    assert outcome.code == code


def test_a_webhook_with_a_secret_sends_a_signature_the_receiver_can_verify(client):
    with FakePlatforms(webhook_secret="wh-secret-0123456789") as fake:
        good = TargetSpec("系统", "webhook", fake.webhook_url(), secret="wh-secret-0123456789")
        forged = TargetSpec("系统", "webhook", fake.webhook_url(), secret="not-the-secret-000")

        assert WebhookChannel().send(client, good, MESSAGE, NOW).kind == "ok"
        assert WebhookChannel().send(client, forged, MESSAGE, NOW).kind == "fatal"


def test_signing_refuses_a_naive_now_rather_than_guess_its_time_zone(fake, client):
    target = TargetSpec("钉钉督办群", "dingtalk", fake.dingtalk_url(), secret=DINGTALK_SECRET)

    with pytest.raises(ValueError, match="timezone-aware"):
        DingTalkChannel().send(client, target, MESSAGE, datetime(2026, 5, 11, 10, 0))
