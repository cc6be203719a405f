"""Times as people write them, never ISO: ``2025年1月20日 10:00`` on a page, ``2025年1月8日18时``
(``18时30分``) in a deadline or a notice. The caller gives the time already in local time."""

from __future__ import annotations

import datetime as dt


def page_time(local: dt.datetime) -> str:
    """2025年1月20日 10:00: a moment shown on a page (an audit line, a tick, a warning)."""
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def clock_time(local: dt.datetime) -> str:
    """2025年1月8日18时, 2025年1月8日18时30分: a deadline or a time in a notice."""
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时" + (f"{local.minute:02d}分" if local.minute else "")


def day_span(first: dt.date, last: dt.date) -> str:
    """2025年1月1日至4月30日, 2025年9月1日至2026年6月30日: a stretch of days with its year, the second
    year only where the stretch crosses one."""
    end = f"{last.month}月{last.day}日" if last.year == first.year else f"{last.year}年{last.month}月{last.day}日"
    return f"{first.year}年{first.month}月{first.day}日至{end}"
