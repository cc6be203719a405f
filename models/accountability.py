"""The accountability ladder's records: 督办单, sanctions (通报批评/黄牌警告/约谈), steps and requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, UTCDateTime, one_of
from rules.vocabulary import AccStage, ObjectType, ProblemLevel, RequestKind, RequestState, SanctionKind, SanctionState

TASK, PROBLEM, UNIT = ObjectType.TASK, ObjectType.PROBLEM, ObjectType.UNIT  # object_type values
PENDING, APPROVED, REJECTED = RequestState.PENDING, RequestState.APPROVED, RequestState.REJECTED  # 延期/挂账


class SupervisionNotice(Base):
    """督办单: numbered per campaign and year (文号 创卫督〔2025〕12号), one per unit per sweep batch."""

    __tablename__ = "supervision_notice"
    __table_args__ = (UniqueConstraint("campaign_id", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    doc_no: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("phase.id"), default=None)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: the rectification deadline the notice sets
    deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: [{"type": "task"|"problem", "id": …, "title": …, "deadline": …}]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)


class Sanction(Base):
    """通报批评, 黄牌警告 or 约谈: proposed by the ladder, published only once 创卫办 confirms it."""

    __tablename__ = "sanction"
    __table_args__ = (UniqueConstraint("campaign_id", "key"), Index("ix_sanction_state", "campaign_id", "state"),
                      one_of("kind", SanctionKind), one_of("state", SanctionState), one_of("object_type", ObjectType))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: what makes the proposal unique, so a retried sweep never proposes it twice
    key: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default=SanctionState.PROPOSED)
    reason: Mapped[str] = mapped_column(Text)
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("phase.id"), default=None)
    object_type: Mapped[str] = mapped_column(String(10))
    object_id: Mapped[int | None] = mapped_column(Integer, default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_by: Mapped[str | None] = mapped_column(String(100), default=None)
    decision_note: Mapped[str | None] = mapped_column(Text, default=None)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class AccountabilityStep(Base):
    """One rung climbed by a task or problem (提醒, 逾期通知, 督办, 拟通报批评, 拟黄牌警告)."""

    __tablename__ = "accountability_step"
    __table_args__ = (Index("ix_accountability_step_object", "object_type", "object_id"),
                      one_of("object_type", ObjectType), one_of("stage", AccStage))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    object_type: Mapped[str] = mapped_column(String(10))
    object_id: Mapped[int] = mapped_column(Integer)
    stage: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_notice.id"), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class ExtensionRequest(Base):
    """延期 or 挂账 asked for a task or problem, with its decision."""

    __tablename__ = "extension_request"
    __table_args__ = (Index("ix_extension_request_object", "object_type", "object_id", "state"),
                      one_of("object_type", ObjectType), one_of("kind", RequestKind), one_of("state", RequestState),
                      one_of("approver", ProblemLevel))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    object_type: Mapped[str] = mapped_column(String(10))
    object_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(4))  # 延期 | 挂账
    until: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    approver: Mapped[str] = mapped_column(String(10))  # the ladder level that decides
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
