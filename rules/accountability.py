"""The accountability ladder (督查问责): reminder → overdue notice → 督办单, then sanctions about units.

An open task, rectification or assigned problem climbs one rung per sweep at most. The rungs
are thresholds on its effective deadline (an approved 延期 or 挂账 moves it), computed once
per sweep from ``now`` on the working calendar, so the sweep can apply each rung as one
set-based UPDATE and the same test decides a single item here. An item's ladder ends at the
督办单, which gathers a unit's overdue items (one a week at most). 通报批评, 黄牌警告 and 约谈 are
decisions about a **unit** for a **period**, proposed by the rules below over its record (督办单
in a period, confirmed 通报批评 or red weeks in a phase, confirmed 黄牌警告) — never one per item —
and confirmed by 创卫办.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rules.calendar import ClockType, WorkCalendar
from rules.vocabulary import AccStage, SanctionKind, SanctionState, surface_table

NONE, REMINDED, OVERDUE, SUPERVISED, CRITICISED = (
    AccStage.NONE, AccStage.REMINDED, AccStage.OVERDUE, AccStage.SUPERVISED, AccStage.CRITICISED)
STAGE_TEXT = surface_table(AccStage)

CRITICISM, YELLOW_CARD, INTERVIEW = SanctionKind.CRITICISM, SanctionKind.YELLOW_CARD, SanctionKind.INTERVIEW

PROPOSED, CONFIRMED, DISMISSED = SanctionState.PROPOSED, SanctionState.CONFIRMED, SanctionState.DISMISSED


#: the periods a 通报批评 can be proposed for (one per unit per period at most)
WEEK, MONTH, PHASE = "week", "month", "phase"


@dataclass(frozen=True)
class InterviewRule:
    """When 约谈 is recommended for a unit (0 switches an input off)."""

    yellow_cards: int = 2  # confirmed 黄牌警告 over the campaign
    red_streak: int = 0  # consecutive red weekly ratings (the assessment's input)


@dataclass(frozen=True)
class AccountabilityLadder:
    """Thresholds in 工作日 (before the deadline for the reminder, after it for the 督办单) and the
    unit rules: the Nth 督办单 in a ``criticism_period`` brings a 通报批评 proposal for that period;
    the Nth confirmed 通报批评, or N red weeks running, in a phase a 黄牌警告 proposal (0 = off).

    ``criticise_after`` and ``yellow_after`` (working days overdue) are kept for campaign files
    written before sanctions became decisions about units: they are validated, not applied."""

    remind_before: int = 1
    supervise_after: int = 1
    criticise_after: int = 5
    yellow_after: int = 10
    criticise_after_supervisions: int = 3
    criticism_period: str = MONTH
    yellow_after_criticisms: int = 2
    yellow_after_red_weeks: int = 0
    interview: InterviewRule = InterviewRule()

    def __post_init__(self) -> None:
        if not 0 <= self.supervise_after <= self.criticise_after <= self.yellow_after:
            raise ValueError("thresholds must satisfy 0 ≤ 督办 ≤ 通报批评 ≤ 黄牌警告 (working days overdue)")


@dataclass(frozen=True)
class Rung:
    """Items at ``from_stage`` whose effective deadline is before ``cutoff`` move to ``to_stage``."""

    from_stage: int
    to_stage: int
    cutoff: datetime
    inclusive: bool = False  # the reminder counts a deadline exactly at the cutoff

    def reached(self, deadline: datetime) -> bool:
        return deadline <= self.cutoff if self.inclusive else deadline < self.cutoff


def overdue_cutoff(cal: WorkCalendar, now: datetime, days: int) -> datetime:
    """Deadlines before this instant are overdue by at least ``days`` working days at ``now``."""
    if days <= 0:
        return now
    d, counted = now.astimezone(cal.tz).date(), 0
    while counted < days:
        if cal.is_workday(d):
            counted += 1
        d -= timedelta(days=1)
    return min(now, datetime.combine(d + timedelta(days=1), time(0), tzinfo=cal.tz))


def rungs(ladder: AccountabilityLadder, cal: WorkCalendar, now: datetime) -> tuple[Rung, ...]:
    """The ladder at ``now``, highest rung first (an item takes the first rung it reaches)."""
    remind = cal.add_limit(now, ladder.remind_before, ClockType.WORKDAY) if ladder.remind_before else now
    return (
        Rung(OVERDUE, SUPERVISED, overdue_cutoff(cal, now, ladder.supervise_after)),
        Rung(REMINDED, OVERDUE, now),
        Rung(NONE, OVERDUE, now),  # already overdue when first seen: no reminder first
        Rung(NONE, REMINDED, remind, inclusive=True),
    )


def effective_deadline(deadline: datetime, extended_until: datetime | None) -> datetime:
    """The deadline an approved 延期 or 挂账 has moved (never earlier than the original)."""
    return max(deadline, extended_until) if extended_until else deadline


def next_stage(ladder_rungs: tuple[Rung, ...], stage: int, deadline: datetime, *, terminal: bool = True) -> int | None:
    """The stage an item climbs to now, or None. Non-terminal items (still on the coordination
    ladder, which escalates them on timeout) only get the reminder."""
    for rung in ladder_rungs:
        if rung.from_stage == stage and rung.reached(deadline) and (terminal or rung.to_stage == REMINDED):
            return rung.to_stage
    return None


def working_days_overdue(cal: WorkCalendar, deadline: datetime, now: datetime) -> int:
    """Working days from the deadline's date to today (0 when not overdue)."""
    if now <= deadline:
        return 0
    return cal.working_days_between(deadline.astimezone(cal.tz).date(), now.astimezone(cal.tz).date())


def repeat_sanctions(ladder: AccountabilityLadder, *, supervisions: int, criticisms: int,
                     red_weeks: int = 0) -> list[SanctionKind]:
    """Sanctions a unit's record calls for: 督办单 issued in the criticism period; confirmed 通报批评
    in the phase and the red weeks running it ends with."""
    due = []
    if ladder.criticise_after_supervisions and supervisions >= ladder.criticise_after_supervisions:
        due.append(CRITICISM)
    if ((ladder.yellow_after_criticisms and criticisms >= ladder.yellow_after_criticisms)
            or (ladder.yellow_after_red_weeks and red_weeks >= ladder.yellow_after_red_weeks)):
        due.append(YELLOW_CARD)
    return due


def criticism_window(period: str, today: date) -> tuple[date, date]:
    """[first day, day after the last) of the week or month ``today`` falls in."""
    if period == WEEK:
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=7)
    start = today.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1)


def criticism_key(period: str, today: date, phase_id: int | None) -> str:
    """The period a 通报批评 proposal is for: 2025-03 (month), 2025-W10 (week) or phase:3."""
    if period == PHASE:
        return f"phase:{phase_id}"
    if period == WEEK:
        y, w, _ = today.isocalendar()
        return f"{y}-W{w:02d}"
    return f"{today:%Y-%m}"


def interview_recommended(rule: InterviewRule, *, yellow_cards: int, red_streak: int = 0) -> bool:
    """约谈: recommended when a unit has enough confirmed 黄牌警告 (over the campaign), or a long red streak."""
    return bool((rule.yellow_cards and yellow_cards >= rule.yellow_cards)
                or (rule.red_streak and red_streak >= rule.red_streak))


def interview_key(phase_id: int | None, unit_id: int) -> str:
    """One 约谈 per unit and phase, whichever input (黄牌警告, red streak) calls for it."""
    return f"interview:phase{phase_id}:unit{unit_id}"
