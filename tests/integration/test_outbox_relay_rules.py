"""Outbox relay rules on both databases: throttles, digests, claims, leases (virtual clock only)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import OutboxMessage
from models.outbox import MERGED, PENDING, SENDING, SENT
from notify import Outcome
from services.notifications.relay import claim, deliver_due, record_outcome, recover_stale
from tests.support import outbox_world as world

NOW = world.NOW


def test_relay_throttles_a_wecom_group_at_18_a_minute_without_using_attempts(db, example, fake, client):
    world.configure(db, office_targets=["创卫办群"], 创卫办群={"digest_after": 0})
    world.notify(db, 25, now=NOW)
    report = deliver_due(db, now=NOW, client=client, environ=world.environ(fake))
    assert (report.sent, report.throttled) == (18, 7)
    waiting = [r for r in world.outbox(db) if r.state == PENDING]
    assert len(waiting) == 7 and {r.attempts for r in waiting} == {0}
    assert {r.next_attempt_at for r in waiting} == {NOW + dt.timedelta(seconds=60)}
    # a second relay process half a minute later still sees the robot's budget as used up
    assert deliver_due(db, now=NOW + dt.timedelta(seconds=30), client=client, environ=world.environ(fake)).sent == 0
    assert deliver_due(db, now=NOW + dt.timedelta(seconds=60), client=client, environ=world.environ(fake)).sent == 7
    assert len(fake.requests_for("wecom")) == 25


def test_relay_merges_a_wecom_burst_into_one_digest_carrying_the_merged_keys(db, example, fake, client):
    world.configure(db, office_targets=["创卫办群"])
    world.notify(db, 60, now=NOW)  # more than one claim batch (50)
    keys = {r.idempotency_key for r in world.outbox(db)}
    report = deliver_due(db, now=NOW, client=client, environ=world.environ(fake))
    assert (report.digests, report.merged, report.sent) == (1, 60, 1)
    [request] = fake.requests_for("wecom")
    card = request.json["template_card"]
    assert card["main_title"]["title"] == "【汇总】督办通知60条" and "路段问题逾期未整改（1）" in card["sub_title_text"]
    assert len(card["sub_title_text"]) <= 112  # the card shows the head of the list; the link opens the rest
    rows = world.outbox(db)
    [digest] = [r for r in rows if r.template == "digest"]
    assert digest.state == SENT and set(digest.payload["digest_keys"]) == keys
    # the digest keeps the link its messages share (the office's console)
    assert digest.payload["link"] == rows[0].payload["link"] and card["card_action"]["url"] == digest.payload["link"]
    originals = [r for r in rows if r.template != "digest"]
    assert {(r.state, r.merged_into, r.sent_at) for r in originals} == {(MERGED, digest.id, NOW)}


def test_relay_sends_a_few_messages_to_a_group_one_by_one_and_never_merges_a_digest_again(db, example, fake, client):
    world.configure(db, office_targets=["创卫办群"])
    world.notify(db, 3, now=NOW)
    assert deliver_due(db, now=NOW, client=client, environ=world.environ(fake)).sent == 3
    world.notify(db, 12, now=NOW, tag="burst")
    fake.fail_next("wecom", "server_error")
    assert deliver_due(db, now=NOW, client=client, environ=world.environ(fake)).retried == 1
    world.notify(db, 12, now=NOW, tag="later")
    later = NOW + dt.timedelta(hours=1)
    report = deliver_due(db, now=later, client=client, environ=world.environ(fake))
    assert (report.sent, report.digests) == (2, 1)  # the old digest as it was, plus a new one
    titles = [r.json["template_card"]["main_title"]["title"] for r in fake.requests_for("wecom")[3:]]
    assert titles.count("【汇总】督办通知12条") == 3


def test_webhook_receives_every_message_of_a_burst_one_by_one(db, example, fake, client):
    world.configure(db, office_targets=["政务协同平台"])
    world.notify(db, 15, now=NOW)
    report = deliver_due(db, now=NOW, client=client, environ=world.environ(fake))
    assert (report.digests, report.sent) == (0, 15)
    assert len({r.headers["idempotency-key"] for r in fake.requests_for("webhook")}) == 15


def test_outbox_claims_of_two_relays_never_overlap(db, example):
    world.configure(db, office_targets=["政务协同平台"])
    world.notify(db, 30, now=NOW)
    if db.engine.dialect.name == "postgresql":
        # both transactions open at once: SKIP LOCKED hands the second relay other rows
        with db.unit_of_work() as a, db.unit_of_work() as b:
            first = claim(a, worker="relay-a", now=NOW, limit=20)
            second = claim(b, worker="relay-b", now=NOW, limit=20)
    else:  # SQLite: BEGIN IMMEDIATE makes the second claim wait for the first to commit
        with db.unit_of_work() as a:
            first = claim(a, worker="relay-a", now=NOW, limit=20)
        with db.unit_of_work() as b:
            second = claim(b, worker="relay-b", now=NOW, limit=20)
    assert len(first) == 20 and len(second) == 10
    assert not {c.id for c in first} & {c.id for c in second}
    with db.reader() as s:
        owners = dict(s.execute(select(OutboxMessage.id, OutboxMessage.claimed_by)).all())
    assert {owners[c.id] for c in first} == {"relay-a"} and {owners[c.id] for c in second} == {"relay-b"}


def test_relay_recovers_messages_stuck_in_sending_after_the_lease(db, example, fake, client):
    world.configure(db, office_targets=["政务协同平台"])
    world.notify(db, 3, now=NOW)
    with db.unit_of_work() as s:  # a relay that claimed and then died
        claim(s, worker="died", now=NOW, limit=10)
    env = world.environ(fake)
    assert deliver_due(db, now=NOW + dt.timedelta(minutes=4), client=client, environ=env).sent == 0
    assert {r.state for r in world.outbox(db)} == {SENDING}
    report = deliver_due(db, now=NOW + dt.timedelta(minutes=5), client=client, environ=env)
    assert (report.recovered, report.sent) == (3, 3)


def test_outbox_outcome_of_a_relay_that_lost_its_claim_is_not_recorded(db, example):
    world.configure(db, office_targets=["政务协同平台"])
    world.notify(db, 1, now=NOW)
    with db.unit_of_work() as s:
        [slow] = claim(s, worker="slow", now=NOW, limit=1)
    later = NOW + dt.timedelta(minutes=6)
    with db.unit_of_work() as s:
        assert recover_stale(s, now=later) == 1
        [fresh] = claim(s, worker="fresh", now=later, limit=1)
    with db.unit_of_work() as s:
        assert record_outcome(s, row=slow, worker="slow", outcome=Outcome("fatal", 400, "x"), now=later,
                              max_attempts=8, channel="webhook") is None
        assert record_outcome(s, row=fresh, worker="fresh", outcome=Outcome("ok", 200), now=later,
                              max_attempts=8, channel="webhook").state == "sent"
    [row] = world.outbox(db)
    assert (row.state, row.attempts, row.last_error) == (SENT, 1, None)
