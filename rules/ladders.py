"""The coordination ladder (协调): 参与单位 → 牵头部门 → 县级领导 → 创卫办, as data plus pure functions.

The seed's procedure: a participating unit's problem goes to its segment's lead department;
what that cannot solve goes to the segment's county leader; what still cannot be solved is
forwarded by the lead department to 创卫办 together with the leader's opinion.

`on_timeout` is what the sweep does when a level's limit passes; `decide` is what a person's
command does. Both turn (state, facts, now) into a list of `Action`s and never touch storage;
the services carry the actions out (state change + history row + outbox rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from rules.calendar import ClockType, WorkCalendar
from rules.errors import Conflict, Forbidden, InvalidInput
from rules.vocabulary import ProblemAction, ProblemLevel, ProblemStatus, RequestKind, surface_table

MEMBER, LEAD, LEADER, OFFICE = ProblemLevel.MEMBER, ProblemLevel.LEAD, ProblemLevel.LEADER, ProblemLevel.OFFICE
LEVELS = tuple(ProblemLevel)

OPEN, RESOLVED, CLOSED = ProblemStatus.OPEN, ProblemStatus.RESOLVED, ProblemStatus.CLOSED

# history actions (ProblemEvent.action)
RAISED, ESCALATED, AUTO_ESCALATED, RETURNED = (
    ProblemAction.RAISED, ProblemAction.ESCALATED, ProblemAction.AUTO_ESCALATED, ProblemAction.RETURNED)
RESOLVE, OPINION, WITHDRAWN, ASSIGNED = (
    ProblemAction.RESOLVED, ProblemAction.OPINION, ProblemAction.WITHDRAWN, ProblemAction.ASSIGNED)
EXTENSION_REQUESTED, HOLD_REQUESTED = ProblemAction.EXTENSION_REQUESTED, ProblemAction.HOLD_REQUESTED
EXTENDED, HELD, REQUEST_REJECTED = ProblemAction.EXTENDED, ProblemAction.HELD, ProblemAction.REQUEST_REJECTED
VERIFIED, REWORK = ProblemAction.VERIFIED, ProblemAction.REWORK

#: how the history and the messages name each action
ACTION_TEXT = surface_table(ProblemAction)

# commands a person can give
C_RESOLVE, C_RETURN, C_ESCALATE, C_OPINION, C_WITHDRAW, C_ASSIGN = (
    "resolve", "return", "escalate", "opinion", "withdraw", "assign")
C_EXTEND, C_HOLD, C_APPROVE, C_REJECT, C_VERIFY = "extend", "hold", "approve", "reject", "verify"

# who gives a command, relative to the problem
BY_HOLDER, BY_LEAD, BY_LEADER, BY_OFFICE, BY_OTHER = "holder", "lead", "leader", "office", "other"

EXTENSION, HOLD = RequestKind.EXTENSION, RequestKind.HOLD

NOTE_TIMEOUT = "{level}办理时限已过，系统自动上报"
NOTE_LEADER_SIGNED = "县级领导办理时限已过，由系统代牵头部门连同县级领导意见报创卫办"
NOTE_OPINION_MISSING = "县级领导逾期未签署意见"

# who must hear of an action: the holder after it, 创卫办, or whoever must approve a request
TO_HOLDER, TO_OFFICE, TO_APPROVER = "holder", "office", "approver"


@dataclass(frozen=True)
class Limit:
    """A time limit: an amount of a clock type."""

    amount: float
    clock: ClockType = ClockType.WORKDAY

    def due(self, cal: WorkCalendar, start: datetime) -> datetime:
        return _due(cal, start, self.amount, self.clock)


@lru_cache(maxsize=1024)
def _due(cal: WorkCalendar, start: datetime, amount: float, clock: ClockType) -> datetime:
    # a sweep gives thousands of problems the same limit from the same ``now``
    return cal.add_limit(start, amount, clock)


@dataclass(frozen=True)
class CoordinationLadder:
    """The levels in use, in order, each with its limit; the 退单 window and the longest 延期."""

    limits: tuple[tuple[str, Limit], ...] = (
        (MEMBER, Limit(2)), (LEAD, Limit(3)), (LEADER, Limit(3)), (OFFICE, Limit(5)))
    return_window: Limit = Limit(2)
    extension_max: Limit = Limit(10)
    #: the sweep climbs past the lead department (牵头部门 → 县级领导) only once the problem has
    #: stood there this long (None: at the level's own limit); marking it 需协调 climbs at once
    climb_after: Limit | None = None

    def __post_init__(self) -> None:
        names = [n for n, _ in self.limits]
        if not names or names[-1] != OFFICE:
            raise ValueError("the coordination ladder must end at 创卫办")
        if names != sorted(set(names), key=LEVELS.index):
            raise ValueError(f"ladder levels must be distinct and in the order {LEVELS}: {names}")

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.limits)

    def limit(self, level: str) -> Limit:
        return dict(self.limits)[level]


@dataclass(frozen=True)
class ProblemState:
    status: str
    level: str
    level_since: datetime
    level_deadline: datetime | None
    on_hold_until: datetime | None = None
    assigned: bool = False  # 创卫办 assigned (交办/改派) it to a unit of its choice
    resolved_level: str | None = None


@dataclass(frozen=True)
class Facts:
    has_lead: bool = True  # the segment has a lead department (an active 包联)
    has_leader: bool = True
    leader_opinion: bool = False  # the county leader signed an opinion at the current level
    pending: str | None = None  # an open request (延期 or 挂账) awaiting approval


@dataclass(frozen=True)
class Command:
    kind: str
    by: str
    reason: str = ""
    until: datetime | None = None  # requested/approved date (延期, 挂账)
    passed: bool = True  # verification result
    limit: Limit | None = None  # assignment limit


@dataclass(frozen=True)
class Action:
    """One state change and its history row."""

    action: str
    from_level: str
    to_level: str | None = None  # set when the problem moves or reopens
    status: str | None = None
    deadline: datetime | None = None
    on_hold_until: datetime | None = None
    assigned: bool | None = None
    note: str | None = None
    opinion: str | None = None
    on_behalf_of: str | None = None
    request: str | None = None  # kind of request opened or decided
    until: datetime | None = None
    rework: bool = False
    #: the sweep forwarded it to 创卫办 without the county leader's opinion (the note says so)
    opinion_missing: bool = False
    notify: tuple[str, ...] = ()


def available(ladder: CoordinationLadder, facts: Facts) -> tuple[str, ...]:
    """The levels this problem can stand on (a segment without 包联 has no lead or leader)."""
    missing = {LEAD} if not facts.has_lead else set()
    if not facts.has_leader or not facts.has_lead:  # the lead department files the leader's step
        missing.add(LEADER)
    return tuple(n for n in ladder.levels if n not in missing)


def entry_level(ladder: CoordinationLadder, wanted: str, facts: Facts) -> str:
    """Where a problem raised at ``wanted`` starts: that level or the first one above it in use."""
    return next(n for n in available(ladder, facts) if LEVELS.index(n) >= LEVELS.index(wanted))


def level_above(ladder: CoordinationLadder, level: str, facts: Facts) -> str | None:
    return next((n for n in available(ladder, facts) if LEVELS.index(n) > LEVELS.index(level)), None)


def level_below(ladder: CoordinationLadder, level: str, facts: Facts) -> str | None:
    return next((n for n in reversed(available(ladder, facts)) if LEVELS.index(n) < LEVELS.index(level)), None)


def approver(ladder: CoordinationLadder, state: ProblemState, facts: Facts, kind: str) -> str:
    """Who approves a request: 挂账 always 创卫办; 延期 the level above (创卫办 for its own assignees)."""
    return request_approver(ladder, state.level, facts, kind)


def request_approver(ladder: CoordinationLadder, level: str | None, facts: Facts, kind: str) -> str:
    """The approving level for a request made at ``level`` (None: a unit outside the ladder → 创卫办)."""
    if kind == HOLD or level is None or level == OFFICE:
        return OFFICE
    return level_above(ladder, level, facts) or OFFICE


def climb_due(ladder: CoordinationLadder, state: ProblemState, now: datetime, cal: WorkCalendar) -> bool:
    """Whether the sweep may climb a problem past the lead department yet (other levels: always)."""
    if state.level != LEAD or ladder.climb_after is None:
        return True
    return now >= ladder.climb_after.due(cal, state.level_since)


def on_timeout(ladder: CoordinationLadder, state: ProblemState, facts: Facts, now: datetime,
               cal: WorkCalendar) -> list[Action]:
    """The sweep's step for a problem whose level limit has passed (none if it has not)."""
    if state.status != OPEN or state.level_deadline is None or now < state.level_deadline:
        return []
    if state.on_hold_until is not None and now < state.on_hold_until:
        return []
    if not climb_due(ladder, state, now, cal):
        return []
    to = level_above(ladder, state.level, facts)
    if to is None:
        return []  # 创卫办 is the top; its assignees are followed by the accountability ladder
    deadline = ladder.limit(to).due(cal, now)
    if state.level == LEADER:
        missing = not facts.leader_opinion
        note = NOTE_OPINION_MISSING if missing else NOTE_LEADER_SIGNED
        return [Action(AUTO_ESCALATED, state.level, to, deadline=deadline, note=note, on_behalf_of=LEAD,
                       opinion_missing=missing, notify=(TO_HOLDER,))]
    return [Action(AUTO_ESCALATED, state.level, to, deadline=deadline,
                   note=NOTE_TIMEOUT.format(level=state.level), notify=(TO_HOLDER,))]


