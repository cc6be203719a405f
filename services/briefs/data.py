"""The numbers of one 创卫简报 issue, gathered with set-based queries as plain dataclasses.

Everything is counted as of ``as_of`` from the rows' timestamps, so a brief written later
for an earlier week shows that week as it stood: a task exists once created, is 销号 once
verified, 待核查 once ticked, and 逾期 when its deadline (or approved extension) passed
before it was ticked. Tasks of 巷道 count towards their parent 路段 in the segment table.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, case, func, or_, select
from sqlalchemy.orm import Session

from maps.views import PointView, SegmentView
from models import Assignment, AssignmentMember, Leader, Phase, Problem, ProblemEvent, Segment, Street, Task, Unit
from models.geo import ALLEY, SEGMENT
from rules.errors import CalendarMissing
from rules.ladders import LEVELS
from rules.timeline import current_phase, working_days_left
from rules.vocabulary import UnitKind
from services.briefs.sections import OptionalSections, optional_sections
from services.campaigns.context import CampaignContext
from services.tasks.instantiation import phase_span

OFFICE_KIND = UnitKind.OFFICE


@dataclass(frozen=True)
class PhaseInfo:
    """The sub-phase the engine had opened at ``as_of``, and where the calendar stands."""

    name: str
    start: dt.date
    end: dt.date
    working_days_left: int | None  # None: the calendar has no data for a year it needs
    calendar_phase: str | None  # the phase the dates say; differs while a 转段 waits


@dataclass(frozen=True)
class Counts:
    """Tasks: planned, verified (销号), ticked awaiting verification, overdue."""

    total: int = 0
    verified: int = 0
    awaiting: int = 0
    overdue: int = 0

    @property
    def share(self) -> float | None:
        return self.verified / self.total if self.total else None


@dataclass(frozen=True)
class Progress:
    phase: Counts
    verified_this_week: int
    carried_open: int  # 遗留: tasks of earlier phases still not done


@dataclass(frozen=True)
class SegmentRow:
    code: str
    name: str
    street: str | None
    leader: str | None
    lead_unit: str | None
    counts: Counts


@dataclass(frozen=True)
class UnitOverdue:
    unit: str
    unfinished: int
    overdue: int
    longest_days: int  # days since the oldest missed deadline


@dataclass(frozen=True)
class LevelRow:
    level: str
    open: int
    past_deadline: int
    new: int
    closed: int


@dataclass(frozen=True)
class BriefData:
    campaign: str
    county: str
    office: str  # the 创卫办 unit's full name (the byline), e.g. 示范县创建国家卫生县城工作领导小组办公室
    timezone: str
    start: dt.datetime
    as_of: dt.datetime
    phase: PhaseInfo | None
    progress: Progress
    segments: list[SegmentRow]
    overdue_by_unit: list[UnitOverdue]
    problems_by_level: list[LevelRow]
    sections: OptionalSections
    map_segments: list[SegmentView] = field(default_factory=list)
    map_problems: list[PointView] = field(default_factory=list)
    boundary: dict | None = None
    boundary_label: str | None = None  # 示意范围 when the outline only sketches the area

    def local(self, t: dt.datetime) -> dt.datetime:
        return t.astimezone(ZoneInfo(self.timezone))


def _task_predicates(as_of: dt.datetime) -> dict:
    exists = Task.created_at <= as_of
    verified = and_(Task.verified_at.is_not(None), Task.verified_at <= as_of)
    ticked = and_(Task.done_at.is_not(None), Task.done_at <= as_of)
    finished = or_(verified, ticked)
    extended = and_(Task.extended_until.is_not(None), Task.extended_until > as_of)
    overdue = and_(exists, ~finished, Task.deadline < as_of, ~extended)
    return {"exists": exists, "verified": verified, "awaiting": and_(ticked, ~verified),
            "finished": finished, "overdue": overdue}


def _count_cols(p: dict) -> tuple:
    n = lambda cond: func.coalesce(func.sum(case((cond, 1), else_=0)), 0)
    return (func.count().label("total"), n(p["verified"]).label("verified"),
            n(p["awaiting"]).label("awaiting"), n(p["overdue"]).label("overdue"))


def _counts(row: Row[Any]) -> Counts:
    return Counts(int(row.total or 0), int(row.verified or 0), int(row.awaiting or 0), int(row.overdue or 0))


def opened_phase_at(session: Session, campaign_id: int, as_of: dt.datetime) -> Phase | None:
    """The last sub-phase the engine had opened by ``as_of``."""
    return session.scalars(select(Phase).where(Phase.campaign_id == campaign_id, Phase.opened_at.is_not(None),
                                               Phase.opened_at <= as_of).order_by(Phase.seq.desc())).first()


def _phase_info(session: Session, ctx: CampaignContext, phase: Phase | None, as_of: dt.datetime) -> PhaseInfo | None:
    if phase is None:
        return None
    cal = ctx.calendar
    day = (as_of - dt.timedelta(microseconds=1)).astimezone(cal.tz).date()  # 24:00 belongs to the day before
    try:
        left = working_days_left(cal, phase_span(phase), day)
    except CalendarMissing:
        left = None
    spans = [phase_span(p) for p in session.scalars(select(Phase).where(Phase.campaign_id == ctx.id))]
    on_calendar = current_phase(spans, day)
    return PhaseInfo(phase.name, phase.start_date, phase.end_date, left, on_calendar.name if on_calendar else None)


def _progress(session: Session, cid: int, phase: Phase | None, start: dt.datetime, as_of: dt.datetime) -> Progress:
    p = _task_predicates(as_of)
    if phase is None:
        return Progress(Counts(), 0, 0)
    mine = (Task.campaign_id == cid, Task.phase_id == phase.id, p["exists"])
    counts = _counts(session.execute(select(*_count_cols(p)).where(*mine)).one())
    this_week = session.scalar(select(func.count()).select_from(Task).where(
        *mine, p["verified"], Task.verified_at >= start)) or 0
    carried = session.scalar(select(func.count()).select_from(Task).where(
        Task.campaign_id == cid, Task.phase_id != phase.id, p["exists"], ~p["finished"])) or 0
    return Progress(counts, int(this_week), int(carried))


def _assignments(session: Session, cid: int, as_of: dt.datetime) -> dict[int, tuple[str, str, tuple[str, ...]]]:
    """segment id → (leader, lead unit, participating units) in force at ``as_of``.

    Before a segment's first assignment (a campaign loaded after the week it reports on)
    the first assignment stands in, so the table is never blank for that reason alone.
    """
    rows = session.execute(
        select(Assignment.id, Assignment.segment_id, Assignment.valid_from, Leader.name, Unit.name)
        .join(Leader, Leader.id == Assignment.leader_id).join(Unit, Unit.id == Assignment.lead_unit_id)
        .where(Assignment.campaign_id == cid, or_(Assignment.valid_to.is_(None), Assignment.valid_to > as_of))
        .order_by(Assignment.segment_id, Assignment.valid_from.desc())).all()
    chosen = {r.segment_id: r for r in rows}  # the last one wins: the earliest still in force
    members: dict[int, list[str]] = defaultdict(list)
    member_rows = session.execute(
        select(AssignmentMember.assignment_id, Unit.name).join(Unit, Unit.id == AssignmentMember.unit_id)
        .join(Assignment, Assignment.id == AssignmentMember.assignment_id)
        .where(Assignment.campaign_id == cid, or_(Assignment.valid_to.is_(None), Assignment.valid_to > as_of))
        .order_by(Unit.name))
    for aid, name in member_rows:
        members[aid].append(name)
    return {sid: (r[3], r[4], tuple(members[r.id])) for sid, r in chosen.items()}


def _segments(session: Session, cid: int, phase: Phase | None, as_of: dt.datetime
              ) -> tuple[list[SegmentRow], list[SegmentView]]:
    """The 路段 table (alleys rolled into their parent) and one map record per 路段 and 巷道."""
    p = _task_predicates(as_of)
    per_segment: dict[int, Counts] = {}
    if phase is not None:
        rows = session.execute(select(Task.segment_id, *_count_cols(p)).where(
            Task.campaign_id == cid, Task.phase_id == phase.id, Task.segment_id.is_not(None), p["exists"])
            .group_by(Task.segment_id)).all()
        per_segment = {r.segment_id: _counts(r) for r in rows}
    problems = dict(session.execute(select(Problem.segment_id, func.count()).where(
        Problem.campaign_id == cid, Problem.segment_id.is_not(None), Problem.opened_at <= as_of,
        or_(Problem.closed_at.is_(None), Problem.closed_at > as_of)).group_by(Problem.segment_id)).tuples().all())
    assigned = _assignments(session, cid, as_of)
    segs = session.execute(select(Segment.id, Segment.code, Segment.name, Segment.kind, Segment.parent_id,
                                  Segment.geometry, Street.name.label("street"))
                           .outerjoin(Street, Street.id == Segment.street_id)
                           .where(Segment.campaign_id == cid).order_by(Segment.code)).all()
    rolled: dict[int, list[Counts]] = defaultdict(list)
    views = []
    for s in segs:
        road = s.parent_id if s.kind == ALLEY and s.parent_id is not None else s.id
        counts = per_segment.get(s.id, Counts())
        rolled[road].append(counts)
        leader, lead, units = assigned.get(s.id) or assigned.get(road) or (None, None, ())
        views.append(SegmentView(id=s.id, code=s.code, name=s.name, kind=s.kind, street=s.street,
                                 geometry=s.geometry, leader=leader, lead_unit=lead, units=units,
                                 tasks_done=counts.verified, tasks_total=counts.total,
                                 open_problems=int(problems.get(s.id, 0))))
    table = []
    for s in segs:
        if s.kind != SEGMENT:
            continue
        parts = rolled[s.id]
        leader, lead, _units = assigned.get(s.id) or (None, None, ())
        table.append(SegmentRow(s.code, s.name, s.street, leader, lead, Counts(
            *(sum(getattr(c, f) for c in parts) for f in ("total", "verified", "awaiting", "overdue")))))
    return table, views


def _overdue_by_unit(session: Session, cid: int, as_of: dt.datetime) -> list[UnitOverdue]:
    """Units with tasks overdue at ``as_of`` (any phase: 遗留 tasks count), worst first."""
    p = _task_predicates(as_of)
    rows = session.execute(
        select(Unit.name, func.count().label("unfinished"),
               func.coalesce(func.sum(case((p["overdue"], 1), else_=0)), 0).label("overdue"),
               func.min(case((p["overdue"], Task.deadline), else_=None)).label("oldest"))
        .join(Unit, Unit.id == Task.unit_id)
        .where(Task.campaign_id == cid, p["exists"], ~p["finished"]).group_by(Unit.name)).all()
    out = [UnitOverdue(r.name, int(r.unfinished), int(r.overdue),
                       (as_of - _aware(r.oldest)).days if r.oldest is not None else 0)
           for r in rows if r.overdue]
    return sorted(out, key=lambda u: (-u.overdue, -u.longest_days, u.unit))


def _aware(t: dt.datetime | str) -> dt.datetime:
    """An aggregate of a UTC column; SQLite returns MIN() of a case() as text."""
    t = dt.datetime.fromisoformat(t) if isinstance(t, str) else t
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def levels_at(session: Session, problem_ids: list[int], as_of: dt.datetime) -> dict[int, str]:
    """The ladder level each problem stood at ``as_of``, from its history (a problem that moved
    since then is counted where it was, so a brief rewritten later says the same)."""
    out: dict[int, str] = {}
    later: dict[int, str] = {}
    for i in range(0, len(problem_ids), 500):
        chunk = problem_ids[i:i + 500]
        for pid, at, before, after in session.execute(
                select(ProblemEvent.problem_id, ProblemEvent.at, ProblemEvent.from_level, ProblemEvent.to_level)
                .where(ProblemEvent.problem_id.in_(chunk), ProblemEvent.to_level.is_not(None),
                       ProblemEvent.from_level.is_distinct_from(ProblemEvent.to_level))
                .order_by(ProblemEvent.at, ProblemEvent.id)):
            if at <= as_of:
                out[pid] = after
            elif pid not in later and before is not None:
                later[pid] = before  # the level it left after as_of is where it stood then
    return {pid: out.get(pid) or later.get(pid) or "" for pid in problem_ids}


def _problems_by_level(session: Session, cid: int, start: dt.datetime, as_of: dt.datetime) -> list[LevelRow]:
    """协调事项 by their level on the ladder at ``as_of``: open, past the level's limit, new and closed this week."""
    rows = session.execute(select(Problem.id, Problem.level, Problem.level_since, Problem.level_deadline,
                                  Problem.on_hold_until, Problem.opened_at, Problem.closed_at).where(
        Problem.campaign_id == cid, Problem.opened_at <= as_of,
        or_(Problem.closed_at.is_(None), Problem.closed_at >= start))).all()
    then = levels_at(session, [r.id for r in rows], as_of)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows:
        level = then.get(r.id) or r.level
        c = counts[level]
        is_open = r.closed_at is None or r.closed_at > as_of
        on_hold = r.on_hold_until is not None and r.on_hold_until > as_of
        same_level = r.level_since <= as_of  # its current deadline was already in force then
        c[0] += is_open
        c[1] += bool(is_open and same_level and r.level_deadline is not None and r.level_deadline < as_of
                     and not on_hold)
        c[2] += r.opened_at >= start
        c[3] += bool(r.closed_at is not None and start <= r.closed_at <= as_of)
    found = {lv: LevelRow(lv, *c) for lv, c in counts.items() if any(c)}
    order = [lv for lv in LEVELS if lv in found] + sorted(lv for lv in found if lv not in LEVELS)
    return [found[lv] for lv in order]


