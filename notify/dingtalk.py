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
from notify.templates import BUTTON_CHARS, LINK_TEXT, short_title
from notify.transport import finish, post_json

MAX_BODY_BYTES = 20_000


class DingTalkChannel:
    """POST to ``https://oapi.dingtalk.com/robot/send?access_token=…`` (the URL as copied).

    A message with a link goes out as an ``actionCard`` with one button (``singleURL``) or one
    per listed item (``btns``). DingTalk reads ``at`` only on ``text`` and ``markdown``, so a
    message that must mention someone goes out as markdown with its link written in the text.
    """

    name = "dingtalk"

    def requests_for(self, message: Message) -> int:
        """Every message is one request."""
        return 1

    def render(self, target: TargetSpec, message: Message) -> dict[str, Any]:
        """The payload; the body is truncated with a note to fit 20 000 bytes."""
        message = with_keyword(message, target.keyword)
        mobiles = [m for m in message.mentions if m != "@all"]
        # the markdown title only shows in the chat list preview, so it is repeated in the text
        head = f"#### {message.title}\n\n"
        card = bool(message.opens) and not message.mentions
        tail = ""
        if message.link and not card:
            tail = f"\n\n[{LINK_TEXT}]({message.link})"
        if mobiles:  # an @mobile in the text is what makes the mention show inline
            tail += "\n\n" + " ".join(f"@{m}" for m in mobiles)

        def payload(body: str) -> dict[str, Any]:
            # DingTalk markdown drops single line breaks; a blank line keeps them
            text = head + body.replace("\n", "\n\n") + tail
            if card:
                return {"msgtype": "actionCard", "actionCard": _action_card(message, text)}
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


def _action_card(message: Message, text: str) -> dict[str, Any]:
    """One button to the message's page, or that page and the first listed items (three at most)."""
    jumps = message.jumps(3)
    if message.link and len(jumps) > 1 and message.link not in {url for _, url in jumps}:
        jumps = [(LINK_TEXT, message.link), *jumps[:2]]
    card: dict[str, Any] = {"title": message.title, "text": text, "btnOrientation": "0"}
    if len(jumps) > 1:
        card["btns"] = [{"title": short_title(label, BUTTON_CHARS), "actionURL": url} for label, url in jumps]
    else:
        card.update(singleTitle=LINK_TEXT, singleURL=message.opens)
    return card