def _need(text: str, what: str) -> str:
    if not text.strip():
        raise InvalidInput(f"{what}必须说明理由")
    return text.strip()


def _holder(state: ProblemState, by: str) -> bool:
    return by == BY_HOLDER or (by == BY_OFFICE and state.level == OFFICE and not state.assigned)


def decide(ladder: CoordinationLadder, state: ProblemState, command: Command, facts: Facts, now: datetime,
           cal: WorkCalendar) -> list[Action]:
    """What a person's command does to a problem; raises a DomainError when it is not allowed."""
    kind, by, lvl = command.kind, command.by, state.level
    if kind == C_VERIFY:
        return _verify(ladder, state, command, now, cal)
    if state.status != OPEN:
        raise Conflict("该问题已办结或已销号，不能再办理（如需重新办理，请由创卫办核实不通过）")
    if kind == C_RESOLVE:
        if not (_holder(state, by) or by == BY_OFFICE):
            raise Forbidden("只有当前承办单位或创卫办可以办结该问题")
        return [Action(RESOLVE, lvl, status=RESOLVED, note=_need(command.reason, "办结"), notify=(TO_OFFICE,))]
    if kind == C_OPINION:
        if not (_holder(state, by) or (lvl == LEADER and by == BY_LEADER)):
            raise Forbidden("只有当前承办单位或包段县级领导可以签署意见")
        return [Action(OPINION, lvl, opinion=_need(command.reason, "签署意见"))]
    if kind == C_ESCALATE:
        return _escalate(ladder, state, command, facts, now, cal)
    if kind == C_RETURN:
        if not _holder(state, by) or (lvl == OFFICE and state.assigned):
            raise Forbidden("只有当前承办层级可以退回下一级")
        to = level_below(ladder, lvl, facts)
        if to is None:
            raise Conflict(f"{lvl}已是最低一级，无法再退回")
        reason = _need(command.reason, "退回")
        return [Action(RETURNED, lvl, to, deadline=ladder.limit(to).due(cal, now), note=reason, assigned=False,
                       notify=(TO_HOLDER,))]
    if kind == C_WITHDRAW:
        if by != BY_HOLDER or (lvl == LEADER):
            raise Forbidden("只有承办单位可以退单")
        window_end = ladder.return_window.due(cal, state.level_since)
        if now > window_end:
            raise Conflict(f"退单须在收到后{ladder.return_window.amount:g}个{ladder.return_window.clock.value}内提出"
                           f"（已于 {window_end:%Y-%m-%d %H:%M} 截止）")
        reason = _need(command.reason, "退单")
        return [Action(WITHDRAWN, lvl, OFFICE, deadline=ladder.limit(OFFICE).due(cal, now), note=reason,
                       assigned=False, notify=(TO_OFFICE,))]
    if kind == C_ASSIGN:
        if by != BY_OFFICE:
            raise Forbidden("只有创卫办可以改派（交办）问题")
        limit = command.limit or ladder.limit(OFFICE)
        return [Action(ASSIGNED, lvl, OFFICE, deadline=limit.due(cal, now), assigned=True,
                       note=command.reason.strip() or None, notify=(TO_HOLDER,))]
    if kind in (C_EXTEND, C_HOLD):
        return _request(ladder, state, command, facts, now, cal)
    if kind in (C_APPROVE, C_REJECT):
        return _decide_request(ladder, state, command, facts, now)
    raise InvalidInput(f"未知的操作：{kind}")


