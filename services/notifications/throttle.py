"""The relay's local rate limits per robot (``notify.throttle`` windows on the injected clock).

A platform limits the robot, that is its webhook URL: two target names (or two campaigns) that
share one robot share one allowance, so the windows are keyed by the resolved URL.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.orm import Session

from models import OutboxMessage
from models.outbox import SENT
from notify import Message, SlidingWindow, limits_for, requests_for
from rules.errors import ConfigError
from services.notifications.targets import Directory
from services.uow import plain_rows

_WINDOW = dt.timedelta(seconds=60)  # the longest local throttle window


class Throttle:
    """Local rate limits per robot URL, seeded with the last minute's sends (by any relay)."""

    def __init__(self) -> None:
        self._windows: dict[str, SlidingWindow] = {}

    @classmethod
    def seed(cls, session: Session, directory: Directory, now: dt.datetime) -> Throttle:
        throttle = cls()
        recent = plain_rows(session, _recent_statement(), {"t_since": now - _WINDOW, "t_now": now})
        for campaign_id, target, sent_at, payload in recent:
            channel = directory.channel(campaign_id, target)
            if not channel or not limits_for(channel):
                continue
            try:
                url = directory.target(campaign_id, target).url
            except ConfigError:
                continue
            p = payload or {}
            sent = Message("seed", "", "", tuple(p.get("mentions") or ()), p.get("link"))
            throttle.record(channel, url, sent_at, requests_for(channel, sent))
        return throttle

    def wait(self, channel: str, url: str, now: dt.datetime, cost: int = 1) -> float:
        """Seconds before ``cost`` more requests may go to the robot at ``url``."""
        window = self._window(channel)
        return window.wait_time(url, now, cost) if window else 0.0

    def record(self, channel: str, url: str, now: dt.datetime, cost: int = 1) -> None:
        window = self._window(channel)
        if window:
            window.record(url, now, cost)

    def _window(self, channel: str) -> SlidingWindow | None:
        if channel not in self._windows and limits_for(channel):
            self._windows[channel] = SlidingWindow(limits_for(channel))
        return self._windows.get(channel)


@cache
def _recent_statement() -> Select[Any]:
    """The last minute's sends, oldest first, built once (bound as ``t_since``, ``t_now``)."""
    m = cast("Table", OutboxMessage.__table__).c
    sent_at = m.sent_at
    return (select(m.campaign_id, m.target, sent_at, m.payload)
            .where(m.state == SENT, sent_at > bindparam("t_since", type_=sent_at.type),
                   sent_at <= bindparam("t_now", type_=sent_at.type))
            .order_by(sent_at))
