"""考核 record: weekly ratings (评级) and 表彰 candidates, proposed by the rules, confirmed by 创卫办.

Nothing is published (brief, outbox) before 创卫办 confirms it; a confirmed row is frozen:
proposing the same week again refreshes only the rows still proposed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, UTCDateTime, one_of
from rules.vocabulary import ProposalStatus, RatingColour, UnitKind

PROPOSED, CONFIRMED = ProposalStatus.PROPOSED, ProposalStatus.CONFIRMED


class Rating(Base):
    """One unit's 评级 (绿/黄/红) for one ISO week, with the indicators it was computed from."""

    __tablename__ = "assessment_rating"
    __table_args__ = (UniqueConstraint("campaign_id", "week", "unit_id"), one_of("unit_kind", UnitKind),
                      one_of("rating", RatingColour), one_of("status", ProposalStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    week: Mapped[str] = mapped_column(String(8))  # ISO week, e.g. 2025-W10
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    unit_kind: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float, default=None)  # None: no data
    rating: Mapped[str | None] = mapped_column(String(2), default=None)  # 绿 | 黄 | 红 | None
    rank: Mapped[int | None] = mapped_column(Integer, default=None)  # within the unit kind
    ranked: Mapped[int] = mapped_column(Integer, default=0)  # units of the kind with a rank
    #: consecutive 红 weeks ending with this one (confirmed weeks before it)
    red_streak: Mapped[int] = mapped_column(Integer, default=0)
    #: the counts and indicators as computed (the record does not move when data changes later)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=PROPOSED)
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    confirmed_by: Mapped[str | None] = mapped_column(String(100), default=None)


class Commendation(Base):
    """A 表彰 candidate at a phase end (the best of its kind), until 创卫办 confirms it."""

    __tablename__ = "commendation"
    __table_args__ = (UniqueConstraint("campaign_id", "phase_id", "unit_id"), one_of("unit_kind", UnitKind),
                      one_of("status", ProposalStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    unit_kind: Mapped[str] = mapped_column(String(20))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=PROPOSED)
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    confirmed_by: Mapped[str | None] = mapped_column(String(100), default=None)
