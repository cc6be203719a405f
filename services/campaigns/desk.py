"""The office's desk (创卫办工作台): what the campaign stands at and every decision waiting for 创卫办.

Read-only queries for the console's 总览: the opened sub-phase and its days left, progress by
segment and by unit (paged and filtered in SQL, so a 5,000-segment city pages as fast as a
town), problems per ladder level and the counts of each queue the office works through.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from models import (
    Assignment,
    AssignmentMember,
    Commendation,
    ExtensionRequest,
    Finding,
    Leader,
    Phase,
    Problem,
    Rating,
    Sanction,
    Segment,
    Street,
    Task,
    Unit,
)
from models.geo import SEGMENT
from rules.ladders import OPEN as PROBLEM_OPEN
from rules.vocabulary import (
    FindingStatus,
    ProblemLevel,
    ProblemStatus,
    ProposalStatus,
    RequestState,
    SanctionState,
    TaskStatus,
)
from services.campaigns.context import CampaignContext
from services.campaigns.status import TaskCounts, opened_phase, task_counts
from services.tasks.overdue import problem_overdue, task_overdue

#: the largest page a list on the desk returns (the console asks for 50)
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class Waiting:
    """How many items wait for 创卫办 in each queue."""

    verify: int  # ticks to 核查
    reinspect: int  # rectified findings to 复查
    sanctions: int  # proposed 督办/通报批评/黄牌警告/约谈
    problems: int  # open problems at the office's level, or resolved and waiting to be 核实
    requests: int  # pending 延期/挂账 requests
    ratings: int  # proposed weekly ratings (units)
    commendations: int  # proposed 表彰 candidates
    triage: int  # findings outside every segment, waiting to be assigned


@dataclass(frozen=True, slots=True)
class Desk:
    """总览: the phase, the task counts, problems per level and the office's queues."""

    phase: str | None
    phase_start: dt.date | None
    phase_end: dt.date | None
    days_left: int | None  # calendar days to the phase's last day, that day included
    tasks: TaskCounts
    problems_by_level: dict[str, int]  # open problems per ladder level, in ladder order
    problems_overdue: int
    findings_open: int
    findings_overdue: int
    waiting: Waiting


@dataclass(frozen=True, slots=True)
class Progress:
    """One segment's or unit's tasks in the opened phase; ``rate`` = verified / total (None: no tasks)."""

    key: str  # segment code or unit name
    name: str
    note: str  # the segment's lead unit, or the unit's kind
    total: int
    verified: int
    done: int
    overdue: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class ProgressPage:
    rows: list[Progress]
    total: int  # rows matching the filter
    offset: int
    limit: int


def _int(value: Any) -> int:
    return int(value or 0)


def office_desk(session: Session, *, ctx: CampaignContext, now: dt.datetime) -> Desk:
    """The 总览 numbers: a handful of COUNT queries, independent of the city's size beyond their indexes."""
    cid = ctx.id
    phase = opened_phase(session, cid)
    today = now.astimezone(ZoneInfo(ctx.campaign.timezone)).date()
    days_left = (phase.end_date - today).days + 1 if phase else None

    def count(model: Any, *where: Any) -> int:
        return _int(session.scalar(select(func.count()).select_from(model).where(model.campaign_id == cid, *where)))

    levels = dict(session.execute(
        select(Problem.level, func.count()).where(Problem.campaign_id == cid, Problem.status == PROBLEM_OPEN)
        .group_by(Problem.level)).tuples().all())
    by_level = {str(level): _int(levels.get(level)) for level in ProblemLevel}
    by_level.update({str(k): _int(v) for k, v in levels.items() if k not in by_level})
    tasks = task_counts(session, cid, now)
    waiting = Waiting(
        verify=tasks.done,
        reinspect=count(Finding, Finding.status == FindingStatus.RECTIFIED),
        sanctions=count(Sanction, Sanction.state == SanctionState.PROPOSED),
        problems=count(Problem, or_(
            (Problem.status == ProblemStatus.OPEN) & (Problem.level == ProblemLevel.OFFICE),
            Problem.status == ProblemStatus.RESOLVED)),
        requests=count(ExtensionRequest, ExtensionRequest.state == RequestState.PENDING),
        ratings=count(Rating, Rating.status == ProposalStatus.PROPOSED),
        commendations=count(Commendation, Commendation.status == ProposalStatus.PROPOSED),
        triage=count(Finding, Finding.status == FindingStatus.TRIAGE),
    )
    return Desk(
        phase=phase.name if phase else None, phase_start=phase.start_date if phase else None,
        phase_end=phase.end_date if phase else None, days_left=days_left, tasks=tasks,
        problems_by_level=by_level, problems_overdue=count(Problem, problem_overdue(now)),
        findings_open=count(Finding, Finding.status == FindingStatus.OPEN),
        findings_overdue=count(Finding, Finding.status == FindingStatus.OPEN, Finding.deadline < now),
        waiting=waiting,
    )


