"""Task templates (任务模板) and the tasks instantiated from them per segment/unit and period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, one_of
from rules.vocabulary import AccStage, Recurrence, TaskKind, TaskStatus, TemplateScope

OPEN, DONE, VERIFIED = TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.VERIFIED


class TaskTemplate(Base):
    __tablename__ = "task_template"
    __table_args__ = (UniqueConstraint("campaign_id", "code"), one_of("scope", TemplateScope),
                      one_of("recurrence", Recurrence))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    phase_name: Mapped[str] = mapped_column(String(40))  # a phase name, or "*" for every phase
    category: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(String(30))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    recurrence: Mapped[str] = mapped_column(String(10), default=Recurrence.ONCE)
    milestones: Mapped[str] = mapped_column(String(10), default="none")
    deadline_rule: Mapped[str] = mapped_column(String(20), default="phase_end")
    deadline_days: Mapped[int] = mapped_column(Integer, default=0)


class Task(Base):
    """任务: one template's work for one target (segment, unit or pair) in one period.

    (template_id, target_key, period_key) is unique, so instantiating twice, a Prefect
    retry or two concurrent runs can never create a task twice.
    """

    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("template_id", "target_key", "period_key"),
        Index("ix_task_campaign_status_deadline", "campaign_id", "status", "deadline"),
        Index("ix_task_unit", "unit_id", "status"),
        # a unit's task list in deadline order: read in index order and cut at the page, not sorted
        Index("ix_task_unit_deadline", "unit_id", "deadline", "id"),
        Index("ix_task_segment", "segment_id"),
        one_of("status", TaskStatus), one_of("kind", TaskKind), one_of("acc_stage", AccStage),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: a planned task comes from a template; a rectification (整改) task from a finding
    kind: Mapped[str] = mapped_column(String(12), default=TaskKind.PLAN)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("task_template.id", ondelete="CASCADE"), default=None)
    finding_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    target_key: Mapped[str] = mapped_column(String(40))
    period_key: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    #: 遗留: still open when its phase closed, carried into the next phase
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: 返工: rejected verifications and failed re-inspections
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    #: accountability ladder position (0 none, 1 reminded, 2 overdue notice, 3 督办, 4 sanction proposed …)
    acc_stage: Mapped[int] = mapped_column(Integer, default=0)
    acc_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: 延期 approved to this time / 挂账 until this time: not overdue before it
    extended_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: optimistic concurrency: every state change bumps it
    version: Mapped[int] = mapped_column(Integer, default=1)
