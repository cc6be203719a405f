"""What the pages and the API show: my tasks by urgency and segment, one task, one segment.

Traffic light (红绿灯): red once overdue, yellow past 80 % of the time from the task's creation
to its deadline (wall-clock, see ``rules.calendar.elapsed_fraction``), green before. An
approved extension (``extended_until``) moves the deadline the light is measured against.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Select, bindparam, select, type_coerce
from sqlalchemy.orm import Session, aliased

from models import (
    Assignment,
    AssignmentMember,
    Leader,
    Phase,
    Photo,
    Problem,
    Segment,
    Task,
    Tick,
    Unit,
    User,
)
from models.people import ROLE_INSPECTOR, ROLE_LEADER, ROLE_OFFICE, ROLE_UNIT
from models.tasks import DONE, OPEN, VERIFIED
from rules.accountability import effective_deadline
from rules.calendar import elapsed_fraction
from rules.errors import CalendarMissing, NotFound
from rules.vocabulary import OFFICE_NAME, Light
from services.campaigns.context import CampaignContext
from services.people.auth import (
    HistoryEntry,
    Principal,
    require,
    task_history,
    visibility,
    visible_tasks,
    visible_tasks_for,
)
from services.tasks.ticking import can_undo, undo_deadline
from services.tasks.verification import photos_of
from services.uow import plain_rows

YELLOW_AT = 0.8
BOARD_LIMIT = 500
GREEN, YELLOW, RED, GREY = Light.GREEN, Light.YELLOW, Light.RED, Light.GREY
SECTIONS = (("overdue", "已逾期"), ("week", "本周到期"), ("later", "以后到期"), ("pending", "已打卡，待核查"),
            ("verified", "已核查销号"))
NO_SEGMENT = "单位任务（不分路段）"


def traffic_light(start: dt.datetime, deadline: dt.datetime, now: dt.datetime) -> str:
    """green / yellow (past 80 % of the limit) / red (overdue) for an open task."""
    if now > deadline:
        return RED
    return YELLOW if elapsed_fraction(start, deadline, now) >= YELLOW_AT else GREEN


class Card(NamedTuple):
    """One task as a line on the board (a named tuple: a list makes hundreds, and a frozen dataclass
    cost three times as much to build, issue 22)."""

    id: int
    title: str
    category: str
    status: str
    light: str
    deadline: dt.datetime
    segment_code: str | None
    segment_name: str | None
    unit: str
    rework_count: int
    carried_over: bool
    version: int


@dataclass(frozen=True, slots=True)
class CardGroup:
    """The cards of one segment within a board section; ``segment`` is its heading."""

    segment: str
    code: str | None
    cards: list[Card]


@dataclass(frozen=True, slots=True)
class BoardSection:
    """One part of the board (overdue, this week, later, pending, verified)."""

    key: str
    title: str
    count: int
    groups: list[CardGroup]


@dataclass(frozen=True, slots=True)
class Board:
    """My tasks: the non-empty sections, their counts by key, and whether the board was cut at its limit."""

    sections: list[BoardSection]
    counts: dict[str, int]
    total: int
    truncated: bool


@dataclass(frozen=True, slots=True)
class TickView:
    """A tick on the task page: who ticked, who verified, its photos."""

    tick: Tick
    by: str
    verifier: str | None
    photos: list[Photo]


class DetailTask(NamedTuple):
    """The task columns the task page and API show (a row, not a ``Task``: see ``_detail``)."""

    id: int
    title: str
    category: str
    status: str
    deadline: dt.datetime
    extended_until: dt.datetime | None
    created_at: dt.datetime
    rework_count: int
    carried_over: bool
    version: int
    description: str


class Named(NamedTuple):
    """A unit or phase as the task page names it."""

    id: int
    name: str


class SegmentName(NamedTuple):
    """A task's segment as the task page names it."""

    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class TaskDetail:
    """One task with its ticks, history and what the principal may do with it."""

    task: DetailTask
    unit: Named
    segment: SegmentName | None
    phase: Named
    card: Card
    deadline_text: str
    ticks: list[TickView]
    history: list[HistoryEntry]
    rejected: Tick | None
    can_tick: bool
    can_undo: bool
    undo_until: dt.datetime | None
    can_verify: bool


