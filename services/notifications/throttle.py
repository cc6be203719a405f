"""The relay's local rate limits per robot (``notify.throttle`` windows on the injected clock)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OutboxMessage
from models.outbox import SENT
from notify import SlidingWindow, limits_for
from services.notifications.targets import Directory

_WINDOW = dt.timedelta(seconds=60)  # the longest local throttle window


class Throttle:
    """Local rate limits per robot, seeded with the last minute's sends (by any relay)."""

    def __init__(self) -> None:
        self._windows: dict[str, SlidingWindow] = {}

    @classmethod
    def seed(cls, session: Session, directory: Directory, now: dt.datetime) -> Throttle:
        throttle = cls()
        m = OutboxMessage
        recent = session.execute(select(m.campaign_id, m.target, m.sent_at).where(
            m.state == SENT, m.sent_at > now - _WINDOW, m.sent_at <= now).order_by(m.sent_at))
        for campaign_id, target, sent_at in recent:
            channel = directory.channel(campaign_id, target)
            if channel:
                throttle.record(channel, (campaign_id, target), sent_at)
        return throttle

    def wait(self, channel: str, key: tuple[int, str], now: dt.datetime) -> float:
        window = self._window(channel)
        return window.wait_time(key, now) if window else 0.0

    def record(self, channel: str, key: tuple[int, str], now: dt.datetime) -> None:
        window = self._window(channel)
        if window:
            window.record(key, now)

    def _window(self, channel: str) -> SlidingWindow | None:
        if channel not in self._windows and limits_for(channel):
            self._windows[channel] = SlidingWindow(limits_for(channel))
        return self._windows.get(channel)
