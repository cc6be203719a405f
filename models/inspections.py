"""督查: places, inspection plans and their stops, findings (问题), 12345 complaints, the 整改台账."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, one_of
from rules.vocabulary import ComplaintStatus, FindingSource, FindingStatus, InspectionKind, VisitResult

# Finding statuses
PENDING, TRIAGE, OPEN = FindingStatus.PENDING, FindingStatus.TRIAGE, FindingStatus.OPEN
RECTIFIED, CLOSED, MERGED = FindingStatus.RECTIFIED, FindingStatus.CLOSED, FindingStatus.MERGED
LIVE = (PENDING, TRIAGE, OPEN, RECTIFIED)  # not yet closed or merged

# Complaint statuses (where it stands otherwise is its finding's status)
C_OPEN, C_CLOSED = ComplaintStatus.OPEN, ComplaintStatus.CLOSED


class Place(Base):
    """A point to inspect (农贸市场, 公厕, 垃圾站, 餐饮店 …), belonging to the segment it routes to."""

    __tablename__ = "place"
    __table_args__ = (UniqueConstraint("campaign_id", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))  # 类型
    address: Mapped[str | None] = mapped_column(String(300), default=None)
    lon: Mapped[float] = mapped_column(Float)  # WGS-84
    lat: Mapped[float] = mapped_column(Float)
    source_datum: Mapped[str] = mapped_column(String(10), default="wgs84")
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)  # the 路段
    distance_m: Mapped[float | None] = mapped_column(Float, default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Inspection(Base):
    """One inspection round (督查计划) of a kind in an ISO week; 暗访 rounds start unannounced."""

    __tablename__ = "inspection"
    __table_args__ = (UniqueConstraint("campaign_id", "week", "kind", "seq"), one_of("kind", InspectionKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # 定期 | 暗访 | 交叉 | 领导带队 | 复查
    week: Mapped[str] = mapped_column(String(8))  # ISO week, e.g. 2025-W18
    seq: Mapped[int] = mapped_column(Integer, default=1)  # 1 = the weekly planner's round
    title: Mapped[str] = mapped_column(String(200))
    #: the random seed the dates, samples and tie-breaks were drawn with (reproducible)
    seed: Mapped[int] = mapped_column(BigInteger)
    announced: Mapped[bool] = mapped_column(Boolean, default=True)
    #: None while an unannounced round is secret; set when its findings are published (曝光)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class InspectionStop(Base):
    """Who inspects what on which day: a segment, a place, or a finding to re-inspect."""

    __tablename__ = "inspection_stop"
    __table_args__ = (Index("ix_inspection_stop_inspector", "inspector_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    day: Mapped[dt.date] = mapped_column(Date)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), default=None)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"), default=None)
    inspector_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("leader.id"), default=None)
    #: the inspected segment's lead department when planned (cross-round pair history)
    inspected_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)


class Complaint(Base):
    """A citizen complaint (来信来访来电 / 12345 工单); the complainant is seen only by 创卫办."""

    __tablename__ = "complaint"
    __table_args__ = (UniqueConstraint("campaign_id", "order_no"), one_of("status", ComplaintStatus),
                      one_of("visit_result", VisitResult))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    order_no: Mapped[str] = mapped_column(String(40))  # 工单编号
    channel: Mapped[str] = mapped_column(String(20), default="12345")
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    category: Mapped[str] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300), default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    complainant_name: Mapped[str | None] = mapped_column(String(100), default=None)
    complainant_phone: Mapped[str | None] = mapped_column(String(40), default=None)
    status: Mapped[str] = mapped_column(String(12), default=C_OPEN)
    #: how it was placed: point | address | none (triage)
    located_by: Mapped[str] = mapped_column(String(10), default="none")
    visit_result: Mapped[str | None] = mapped_column(String(10), default=None)
    visited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    redo_count: Mapped[int] = mapped_column(Integer, default=0)  # 重办
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: 办结 by 创卫办 (cw complaints close, the console): when and the note the complainant is shown (Open311 status_notes)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    close_note: Mapped[str | None] = mapped_column(Text, default=None)


class Finding(Base):
    """问题: what an inspection found (or a complaint reported), routed to a segment by location."""

    __tablename__ = "finding"
    __table_args__ = (
        Index("ix_finding_open", "campaign_id", "status", "category"),
        Index("ix_finding_inspection", "inspection_id"),
        one_of("status", FindingStatus), one_of("source", FindingSource),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(10), default=FindingSource.INSPECTION)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), default=None)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), default=None, index=True)
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(10), default="一般")
    lon: Mapped[float | None] = mapped_column(Float, default=None)  # WGS-84
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)  # the 路段
    alley_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)  # the 巷道 it lies on
    distance_m: Mapped[float | None] = mapped_column(Float, default=None)
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    inspector_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"), default=None)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"), default=None)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)  # 返工
    recorded_by: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    rectified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)  # last 复查
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: 曝光: 创卫办 marked it for the brief's exposure corner
    exposed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)


class LedgerEntry(Base):
    """整改台账: a quantity rectified for one finding or reported with a task tick, in one of its category's measures (户, 平方米 …)."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_campaign_phase", "campaign_id", "phase_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: the finding rectified, or None for a quantity reported with a task tick (task_id)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), default=None, index=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # who rectified
    category: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[float] = mapped_column(Float)
    measure: Mapped[str] = mapped_column(String(10))  # 户 | 间 | 平方米 | 块 | 条 | 处 | 吨 …
    note: Mapped[str] = mapped_column(Text, default="")
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    entered_by: Mapped[str] = mapped_column(String(100))
