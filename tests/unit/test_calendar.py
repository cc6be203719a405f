from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rules.calendar import (
    ClockType,
    HolidayTable,
    OfficeHours,
    WorkCalendar,
    elapsed_fraction,
)
from rules.errors import CalendarMissing

SHANGHAI = ZoneInfo("Asia/Shanghai")

# 国务院办公厅 2026 notice, as in chinese-calendar 1.11.0.
MAKEUP_2026 = ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"]
DAYS_OFF_2026 = [
    "01-01", "01-02", "02-16", "02-17", "02-18", "02-19", "02-20", "02-23", "04-06", "05-01",
    "05-04", "05-05", "06-19", "09-25", "10-01", "10-02", "10-05", "10-06", "10-07",
]  # fmt: skip


def _dates(year, days):
    return frozenset(date.fromisoformat(f"{year}-{d}") for d in days)


TABLE_2026 = HolidayTable(
    covered_years=frozenset({2026}),
    workdays=_dates(2026, MAKEUP_2026),
    holidays=_dates(2026, DAYS_OFF_2026),
)
CAL = WorkCalendar(TABLE_2026, OfficeHours(), SHANGHAI)


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


# --- holiday table ---------------------------------------------------------------------------


def test_a_makeup_saturday_is_a_working_day():
    assert TABLE_2026.is_workday(date(2026, 10, 10))


def test_a_statutory_holiday_on_a_weekday_is_not_a_working_day():
    assert not TABLE_2026.is_workday(date(2026, 10, 1))


def test_an_ordinary_weekend_is_off_and_an_ordinary_weekday_is_on():
    assert not TABLE_2026.is_workday(date(2026, 3, 7))
    assert TABLE_2026.is_workday(date(2026, 3, 9))


def test_a_year_without_data_raises_calendar_missing_naming_the_year():
    with pytest.raises(CalendarMissing, match="2027") as caught:
        TABLE_2026.is_workday(date(2027, 1, 4))
    assert caught.value.year == 2027


def test_a_date_cannot_be_both_a_makeup_workday_and_a_holiday():
    with pytest.raises(ValueError):
        both = frozenset({date(2026, 1, 4)})
        HolidayTable(frozenset({2026}), workdays=both, holidays=both)


def test_office_hour_windows_must_be_ordered_and_disjoint():
    with pytest.raises(ValueError):
        OfficeHours(windows=((time(14, 0), time(18, 0)), (time(8, 0), time(12, 0))))


# --- 工作日 ----------------------------------------------------------------------------------


def test_three_working_days_from_national_day_eve_land_on_the_makeup_saturday():
    assert CAL.add_limit(at("2026-09-30T10:00"), 3, ClockType.WORKDAY) == at("2026-10-10T18:00")


@pytest.mark.parametrize(
    ("issued", "days", "due"),
    [
        ("2026-02-13T09:00", 1, "2026-02-14T18:00"),  # makeup Saturday before 春节
        ("2026-02-13T09:00", 2, "2026-02-24T18:00"),  # across the whole 春节 break
        ("2026-09-18T09:00", 2, "2026-09-21T18:00"),  # Sunday 9/20 is a makeup day
        ("2026-04-30T09:00", 1, "2026-05-06T18:00"),  # across 劳动节
    ],
)
def test_working_day_limits_follow_the_published_2026_schedule(issued, days, due):
    assert CAL.add_limit(at(issued), days, ClockType.WORKDAY) == at(due)


def test_a_limit_issued_on_a_non_working_day_counts_from_the_next_working_day():
    # Issued Saturday 3/7: treated as issued Monday 3/9, so +1 ends Tuesday 3/10.
    assert CAL.add_limit(at("2026-03-07T11:00"), 1, ClockType.WORKDAY) == at("2026-03-10T18:00")


def test_zero_working_days_end_at_close_of_business_the_same_working_day():
    assert CAL.add_limit(at("2026-03-09T09:00"), 0, ClockType.WORKDAY) == at("2026-03-09T18:00")


def test_zero_working_days_on_a_holiday_end_at_close_of_the_next_working_day():
    assert CAL.add_limit(at("2026-10-03T09:00"), 0, ClockType.WORKDAY) == at("2026-10-08T18:00")


def test_working_days_are_counted_in_the_calendar_time_zone():
    # 23:00 UTC on Friday 3/6 is already Saturday 07:00 in Shanghai.
    issued = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)
    due = CAL.add_limit(issued, 1, ClockType.WORKDAY)
    assert due == at("2026-03-10T18:00")
    assert due.tzinfo is SHANGHAI


def test_close_of_business_is_configurable():
    cal = WorkCalendar(TABLE_2026, OfficeHours(close_of_business=time(17, 30)), SHANGHAI)
    assert cal.add_limit(at("2026-03-09T09:00"), 1, ClockType.WORKDAY) == at("2026-03-10T17:30")


def test_a_working_day_limit_running_into_a_year_without_data_raises_calendar_missing():
    with pytest.raises(CalendarMissing, match="2027"):
        CAL.add_limit(at("2026-12-31T09:00"), 1, ClockType.WORKDAY)


def test_a_fractional_working_day_limit_is_rejected():
    with pytest.raises(ValueError):
        CAL.add_limit(at("2026-03-09T09:00"), 1.5, ClockType.WORKDAY)


def test_a_naive_start_is_rejected():
    with pytest.raises(ValueError):
        CAL.add_limit(datetime(2026, 3, 9, 9), 1, ClockType.WORKDAY)