@dataclass(frozen=True, slots=True)
class MapLine:
    """A road on the segment map; ``geometry`` is GeoJSON in WGS-84."""

    code: str
    name: str
    geometry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MapTick:
    """Where a tick was made, and its task."""

    lon: float
    lat: float
    task: int
    title: str


@dataclass(frozen=True, slots=True)
class MapProblem:
    """Where an unresolved problem is."""

    lon: float
    lat: float
    title: str


@dataclass(frozen=True, slots=True)
class SegmentMap:
    """What the segment page's map draws: the segment, its alleys, neighbouring roads, ticks and problems."""

    segment: MapLine
    alleys: list[MapLine]
    context: list[MapLine]
    ticks: list[MapTick]
    problems: list[MapProblem]


@dataclass(frozen=True, slots=True)
class SegmentPage:
    """A segment for its leader: 包联 units, open tasks, unresolved problems, alleys and its map."""

    segment: Segment
    leader: Leader | None
    lead: Unit | None
    members: list[Unit]
    cards: list[Card]
    problems: list[Problem]
    alleys: list[Segment]
    map: SegmentMap


#: the task columns a card needs (rows, not ORM objects: a board of hundreds of tasks stays cheap)
CARD_COLUMNS = (Task.id, Task.title, Task.category, Task.status, Task.deadline, Task.extended_until, Task.created_at,
                Task.rework_count, Task.carried_over, Task.version)


_TIMES = ("deadline", "extended_until", "created_at")


class CardRow(NamedTuple):
    """A row of ``CARD_COLUMNS`` and the segment and unit names, as ``list_cards`` reads it (same order)."""

    id: int
    title: str
    category: str
    status: str
    deadline: dt.datetime
    extended_until: dt.datetime | None
    created_at: dt.datetime
    rework_count: int
    carried_over: bool
    version: int
    segment_code: str | None
    segment_name: str | None
    unit_name: str


class CardSource(Protocol):
    """What a card is drawn from: a ``Task`` or a row of ``CARD_COLUMNS``."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def deadline(self) -> dt.datetime: ...
    @property
    def extended_until(self) -> dt.datetime | None: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def rework_count(self) -> int: ...
    @property
    def carried_over(self) -> bool: ...
    @property
    def version(self) -> int: ...


def card_of(task: CardSource, code: str | None, seg_name: str | None, unit: str, now: dt.datetime, tz: dt.tzinfo) -> Card:
    """The board line for a task."""
    deadline = effective_deadline(task.deadline, task.extended_until)
    light = traffic_light(task.created_at, deadline, now) if task.status == OPEN else GREY
    if deadline.tzinfo is None:  # a row read as naive UTC, ``now`` too (``list_cards``); mixing them raises
        deadline = deadline.replace(tzinfo=dt.UTC)
    return Card(id=task.id, title=task.title, category=task.category, status=task.status,
                light=light, deadline=deadline.astimezone(tz),
                segment_code=code, segment_name=seg_name, unit=unit, rework_count=task.rework_count,
                carried_over=task.carried_over, version=task.version)


def list_cards(session: Session, *, principal: Principal, now: dt.datetime, statuses: tuple[str, ...] = (OPEN, DONE),
               segment: str | None = None, limit: int = BOARD_LIMIT) -> list[Card]:
    """The principal's visible tasks as cards, soonest deadline first."""
    require(principal, "task.read")
    tz = ZoneInfo(principal.timezone)
    rule, params = visibility(principal)
    rows = plain_rows(session, _cards(rule, tuple(statuses), bool(segment)),
                      {**params, "segment": segment, "limit": limit}).all()
    # plain tuples: a Row's attribute lookup by name costs more than the rest of a card (issue 22);
    # the times come as stored, naive UTC (see ``_cards``), so the light is worked out against naive UTC
    utc_now = now.astimezone(dt.UTC).replace(tzinfo=None)
    return [card_of(r, r.segment_code, r.segment_name, r.unit_name, utc_now, tz) for r in map(CardRow._make, rows)]


