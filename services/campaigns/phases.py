"""转段: close the phase that ended with its 回头看 summary, open the next, create its tasks."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from typing import Any, cast

from sqlalchemy import case, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from models import Phase, PhaseTransition, Segment, Task, Unit
from models.tasks import DONE, OPEN, VERIFIED
from rules.timeline import due_transitions
from services.campaigns.context import CampaignContext
from services.campaigns.status import opened_phase
from services.tasks.instantiation import instantiate, phase_span
from services.tasks.overdue import task_overdue


@dataclass
class AdvanceReport:
    campaign: str
    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    tasks_created: int = 0
    held: str | None = None  # the phase waiting for 创卫办's confirmation
    gate: PhaseSummary | None = None  # what is unfinished before a held transition
    phase: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data (what a flow task returns)."""
        return asdict(self)


@dataclass(frozen=True)
class Progress:
    """Tasks of a phase: planned, done (待核查), verified (销号), overdue, unfinished."""

    planned: int
    done: int
    verified: int
    overdue: int
    unfinished: int


@dataclass(frozen=True)
class UnitProgress(Progress):
    unit: str


@dataclass(frozen=True)
class SegmentProgress(Progress):
    code: str
    segment: str


@dataclass(frozen=True)
class PhaseSummary(Progress):
    """回头看: the phase's tasks overall, by unit and by segment, and tasks carried into it."""

    carried_in: int
    by_unit: tuple[UnitProgress, ...]
    by_segment: tuple[SegmentProgress, ...]


def _phases(session: Session, campaign_id: int) -> list[Phase]:
    return list(session.scalars(select(Phase).where(Phase.campaign_id == campaign_id).order_by(Phase.seq)))


def phase_summary(session: Session, *, campaign_id: int, phase_id: int, now: dt.datetime) -> PhaseSummary:
    """回头看: tasks planned, done, verified, overdue and carried over, overall, by unit and segment."""
    overdue = case((task_overdue(now), 1), else_=0)
    cols = (func.count().label("planned"),
            func.sum(case((Task.status == DONE, 1), else_=0)).label("done"),
            func.sum(case((Task.status == VERIFIED, 1), else_=0)).label("verified"),
            func.sum(overdue).label("overdue"),
            func.sum(case((Task.status == OPEN, 1), else_=0)).label("unfinished"))
    where = (Task.campaign_id == campaign_id, Task.phase_id == phase_id)

    def row(r: Any) -> dict[str, int]:
        return {k: int(getattr(r, k) or 0) for k in ("planned", "done", "verified", "overdue", "unfinished")}

    total = session.execute(select(*cols).where(*where)).one()
    by_unit = session.execute(select(Unit.name, *cols).join(Unit, Unit.id == Task.unit_id)
                              .where(*where).group_by(Unit.name).order_by(Unit.name)).all()
    by_segment = session.execute(select(Segment.code, Segment.name, *cols).join(Segment, Segment.id == Task.segment_id)
                                 .where(*where).group_by(Segment.code, Segment.name).order_by(Segment.code)).all()
    carried_in = session.scalar(select(func.count()).select_from(Task).where(
        Task.campaign_id == campaign_id, Task.phase_id != phase_id, Task.carried_over.is_(True),
        Task.status == OPEN)) or 0
    return PhaseSummary(**row(total), carried_in=int(carried_in),
                        by_unit=tuple(UnitProgress(unit=r.name, **row(r)) for r in by_unit),
                        by_segment=tuple(SegmentProgress(code=r.code, segment=r.name, **row(r)) for r in by_segment))


def _open(session: Session, ctx: CampaignContext, phase: Phase, previous: Phase | None, now: dt.datetime,
          actor: str | None, report: AdvanceReport) -> bool:
    """Close ``previous`` and open ``phase``; False if another run did it first."""
    result = session.execute(update(Phase).where(Phase.id == phase.id, Phase.opened_at.is_(None))
                             .values(opened_at=now))
    claimed = cast("CursorResult[Any]", result).rowcount  # an UPDATE's result is a cursor result
    if not claimed:
        return False
    phase.opened_at = now
    campaign = ctx.campaign
    if previous is not None:
        previous.summary = asdict(phase_summary(session, campaign_id=campaign.id, phase_id=previous.id, now=now))
        previous.closed_at = now
        session.execute(update(Task).where(Task.campaign_id == campaign.id, Task.phase_id == previous.id,
                                           Task.status == OPEN).values(carried_over=True))
        report.closed.append(previous.name)
    session.add(PhaseTransition(campaign_id=campaign.id, from_phase_id=previous.id if previous else None,
                                to_phase_id=phase.id, at=now, confirmed_by=actor))
    session.flush()
    report.opened.append(phase.name)
    report.tasks_created += instantiate(session, ctx=ctx, phase=phase, now=now)
    return True


def advance_phases(session: Session, *, ctx: CampaignContext, now: dt.datetime, confirm: bool = False,
                   actor: str | None = None) -> AdvanceReport:
    """Apply every transition due at ``now`` in order; a held one only with ``confirm``."""
    today = now.astimezone(ctx.calendar.tz).date()
    phases = _phases(session, ctx.id)
    by_name = {p.name: p for p in phases}
    current = opened_phase(session, ctx.id)
    report = AdvanceReport(campaign=ctx.code)
    for tr in due_transitions([phase_span(p) for p in phases], current.name if current else None, today):
        target = by_name[tr.to_phase]
        if tr.held and not confirm:
            report.held = target.name
            report.gate = gate_report(session, campaign_id=ctx.id, phase=current, now=now) if current else None
            break
        if not _open(session, ctx, target, current, now, actor if tr.held else None, report):
            session.refresh(target)  # another run opened it first; carry on from there
        current = target
    if current is not None and current.name not in report.opened:
        # nothing opened now: make sure the open phase has every task (a crashed or retried run)
        report.tasks_created += instantiate(session, ctx=ctx, phase=current, now=now)
    report.phase = current.name if current else None
    return report


def gate_report(session: Session, *, campaign_id: int, phase: Phase, now: dt.datetime) -> PhaseSummary:
    """What is unfinished in ``phase``: shown before 创卫办 confirms a held transition."""
    s = phase_summary(session, campaign_id=campaign_id, phase_id=phase.id, now=now)
    return replace(s, by_unit=tuple(u for u in s.by_unit if u.unfinished),
                   by_segment=tuple(x for x in s.by_segment if x.unfinished))


def instantiate_recurring(session: Session, *, ctx: CampaignContext, now: dt.datetime) -> int:
    """Create the weekly and monthly tasks of the open phase for the period of ``now``."""
    current = opened_phase(session, ctx.id)
    if current is None:
        return 0
    return instantiate(session, ctx=ctx, phase=current, now=now, include_once=False)
