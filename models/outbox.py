"""Transactional outbox: a notification written in the same transaction as the change it reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, UTCDateTime, one_of
from rules.vocabulary import OutboxState

PENDING, SENDING, SENT, DEAD = OutboxState.PENDING, OutboxState.SENDING, OutboxState.SENT, OutboxState.DEAD
#: a message carried by a digest (``merged_into``): it was delivered when the digest was
MERGED = OutboxState.MERGED


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at"),
        # the relay's throttle reads the sends of the last minute at the start of every pass
        Index("ix_outbox_sent", "state", "sent_at"),
        # the morning digest finds the folded notices not yet carried (a few among all merged rows)
        Index("ix_outbox_folded", "state", "merged_into", "created_at"),
        one_of("state", OutboxState),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    #: unique: re-running the step that wrote it can never write it twice
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    target: Mapped[str] = mapped_column(String(100))  # logical target name; secrets live in the environment
    template: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText)  # title, body, mentions, link …
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: set on a message merged into a digest: the digest that carried it
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), default=None, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