# --- 工作时 ----------------------------------------------------------------------------------


def test_two_working_hours_from_friday_five_pm_end_next_monday_half_past_nine():
    assert CAL.add_limit(at("2026-03-06T17:00"), 2, ClockType.WORKHOUR) == at("2026-03-09T09:30")


def test_working_hours_skip_the_lunch_break():
    assert CAL.add_limit(at("2026-03-09T11:00"), 2, ClockType.WORKHOUR) == at("2026-03-09T15:30")


def test_working_hours_skip_the_night():
    assert CAL.add_limit(at("2026-03-09T17:30"), 1, ClockType.WORKHOUR) == at("2026-03-10T09:00")


def test_working_hours_issued_outside_office_hours_start_at_the_next_window():
    assert CAL.add_limit(at("2026-03-09T12:30"), 1, ClockType.WORKHOUR) == at("2026-03-09T15:30")
    assert CAL.add_limit(at("2026-03-09T06:00"), 1, ClockType.WORKHOUR) == at("2026-03-09T09:30")


def test_a_limit_ending_exactly_at_closing_time_ends_that_day():
    assert CAL.add_limit(at("2026-03-09T17:00"), 1, ClockType.WORKHOUR) == at("2026-03-09T18:00")


def test_working_hours_skip_the_national_day_holiday():
    assert CAL.add_limit(at("2026-09-30T17:00"), 2, ClockType.WORKHOUR) == at("2026-10-08T09:30")


def test_working_hours_count_a_makeup_saturday():
    assert CAL.add_limit(at("2026-02-13T17:00"), 2, ClockType.WORKHOUR) == at("2026-02-14T09:30")


def test_fractional_working_hours_count_minutes():
    assert CAL.add_limit(at("2026-03-09T11:45"), 0.5, ClockType.WORKHOUR) == at("2026-03-09T14:45")


def test_a_full_day_of_working_hours_is_seven_hours():
    assert CAL.add_limit(at("2026-03-09T08:30"), 7, ClockType.WORKHOUR) == at("2026-03-09T18:00")


def test_working_hours_running_into_a_year_without_data_raise_calendar_missing():
    with pytest.raises(CalendarMissing, match="2027"):
        CAL.add_limit(at("2026-12-31T17:00"), 2, ClockType.WORKHOUR)


# --- 紧急时 ----------------------------------------------------------------------------------


def test_urgent_hours_are_wall_clock_hours_through_nights_and_holidays():
    assert CAL.add_limit(at("2026-09-30T22:00"), 24, ClockType.URGENT) == at("2026-10-01T22:00")


def test_urgent_hours_need_no_holiday_data():
    assert CAL.add_limit(at("2026-12-31T20:00"), 12, ClockType.URGENT) == at("2027-01-01T08:00")


# --- day helpers -----------------------------------------------------------------------------


def test_working_days_between_counts_the_half_open_interval():
    # 10/8, 10/9, 10/10 (makeup Saturday), 10/12
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert CAL.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert CAL.working_days_between(date(2026, 3, 10), date(2026, 3, 9)) == 0


def test_next_and_previous_working_day_around_national_day():
    assert CAL.next_workday_on_or_after(date(2026, 10, 1)) == date(2026, 10, 8)
    assert CAL.next_workday_on_or_after(date(2026, 10, 8)) == date(2026, 10, 8)
    assert CAL.previous_workday_on_or_before(date(2026, 10, 7)) == date(2026, 9, 30)


def test_previous_working_day_before_new_year_needs_the_previous_year():
    with pytest.raises(CalendarMissing, match="2025"):
        CAL.previous_workday_on_or_before(date(2026, 1, 2))


# --- traffic lights --------------------------------------------------------------------------


def test_elapsed_fraction_is_zero_before_start_half_midway_and_above_one_when_overdue():
    start, deadline = at("2026-03-09T08:00"), at("2026-03-11T08:00")
    assert elapsed_fraction(start, deadline, start - timedelta(hours=1)) == 0.0
    assert elapsed_fraction(start, deadline, at("2026-03-10T08:00")) == pytest.approx(0.5)
    assert elapsed_fraction(start, deadline, at("2026-03-12T08:00")) == pytest.approx(1.5)


def test_elapsed_fraction_of_an_instant_limit_is_all_or_nothing():
    moment = at("2026-03-09T08:00")
    assert elapsed_fraction(moment, moment, moment - timedelta(seconds=1)) == 0.0
    assert elapsed_fraction(moment, moment, moment) == 1.0


def test_working_days_between_agrees_with_walking_every_day():
    start = date(2025, 12, 31)
    pairs = [(start + timedelta(days=i), start + timedelta(days=i + n)) for i in range(0, 360, 7) for n in (0, 1, 5, 6, 13, 40)]
    pairs = [(a, b) for a, b in pairs if b.year == 2026]
    assert len(pairs) > 200
    for a, b in pairs:
        walked = sum(1 for k in range(1, (b - a).days + 1) if CAL.is_workday(a + timedelta(days=k)))
        assert CAL.working_days_between(a, b) == walked, (a, b)
    assert CAL.working_days_between(date(2026, 5, 1), date(2026, 4, 1)) == 0


def test_counting_working_days_into_an_uncovered_year_raises():
    with pytest.raises(CalendarMissing):
        CAL.working_days_between(date(2026, 12, 20), date(2027, 1, 10))
