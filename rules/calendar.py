"""Working calendar: 工作日 with 调休 makeup days, 工作时 office hours and wall-clock 紧急时.

Holiday data is passed in as a `HolidayTable` value (built by `services.campaigns.holidays`); a year the
table does not cover raises `CalendarMissing` instead of being guessed.

Deadline rules (`WorkCalendar.add_limit`):

* 工作日: counting is by date in the calendar time zone, whatever the hour of issue. A limit
  issued on a working day D ends at close of business of the Nth working day after D; one issued
  on a non-working day is treated as issued on the next working day W and ends at close of
  business of the Nth working day after W. 0 工作日 ends at close of business of D (or W).
* 工作时: only time inside the office-hour windows of working days counts.
* 紧急时: elapsed real hours; no holiday data is consulted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from rules.errors import CalendarMissing

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class HolidayTable:
    """Published holiday data for whole years: 调休 makeup workdays and statutory days off."""

    covered_years: frozenset[int]
    workdays: frozenset[date] = frozenset()  # weekend days that are working days (调休上班)
    holidays: frozenset[date] = frozenset()  # weekdays that are days off (法定假日/调休放假)

    def __post_init__(self) -> None:
        both = self.workdays & self.holidays
        if both:
            raise ValueError(f"dates both workday and holiday: {sorted(both)}")

    def is_workday(self, d: date) -> bool:
        """True if `d` is a working day; raises CalendarMissing for an uncovered year."""
        if d.year not in self.covered_years:
            raise CalendarMissing(d.year)
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def count_workdays(self, first: date, last: date) -> int:
        """Working days in [first, last] without walking the days: weekdays by arithmetic, then the
        调休 workdays on weekends added and the weekday holidays taken off; raises CalendarMissing
        when the span touches a year the table does not cover."""
        if last < first:
            return 0
        for year in range(first.year, last.year + 1):
            if year not in self.covered_years:
                raise CalendarMissing(year)
        weeks, rest = divmod((last - first).days + 1, 7)
        count = weeks * 5 + sum(1 for i in range(rest) if (first.weekday() + i) % 7 < 5)
        count += sum(1 for d in self.workdays if first <= d <= last and d.weekday() >= 5)
        count -= sum(1 for d in self.holidays if first <= d <= last and d.weekday() < 5)
        return count


@dataclass(frozen=True)
class OfficeHours:
    """Office-hour windows of a working day (local time) and the close-of-business time."""

    windows: tuple[tuple[time, time], ...] = (
        (time(8, 30), time(12, 0)),
        (time(14, 30), time(18, 0)),
    )
    close_of_business: time = time(18, 0)

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("office hours need at least one window")
        previous_end = time.min
        for start, end in self.windows:
            if not previous_end <= start < end:
                raise ValueError(f"office-hour windows must be ordered, disjoint: {self.windows}")
            previous_end = end


class ClockType(enum.Enum):
    """How a time limit is counted."""

    WORKDAY = "工作日"
    WORKHOUR = "工作时"
    URGENT = "紧急时"  # wall-clock hours


@dataclass(frozen=True)
class WorkCalendar:
    """A campaign's working calendar: holiday data, office hours and time zone."""

    holidays: HolidayTable
    hours: OfficeHours = field(default_factory=OfficeHours)
    tz: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    def is_workday(self, d: date) -> bool:
        """True if `d` is a working day; raises CalendarMissing for an uncovered year."""
        return self.holidays.is_workday(d)

    def next_workday_on_or_after(self, d: date) -> date:
        """The first working day on or after `d`."""
        while not self.is_workday(d):
            d += ONE_DAY
        return d

    def previous_workday_on_or_before(self, d: date) -> date:
        """The last working day on or before `d`."""
        while not self.is_workday(d):
            d -= ONE_DAY
        return d

    def nth_workday_after(self, d: date, n: int) -> date:
        """The `n`-th working day after `d` (`d` itself for n = 0)."""
        while n > 0:
            d += ONE_DAY
            if self.is_workday(d):
                n -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days in (a, b]; 0 if b <= a."""
        return self.holidays.count_workdays(a + ONE_DAY, b) if b > a else 0

    def close_of_business(self, d: date) -> datetime:
        """Close of business on day `d`, as an aware datetime in the calendar time zone."""
        return datetime.combine(d, self.hours.close_of_business, tzinfo=self.tz)

    def add_limit(self, start: datetime, amount: int | float, clock: ClockType) -> datetime:
        """Deadline of a limit of `amount` units of `clock` issued at `start` (aware)."""
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime")
        if amount < 0:
            raise ValueError(f"a time limit cannot be negative: {amount}")
        local = start.astimezone(self.tz)
        if clock is ClockType.URGENT:
            utc = start.astimezone(UTC) + timedelta(hours=amount)
            return utc.astimezone(self.tz)
        if clock is ClockType.WORKDAY:
            if amount != int(amount):
                raise ValueError(f"工作日 limits are whole days: {amount}")
            issued = self.next_workday_on_or_after(local.date())
            return self.close_of_business(self.nth_workday_after(issued, int(amount)))
        return self._add_office_time(local, timedelta(hours=amount))

    def _add_office_time(self, local: datetime, remaining: timedelta) -> datetime:
        if not remaining:
            return local
        cursor, day = local, local.date()
        while True:
            if self.is_workday(day):
                for start, end in self.hours.windows:
                    window_start = datetime.combine(day, start, tzinfo=self.tz)
                    window_end = datetime.combine(day, end, tzinfo=self.tz)
                    if cursor >= window_end:
                        continue
                    begin = max(cursor, window_start)
                    if remaining <= window_end - begin:
                        return begin + remaining
                    remaining -= window_end - begin
                    cursor = window_end
            day += ONE_DAY


def elapsed_fraction(start: datetime, deadline: datetime, now: datetime) -> float:
    """Share of the wall-clock time from `start` to `deadline` used by `now` (> 1 once overdue).

    Wall-clock rather than working time: a traffic light only needs a monotonic measure, and
    this one needs no holiday data.
    """
    total = (deadline - start).total_seconds()
    if total <= 0:
        return 1.0 if now >= deadline else 0.0
    return max(0.0, (now - start).total_seconds() / total)
