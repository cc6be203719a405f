from datetime import date
from zoneinfo import ZoneInfo

import pytest

from rules.calendar import HolidayTable, OfficeHours, WorkCalendar
from rules.errors import CalendarMissing
from rules.milestones import (
    monthly_periods,
    period_deadline,
    plan_monthly_milestones,
    weekly_periods,
)

# Enough of the 2026 notice for these tests: 国庆 and 中秋, with the makeup Sunday and Saturday.
TABLE = HolidayTable(
    covered_years=frozenset({2025, 2026}),
    workdays=frozenset({date(2026, 9, 20), date(2026, 10, 10)}),
    holidays=frozenset(
        {date(2026, 9, 25)} | {date(2026, 10, d) for d in (1, 2, 5, 6, 7)} | {date(2026, 1, 1)}
    ),
)
CAL = WorkCalendar(TABLE, OfficeHours(), ZoneInfo("Asia/Shanghai"))


def test_milestones_run_backward_one_per_month_from_the_phase_end():
    milestones = plan_monthly_milestones(date(2026, 6, 15), date(2026, 10, 6), CAL)
    assert milestones == [
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),  # 10/1–10/6 are 国庆 days off, so the last milestone moves back
    ]


def test_every_milestone_is_a_working_day_and_in_its_own_month():
    milestones = plan_monthly_milestones(date(2025, 11, 1), date(2026, 10, 31), CAL)
    assert all(CAL.is_workday(m) for m in milestones)
    assert len({(m.year, m.month) for m in milestones}) == len(milestones) == 12
    assert milestones[0] == date(2025, 11, 28)  # 11/30 is a Sunday
    assert milestones[-1] == date(2026, 10, 30)  # 10/31 is a Saturday


def test_an_earlier_month_is_skipped_when_its_last_working_day_precedes_the_phase_start():
    # A Friday 7/31 start keeps July's milestone on that day; a Saturday 8/1 start drops it.
    assert plan_monthly_milestones(date(2026, 7, 31), date(2026, 8, 20), CAL) == [
        date(2026, 7, 31),
        date(2026, 8, 20),
    ]
    assert plan_monthly_milestones(date(2026, 8, 1), date(2026, 8, 20), CAL) == [date(2026, 8, 20)]


def test_the_last_milestone_falling_into_an_earlier_month_leaves_one_per_month():
    # 11/1/2026 is a Sunday: the last milestone is Friday 10/30, and the one before is September's.
    assert plan_monthly_milestones(date(2026, 9, 1), date(2026, 11, 1), CAL) == [
        date(2026, 9, 30),
        date(2026, 10, 30),
    ]


def test_count_keeps_only_the_milestones_nearest_the_end():
    assert plan_monthly_milestones(date(2026, 1, 5), date(2026, 6, 30), CAL, count=2) == [
        date(2026, 5, 29),
        date(2026, 6, 30),
    ]


def test_a_phase_with_no_working_day_has_no_milestones():
    assert plan_monthly_milestones(date(2026, 10, 1), date(2026, 10, 4), CAL) == []


def test_planning_into_a_year_without_data_raises_calendar_missing():
    with pytest.raises(CalendarMissing, match="2027"):
        plan_monthly_milestones(date(2026, 11, 1), date(2027, 3, 31), CAL)


def test_weekly_periods_use_iso_week_keys_and_clip_to_the_range():
    assert weekly_periods(date(2025, 4, 30), date(2025, 5, 12)) == [
        ("2025-W18", date(2025, 4, 30), date(2025, 5, 4)),
        ("2025-W19", date(2025, 5, 5), date(2025, 5, 11)),
        ("2025-W20", date(2025, 5, 12), date(2025, 5, 12)),
    ]


def test_the_week_spanning_new_year_takes_its_iso_year():
    assert weekly_periods(date(2025, 12, 29), date(2026, 1, 4)) == [
        ("2026-W01", date(2025, 12, 29), date(2026, 1, 4))
    ]


def test_monthly_periods_use_month_keys_and_clip_to_the_range():
    assert monthly_periods(date(2025, 11, 15), date(2026, 2, 10)) == [
        ("2025-11", date(2025, 11, 15), date(2025, 11, 30)),
        ("2025-12", date(2025, 12, 1), date(2025, 12, 31)),
        ("2026-01", date(2026, 1, 1), date(2026, 1, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 10)),
    ]


def test_a_period_deadline_is_its_last_working_day():
    assert period_deadline(date(2026, 9, 28), date(2026, 10, 4), CAL) == date(2026, 9, 30)


def test_a_period_deadline_never_falls_before_the_period_starts():
    # The week of 国庆 after 10/1 has no working day: the deadline is the next working day.
    assert period_deadline(date(2026, 10, 1), date(2026, 10, 4), CAL) == date(2026, 10, 8)


def test_a_period_deadline_on_a_makeup_day_counts_it():
    assert period_deadline(date(2026, 10, 5), date(2026, 10, 11), CAL) == date(2026, 10, 10)
