"""包联: a segment handed to one county leader, one lead department and participating units.

A change closes the old assignment (``valid_to``) and opens a new one, so history is kept.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Assignment(Base):
    __tablename__ = "assignment"
    __table_args__ = (Index("ix_assignment_active", "campaign_id", "segment_id", "valid_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    leader_id: Mapped[int] = mapped_column(ForeignKey("leader.id"))
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class AssignmentMember(Base):
    """参与单位 of one assignment."""

    __tablename__ = "assignment_member"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True, index=True)