@functools.cache
def _cards(rule: str, statuses: tuple[str, ...], by_segment: bool) -> Select:
    """The cards query, built and compiled once per visibility rule, statuses and segment filter.

    The tasks are chosen and cut at the limit first, then joined to their unit and segment: joined
    first, PostgreSQL joined every one of a unit's ~1,700 tasks in bench_web only to keep 50 (issue 22:
    the list was about half of the database's time there)."""
    chosen = select(*CARD_COLUMNS, Task.unit_id, Task.segment_id).where(visible_tasks_for(rule),
                                                                        Task.status.in_(statuses))
    if by_segment:
        chosen = chosen.where(Task.segment_id.in_(select(Segment.id).where(Segment.code == bindparam("segment"))))
    top = chosen.order_by(Task.deadline, Task.id).limit(bindparam("limit")).subquery("chosen")
    # the three times are read as the naive UTC they are stored as: made aware per column and row, they were
    # a sixth of the list's time; ``card_of`` makes the one it shows aware
    return (select(*(type_coerce(top.c[c.key], DateTime()).label(c.key) if c.key in _TIMES else top.c[c.key]
                     for c in CARD_COLUMNS), Segment.code.label("segment_code"),
                   Segment.name.label("segment_name"), Unit.name.label("unit_name"))
            .join_from(top, Unit, Unit.id == top.c.unit_id).outerjoin(Segment, Segment.id == top.c.segment_id)
            .order_by(top.c.deadline, top.c.id))


def board(session: Session, *, principal: Principal, now: dt.datetime, verified: bool = False,
          segment: str | None = None) -> Board:
    """My tasks: sections (overdue, this week, later, pending) each grouped by segment."""
    tz = ZoneInfo(principal.timezone)
    statuses = (VERIFIED,) if verified else (OPEN, DONE)
    cards = list_cards(session, principal=principal, now=now, statuses=statuses, segment=segment,
                       limit=BOARD_LIMIT + 1)
    truncated = len(cards) > BOARD_LIMIT
    sections: dict[str, dict[str, list[Card]]] = {key: {} for key, _ in SECTIONS}
    for card in cards[:BOARD_LIMIT]:
        key = section_of_card(card, now, tz)
        label = f"{card.segment_code} {card.segment_name}" if card.segment_code else NO_SEGMENT
        sections[key].setdefault(label, []).append(card)
    out = []
    for key, title in SECTIONS:
        groups = sorted(sections[key].items(), key=lambda kv: (kv[0] == NO_SEGMENT, kv[0]))
        if groups:
            out.append(BoardSection(key=key, title=title, count=sum(len(c) for _, c in groups),
                                    groups=[CardGroup(segment=label, code=cs[0].segment_code, cards=cs)
                                            for label, cs in groups]))
    return Board(sections=out, counts={s.key: s.count for s in out}, total=min(len(cards), BOARD_LIMIT),
                 truncated=truncated)


def section_of_card(card: Card, now: dt.datetime, tz: dt.tzinfo) -> str:
    """Which part of the board a card belongs in (this week = up to Sunday, local time)."""
    if card.status == VERIFIED:
        return "verified"
    if card.status == DONE:
        return "pending"
    if card.deadline < now:
        return "overdue"
    today = now.astimezone(tz).date()
    return "week" if card.deadline.date() <= today + dt.timedelta(days=6 - today.weekday()) else "later"


def deadline_text(ctx: CampaignContext, deadline: dt.datetime, now: dt.datetime) -> str:
    """剩余/逾期 working days, or why they cannot be counted."""
    try:
        cal = ctx.calendar
        today, due = now.astimezone(cal.tz).date(), deadline.astimezone(cal.tz).date()
        if deadline < now:
            return f"已逾期 {cal.working_days_between(due, today)} 个工作日"
        left = cal.working_days_between(today, due)
        return "今天到期" if left == 0 else f"剩余 {left} 个工作日"
    except CalendarMissing as e:
        return f"无法计算工作日（{e.message[:16]}…）"


