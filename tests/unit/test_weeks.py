"""ISO weeks (rules.weeks): one parser, one key, one label people read."""

from __future__ import annotations

import datetime as dt

import pytest

from rules.errors import InvalidInput
from rules.weeks import previous_week, span_label, week_days, week_key, week_label, week_monday, week_number


def test_a_week_key_names_its_monday_and_back():
    assert week_monday("2025-W03") == dt.date(2025, 1, 13)
    assert week_monday(" 2025-W10 ") == dt.date(2025, 3, 3)
    assert week_key(dt.date(2025, 5, 1)) == "2025-W18"
    assert week_key(dt.date(2025, 1, 19)) == "2025-W03"
    assert week_number("2025-W03") == (2025, 3)


def test_week_days_run_monday_to_sunday():
    days = week_days("2025-W19")
    assert days[0] == dt.date(2025, 5, 5) and days[-1] == dt.date(2025, 5, 11) and len(days) == 7


def test_a_year_with_53_weeks_has_a_w53_and_the_next_year_starts_after_it():
    assert week_monday("2020-W53") == dt.date(2020, 12, 28)
    assert week_key(dt.date(2021, 1, 3)) == "2020-W53"  # a Sunday of 2021 still in 2020's last week
    assert previous_week("2021-W01") == "2020-W53"
    assert previous_week("2025-W01") == "2024-W52"


@pytest.mark.parametrize("bad", ["2025-18", "2025-W54", "2025-W53", "W18", "2025-W1", "2025-W00", "", "下周"])
def test_a_bad_week_is_refused_with_one_message_naming_it(bad):
    with pytest.raises(InvalidInput) as raised:
        week_monday(bad)
    assert raised.value.message == f"周次「{bad}」无效：应写作 2025-W03（年份-W两位周数），且该年确有这一周"


def test_people_read_a_week_as_its_days_never_as_its_key():
    assert week_label("2025-W03") == "1月13日—19日"
    assert week_label("2025-W14") == "3月31日—4月6日"
    assert week_label("2025-W01") == "2024年12月30日—2025年1月5日"


def test_a_span_of_days_reads_as_people_write_it():
    assert span_label(dt.date(2025, 1, 1), dt.date(2025, 1, 5)) == "1月1日—5日"
    assert span_label(dt.date(2025, 3, 31), dt.date(2025, 4, 6)) == "3月31日—4月6日"
    assert span_label(dt.date(2024, 12, 30), dt.date(2025, 1, 5)) == "2024年12月30日—2025年1月5日"
    assert span_label(dt.date(2025, 6, 30), dt.date(2025, 6, 30)) == "6月30日"
