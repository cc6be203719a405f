from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from rules.calendar import ClockType, OfficeHours, WorkCalendar
from rules.errors import CalendarMissing, InvalidInput
from services.campaigns.holidays import build_holiday_table, coverage_warning, package_years

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAST = package_years()[-1]
BEYOND = LAST + 1


def test_the_table_agrees_with_chinese_calendar_on_every_day_it_covers():
    table = build_holiday_table([], years=range(2018, LAST + 1))
    day = date(2018, 1, 1)
    while day.year <= LAST:
        assert table.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_covered_years_come_from_the_package_itself():
    table = build_holiday_table([])
    assert table.covered_years == frozenset(package_years())
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(BEYOND, 1, 4))
    with pytest.raises(CalendarMissing, match=str(BEYOND)):
        table.is_workday(date(BEYOND, 1, 4))


def test_the_published_2026_vectors_hold_on_the_built_calendar():
    calendar = WorkCalendar(build_holiday_table([]), OfficeHours(), SHANGHAI)
    issued = datetime(2026, 9, 30, 10, tzinfo=SHANGHAI)
    due = datetime(2026, 10, 10, 18, tzinfo=SHANGHAI)
    assert calendar.add_limit(issued, 3, ClockType.WORKDAY) == due


def test_years_restricts_which_package_years_are_loaded():
    table = build_holiday_table([], years=range(2025, 2027))
    assert table.covered_years == {2025, 2026}
    assert all(d.year in (2025, 2026) for d in table.workdays | table.holidays)


def test_an_override_closes_a_working_day_and_opens_a_weekend():
    typhoon, duty_saturday = date(2026, 7, 15), date(2026, 7, 18)
    table = build_holiday_table([(typhoon, False), (duty_saturday, True)])
    assert not table.is_workday(typhoon)
    assert table.is_workday(duty_saturday)


def test_an_override_can_reopen_a_statutory_holiday():
    table = build_holiday_table([(date(2026, 10, 7), True)])
    assert table.is_workday(date(2026, 10, 7))


def test_overrides_alone_do_not_cover_a_year_without_package_data():
    table = build_holiday_table([(date(BEYOND, 1, 1), False)])
    with pytest.raises(CalendarMissing):
        table.is_workday(date(BEYOND, 1, 4))


def test_a_year_typed_in_by_the_office_is_covered_with_its_overrides():
    new_year, first_of_february = date(BEYOND, 1, 1), date(BEYOND, 2, 1)
    makeup_saturday = first_of_february + timedelta(days=(5 - first_of_february.weekday()) % 7)
    table = build_holiday_table([(new_year, False), (makeup_saturday, True)], extra_years={BEYOND})
    assert BEYOND in table.covered_years
    assert not table.is_workday(new_year)
    assert table.is_workday(makeup_saturday)
    assert not table.is_workday(makeup_saturday + timedelta(days=1))


def test_conflicting_overrides_for_one_date_are_rejected_naming_the_date():
    with pytest.raises(InvalidInput) as caught:
        build_holiday_table([(date(2026, 7, 15), False), (date(2026, 7, 15), True)])
    assert caught.value.details == ["2026-07-15"]


def test_no_warning_while_the_horizon_stays_inside_covered_years():
    table = build_holiday_table([])
    assert coverage_warning(table, date(LAST, 10, 1)) is None


def test_a_warning_names_the_uncovered_year_the_horizon_reaches():
    table = build_holiday_table([])
    warning = coverage_warning(table, date(LAST, 11, 22))
    assert warning is not None and f"{BEYOND} 年" in warning


def test_a_custom_horizon_moves_the_warning():
    table = build_holiday_table([])
    assert coverage_warning(table, date(LAST, 12, 20), horizon_days=10) is None
    assert coverage_warning(table, date(LAST, 12, 20), horizon_days=12) is not None