#: who made a tick and who verified it (built once: an alias costs more to build than the query to run)
TICKER, VERIFIER = aliased(User, name="ticker"), aliased(User, name="verifier")


#: the ticks of a task, newest first, with who made and who verified them
_TICKS = (select(Tick, TICKER.name, VERIFIER.name).outerjoin(TICKER, TICKER.id == Tick.user_id)
          .outerjoin(VERIFIER, VERIFIER.id == Tick.verified_by)
          .where(Tick.task_id == bindparam("task_id")).order_by(Tick.at.desc(), Tick.id.desc()))


@functools.cache
def _detail(rule: str) -> Select:
    """A visible task with the names of its unit, phase and segment, built and compiled once per visibility rule.

    Only the columns the page and the API show, as one plain row: the four whole entities were ~55
    columns, the segment's geometry JSON among them, and turning them into objects was most of the
    detail route's time (issue 22)."""
    return (select(*CARD_COLUMNS, Task.description, Unit.id, Unit.name, Phase.id, Phase.name, Segment.id,
                   Segment.code, Segment.name)
            .join_from(Task, Unit, Unit.id == Task.unit_id)
            .join(Phase, Phase.id == Task.phase_id).outerjoin(Segment, Segment.id == Task.segment_id)
            .where(Task.id == bindparam("task_id"), visible_tasks_for(rule)))


def task_detail(session: Session, *, ctx: CampaignContext, principal: Principal, task_id: int, now: dt.datetime
                ) -> TaskDetail:
    """One task with its ticks, photos, history and what the principal may do with it."""
    # one query for the task and what it belongs to ...
    rule, params = visibility(principal)
    row = plain_rows(session, _detail(rule), {**params, "task_id": task_id}).first()
    if row is None:
        raise NotFound(f"找不到任务 {task_id}")
    task, unit, phase = DetailTask._make(row[:11]), Named._make(row[11:13]), Named._make(row[13:15])
    segment = SegmentName._make(row[15:18]) if row[15] is not None else None
    tz = ZoneInfo(principal.timezone)
    # ... one for its ticks with who made and who verified them, and photos only when there are ticks
    tick_rows = session.execute(_TICKS, {"task_id": task.id}).all()
    ticks = [t for t, _, _ in tick_rows]
    by = {t.id: OFFICE_NAME if ticker is None else ticker for t, ticker, _ in tick_rows}
    verifier = {t.id: checker for t, _, checker in tick_rows}
    photos = photos_of(session, [t.id for t in ticks])
    current = next((t for t in ticks if t.undone_at is None), None) if task.status == DONE else None
    rejected = next((t for t in ticks if t.verdict == "reject"), None) if task.status == OPEN else None
    deadline = effective_deadline(task.deadline, task.extended_until)
    return TaskDetail(
        task=task, unit=unit, segment=segment, phase=phase,
        card=card_of(task, segment.code if segment else None, segment.name if segment else None, unit.name, now, tz),
        deadline_text=(deadline_text(ctx, deadline, now)
                       if task.status == OPEN else ""),
        ticks=[TickView(tick=t, by=by[t.id], verifier=verifier[t.id], photos=photos.get(t.id, [])) for t in ticks],
        history=task_history(session, task_id=task.id),
        rejected=rejected,
        can_tick=principal.can("task.tick") and task.status == OPEN,
        can_undo=task.status == DONE and can_undo(principal, current, now),
        undo_until=undo_deadline(current).astimezone(tz) if current else None,
        can_verify=(principal.can("task.verify") and task.status == DONE and current is not None
                    and (current.user_id is None or current.user_id != principal.user_id)),
    )