def _escalate(ladder: CoordinationLadder, state: ProblemState, command: Command, facts: Facts, now: datetime,
              cal: WorkCalendar) -> list[Action]:
    lvl, by = state.level, command.by
    to = level_above(ladder, lvl, facts)
    if to is None:
        raise Conflict("创卫办是最高一级，不能再上报；可以办结或改派")
    if lvl == LEADER:
        if by not in (BY_HOLDER, BY_LEAD):
            raise Forbidden("县级领导层级的问题由牵头部门连同领导意见报创卫办")
        if by == BY_LEAD and not facts.leader_opinion:
            raise Conflict("包段县级领导尚未签署意见；请先请领导签署意见，"
                           "领导逾期未签署的，由系统代为上报并注明")
        reason = _need(command.reason, "上报")
        opinion = reason if by == BY_HOLDER else None
        return [Action(ESCALATED, lvl, to, deadline=ladder.limit(to).due(cal, now), note=reason, opinion=opinion,
                       on_behalf_of=LEAD, notify=(TO_HOLDER,))]
    if not _holder(state, by):
        raise Forbidden("只有当前承办单位可以上报")
    reason = _need(command.reason, "上报")
    return [Action(ESCALATED, lvl, to, deadline=ladder.limit(to).due(cal, now), note=reason, notify=(TO_HOLDER,))]


