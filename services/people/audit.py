"""Append to the audit log (never update, never delete)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from models import AuditEntry

SYSTEM = "系统"


def record(session: Session, *, campaign_id: int, action: str, object_type: str, object_id: int | None,
           now: dt.datetime, actor: str = SYSTEM, user_id: int | None = None, address: str | None = None,
           detail: dict[str, Any] | None = None) -> None:
    """Add one audit entry in the caller's transaction."""
    session.add(AuditEntry(campaign_id=campaign_id, at=now, user_id=user_id, actor=actor, address=address,
                           action=action, object_type=object_type, object_id=object_id, detail=detail or {}))
