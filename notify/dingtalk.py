"""DingTalk (钉钉) custom robot, with optional 加签 signing and keyword security.

The signature uses a millisecond timestamp from the injected ``now`` and is added at send
time, because DingTalk rejects timestamps more than an hour old (a delayed retry must re-sign).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from notify.base import Message, Outcome, TargetSpec, epoch_seconds, with_keyword
from notify.classify import DINGTALK, classify_reply
from notify.signing import dingtalk_sign
from notify.sizing import encode_json, fit_within
from notify.templates import LINK_TEXT
from notify.transport import finish, post_json

MAX_BODY_BYTES = 20_000


class DingTalkChannel:
    """POST to ``https://oapi.dingtalk.com/robot/send?access_token=…`` (the URL as copied)."""

    name = "dingtalk"

    def render(self, target: TargetSpec, message: Message) -> dict[str, Any]:
        """The markdown payload; the body is truncated with a note to fit 20 000 bytes."""
        message = with_keyword(message, target.keyword)
        mobiles = [m for m in message.mentions if m != "@all"]
        # the markdown title only shows in the chat list preview, so it is repeated in the text
        head = f"#### {message.title}\n\n"
        tail = f"\n\n[{LINK_TEXT}]({message.link})" if message.link else ""
        if mobiles:  # an @mobile in the text is what makes the mention show inline
            tail += "\n\n" + " ".join(f"@{m}" for m in mobiles)

        def payload(body: str) -> dict[str, Any]:
            # DingTalk markdown drops single line breaks; a blank line keeps them
            text = head + body.replace("\n", "\n\n") + tail
            return {
                "msgtype": "markdown",
                "markdown": {"title": message.title, "text": text},
                "at": {"atMobiles": mobiles, "isAtAll": "@all" in message.mentions},
            }

        def size(body: str) -> int:
            return len(encode_json(payload(body)))

        return payload(fit_within(size, message.body, MAX_BODY_BYTES))

    def send(
        self, client: httpx.Client, target: TargetSpec, message: Message, now: datetime
    ) -> Outcome:
        """Send one message, signed with ``now`` if the target has a secret."""
        params: dict[str, str] = {}
        if target.secret:
            timestamp_ms = int(epoch_seconds(now)) * 1000 + now.microsecond // 1000
            # raw base64: httpx quotes it exactly once
            params = {
                "timestamp": str(timestamp_ms),
                "sign": dingtalk_sign(target.secret, timestamp_ms),
            }
        body = encode_json(self.render(target, message))
        outcome = post_json(
            client, target.url, body, lambda r: classify_reply(r, DINGTALK, now), params=params
        )
        return finish(target, message, outcome)
