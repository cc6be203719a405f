"""倒排进度: monthly milestones planned backward from a phase end, and recurring periods."""

from __future__ import annotations

from datetime import date, timedelta

from rules.calendar import WorkCalendar
from rules.weeks import week_key

Period = tuple[str, date, date]  # (key, first day, last day), both days inclusive


def plan_monthly_milestones(
    phase_start: date, phase_end: date, calendar: WorkCalendar, count: int | None = None
) -> list[date]:
    """One working-day milestone per month, backward from `phase_end` (at most `count`), ascending.

    The last milestone is the last working day on or before `phase_end`; each earlier one is
    the last working day of an earlier month, none before `phase_start`. With `count`, only
    the `count` milestones nearest the end are kept. No working day in the phase: [].
    """
    if count is not None and count < 0:
        raise ValueError(f"count cannot be negative: {count}")
    milestones: list[date] = []
    candidate = phase_end
    while count is None or len(milestones) < count:
        milestone = _last_workday_within(phase_start, candidate, calendar)
        if milestone is None:
            break
        milestones.append(milestone)
        candidate = milestone.replace(day=1) - timedelta(days=1)
    return milestones[::-1]


def weekly_periods(start: date, end: date) -> list[Period]:
    """ISO weeks overlapping [start, end], keyed like "2025-W18", clipped to the range."""
    periods: list[Period] = []
    week_start = start - timedelta(days=start.weekday())
    while week_start <= end:
        week_end = week_start + timedelta(days=6)
        periods.append((week_key(week_start), max(week_start, start), min(week_end, end)))
        week_start += timedelta(days=7)
    return periods


def monthly_periods(start: date, end: date) -> list[Period]:
    """Calendar months overlapping [start, end], keyed like "2025-05", clipped to the range."""
    periods: list[Period] = []
    month_start = start.replace(day=1)
    while month_start <= end:
        next_month = (month_start + timedelta(days=31)).replace(day=1)
        month_end = next_month - timedelta(days=1)
        key = f"{month_start.year}-{month_start.month:02d}"
        periods.append((key, max(month_start, start), min(month_end, end)))
        month_start = next_month
    return periods


def period_deadline(period_start: date, period_end: date, calendar: WorkCalendar) -> date:
    """Last working day of the period; if it has none, the first working day after it."""
    last = _last_workday_within(period_start, period_end, calendar)
    if last is not None:
        return last
    return calendar.next_workday_on_or_after(period_end + timedelta(days=1))


def _last_workday_within(first: date, last: date, calendar: WorkCalendar) -> date | None:
    # Never looks before `first`: a range starting on 1 January needs no data for the year before.
    day = last
    while day >= first:
        if calendar.is_workday(day):
            return day
        day -= timedelta(days=1)
    return None
