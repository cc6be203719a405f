"""整改: what follows a routed finding — tasks, its problem on the coordination ladder, notices.

A dispatched finding gets one rectification task for its segment's 牵头部门 (who coordinates
the participating units) and one for each 职能部门 its category names; its problem enters the
coordination ladder at the lead department. 返工 reopens the same tasks with a new deadline;
closing verifies them. Deadlines run on the campaign's working calendar.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session

from config.inspections import CategorySpec, InspectionsSpec
from models import Campaign, Finding, Phase, Problem, ProblemEvent, Segment, Task, Unit
from models.base import UTCDateTime
from models.inspections import CLOSED, OPEN
from models.people import ROLE_OFFICE
from models.tasks import OPEN as TASK_OPEN
from models.tasks import VERIFIED
from notify.templates import when_text
from rules.calendar import ClockType
from rules.errors import Conflict
from rules.vocabulary import ProblemSource, TaskKind
from services.campaigns.context import CampaignContext
from services.campaigns.status import opened_phase
from services.escalation.problems import raise_problem as raise_on_ladder
from services.inspections.routing import Responsibility
from services.notifications.outbox import enqueue
from services.people.audit import record
from services.people.auth import Principal

#: Task.kind of a rectification task
KIND = TaskKind.RECTIFY
FALLBACK = CategorySpec(name="其他", limit=5, clock="工作日")


def category_spec(inspections: InspectionsSpec, name: str) -> CategorySpec:
    """The taxonomy entry of ``name`` (a category the office removed falls back to 5 工作日)."""
    return inspections.category(name) or FALLBACK


def new_deadline(ctx: CampaignContext, finding: Finding, now: dt.datetime) -> dt.datetime:
    """Deadline of a rectification issued at ``now``: the category's limit, or 12345's for a complaint."""
    spec = ctx.spec.inspections
    amount: float  # a category's limit may be a fraction of an hour
    if finding.complaint_id is not None:
        amount, clock = spec.complaint_limit(finding.category), ClockType.WORKDAY
    else:
        cat = category_spec(spec, finding.category)
        amount, clock = cat.limit, ClockType(cat.clock)
    return ctx.calendar.add_limit(now, amount, clock)


def current_phase(session: Session, campaign: Campaign) -> Phase:
    """The open sub-phase a rectification is counted in."""
    phase = opened_phase(session, campaign.id)
    if phase is None:
        raise Conflict("活动还没有开启任何时段，无法下达整改任务（请先运行 cw phase advance）")
    return phase


def department_units(session: Session, ctx: CampaignContext, category: str) -> list[Unit]:
    """The 职能部门 the category names that exist in this campaign (unknown names are skipped)."""
    directory = ctx.unit_directory()
    found = [directory.find(n) for n in category_spec(ctx.spec.inspections, category).departments]
    return list({u.id: u for u in found if u is not None}.values())


def raise_problem(session: Session, *, ctx: CampaignContext, finding: Finding, title: str, now: dt.datetime,
                  actor: str) -> Problem:
    """Open the finding's problem on the coordination ladder at its lead department."""
    # raised on the lead department's behalf: it hears of the finding through the rectification notice
    by = Principal(campaign_id=ctx.id, role=ROLE_OFFICE, name=actor, unit_id=finding.lead_unit_id,
                   timezone=ctx.campaign.timezone)
    return raise_on_ladder(session, ctx=ctx, unit_id=finding.lead_unit_id, title=title, now=now, actor=by,
                           segment_id=finding.segment_id, description=finding.description, source=ProblemSource.FINDING,
                           source_id=finding.id, category=finding.category, lon=finding.lon, lat=finding.lat)


def _title(finding: Finding, segment: Segment | None) -> str:
    return f"整改：{finding.category}（{segment.name if segment else '未定位'}）"


def notify_units(session: Session, *, ctx: CampaignContext, finding: Finding, unit_ids: list[int], event: str,
                 body: str, now: dt.datetime) -> None:
    """One notice to each responsible unit about this finding (idempotent per event and 返工 round): the title
    names the place, and the link opens the finding's problem, where the unit acts on it."""
    segment = session.get(Segment, finding.segment_id) if finding.segment_id else None
    place = f"（{segment.name}）" if segment else ""
    payload = {"title": f"督查问题{event}：{finding.category}{place}", "body": body, "finding_id": finding.id,
               "problem_id": finding.problem_id,
               "deadline": finding.deadline.isoformat() if finding.deadline else None}
    enqueue(session, ctx=ctx, recipients=[("unit", u) for u in unit_ids], template="rectification",
            payload=payload, key_parts=("finding", finding.id, event, finding.rework_count), now=now)


