"""Append-only audit log: who did what, when, from which address. Never updated or deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from models.base import Base, JSONText, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    actor: Mapped[str] = mapped_column(String(100))  # a name, or 系统 for the sweep
    address: Mapped[str | None] = mapped_column(String(64), default=None)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int | None] = mapped_column(default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context: object, _instances: object) -> None:
    """Refuse any flush that changes or deletes an audit entry: the log is append-only."""
    touched = [o for o in (*session.dirty, *session.deleted) if isinstance(o, AuditEntry)]
    if any(o in session.deleted or session.is_modified(o) for o in touched):
        raise PermissionError("the audit log is append-only: entries are never updated or deleted")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_changes(state: ORMExecuteState) -> None:
    """Refuse ``update(AuditEntry)`` / ``delete(AuditEntry)`` statements run through a session."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is AuditEntry:
        raise PermissionError("the audit log is append-only: entries are never updated or deleted")
