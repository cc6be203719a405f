"""``cw status``: what the campaign holds and where it stands."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from models import Assignment, AssignmentMember, Campaign, Leader, Phase, Segment, Street, Task, Unit
from models.geo import ALLEY, SEGMENT
from models.tasks import DONE, OPEN, VERIFIED
from services.tasks.overdue import task_overdue


def _count(session: Session, stmt: Any) -> int:
    return int(session.scalar(stmt) or 0)


def opened_phase(session: Session, campaign_id: int) -> Phase | None:
    """The sub-phase the engine has opened last (it lags the calendar while a gate waits)."""
    return session.scalars(
        select(Phase).where(Phase.campaign_id == campaign_id, Phase.opened_at.is_not(None))
        .order_by(Phase.seq.desc())).first()


def task_counts(session: Session, campaign_id: int, now: dt.datetime) -> dict[str, int]:
    """Totals by status; ``overdue`` = not yet done and past its deadline at ``now``."""
    rows = dict(session.execute(
        select(Task.status, func.count()).where(Task.campaign_id == campaign_id).group_by(Task.status)).all())
    overdue = _count(session, select(func.count()).select_from(Task).where(
        Task.campaign_id == campaign_id, task_overdue(now)))
    return {"total": sum(rows.values()), "open": rows.get(OPEN, 0), "done": rows.get(DONE, 0),
            "verified": rows.get(VERIFIED, 0), "overdue": overdue}


def campaign_status(session: Session, *, campaign: Campaign, now: dt.datetime) -> dict[str, Any]:
    """Counts of streets, segments, alleys, units, leaders, active assignments, tasks; the phase."""
    cid = campaign.id
    seg = lambda kind: _count(session, select(func.count()).select_from(Segment).where(  # noqa: E731
        Segment.campaign_id == cid, Segment.kind == kind))
    active = and_(Assignment.campaign_id == cid, Assignment.valid_to.is_(None))
    has_member = exists().where(AssignmentMember.assignment_id == Assignment.id)
    fully = _count(session, select(func.count(func.distinct(Assignment.segment_id)))
                   .join(Segment, Segment.id == Assignment.segment_id)
                   .where(active, Segment.kind == SEGMENT, has_member))
    phase = opened_phase(session, cid)
    from services.campaigns.spec import campaign_spec
    from services.campaigns.working_calendar import coverage_banners

    return {
        "campaign": campaign.code,
        "name": campaign.name,
        "streets": _count(session, select(func.count()).select_from(Street).where(Street.campaign_id == cid)),
        "segments": seg(SEGMENT),
        "alleys": seg(ALLEY),
        "units": _count(session, select(func.count()).select_from(Unit).where(Unit.campaign_id == cid)),
        "leaders": _count(session, select(func.count()).select_from(Leader).where(Leader.campaign_id == cid)),
        "assignments": _count(session, select(func.count()).select_from(Assignment).where(active)),
        "segments_fully_assigned": fully,
        "phase": phase.name if phase else None,
        "tasks": task_counts(session, cid, now),
        "banners": coverage_banners(campaign_spec(campaign), now),
    }


def rollup_status(session: Session, *, now: dt.datetime) -> dict[str, Any]:
    """市县同创: every campaign's status and their sums (the city-level roll-up)."""
    campaigns = list(session.scalars(select(Campaign).order_by(Campaign.code)))
    rows = [campaign_status(session, campaign=c, now=now) for c in campaigns]
    keys = ("streets", "segments", "alleys", "units", "leaders", "assignments", "segments_fully_assigned")
    total: dict[str, Any] = {k: sum(r[k] for r in rows) for k in keys}
    total["tasks"] = {k: sum(r["tasks"][k] for r in rows) for k in ("total", "open", "done", "verified", "overdue")}
    return {"campaigns": rows, "total": total}