Totals = dict[int, tuple[int, int, int, int]]  # key id → (total, verified, done, overdue)


def _all_totals(session: Session, cid: int, now: dt.datetime) -> tuple[Totals, Totals]:
    """Per segment and per unit: total, verified, done and overdue tasks of the opened phase.

    One GROUP BY (segment, unit) over the phase's tasks, folded both ways in Python and kept in
    the session for the rest of the request (总览 shows both tables). The callers join and sort
    the few thousand rows in Python, which keeps every page independent of the planner's
    guesses on a freshly loaded database.
    """
    key = ("desk_totals", cid, now)
    cached = session.info.get(key)
    if cached is not None:
        return cached
    phase = opened_phase(session, cid)
    q = (select(Task.segment_id, Task.unit_id, func.count(),
                func.sum(case((Task.status == TaskStatus.VERIFIED, 1), else_=0)),
                func.sum(case((Task.status == TaskStatus.DONE, 1), else_=0)),
                func.sum(case((task_overdue(now), 1), else_=0)))
         .where(Task.campaign_id == cid).group_by(Task.segment_id, Task.unit_id))
    if phase is not None:
        q = q.where(Task.phase_id == phase.id)
    by_segment: dict[int, list[int]] = {}
    by_unit: dict[int, list[int]] = {}
    for sid, uid, *counts in session.execute(q).tuples():
        for table, k in ((by_segment, sid), (by_unit, uid)):
            if k is not None:
                acc = table.setdefault(k, [0, 0, 0, 0])
                for i, c in enumerate(counts):
                    acc[i] += _int(c)
    result: tuple[Totals, Totals] = ({k: (v[0], v[1], v[2], v[3]) for k, v in by_segment.items()},
                                     {k: (v[0], v[1], v[2], v[3]) for k, v in by_unit.items()})
    session.info[key] = result
    return result


def _progress(key: str, name: str, note: str | None, counts: tuple[int, int, int, int] | None) -> Progress:
    n, v, d, o = counts or (0, 0, 0, 0)
    return Progress(key=key, name=name, note=note or "", total=n, verified=v, done=d, overdue=o,
                    rate=v / n if n else None)


def _order(p: Progress) -> tuple[int, int, float, str]:
    """Most overdue first, then the lowest completion; those without tasks last."""
    return (-p.overdue, p.rate is None, p.rate or 0.0, p.key)


def _bounds(offset: int, limit: int) -> tuple[int, int]:
    return max(0, offset), max(1, min(limit, MAX_PAGE))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _lead_names(session: Session, segment_ids: list[int]) -> dict[int, str]:
    if not segment_ids:
        return {}
    return dict(session.execute(
        select(Assignment.segment_id, Unit.name).join(Unit, Unit.id == Assignment.lead_unit_id)
        .where(Assignment.segment_id.in_(segment_ids), Assignment.valid_to.is_(None))).tuples().all())


