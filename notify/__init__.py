"""Channel adapters (httpx) and message templates. No database.

``send(client, target, message, now) -> Outcome`` never reports a false success: an IM
platform's reply counts as delivered only with HTTP 200 *and* a zero result code.
"""

from notify.base import Channel, Message, Outcome, TargetSpec, merge_digest
from notify.channels import CHANNELS, channel_for, requests_for, send
from notify.throttle import SlidingWindow, limits_for
from notify.transport import make_client

__all__ = [
    "CHANNELS",
    "Channel",
    "Message",
    "Outcome",
    "SlidingWindow",
    "TargetSpec",
    "channel_for",
    "limits_for",
    "make_client",
    "merge_digest",
    "requests_for",
    "send",
]
