"""The campaign's working calendar, built from chinese-calendar plus the office's override table."""

from __future__ import annotations

import datetime as dt
from datetime import time
from functools import lru_cache
from zoneinfo import ZoneInfo

from config.campaign import CalendarSpec, CampaignFile
from rules.calendar import HolidayTable, OfficeHours, WorkCalendar
from rules.errors import CalendarMissing
from services.campaigns.holidays import build_holiday_table, coverage_warning

#: how far ahead of a year without data the office is warned (and a campaign refused)
WARN_DAYS = 60


def _t(hhmm: str) -> time:
    h, m = hhmm.split(":")
    return time(int(h), int(m))


@lru_cache(maxsize=32)
def _table(overrides: tuple[tuple[dt.date, bool], ...], complete_years: tuple[int, ...]) -> HolidayTable:
    return build_holiday_table(list(overrides), extra_years=complete_years)


def work_calendar(spec: CalendarSpec, timezone: str) -> WorkCalendar:
    """The WorkCalendar for a campaign's ``calendar`` section and time zone."""
    table = _table(tuple((o.date, o.workday) for o in spec.overrides), tuple(spec.complete_years))
    hours = OfficeHours(windows=tuple((_t(a), _t(b)) for a, b in spec.office_hours),
                        close_of_business=_t(spec.close_of_business))
    return WorkCalendar(holidays=table, hours=hours, tz=ZoneInfo(timezone))


def campaign_calendar(spec: CampaignFile) -> WorkCalendar:
    return work_calendar(spec.calendar, spec.campaign.timezone)


def uncovered_years(spec: CampaignFile) -> list[int]:
    """Years the campaign's stages reach that the calendar has no data for."""
    cal = campaign_calendar(spec)
    first, last = spec.stages[0].start.year, spec.stages[-1].end.year
    return [y for y in range(first, last + 1) if y not in cal.holidays.covered_years]


def coverage_banners(spec: CampaignFile, now: dt.datetime) -> list[str]:
    """Banners for pages and ``cw status``: the same warnings, never an error."""
    try:
        return coverage_notes(spec, now)
    except CalendarMissing as e:
        return [e.message]


def coverage_notes(spec: CampaignFile, now: dt.datetime) -> list[str]:
    """Warnings for years without data; raise CalendarMissing when one is due within 60 days."""
    cal = campaign_calendar(spec)
    today = now.astimezone(cal.tz).date()
    notes = []
    for year in uncovered_years(spec):
        if dt.date(year, 1, 1) - today <= dt.timedelta(days=WARN_DAYS):
            raise CalendarMissing(year)
        notes.append(f"活动日期延伸到 {year} 年，但工作日历缺少该年节假日数据；"
                     f"请在 {dt.date(year, 1, 1) - dt.timedelta(days=WARN_DAYS)} 之前录入（calendar.overrides 与 complete_years）。")
    warning = coverage_warning(cal.holidays, today, WARN_DAYS)
    if warning and today <= spec.stages[-1].end:
        notes.append(warning)
    return notes
