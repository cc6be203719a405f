"""What the outbox relay does after an attempt: sent, retry later (capped backoff), or dead.

Pure: the jitter comes from the message's idempotency key and attempt number, not from a
random generator, so a campaign replayed on a virtual clock retries at the same instants.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0
MAX_ATTEMPTS = 8
#: never retry sooner: a zero wait would make the message due again within the same relay pass
MIN_DELAY_S = 1.0

NextState = Literal["sent", "pending", "dead"]


@dataclass(frozen=True)
class Decision:
    """The row's next state; ``delay_s`` is the wait before the next attempt (``pending`` only)."""

    state: NextState
    delay_s: float = 0.0


def jitter_fraction(key: str, attempt: int) -> float:
    """A stable pseudo-random number in [0, 1) for this message and attempt."""
    digest = hashlib.sha256(f"{key}#{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def backoff_delay(key: str, attempt: int, retry_after: float = 0.0, *, base_s: float = BACKOFF_BASE_S,
                  cap_s: float = BACKOFF_CAP_S) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1 = the first).

    Full jitter: uniform in ``[0, min(cap, base·2^(attempt-1)))``, but never less than the
    platform's own ``retry_after`` (Retry-After, DingTalk's 10-minute penalty …).
    """
    ceiling = min(cap_s, base_s * 2 ** min(max(attempt - 1, 0), 40))
    return max(retry_after, ceiling * jitter_fraction(key, attempt))


def decide(kind: str, *, key: str, attempt: int, retry_after: float = 0.0,
           max_attempts: int = MAX_ATTEMPTS) -> Decision:
    """The next state after attempt number ``attempt`` ended with outcome ``kind``.

    ``ok`` → sent; ``retry`` → pending after the backoff, or dead once ``max_attempts`` are
    used up; ``fatal`` (bad key, signature, keyword, payload) → dead at once.
    """
    if kind == "ok":
        return Decision("sent")
    if kind == "retry" and attempt < max_attempts:
        return Decision("pending", max(MIN_DELAY_S, backoff_delay(key, attempt, retry_after)))
    if kind in ("retry", "fatal"):
        return Decision("dead")
    raise ValueError(f"unknown outcome kind {kind!r}")
