"""问题/协调事项 on the coordination ladder, with their history (opinions travel up)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, UTCDateTime, one_of
from rules.vocabulary import AccStage, ProblemAction, ProblemLevel, ProblemSource, ProblemStatus

LEVEL_MEMBER, LEVEL_LEAD, LEVEL_LEADER, LEVEL_OFFICE = tuple(ProblemLevel)


class Problem(Base):
    __tablename__ = "problem"
    __table_args__ = (Index("ix_problem_due", "campaign_id", "status", "level_deadline"),
                      one_of("status", ProblemStatus), one_of("level", ProblemLevel),
                      one_of("resolved_level", ProblemLevel), one_of("acc_stage", AccStage),
                      one_of("source", ProblemSource))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int | None] = mapped_column(Integer, default=None)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)  # raised by / responsible
    category: Mapped[str | None] = mapped_column(String(40), default=None)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    status: Mapped[str] = mapped_column(String(16), default=ProblemStatus.OPEN)
    level: Mapped[str] = mapped_column(String(10), default=LEVEL_MEMBER)
    holder_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    holder_leader_id: Mapped[int | None] = mapped_column(ForeignKey("leader.id"), default=None)
    level_since: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    level_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    resolved_level: Mapped[str | None] = mapped_column(String(10), default=None)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: 交办/改派: 创卫办 handed it to a unit of its choice (the holder) with a new limit
    assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: 挂账 (long-term item approved by 创卫办): kept out of overdue counts until this time
    on_hold_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    #: accountability ladder position (0 none, 1 reminded, 2 overdue notice, 3 督办, 4 sanction proposed …)
    acc_stage: Mapped[int] = mapped_column(Integer, default=0)
    acc_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ProblemEvent(Base):
    """One step in a problem's history: raised, escalated (by hand or by the sweep), returned …"""

    __tablename__ = "problem_event"
    __table_args__ = (one_of("action", ProblemAction), one_of("from_level", ProblemLevel),
                      one_of("to_level", ProblemLevel))

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    action: Mapped[str] = mapped_column(String(30))
    from_level: Mapped[str | None] = mapped_column(String(10), default=None)
    to_level: Mapped[str | None] = mapped_column(String(10), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    opinion: Mapped[str | None] = mapped_column(Text, default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
