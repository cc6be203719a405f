"""Generic JSON webhook (an office's own system, or the local sink of the demo).

The receiver deduplicates by the ``Idempotency-Key`` header. With a target secret the body is
signed: ``X-Chuangwei-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}." + body)>``
next to ``X-Chuangwei-Timestamp`` (seconds), so a receiver can reject forged or replayed posts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from notify.base import Message, Outcome, TargetSpec, epoch_seconds
from notify.classify import classify_status
from notify.signing import webhook_signature
from notify.sizing import encode_json
from notify.transport import finish, post_json


class WebhookChannel:
    """POST the message as JSON; 2xx is success, 429/5xx are retried, other statuses are fatal."""

    name = "webhook"

    def render(self, target: TargetSpec, message: Message) -> dict[str, Any]:
        """The JSON document: every field of the message, nothing truncated; ``url`` is the page to act on."""
        return {
            "idempotency_key": message.idempotency_key,
            "title": message.title,
            "body": message.body,
            "mentions": list(message.mentions),
            "link": message.link,
            "url": message.opens,
            "links": [{"title": label, "url": url} for label, url in message.links],
            "digest_keys": list(message.digest_keys),
        }

    def requests_for(self, message: Message) -> int:
        """Every message is one request."""
        return 1

    def send(
        self, client: httpx.Client, target: TargetSpec, message: Message, now: datetime
    ) -> Outcome:
        """Send one message with its idempotency key in a header."""
        body = encode_json(self.render(target, message))
        headers = {"Idempotency-Key": message.idempotency_key}
        if target.secret:
            timestamp = int(epoch_seconds(now))
            headers["X-Chuangwei-Timestamp"] = str(timestamp)
            headers["X-Chuangwei-Signature"] = webhook_signature(target.secret, timestamp, body)
        outcome = post_json(
            client, target.url, body, lambda r: classify_status(r, now), headers=headers
        )
        return finish(target, message, outcome)
