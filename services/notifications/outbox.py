"""Write notifications into the outbox, in the caller's transaction (the relay delivers them)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import Campaign, Leader, OutboxMessage, Unit
from models.outbox import PENDING
from services.campaigns.spec import campaign_spec

Recipient = tuple[str, int | None]  # ("unit", id) | ("leader", id) | ("office", None)


def targets_for(session: Session, campaign: Campaign, recipient: Recipient) -> list[str]:
    """The configured target names a recipient is reached by (its own, else the defaults)."""
    spec = campaign_spec(campaign).notifications
    kind, rid = recipient
    names: list[str] = []
    if kind == "unit" and rid is not None:
        unit = session.get(Unit, rid)
        names = list(unit.notify) if unit else []
    elif kind == "leader" and rid is not None:
        leader = session.get(Leader, rid)
        names = list(leader.notify) if leader else []
    elif kind == "office" and spec:
        names = list(spec.office_targets)
    if not names and spec:
        names = list(spec.default_targets)
    return names


def idempotency_key(*parts: Any) -> str:
    """A stable key from the parts that make a message unique (readable prefix + hash)."""
    text = "|".join(str(p) for p in parts)
    return f"{parts[0]}:{hashlib.sha256(text.encode()).hexdigest()[:40]}"


def enqueue(session: Session, *, campaign: Campaign, recipients: Iterable[Recipient], template: str,
            payload: dict[str, Any], key_parts: tuple[Any, ...], now: dt.datetime,
            due_at: dt.datetime | None = None) -> int:
    """One outbox row per (recipient, target); a row whose key exists already is skipped."""
    rows = []
    for recipient in recipients:
        for target in targets_for(session, campaign, recipient):
            key = idempotency_key(campaign.code, template, *key_parts, recipient[0], recipient[1], target)
            rows.append(dict(campaign_id=campaign.id, idempotency_key=key, target=target, template=template,
                             payload={**payload, "recipient": f"{recipient[0]}:{recipient[1] or ''}"},
                             state=PENDING, due_at=due_at or now, next_attempt_at=due_at or now,
                             attempts=0, created_at=now))
    if not rows:
        return 0
    builder = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # RETURNING yields only the rows really inserted (executemany rowcount is -1 on psycopg)
    table = OutboxMessage.__table__
    statement = (builder(table).on_conflict_do_nothing(index_elements=["idempotency_key"])
                 .returning(table.c.id))
    return len(session.execute(statement, rows).all())
