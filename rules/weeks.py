"""ISO weeks (周次) as the engine keys them (``2025-W03``) and as people read them (1月13日—19日).

The key is for storage, files and command options; pages, briefs and messages show the label.
"""

from __future__ import annotations

import datetime as dt
import re

from rules.errors import InvalidInput

_KEY = re.compile(r"^(\d{4})-W(\d{2})$")


def week_monday(key: str) -> dt.date:
    """Monday of the ISO week ``key`` (``2025-W03``); InvalidInput naming the value otherwise."""
    m = _KEY.match(key.strip())
    try:
        if m is None:
            raise ValueError(key)
        return dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise InvalidInput(f"周次「{key}」无效：应写作 2025-W03（年份-W两位周数），且该年确有这一周") from None


def week_key(day: dt.date) -> str:
    """The ISO week ``YYYY-Www`` a date falls in."""
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def week_number(key: str) -> tuple[int, int]:
    """(ISO year, week number) of a valid key: ``2025-W03`` → (2025, 3)."""
    year, number, _ = week_monday(key).isocalendar()
    return year, number


def week_days(key: str) -> list[dt.date]:
    """Monday..Sunday of the ISO week ``key``."""
    monday = week_monday(key)
    return [monday + dt.timedelta(days=i) for i in range(7)]


def previous_week(key: str) -> str:
    """The ISO week before ``key``."""
    return week_key(week_monday(key) - dt.timedelta(days=7))


def week_label(key: str) -> str:
    """The week as people read it: 1月13日—19日, 3月31日—4月6日, 2024年12月30日—2025年1月5日."""
    monday = week_monday(key)
    return span_label(monday, monday + dt.timedelta(days=6))


def span_label(first: dt.date, last: dt.date) -> str:
    """Days from ``first`` to ``last`` as people write them (years only where the span crosses one)."""
    if first.year != last.year:
        return f"{first.year}年{first.month}月{first.day}日—{last.year}年{last.month}月{last.day}日"
    if first.month != last.month:
        return f"{first.month}月{first.day}日—{last.month}月{last.day}日"
    if first == last:
        return f"{first.month}月{first.day}日"
    return f"{first.month}月{first.day}日—{last.day}日"
