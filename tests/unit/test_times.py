"""Times as people write them (rules.times): a page's moment and a notice's deadline, never ISO."""

from __future__ import annotations

import datetime as dt

from rules.times import clock_time, day_span, page_time


def test_a_page_writes_a_moment_with_the_full_date_and_minutes():
    assert page_time(dt.datetime(2025, 1, 20, 10, 0)) == "2025年1月20日 10:00"
    assert page_time(dt.datetime(2025, 11, 3, 8, 5)) == "2025年11月3日 08:05"


def test_a_deadline_names_the_hour_and_the_minutes_only_when_there_are_any():
    assert clock_time(dt.datetime(2025, 1, 8, 18, 0)) == "2025年1月8日18时"
    assert clock_time(dt.datetime(2025, 1, 8, 18, 30)) == "2025年1月8日18时30分"
    assert clock_time(dt.datetime(2025, 1, 8, 9, 5)) == "2025年1月8日9时05分"


def test_a_stretch_of_days_names_its_year_and_the_second_only_when_it_crosses_one():
    assert day_span(dt.date(2025, 1, 1), dt.date(2025, 4, 30)) == "2025年1月1日至4月30日"
    assert day_span(dt.date(2025, 9, 1), dt.date(2026, 6, 30)) == "2025年9月1日至2026年6月30日"
