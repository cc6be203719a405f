"""Notifications (通知): the outbox written in the caller's transaction, target resolution from the campaign file and the environment, the relay that delivers through the channel adapters with retries, throttles and dead letters, and the office's view of it.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.notifications.admin import (
    MessageRow,
    StateCount,
    list_dead,
    list_messages,
    requeue,
    summary,
)
from services.notifications.daily import (
    DigestReport,
    Fold,
    morning_digests,
)
from services.notifications.links import (
    public_base,
)
from services.notifications.relay import (
    deliver_due,
)
from services.notifications.targets import (
    send_test,
)

__all__ = [
    "DigestReport",
    "Fold",
    "MessageRow",
    "StateCount",
    "deliver_due",
    "list_dead",
    "list_messages",
    "morning_digests",
    "public_base",
    "requeue",
    "send_test",
    "summary",
]
