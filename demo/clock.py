"""The demo's virtual clock: a queue of moments at which something is due.

The clock never ticks hour by hour; it jumps to the next moment with work: a phase boundary, the
start of a week or month (recurring tasks, the brief, the inspection plan, ratings), the working
day's people (10:00 units and inspectors, 16:00 the office and leaders), a deadline or ladder
limit (the sweep), a message due (the relay).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# what happens, in the order it is done when several fall on one moment
ORDER = ("advance", "recurring", "assess", "brief", "plan", "morning", "sweep", "people_am", "people_pm",
         "office_week", "issue_brief", "publish", "relay")


@dataclass(order=True)
class Event:
    at: dt.datetime
    rank: int
    seq: int
    kind: str = field(compare=False)


class VirtualClock:
    """A priority queue of (time, kind); the same kind at the same time is queued once."""

    def __init__(self, start: dt.datetime, end: dt.datetime, tz: ZoneInfo):
        self.now, self.start, self.end, self.tz = start, start, end, tz
        self._heap: list[Event] = []
        self._queued: set[tuple[dt.datetime, str]] = set()
        self._seq = itertools.count()

    def at(self, when: dt.datetime, kind: str) -> None:
        """Queue ``kind`` at ``when`` (never in the past, never after the end)."""
        when = max(when, self.now)
        if when > self.end or (when, kind) in self._queued:
            return
        self._queued.add((when, kind))
        heapq.heappush(self._heap, Event(when, ORDER.index(kind), next(self._seq), kind))

    def local(self, day: dt.date, hhmm: str) -> dt.datetime:
        h, m = map(int, hhmm.split(":"))
        return dt.datetime.combine(day, dt.time(h, m), tzinfo=self.tz)

    def pop(self) -> Event | None:
        """The next event; the clock jumps to it."""
        if not self._heap:
            return None
        ev = heapq.heappop(self._heap)
        self._queued.discard((ev.at, ev.kind))
        self.now = ev.at
        return ev

    @property
    def day(self) -> dt.date:
        return self.now.astimezone(self.tz).date()
