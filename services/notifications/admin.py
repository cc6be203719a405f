"""The office's view of the outbox: dead letters, re-queueing one, counts per state and target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import OutboxMessage
from models.outbox import DEAD, PENDING
from rules.errors import Conflict, NotFound
from rules.vocabulary import OFFICE_NAME, OutboxState, surface_table
from services.people.audit import record

STATE_NAMES = surface_table(OutboxState)


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One outbox message as the office sees it (no secrets: the outbox never holds any)."""

    id: int
    target: str
    template: str
    state: str
    state_text: str
    title: str
    recipient: str | None  # "kind:id", as the outbox wrote it
    idempotency_key: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    last_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    digest_keys: tuple[str, ...]  # the keys of the messages a digest stands for
    merged_into: int | None


@dataclass(frozen=True, slots=True)
class StateCount:
    """How many messages one target has in one state."""

    target: str
    state: str
    state_text: str
    count: int


def message_row(m: OutboxMessage) -> MessageRow:
    """One message as plain data."""
    payload = m.payload or {}
    return MessageRow(id=m.id, target=m.target, template=m.template, state=m.state,
                      state_text=STATE_NAMES.get(m.state, m.state), title=payload.get("title", ""),
                      recipient=payload.get("recipient"), idempotency_key=m.idempotency_key, attempts=m.attempts,
                      last_error=m.last_error, created_at=m.created_at, next_attempt_at=m.next_attempt_at,
                      last_attempt_at=m.last_attempt_at, sent_at=m.sent_at,
                      digest_keys=tuple(payload.get("digest_keys", [])), merged_into=m.merged_into)


def list_messages(session: Session, *, campaign_id: int, state: str | None = None,
                  limit: int = 200) -> list[MessageRow]:
    """The campaign's messages, newest first, optionally of one state."""
    q = select(OutboxMessage).where(OutboxMessage.campaign_id == campaign_id)
    if state:
        q = q.where(OutboxMessage.state == state)
    q = q.order_by(OutboxMessage.id.desc()).limit(limit)
    return [message_row(m) for m in session.scalars(q)]


def list_dead(session: Session, *, campaign_id: int, limit: int = 200) -> list[MessageRow]:
    """Dead letters (发送失败), newest first, each with the reason it was given up."""
    return list_messages(session, campaign_id=campaign_id, state=DEAD, limit=limit)


def summary(session: Session, *, campaign_id: int) -> list[StateCount]:
    """How many messages each target has in each state."""
    q = (select(OutboxMessage.target, OutboxMessage.state, func.count())
         .where(OutboxMessage.campaign_id == campaign_id)
         .group_by(OutboxMessage.target, OutboxMessage.state).order_by(OutboxMessage.target, OutboxMessage.state))
    return [StateCount(target=t, state=st, state_text=STATE_NAMES.get(st, st), count=n)
            for t, st, n in session.execute(q)]


def requeue(session: Session, *, campaign_id: int, message_id: int, now: dt.datetime,
            actor: str = OFFICE_NAME) -> MessageRow:
    """Put a dead letter back in the queue, due at once, with a fresh count of attempts."""
    m = session.get(OutboxMessage, message_id)
    if m is None or m.campaign_id != campaign_id:
        raise NotFound(f"找不到编号为 {message_id} 的通知")
    if m.state != DEAD:
        raise Conflict(f"通知 {message_id} 的状态为「{STATE_NAMES.get(m.state, m.state)}」，只有发送失败的通知可以重新发送")
    session.execute(update(OutboxMessage).where(OutboxMessage.id == m.id, OutboxMessage.state == DEAD)
                    .values(state=PENDING, attempts=0, next_attempt_at=now, claimed_by=None, claimed_at=None)
                    .execution_options(synchronize_session=False))
    record(session, campaign_id=campaign_id, action="outbox.retry", object_type="outbox", object_id=m.id, now=now,
           actor=actor, detail={"target": m.target, "last_error": m.last_error, "attempts": m.attempts})
    session.refresh(m)
    return message_row(m)