def _problem_points(session: Session, cid: int, as_of: dt.datetime) -> list[PointView]:
    rows = session.execute(select(Problem.id, Problem.lon, Problem.lat, Problem.category, Problem.title,
                                  Problem.level).where(
        Problem.campaign_id == cid, Problem.lon.is_not(None), Problem.lat.is_not(None),
        Problem.opened_at <= as_of, or_(Problem.closed_at.is_(None), Problem.closed_at > as_of))).all()
    return [PointView(id=r.id, lon=r.lon, lat=r.lat, category=r.category or "其他", label=r.title, level=r.level)
            for r in rows]


def office_name(session: Session, campaign_id: int) -> str:
    """The name of the campaign's 创卫办 unit (the brief's editor), or 创卫办."""
    name = session.scalar(select(Unit.name).where(Unit.campaign_id == campaign_id, Unit.kind == OFFICE_KIND)
                          .order_by(Unit.id))
    return name or OFFICE_KIND


def office_full_name(session: Session, ctx: CampaignContext) -> str:
    """The byline of the office's documents: the 创卫办's ``full_name`` in the campaign file, else an
    alias that is a full 领导小组办公室 name, else its short name."""
    short = office_name(session, ctx.id)
    unit = next((u for u in ctx.spec.units if u.kind == OFFICE_KIND and u.name == short), None)
    if unit is None:
        return short
    if unit.full_name:
        return unit.full_name
    return next((a for a in unit.aliases if a.endswith("领导小组办公室")), short)


def gather(session: Session, *, ctx: CampaignContext, start: dt.datetime, as_of: dt.datetime,
           photo_dir: Path | None = None) -> BriefData:
    """Every number and map record of the brief for the window ``[start, as_of]``."""
    campaign, cid = ctx.campaign, ctx.id
    phase = opened_phase_at(session, cid, as_of)
    table, views = _segments(session, cid, phase, as_of)
    return BriefData(
        campaign=campaign.name, county=campaign.county, office=office_full_name(session, ctx),
        timezone=campaign.timezone, start=start, as_of=as_of,
        phase=_phase_info(session, ctx, phase, as_of),
        progress=_progress(session, cid, phase, start, as_of),
        segments=table,
        overdue_by_unit=_overdue_by_unit(session, cid, as_of),
        problems_by_level=_problems_by_level(session, cid, start, as_of),
        sections=optional_sections(session, campaign=campaign, start=start, as_of=as_of, photo_dir=photo_dir),
        map_segments=views,
        map_problems=_problem_points(session, cid, as_of),
        boundary=campaign.boundary,
        boundary_label=campaign.boundary_label,
    )
