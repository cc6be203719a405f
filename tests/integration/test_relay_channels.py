"""The relay against real local servers that answer like WeCom, DingTalk, Feishu, a webhook and SMTP."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging

import pytest

from demo.sandbox import DINGTALK_SECRET, FEISHU_SECRET, WECOM_KEY, FakePlatforms, smtp_server
from models.outbox import DEAD, PENDING, SENT
from rules.delivery import backoff_delay
from services.notifications.relay import deliver_due
from tests.support import outbox_world as world

NOW = world.NOW


@pytest.fixture
def fake():
    with FakePlatforms(dingtalk_keyword="创卫", feishu_keyword="创卫", clock=lambda: NOW.timestamp()) as f:
        yield f


def relay(db, client, env, now=NOW):
    return deliver_due(db, now=now, client=client, environ=env)


def test_relay_delivers_to_wecom_dingtalk_feishu_and_webhook_and_marks_them_sent(db, example, fake, client):
    world.notify(db, 1, now=NOW, recipients=[("office", None), ("leader", world.leader_ids(db)[0])])
    world.configure(db, office_targets=["创卫办群", "牵头部门群"])  # reach Feishu through the office too
    world.notify(db, 1, now=NOW, tag="feishu")
    report = relay(db, client, world.environ(fake))
    rows = world.outbox(db)
    assert {r.state for r in rows} == {SENT} and report.sent == len(rows) == 5
    assert {p: len(fake.requests_for(p)) for p in ("wecom", "dingtalk", "feishu", "webhook")} == \
        {"wecom": 2, "dingtalk": 1, "feishu": 1, "webhook": 1}
    # the signed robots accepted the signature and found their keyword; the webhook got the key
    assert "创卫" in fake.requests_for("dingtalk")[0].json["actionCard"]["text"]
    hooked = {r.headers["idempotency-key"] for r in fake.requests_for("webhook")}
    assert hooked == {r.idempotency_key for r in rows if r.target == "政务协同平台"}
    assert "路段问题逾期未整改" in fake.requests_for("webhook")[0].json["title"]


def test_relay_retries_a_rate_limited_wecom_message_later_without_losing_it(db, example, fake, client):
    world.configure(db, office_targets=["创卫办群"])
    world.notify(db, 1, now=NOW)
    fake.fail_next("wecom", "rate_limit")  # errcode 45009 in an HTTP 200 reply
    assert relay(db, client, world.environ(fake)).retried == 1
    [row] = world.outbox(db)
    assert (row.state, row.attempts) == (PENDING, 1) and "45009" in row.last_error
    assert row.next_attempt_at >= NOW + dt.timedelta(seconds=60)
    assert relay(db, client, world.environ(fake), NOW + dt.timedelta(seconds=30)).sent == 0  # not due yet
    assert relay(db, client, world.environ(fake), row.next_attempt_at).sent == 1
    assert world.outbox(db)[0].state == SENT and len(fake.requests_for("wecom")) == 2


def test_relay_dead_letters_a_bad_wecom_key_with_its_reason(db, example, fake, client):
    world.configure(db, office_targets=["创卫办群"])
    world.notify(db, 1, now=NOW)
    env = world.environ(fake, CW_NOTIFY_OFFICE_WECOM_URL=fake.wecom_url("0000-wrong-key-0000-000000000000"))
    assert relay(db, client, env).dead == 1
    [row] = world.outbox(db)
    assert row.state == DEAD and row.attempts == 1
    assert "93000" in row.last_error and "企业微信机器人地址无效" in row.last_error


def test_relay_retries_webhook_5xx_with_capped_exponential_backoff_and_honours_retry_after(
        db, example, fake, client):
    world.configure(db, office_targets=["政务协同平台"])
    world.notify(db, 1, now=NOW)
    fake.fail_next("webhook", "server_error", times=3, status=503)
    fake.fail_next("webhook", "server_error", times=1, status=503, retry_after="900")
    now = NOW
    for attempt in range(1, 5):
        relay(db, client, world.environ(fake), now)
        [row] = world.outbox(db)
        assert (row.state, row.attempts) == (PENDING, attempt)
        wait = (row.next_attempt_at - now).total_seconds()
        retry_after = 900.0 if attempt == 4 else 30.0
        assert wait == pytest.approx(backoff_delay(row.idempotency_key, attempt, retry_after), abs=1e-3)
        assert wait <= max(retry_after, 30 * 2 ** (attempt - 1))
        now = row.next_attempt_at
    relay(db, client, world.environ(fake), now)
    assert world.outbox(db)[0].state == SENT and len(fake.requests_for("webhook")) == 5


def test_relay_gives_up_after_max_attempts_on_a_webhook_that_keeps_failing(db, example, fake, client):
    world.configure(db, office_targets=["政务协同平台"], section_changes={"max_attempts": 3})
    world.notify(db, 1, now=NOW)
    fake.fail_next("webhook", "server_error", times=5)
    now = NOW
    for _ in range(3):
        relay(db, client, world.environ(fake), now)
        now = world.outbox(db)[0].next_attempt_at
    [row] = world.outbox(db)
    assert row.state == DEAD and row.attempts == 3 and "已重试3次" in row.last_error


def test_relay_sends_email_with_a_chinese_subject_through_smtp(db, example, fake, client):
    world.configure(db, office_targets=["职能部门邮箱"], 职能部门邮箱={"smtp_security": "none"})
    with smtp_server(username=world.SMTP_USER, password=world.SMTP_PASSWORD) as sink:
        world.notify(db, 1, now=NOW)
        assert relay(db, client, world.environ(fake, sink)).sent == 1
        [mail] = sink.messages
    assert mail.content.isascii()  # 7-bit clean: RFC 2047 headers, base64 body
    parsed = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert parsed["Subject"] == "【督办】路段问题逾期未整改（1）"
    assert "请立即整改" in parsed.get_body(("plain",)).get_content()
    assert mail.rcpt_tos == ("znbm-llj@example.gov.cn",)


def test_relay_dead_letters_a_target_whose_environment_variable_is_missing(db, example, fake, client):
    world.notify(db, 1, now=NOW, recipients=[("leader", world.leader_ids(db)[0])])
    env = world.environ(fake)
    del env["CW_NOTIFY_LEADERS_DINGTALK_SECRET"]
    report = relay(db, client, env)
    by_target = {r.target: r for r in world.outbox(db)}
    assert report.sent == 0 and set(by_target) == {"县领导群"}
    dead = by_target["县领导群"]
    assert dead.state == DEAD and dead.attempts == 0
    assert dead.last_error == "通知目标「县领导群」的密钥未配置：环境变量 CW_NOTIFY_LEADERS_DINGTALK_SECRET 未设置"
    assert not fake.requests_for("dingtalk")


def test_relay_masks_robot_keys_and_secrets_in_every_log_line(db, example, fake, client, caplog):
    world.notify(db, 2, now=NOW, recipients=[("office", None), ("leader", world.leader_ids(db)[0])])
    world.configure(db, office_targets=["创卫办群", "牵头部门群"])
    world.notify(db, 1, now=NOW, tag="feishu")
    fake.fail_next("wecom", "server_error")
    with caplog.at_level(logging.DEBUG):
        relay(db, client, world.environ(fake))
    text = caplog.text
    assert "HTTP Request: POST" in text  # httpx logged the URLs …
    for secret in (WECOM_KEY, fake.dingtalk_token, DINGTALK_SECRET, fake.feishu_hook, FEISHU_SECRET):
        assert secret not in text  # … with every credential masked
    assert WECOM_KEY[:4] + "…" in text