def my_segments(session: Session, *, principal: Principal) -> list[Segment]:
    """Segments the principal holds (leader) or works on (unit: lead department or member)."""
    active = Assignment.valid_to.is_(None)
    q = select(Segment).join(Assignment, Assignment.segment_id == Segment.id).where(
        Assignment.campaign_id == principal.campaign_id, active)
    if principal.role == ROLE_LEADER:
        q = q.where(Assignment.leader_id == principal.leader_id)
    elif principal.role == ROLE_UNIT:
        member = select(AssignmentMember.assignment_id).where(AssignmentMember.unit_id == principal.unit_id)
        q = q.where((Assignment.lead_unit_id == principal.unit_id) | Assignment.id.in_(member))
    elif principal.role not in (ROLE_OFFICE, ROLE_INSPECTOR):
        return []
    return list(session.scalars(q.distinct().order_by(Segment.code)))


def segment_page(session: Session, *, principal: Principal, code: str, now: dt.datetime) -> SegmentPage:
    """A segment for its leader: map geometry, 包联 units, open tasks and unresolved problems."""
    require(principal, "segment.read")
    segment = session.scalars(select(Segment).where(Segment.campaign_id == principal.campaign_id,
                                                    Segment.code == code)).first()
    if segment is None or (principal.role in (ROLE_LEADER, ROLE_UNIT)
                           and segment.id not in {s.id for s in my_segments(session, principal=principal)}):
        raise NotFound(f"找不到路段 {code}")
    assignment = session.scalars(select(Assignment).where(Assignment.segment_id == segment.id,
                                                          Assignment.valid_to.is_(None))).first()
    leader = session.get(Leader, assignment.leader_id) if assignment else None
    lead = session.get(Unit, assignment.lead_unit_id) if assignment else None
    members = list(session.scalars(select(Unit).join(AssignmentMember, AssignmentMember.unit_id == Unit.id)
                                   .where(AssignmentMember.assignment_id == assignment.id).order_by(Unit.name))
                   ) if assignment else []
    cards = list_cards(session, principal=principal, now=now, segment=code)
    problems = select(Problem).where(Problem.segment_id == segment.id, Problem.closed_at.is_(None))
    if principal.role == ROLE_UNIT:
        problems = problems.where((Problem.unit_id == principal.unit_id) | (Problem.holder_unit_id == principal.unit_id))
    alleys = list(session.scalars(select(Segment).where(Segment.parent_id == segment.id).order_by(Segment.code)))
    points = session.execute(
        select(Tick.lon, Tick.lat, Task.id, Task.title).join(Task, Task.id == Tick.task_id)
        .where(Task.segment_id == segment.id, visible_tasks(principal), Tick.lon.is_not(None),
               Tick.undone_at.is_(None))).all()
    problem_rows = list(session.scalars(problems.order_by(Problem.opened_at)))
    pad = 0.004  # about 400 m: enough neighbouring roads to recognise the place on a map without tiles
    nearby = session.scalars(select(Segment).where(
        Segment.campaign_id == segment.campaign_id, Segment.id != segment.id, Segment.parent_id.is_distinct_from(segment.id),
        Segment.min_lon <= segment.max_lon + pad, Segment.max_lon >= segment.min_lon - pad,
        Segment.min_lat <= segment.max_lat + pad, Segment.max_lat >= segment.min_lat - pad).limit(200))
    return SegmentPage(
        segment=segment, leader=leader, lead=lead, members=members, cards=cards, problems=problem_rows, alleys=alleys,
        map=SegmentMap(segment=MapLine(code=segment.code, name=segment.name, geometry=segment.geometry),
                       alleys=[MapLine(code=a.code, name=a.name, geometry=a.geometry) for a in alleys],
                       context=[MapLine(code=n.code, name=n.name, geometry=n.geometry) for n in nearby],
                       ticks=[MapTick(lon=p.lon, lat=p.lat, task=p.id, title=p.title) for p in points],
                       problems=[MapProblem(lon=p.lon, lat=p.lat, title=p.title) for p in problem_rows
                                 if p.lon is not None and p.lat is not None]),
    )
