"""打卡/销号: a unit's claim that a task is done, until 创卫办 verifies (核查) it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, UTCDateTime


class Tick(Base):
    __tablename__ = "tick"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    #: evidence flags for the verifier, ``{"code", "text"}`` each (photo time outside the task's
    #: window, photo or tick position far from the segment, photo already used by another tick …)
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    verdict: Mapped[str | None] = mapped_column(String(10), default=None)  # pass | reject
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