def dispatch(session: Session, *, ctx: CampaignContext, finding: Finding, resp: Responsibility, now: dt.datetime,
             actor: str, phase: Phase | None = None) -> list[Task]:
    """Hand a routed finding to its lead department and functional departments (tasks, problem, notices);
    ``phase``, the open sub-phase (``current_phase``), when the caller has read it already."""
    campaign = ctx.campaign
    segment = session.get(Segment, finding.segment_id) if finding.segment_id else None
    phase = phase or current_phase(session, campaign)
    finding.lead_unit_id, finding.status, finding.dispatched_at = resp.lead_unit_id, OPEN, now
    finding.deadline = new_deadline(ctx, finding, now)
    owners = [(resp.lead_unit_id, "lead")]
    owners += [(u.id, f"dept{u.id}") for u in department_units(session, ctx, finding.category)
               if u.id != resp.lead_unit_id]
    title = _title(finding, segment)
    tasks = [Task(campaign_id=campaign.id, kind=KIND, template_id=None, finding_id=finding.id, phase_id=phase.id,
                  segment_id=finding.segment_id, unit_id=unit_id, target_key=f"F{finding.id}:{role}",
                  period_key=phase.name, category=finding.category, title=title,
                  description=finding.description, deadline=finding.deadline, created_at=now)
             for unit_id, role in owners]
    session.add_all(tasks)
    finding.problem_id = raise_problem(session, ctx=ctx, finding=finding, title=title, now=now,
                                       actor=actor).id
    session.flush()
    record(session, campaign_id=campaign.id, action="finding.dispatch", object_type="finding", object_id=finding.id,
           now=now, actor=actor, detail={"segment_id": finding.segment_id, "tasks": [t.id for t in tasks]})
    local = finding.deadline.astimezone(ctx.calendar.tz)
    notify_units(session, ctx=ctx, finding=finding, unit_ids=[u for u, _ in owners], event="整改通知",
                 body=f"{title}。{finding.description}\n整改时限：{when_text(local)}", now=now)
    return tasks


def finding_tasks(session: Session, finding_id: int) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.kind == KIND, Task.finding_id == finding_id)
                                .order_by(Task.id)))


def rework(session: Session, *, ctx: CampaignContext, finding: Finding, reason: str, now: dt.datetime,
           actor: str) -> None:
    """返工: reopen the finding and its tasks with a new deadline; the problem stays on its ladder."""
    finding.rework_count += 1
    finding.status, finding.rectified_at, finding.closed_at = OPEN, None, None
    finding.version += 1
    finding.deadline = new_deadline(ctx, finding, now)
    session.execute(update(Task).where(Task.kind == KIND, Task.finding_id == finding.id).values(
        status=TASK_OPEN, deadline=finding.deadline, done_at=None, verified_at=None,
        rework_count=Task.rework_count + 1, version=Task.version + 1).execution_options(synchronize_session=False))
    if finding.problem_id:
        problem = session.get(Problem, finding.problem_id)
        if problem is not None:
            if problem.closed_at is not None:  # reopened after 销号 (a 12345 重办)
                problem.status, problem.closed_at, problem.resolved_level = "open", None, None
            problem.rework_count += 1
            problem.version += 1
            session.add(ProblemEvent(problem_id=problem.id, at=now, actor=actor, action="rework", reason=reason,
                                     detail={"finding_id": finding.id, "rework": finding.rework_count}))
    units = sorted({t.unit_id for t in finding_tasks(session, finding.id)})
    notify_units(session, ctx=ctx, finding=finding, unit_ids=units, event="返工",
                 body=f"复查未通过，需返工（第{finding.rework_count}次）：{reason}", now=now)


def close(session: Session, *, campaign: Campaign, finding: Finding, now: dt.datetime, actor: str,
          action: str = "verified") -> None:
    """销号: the finding is closed, its tasks verified and its problem resolved."""
    finding.status, finding.closed_at, finding.version = CLOSED, now, finding.version + 1
    session.execute(update(Task).where(Task.kind == KIND, Task.finding_id == finding.id, Task.status != VERIFIED)
                    .values(status=VERIFIED, verified_at=now,
                            done_at=func.coalesce(Task.done_at, literal(now, UTCDateTime())),
                            version=Task.version + 1)
                    .execution_options(synchronize_session=False))
    if finding.problem_id:
        problem = session.get(Problem, finding.problem_id)
        if problem is not None and problem.closed_at is None:
            problem.status, problem.resolved_level, problem.closed_at = "closed", problem.level, now
            problem.version += 1
            session.add(ProblemEvent(problem_id=problem.id, at=now, actor=actor, action=action,
                                     from_level=problem.level, detail={"finding_id": finding.id}))
