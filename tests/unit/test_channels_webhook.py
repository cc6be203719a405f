from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from demo.sandbox import FakePlatforms, refused_url
from notify.base import Message, TargetSpec
from notify.webhook import WebhookChannel

NOW = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MESSAGE = Message(
    "digest-2026-05-11-0930",
    "【汇总】通知2条",
    "以下通知合并发送：\n1. 【督办】人民路\n2. 【提醒】解放路",
    mentions=("13800000000",),
    link="https://cw.example/outbox",
    digest_keys=("esc-0001", "esc-0002"),
)
webhook = WebhookChannel()


@pytest.fixture
def fake():
    with FakePlatforms() as server:
        yield server


@pytest.fixture
def client():
    with httpx.Client(timeout=5) as c:
        yield c


def target(url: str, **kwargs) -> TargetSpec:
    return TargetSpec("办公系统", "webhook", url, **kwargs)


def test_a_2xx_reply_is_ok_and_the_whole_message_arrives_as_json(fake, client):
    outcome = webhook.send(client, target(fake.webhook_url()), MESSAGE, NOW)

    assert outcome.kind == "ok"
    received = fake.requests[0]
    assert received.headers["idempotency-key"] == "digest-2026-05-11-0930"
    assert received.headers["content-type"].startswith("application/json")
    assert received.json == {
        "idempotency_key": "digest-2026-05-11-0930",
        "title": "【汇总】通知2条",
        "body": "以下通知合并发送：\n1. 【督办】人民路\n2. 【提醒】解放路",
        "mentions": ["13800000000"],
        "link": "https://cw.example/outbox",
        "url": "https://cw.example/outbox",
        "links": [],
        "digest_keys": ["esc-0001", "esc-0002"],
    }


def test_an_empty_202_accepted_counts_as_delivered(client):
    with FakePlatforms(webhook_status=202) as fake:
        assert webhook.send(client, target(fake.webhook_url()), MESSAGE, NOW).kind == "ok"


def test_a_429_is_retried_after_the_retry_after_seconds(fake, client):
    fake.fail_next("webhook", "rate_limit", retry_after="42")

    outcome = webhook.send(client, target(fake.webhook_url()), MESSAGE, NOW)

    assert (outcome.kind, outcome.code, outcome.retry_after) == ("retry", 429, 42.0)


def test_a_retry_after_given_as_an_http_date_is_counted_from_now(fake, client):
    fake.fail_next("webhook", "server_error", retry_after="Mon, 11 May 2026 02:02:00 GMT")

    outcome = webhook.send(client, target(fake.webhook_url()), MESSAGE, NOW)

    assert (outcome.kind, outcome.retry_after) == ("retry", 120.0)


def test_a_5xx_is_retried(fake, client):
    fake.fail_next("webhook", "server_error", status=500)

    assert webhook.send(client, target(fake.webhook_url()), MESSAGE, NOW).kind == "retry"


def test_another_4xx_is_fatal(fake, client):
    outcome = webhook.send(client, target(fake.base_url + "/no/such/path"), MESSAGE, NOW)

    assert (outcome.kind, outcome.code) == ("fatal", 404)


def test_a_bad_signature_rejected_with_401_is_fatal(client):
    with FakePlatforms(webhook_secret="receiver-secret-123") as fake:
        forged = target(fake.webhook_url(), secret="sender-secret-456")

        outcome = webhook.send(client, forged, MESSAGE, NOW)

        assert (outcome.kind, outcome.code) == ("fatal", 401)


def test_a_refused_connection_is_retried(client):
    assert webhook.send(client, target(refused_url("/webhook/sink")), MESSAGE, NOW).kind == "retry"


def test_a_url_without_http_scheme_is_fatal_not_retried_forever(client):
    outcome = webhook.send(client, target("ftp://sink.example/hook"), MESSAGE, NOW)

    assert outcome.kind == "fatal"