def _segments_named_by(session: Session, cid: int, pattern: str) -> set[int]:
    """Segments whose current lead department or county leader matches ``pattern``.

    The names are matched first in their own small tables and the 包联 looked up by id: a join
    filtered by ILIKE can make a planner without statistics compare every pair.
    """
    units = list(session.scalars(select(Unit.id).where(Unit.campaign_id == cid, Unit.name.ilike(pattern, escape="\\"))))
    leaders = list(session.scalars(select(Leader.id).where(Leader.campaign_id == cid,
                                                          Leader.name.ilike(pattern, escape="\\"))))
    if not units and not leaders:
        return set()
    return set(session.scalars(select(Assignment.segment_id).where(
        Assignment.campaign_id == cid, Assignment.valid_to.is_(None),
        or_(Assignment.lead_unit_id.in_(units), Assignment.leader_id.in_(leaders)))))


def progress_by_segment(session: Session, *, ctx: CampaignContext, now: dt.datetime, query: str = "",
                        offset: int = 0, limit: int = 50) -> ProgressPage:
    """Segments with the most overdue tasks and the lowest completion first; ``query`` filters code, name or
    lead department."""
    cid = ctx.id
    offset, limit = _bounds(offset, limit)
    segments = session.execute(select(Segment.id, Segment.code, Segment.name)
                               .where(Segment.campaign_id == cid, Segment.kind == SEGMENT)).tuples().all()
    if query.strip():
        needle, led = query.strip().casefold(), _segments_named_by(session, cid, _like(query.strip()))
        segments = [r for r in segments if needle in r[1].casefold() or needle in r[2].casefold() or r[0] in led]
    totals = _all_totals(session, cid, now)[0]
    rows = sorted(((sid, _progress(code, name, None, totals.get(sid))) for sid, code, name in segments),
                  key=lambda r: _order(r[1]))
    page = rows[offset:offset + limit]
    leads = _lead_names(session, [sid for sid, _ in page])
    return ProgressPage(rows=[replace(p, note=leads.get(sid, "")) for sid, p in page], total=len(rows),
                        offset=offset, limit=limit)


def progress_by_unit(session: Session, *, ctx: CampaignContext, now: dt.datetime, query: str = "",
                     offset: int = 0, limit: int = 50) -> ProgressPage:
    """Units with the most overdue tasks and the lowest completion first (units with tasks only)."""
    cid = ctx.id
    offset, limit = _bounds(offset, limit)
    totals = _all_totals(session, cid, now)[1]
    q = select(Unit.id, Unit.name, Unit.kind).where(Unit.campaign_id == cid)
    if query.strip():
        q = q.where(Unit.name.ilike(_like(query.strip()), escape="\\"))
    rows = sorted((_progress(name, name, kind, totals[uid]) for uid, name, kind in session.execute(q)
                   if uid in totals), key=_order)
    return ProgressPage(rows=rows[offset:offset + limit], total=len(rows), offset=offset, limit=limit)


def segment_map(session: Session, *, ctx: CampaignContext, now: dt.datetime) -> str:
    """Every segment's line (WGS-84 GeoJSON geometry) with its completion rate, as JSON text for the
    console's maps: ``{"segments": [{"code", "name", "rate", "overdue", "geometry"}, …]}``.

    The stored GeoJSON text is passed through as it is (it was written by ``json.dumps``), so a
    5,000-segment city is not parsed and re-encoded on every page.
    """
    cid = ctx.id
    totals = _all_totals(session, cid, now)[0]
    rows = session.execute(select(Segment.id, Segment.code, Segment.name, type_coerce(Segment.geometry, Text))
                           .where(Segment.campaign_id == cid, Segment.kind == SEGMENT).order_by(Segment.code))
    parts = []
    for sid, code, name, geometry in rows:
        n, v, _, o = totals.get(sid, (0, 0, 0, 0))
        head = json.dumps({"code": code, "name": name, "rate": round(v / n, 3) if n else None, "overdue": o},
                          ensure_ascii=False)
        parts.append(f'{head[:-1]}, "geometry": {geometry or "null"}}}')
    return '{"segments": [' + ",\n".join(parts) + "]}"


def phase_list(session: Session, *, ctx: CampaignContext) -> list[Phase]:
    """The campaign's sub-phases in order (for choosing a phase's 表彰)."""
    return list(session.scalars(select(Phase).where(Phase.campaign_id == ctx.id).order_by(Phase.seq)))


def unit_names(session: Session, *, ctx: CampaignContext) -> list[str]:
    """Every unit's name, sorted (for choosing whom to 改派 to)."""
    return list(session.scalars(select(Unit.name).where(Unit.campaign_id == ctx.id).order_by(Unit.name)))


