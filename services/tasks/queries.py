"""Reading tasks: lists for the office, the CLI and the pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Campaign, Phase, Segment, Task, Unit
from models.tasks import DONE, OPEN, VERIFIED
from rules.accountability import effective_deadline
from rules.errors import InvalidInput, NotFound
from rules.vocabulary import TaskStatus, surface_table
from services.campaigns.directory import unit_directory
from services.tasks.overdue import task_overdue

STATUS_TEXT = surface_table(TaskStatus)
FILTERS = (OPEN, DONE, VERIFIED, "overdue")


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One task in the office's list; ``deadline`` in the campaign's time zone."""

    id: int
    title: str
    category: str
    phase: str
    segment: str | None
    unit: str
    deadline: dt.datetime
    status: str
    status_text: str
    carried_over: bool
    period: str


def list_tasks(session: Session, *, campaign: Campaign, now: dt.datetime, unit: str | None = None,
               segment: str | None = None, status: str | None = None) -> list[TaskRow]:
    """Tasks by deadline, deadlines in the campaign's time zone."""
    if status and status not in FILTERS:
        raise InvalidInput(f"未知状态 {status}（可选：{'、'.join(FILTERS)}）")
    tz = ZoneInfo(campaign.timezone)
    q = (select(Task, Phase.name, Segment.code, Unit.name)
         .join(Phase, Phase.id == Task.phase_id).join(Unit, Unit.id == Task.unit_id)
         .outerjoin(Segment, Segment.id == Task.segment_id)
         .where(Task.campaign_id == campaign.id))
    if unit:
        found = unit_directory(session, campaign.id).find(unit)
        if found is None:
            raise NotFound(f"找不到单位「{unit}」")
        q = q.where(Task.unit_id == found.id)
    if segment:
        q = q.where(Segment.code == segment)
    if status == "overdue":
        q = q.where(task_overdue(now))
    elif status:
        q = q.where(Task.status == status)
    rows = session.execute(q.order_by(Task.deadline, Task.id)).all()
    return [TaskRow(
        id=t.id, title=t.title, category=t.category, phase=phase, segment=seg,
        unit=unit_name, deadline=t.deadline.astimezone(tz), status=t.status,
        status_text=STATUS_TEXT.get(t.status, t.status) + ("（逾期）" if t.status == OPEN and effective_deadline(t.deadline, t.extended_until) < now else ""),
        carried_over=t.carried_over, period=t.period_key,
    ) for t, phase, seg, unit_name in rows]
