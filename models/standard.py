"""The national standard (标准条目), 自评 with evidence files, 病媒 monitoring, 模拟暗访 and 群众满意度测评."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, UTCDateTime, one_of
from rules.vocabulary import Pest, SelfResult, VisitResult


class StandardVersion(Base):
    """One load of a standard file into a campaign; a new version only when the content changed."""

    __tablename__ = "standard_version"
    __table_args__ = (UniqueConstraint("campaign_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))  # county-2021
    title: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))  # of the standard text and the campaign's overrides
    items: Mapped[int] = mapped_column(Integer)
    #: 病媒 C-level thresholds as loaded: [{pest, metric, unit, max, verified, source}]
    vector_thresholds: Mapped[list] = mapped_column(JSONText, default=list)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class StandardItem(Base):
    """An item of the standard (or a local item of the campaign) with its owner and linked records."""

    __tablename__ = "standard_item"
    __table_args__ = (UniqueConstraint("campaign_id", "code"), one_of("pest", Pest))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    area: Mapped[str] = mapped_column(String(40))
    area_seq: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)  # order within the area
    number: Mapped[str | None] = mapped_column(String(20), default=None)  # （十）
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(300), default=None)
    owner: Mapped[str | None] = mapped_column(String(100), default=None)  # the unit's name as written
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    owner_kinds: Mapped[list] = mapped_column(JSONText, default=list)
    evidence: Mapped[list] = mapped_column(JSONText, default=list)  # expected evidence
    task_categories: Mapped[list] = mapped_column(JSONText, default=list)
    finding_categories: Mapped[list] = mapped_column(JSONText, default=list)
    indicator: Mapped[str | None] = mapped_column(String(20), default=None)
    pest: Mapped[str | None] = mapped_column(String(4), default=None)
    local: Mapped[bool] = mapped_column(Boolean, default=False)  # added by the campaign
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False once a newer version dropped it
    version: Mapped[int] = mapped_column(Integer)  # the standard version that last wrote it


class SelfAssessment(Base):
    """A 自评 of one item; the newest one is the item's result."""

    __tablename__ = "self_assessment"
    __table_args__ = (one_of("result", SelfResult),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("standard_item.id", ondelete="CASCADE"), index=True)
    result: Mapped[str] = mapped_column(String(8))
    score: Mapped[float | None] = mapped_column(Float, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    assessed_by: Mapped[str] = mapped_column(String(100))
    assessed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class EvidenceFile(Base):
    """A file filed under an item (佐证材料), stored by content hash outside the database."""

    __tablename__ = "evidence_file"
    __table_args__ = (UniqueConstraint("item_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("standard_item.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("self_assessment.id", ondelete="SET NULL"),
                                                      default=None)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(200))  # relative to the evidence store
    filename: Mapped[str] = mapped_column(String(200))  # as the office named it
    size: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class VectorRecord(Base):
    """A 病媒生物 density survey (鼠/蚊/蝇/蟑): method, place, date, result, checked against its threshold."""

    __tablename__ = "vector_record"
    __table_args__ = (one_of("pest", Pest),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    pest: Mapped[str] = mapped_column(String(4))
    metric: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(200))
    surveyed_on: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(10))
    threshold: Mapped[float | None] = mapped_column(Float, default=None)  # None: no threshold known
    passed: Mapped[bool | None] = mapped_column(Boolean, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Rehearsal(Base):
    """A 模拟暗访: a sampled walk over places by type; its findings carry its inspection round."""

    __tablename__ = "rehearsal"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(200))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id", ondelete="SET NULL"), default=None)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RehearsalPoint(Base):
    __tablename__ = "rehearsal_point"
    __table_args__ = (UniqueConstraint("rehearsal_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rehearsal_id: Mapped[int] = mapped_column(ForeignKey("rehearsal.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # order on the route
    type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(40))
    lon: Mapped[float] = mapped_column(Float)  # WGS-84
    lat: Mapped[float] = mapped_column(Float)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), default=None)


class Survey(Base):
    """A 群众满意度测评 for one period, answered on a public page at /s/<code>."""

    __tablename__ = "survey"
    __table_args__ = (UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # unguessable public code
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(10))  # 2025Q1
    #: answers one network address may give (an office behind one address: many phones)
    per_address: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_by: Mapped[str] = mapped_column(String(100))


class SurveyResponse(Base):
    """One device's answer (满意/基本满意/不满意), optionally for a segment, with a comment."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("survey_id", "device"), one_of("answer", VisitResult))

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    device: Mapped[str] = mapped_column(String(64))  # hash of the device cookie
    address: Mapped[str] = mapped_column(String(64), index=True)  # hash of the network address
    answer: Mapped[str] = mapped_column(String(8))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
