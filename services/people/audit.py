"""Append to the audit log (never update, never delete)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, cast

from sqlalchemy import Insert, Table, bindparam, insert
from sqlalchemy.orm import Session

from models import AuditEntry
from services.bulk import run_plain

SYSTEM = "系统"


def record(session: Session, *, campaign_id: int, action: str, object_type: str, object_id: int | None,
           now: dt.datetime, actor: str = SYSTEM, user_id: int | None = None, address: str | None = None,
           detail: dict[str, Any] | None = None) -> None:
    """Add one audit entry in the caller's transaction.

    A plain INSERT on the driver's cursor (issue 22: no ORM object to track and flush for a row nobody
    reads back, nor SQLAlchemy's execution layer); what the caller added to the session before is
    flushed first, so entries keep the order of events.
    """
    run_plain(session, _insert(), {
        "campaign_id": campaign_id, "at": now, "user_id": user_id, "actor": actor, "address": address,
        "action": action, "object_type": object_type, "object_id": object_id, "detail": detail or {}})


@functools.cache
def _insert() -> Insert:
    """The audit log's INSERT, built and compiled once."""
    table = cast("Table", AuditEntry.__table__)
    return insert(table).values({c: bindparam(c) for c in _COLUMNS})


_COLUMNS = ("campaign_id", "at", "user_id", "actor", "address", "action", "object_type", "object_id", "detail")
