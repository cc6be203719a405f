"""Campaign (创建活动), its stages (阶段) and sub-phases (时段), and phase transitions (转段)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, JSONText, UTCDateTime


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    county: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    #: the validated campaign file, so flows and services need no file at run time
    spec: Mapped[dict[str, Any]] = mapped_column(JSONText)
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSONText, default=None)
    boundary_label: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    phases: Mapped[list[Phase]] = relationship(lazy="raise", order_by="Phase.seq", viewonly=True)


class Stage(Base):
    """阶段: e.g. 综合整治、硬件达标."""

    __tablename__ = "stage"
    __table_args__ = (UniqueConstraint("campaign_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)


class Phase(Base):
    """时段: 起步 / 加速 / 攻坚 / 冲刺, with the moment the engine opened and closed it."""

    __tablename__ = "phase"
    __table_args__ = (UniqueConstraint("campaign_id", "seq"), UniqueConstraint("campaign_id", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    transition: Mapped[str] = mapped_column(String(10), default="auto")
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: the 回头看 summary written when the phase closed
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONText, default=None)


class PhaseTransition(Base):
    """One 转段: the history row written when a phase closes and the next opens."""

    __tablename__ = "phase_transition"
    __table_args__ = (UniqueConstraint("campaign_id", "to_phase_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    from_phase_id: Mapped[int | None] = mapped_column(ForeignKey("phase.id"), default=None)
    to_phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
