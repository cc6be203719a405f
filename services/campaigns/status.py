"""``cw status``: what the campaign holds and where it stands."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, func, select
from sqlalchemy.orm import Session

from models import Assignment, AssignmentMember, Campaign, Leader, Phase, Segment, Street, Task, Unit
from models.geo import ALLEY, SEGMENT
from models.tasks import DONE, OPEN, VERIFIED
from services.campaigns.context import CampaignContext, load_context
from services.campaigns.working_calendar import coverage_banners
from services.tasks.overdue import task_overdue


def _count(session: Session, stmt: Any) -> int:
    return int(session.scalar(stmt) or 0)


def opened_phase(session: Session, campaign_id: int) -> Phase | None:
    """The sub-phase the engine has opened last (it lags the calendar while a gate waits)."""
    return session.scalars(_opened_phase(), {"campaign_id": campaign_id}).first()


@functools.cache
def _opened_phase() -> Select[tuple[Phase]]:
    """``opened_phase``'s query (parameter: campaign_id), built once: it runs for every finding dispatched."""
    return (select(Phase).where(Phase.campaign_id == bindparam("campaign_id"), Phase.opened_at.is_not(None))
            .order_by(Phase.seq.desc()))


@dataclass(frozen=True)
class TaskCounts:
    """Tasks by status; ``overdue`` = not yet done and past its deadline."""

    total: int
    open: int
    done: int
    verified: int
    overdue: int


@dataclass(frozen=True)
class CampaignStatus:
    """What ``cw status`` shows of one campaign."""

    campaign: str  # its code
    name: str
    streets: int
    segments: int
    alleys: int
    units: int
    leaders: int
    assignments: int
    segments_fully_assigned: int
    phase: str | None
    tasks: TaskCounts
    banners: tuple[str, ...]


@dataclass(frozen=True)
class RollupTotal:
    """The sums over every campaign (市县同创)."""

    streets: int
    segments: int
    alleys: int
    units: int
    leaders: int
    assignments: int
    segments_fully_assigned: int
    tasks: TaskCounts


@dataclass(frozen=True)
class Rollup:
    campaigns: tuple[CampaignStatus, ...]
    total: RollupTotal


def task_counts(session: Session, campaign_id: int, now: dt.datetime) -> TaskCounts:
    """Totals by status; ``overdue`` = not yet done and past its deadline at ``now``."""
    rows: dict[str, int] = {status: n for status, n in session.execute(
        select(Task.status, func.count()).where(Task.campaign_id == campaign_id).group_by(Task.status))}
    overdue = _count(session, select(func.count()).select_from(Task).where(
        Task.campaign_id == campaign_id, task_overdue(now)))
    return TaskCounts(total=sum(rows.values()), open=rows.get(OPEN, 0), done=rows.get(DONE, 0),
                      verified=rows.get(VERIFIED, 0), overdue=overdue)


def campaign_status(session: Session, *, ctx: CampaignContext, now: dt.datetime) -> CampaignStatus:
    """Counts of streets, segments, alleys, units, leaders, active assignments, tasks; the phase."""
    cid = ctx.id
    seg = lambda kind: _count(session, select(func.count()).select_from(Segment).where(
        Segment.campaign_id == cid, Segment.kind == kind))
    active = and_(Assignment.campaign_id == cid, Assignment.valid_to.is_(None))
    has_member = exists().where(AssignmentMember.assignment_id == Assignment.id)
    fully = _count(session, select(func.count(func.distinct(Assignment.segment_id)))
                   .join(Segment, Segment.id == Assignment.segment_id)
                   .where(active, Segment.kind == SEGMENT, has_member))
    phase = opened_phase(session, cid)
    return CampaignStatus(
        campaign=ctx.code, name=ctx.campaign.name,
        streets=_count(session, select(func.count()).select_from(Street).where(Street.campaign_id == cid)),
        segments=seg(SEGMENT), alleys=seg(ALLEY),
        units=_count(session, select(func.count()).select_from(Unit).where(Unit.campaign_id == cid)),
        leaders=_count(session, select(func.count()).select_from(Leader).where(Leader.campaign_id == cid)),
        assignments=_count(session, select(func.count()).select_from(Assignment).where(active)),
        segments_fully_assigned=fully, phase=phase.name if phase else None,
        tasks=task_counts(session, cid, now), banners=tuple(coverage_banners(ctx.spec, now)))


def rollup_status(session: Session, *, now: dt.datetime) -> Rollup:
    """市县同创: every campaign's status and their sums (the city-level roll-up); one context per campaign."""
    campaigns = list(session.scalars(select(Campaign).order_by(Campaign.code)))
    rows = tuple(campaign_status(session, ctx=load_context(session, campaign=c), now=now) for c in campaigns)
    counts = {f: sum(getattr(r, f) for r in rows) for f in ("streets", "segments", "alleys", "units", "leaders",
                                                               "assignments", "segments_fully_assigned")}
    tasks = TaskCounts(**{f: sum(getattr(r.tasks, f) for r in rows)
                          for f in ("total", "open", "done", "verified", "overdue")})
    return Rollup(campaigns=rows, total=RollupTotal(**counts, tasks=tasks))
