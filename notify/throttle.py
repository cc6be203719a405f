"""Local rate limits per robot, kept below the platforms' own (a DingTalk burst costs 10 minutes).

Pure bookkeeping on an injected clock: nothing here sleeps. The relay asks ``wait_time``
before a send, postpones the row by that much without using up an attempt, and calls
``record`` when it does send. Not thread-safe: one relay loop owns one limiter.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from datetime import datetime

Limit = tuple[int, float]  # (max sends, window in seconds)

#: platform limits are 20/min (WeCom, DingTalk) and 5/s + 100/min (Feishu); keep a margin
CHANNEL_LIMITS: dict[str, tuple[Limit, ...]] = {
    "wecom": ((18, 60.0),),
    "dingtalk": ((18, 60.0),),
    "feishu": ((4, 1.0), (90, 60.0)),
}


def limits_for(channel: str) -> tuple[Limit, ...]:
    """The local limits for a channel; email and generic webhooks have none."""
    return CHANNEL_LIMITS.get(channel, ())


class SlidingWindow:
    """At most ``count`` sends per ``window`` seconds per key, for every (count, window) given."""

    def __init__(self, limits: Iterable[Limit]) -> None:
        self.limits = tuple((int(count), float(window)) for count, window in limits)
        for count, window in self.limits:
            if count < 1 or window <= 0:
                raise ValueError(f"invalid limit ({count}, {window})")
        self._horizon = max((window for _, window in self.limits), default=0.0)
        self._sent: dict[Hashable, deque[float]] = {}

    def wait_time(self, key: Hashable, now: datetime, cost: int = 1) -> float:
        """Seconds until ``cost`` more sends for ``key`` are allowed; 0.0 if they are allowed now."""
        t = now.timestamp()
        sent = self._sent.get(key, ())
        wait = 0.0
        for count, window in self.limits:
            recent = sorted(s for s in sent if s > t - window)
            room = count - min(cost, count)
            if len(recent) > room:
                # the send that must leave the window before ``cost`` more fit
                wait = max(wait, recent[len(recent) - room - 1] + window - t)
        return wait

    def record(self, key: Hashable, now: datetime, cost: int = 1) -> None:
        """Note ``cost`` sends for ``key`` at ``now``."""
        t = now.timestamp()
        sent = self._sent.setdefault(key, deque())
        sent.extend([t] * cost)
        while sent and sent[0] <= t - self._horizon:
            sent.popleft()