def _request(ladder: CoordinationLadder, state: ProblemState, command: Command, facts: Facts, now: datetime,
             cal: WorkCalendar) -> list[Action]:
    kind = EXTENSION if command.kind == C_EXTEND else HOLD
    until = command.until
    if until is None or until <= now:
        raise InvalidInput(f"{kind}须给出晚于现在的日期")
    if facts.pending:
        raise Conflict(f"该问题已有待审批的{facts.pending}申请")
    if kind == HOLD and command.by == BY_OFFICE:
        reason = _need(command.reason, kind)
        return [Action(HELD, state.level, on_hold_until=until, deadline=until, note=reason, request=HOLD,
                       until=until, notify=(TO_HOLDER,))]
    if not _holder(state, command.by):
        raise Forbidden(f"只有当前承办单位可以申请{kind}")
    if kind == EXTENSION and state.level_deadline is not None:
        if until <= state.level_deadline:
            raise InvalidInput("延期后的期限必须晚于现有期限")
        latest = extension_limit(ladder, state.level_deadline, cal)
        if until > latest:
            raise InvalidInput(f"延期最长{ladder.extension_max.amount:g}个{ladder.extension_max.clock.value}"
                               f"（最晚 {latest:%Y-%m-%d %H:%M}）；更长的请申请挂账")
    reason = _need(command.reason, f"申请{kind}")
    action = EXTENSION_REQUESTED if kind == EXTENSION else HOLD_REQUESTED
    return [Action(action, state.level, note=reason, request=kind, until=until, notify=(TO_APPROVER,))]


def extension_limit(ladder: CoordinationLadder, deadline: datetime, cal: WorkCalendar) -> datetime:
    """The latest date a 延期 may reach from ``deadline``."""
    return ladder.extension_max.due(cal, deadline)


def _decide_request(ladder: CoordinationLadder, state: ProblemState, command: Command, facts: Facts,
                    now: datetime) -> list[Action]:
    kind = facts.pending
    if kind is None:
        raise Conflict("该问题没有待审批的延期或挂账申请")
    who = approver(ladder, state, facts, kind)
    deciders: dict[str, str] = {OFFICE: BY_OFFICE, LEADER: BY_LEADER, LEAD: BY_LEAD}
    allowed = deciders.get(who)
    if command.by not in (allowed, BY_OFFICE):
        raise Forbidden(f"{kind}申请应由{who}审批")
    if command.kind == C_REJECT:
        return [Action(REQUEST_REJECTED, state.level, note=_need(command.reason, "不予批准"), request=kind,
                       notify=(TO_HOLDER,))]
    until = command.until
    if until is None or until <= now:
        raise Conflict(f"{kind}申请的日期已过，请重新申请")
    if kind == HOLD:
        return [Action(HELD, state.level, on_hold_until=until, deadline=until, note=command.reason.strip() or None,
                       request=kind, until=until, notify=(TO_HOLDER,))]
    return [Action(EXTENDED, state.level, deadline=until, note=command.reason.strip() or None, request=kind,
                   until=until, notify=(TO_HOLDER,))]


def _verify(ladder: CoordinationLadder, state: ProblemState, command: Command, now: datetime,
            cal: WorkCalendar) -> list[Action]:
    if command.by != BY_OFFICE:
        raise Forbidden("办结情况由创卫办核实")
    if state.status != RESOLVED:
        raise Conflict("只有已办结、待核实的问题可以核实")
    if command.passed:
        return [Action(VERIFIED, state.level, status=CLOSED, note=command.reason.strip() or None,
                       notify=(TO_HOLDER,))]
    back = state.resolved_level or state.level
    return [Action(REWORK, state.level, back, status=OPEN, deadline=ladder.limit(back).due(cal, now),
                   note=_need(command.reason, "核实不通过"), rework=True, notify=(TO_HOLDER,))]