@dataclass(frozen=True, slots=True)
class SegmentLine:
    """One 路段 with its current 包联 (None where it has none) and how many earlier 包联 it had."""

    code: str
    name: str
    street: str | None
    leader: str | None
    lead: str | None
    members: list[str]
    since: dt.datetime | None  # the current 包联's start
    earlier: int  # closed 包联 rows (history)
    alleys: int


def segment_table(session: Session, *, ctx: CampaignContext, query: str = "", unassigned: bool = False,
                  offset: int = 0, limit: int = 50) -> tuple[list[SegmentLine], int]:
    """One page of segments by code with their 包联 and its history, and how many match.

    The page is chosen on the segment table alone (filters as ``IN`` subqueries); the 包联 of
    the page's segments is read afterwards, so the cost is one page's, whatever the city's size.
    """
    cid = ctx.id
    offset, limit = _bounds(offset, limit)
    active = and_(Assignment.campaign_id == cid, Assignment.valid_to.is_(None))
    ordered = list(session.execute(select(Segment.id, Segment.code, Segment.name, Segment.street_id)
                                   .where(Segment.campaign_id == cid, Segment.kind == SEGMENT)
                                   .order_by(Segment.code)).tuples())
    if query.strip():
        pattern = _like(query.strip())
        needle = query.strip().casefold()
        streets = set(session.scalars(select(Street.id).where(Street.campaign_id == cid,
                                                              Street.name.ilike(pattern, escape="\\"))))
        people = _segments_named_by(session, cid, pattern)
        ordered = [r for r in ordered if needle in r[1].casefold() or needle in r[2].casefold()
                   or r[3] in streets or r[0] in people]
    if unassigned:
        assigned = set(session.scalars(select(Assignment.segment_id).where(active)))
        ordered = [r for r in ordered if r[0] not in assigned]
    total = len(ordered)
    ids = [r[0] for r in ordered[offset:offset + limit]]
    if not ids:
        return [], total
    segs = session.execute(select(Segment.id, Segment.code, Segment.name, Street.name)
                           .outerjoin(Street, Street.id == Segment.street_id).where(Segment.id.in_(ids))).all()
    current = {sid: (aid, since, leader, lead) for aid, sid, since, leader, lead in session.execute(
        select(Assignment.id, Assignment.segment_id, Assignment.valid_from, Leader.name, Unit.name)
        .join(Leader, Leader.id == Assignment.leader_id).join(Unit, Unit.id == Assignment.lead_unit_id)
        .where(Assignment.segment_id.in_(ids), Assignment.valid_to.is_(None)))}
    members: dict[int, list[str]] = {}
    aids = [a[0] for a in current.values()]
    if aids:
        for aid, name in session.execute(
                select(AssignmentMember.assignment_id, Unit.name).join(Unit, Unit.id == AssignmentMember.unit_id)
                .where(AssignmentMember.assignment_id.in_(aids)).order_by(Unit.name)):
            members.setdefault(aid, []).append(name)
    earlier = {k: _int(v) for k, v in session.execute(
        select(Assignment.segment_id, func.count()).where(Assignment.segment_id.in_(ids),
                                                          Assignment.valid_to.is_not(None))
        .group_by(Assignment.segment_id)).tuples()}
    alleys = {k: _int(v) for k, v in session.execute(
        select(Segment.parent_id, func.count()).where(Segment.parent_id.in_(ids))
        .group_by(Segment.parent_id)).tuples() if k is not None}
    tz = ZoneInfo(ctx.campaign.timezone)
    lines = []
    for sid, code, name, street in sorted(segs, key=lambda r: ids.index(r[0])):
        aid, since, leader, lead = current.get(sid, (None, None, None, None))
        lines.append(SegmentLine(code=code, name=name, street=street, leader=leader, lead=lead,
                                 members=members.get(aid, []) if aid else [],
                                 since=since.astimezone(tz) if since else None, earlier=earlier.get(sid, 0),
                                 alleys=alleys.get(sid, 0)))
    return lines, total
