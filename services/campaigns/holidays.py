"""Holiday data for the working calendar: the `chinese_calendar` package plus office overrides.

This is the only module that imports `chinese_calendar`; `rules/` receives the result as a
`HolidayTable` value.

Coverage: a year is covered if the package has data for it, or if the office lists it in
`extra_years`, meaning "we typed the whole 国务院办公厅 notice for that year into the
overrides". Overrides alone never make a year covered: a few typed-in days (a typhoon closure,
a local policy) are not a full notice, and guessing the rest would give wrong deadlines.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from chinese_calendar import constants

from rules.calendar import HolidayTable
from rules.errors import InvalidInput


def package_years() -> range:
    """Years the installed `chinese_calendar` has published data for."""
    # The package's own range check uses the span of its holidays table; use the same one.
    known = constants.holidays.keys()
    return range(min(known).year, max(known).year + 1)


def build_holiday_table(
    overrides: Iterable[tuple[date, bool]],
    years: range | None = None,
    extra_years: Iterable[int] = (),
) -> HolidayTable:
    """Holiday table from the package (restricted to `years` if given) with overrides applied.

    Parameters
    ----------
    overrides
        ``(date, is_workday)`` rows typed in by the office; they win over the package.
    years
        Package years to load (default: all it has). Years outside the package stay uncovered.
    extra_years
        Years whose full notice is in `overrides`; they become covered (weekends off, weekdays
        on, except where an override says otherwise).
    """
    overrides = list(overrides)
    _check_conflicts(overrides)
    loaded = set(package_years())
    if years is not None:
        loaded &= set(years)
    workdays = {d for d in constants.workdays if d.year in loaded}
    holidays = {d for d in constants.holidays if d.year in loaded and d.weekday() < 5}
    for day, is_workday in overrides:
        weekend = day.weekday() >= 5
        if is_workday:
            holidays.discard(day)
            if weekend:
                workdays.add(day)
        else:
            workdays.discard(day)
            if not weekend:
                holidays.add(day)
    return HolidayTable(
        covered_years=frozenset(loaded | set(extra_years)),
        workdays=frozenset(workdays),
        holidays=frozenset(holidays),
    )


def _check_conflicts(overrides: list[tuple[date, bool]]) -> None:
    seen: dict[date, bool] = {}
    clashes = set()
    for day, is_workday in overrides:
        if seen.setdefault(day, is_workday) != is_workday:
            clashes.add(day)
    if clashes:
        raise InvalidInput(
            "节假日覆盖表中同一日期既被设为上班又被设为放假，请更正：",
            [day.isoformat() for day in sorted(clashes)],
        )


def coverage_warning(table: HolidayTable, today: date, horizon_days: int = 60) -> str | None:
    """Chinese warning if a year from `today` to `today + horizon_days` has no holiday data."""
    last = today + timedelta(days=horizon_days)
    years_ahead = range(today.year, last.year + 1)
    missing = [year for year in years_ahead if year not in table.covered_years]
    if not missing:
        return None
    years = "、".join(str(year) for year in missing)
    return (
        f"工作日历缺少 {years} 年的节假日（调休）数据，{horizon_days} 天内到期的期限将无法计算。"
        f"请升级 chinese-calendar，或在活动配置 calendar.overrides 中录入国务院办公厅 {years} 年"
        f"节假日安排并声明该年已完整录入。"
    )
