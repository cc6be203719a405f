"""Feishu (飞书) / Lark custom bot, with optional signing (签名校验) and keyword security.

Unlike DingTalk, the timestamp is in seconds and goes into the JSON body with the signature.
A custom bot cannot resolve mobile numbers, so mobile mentions are written out as text;
``@all`` becomes a real ``at`` element. A message with a link goes out as an ``interactive``
card whose buttons open the link (custom bots support link jumps only, no callbacks); one
without, as a rich-text ``post``. The keyword (自定义关键词) is put in the body as well as the
title, where the platform looks for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from notify.base import Message, Outcome, TargetSpec, epoch_seconds, keyword_in_body, with_keyword
from notify.classify import FEISHU, classify_reply
from notify.signing import feishu_sign
from notify.sizing import encode_json, fit_within
from notify.templates import BUTTON_CHARS, LINK_TEXT, MENTION_PREFIX, short_title
from notify.transport import finish, post_json

#: "请求体 ≤ 20 KB"; read as 20 000 bytes to stay on the safe side of either meaning of KB
MAX_BODY_BYTES = 20_000
#: room left for the ``timestamp`` and ``sign`` fields added at send time (about 70 bytes)
SIGNATURE_RESERVE = 128


class FeishuChannel:
    """POST to ``https://open.feishu.cn/open-apis/bot/v2/hook/<hook id>`` (the URL as copied)."""

    name = "feishu"

    def requests_for(self, message: Message) -> int:
        """Every message is one request."""
        return 1

    def render(self, target: TargetSpec, message: Message) -> dict[str, Any]:
        """The card (with a link) or ``post`` payload, truncated with a note to fit the body limit."""
        message = keyword_in_body(with_keyword(message, target.keyword), target.keyword)
        mobiles = [m for m in message.mentions if m != "@all"]
        if message.opens:
            return self._card(message, mobiles)
        extra_rows: list[list[dict[str, str]]] = []
        mention_row: list[dict[str, str]] = []
        if mobiles:
            names = " ".join(f"@{m}" for m in mobiles)
            mention_row.append({"tag": "text", "text": MENTION_PREFIX + names})
        if "@all" in message.mentions:
            mention_row.append({"tag": "at", "user_id": "all"})
        if mention_row:
            extra_rows.append(mention_row)

        def payload(body: str) -> dict[str, Any]:
            rows = [[{"tag": "text", "text": line}] for line in body.split("\n")]
            post = {"zh_cn": {"title": message.title, "content": rows + extra_rows}}
            return {"msg_type": "post", "content": {"post": post}}

        def size(body: str) -> int:
            return len(encode_json(payload(body)))

        return payload(fit_within(size, message.body, MAX_BODY_BYTES - SIGNATURE_RESERVE))

    def _card(self, message: Message, mobiles: list[str]) -> dict[str, Any]:
        mention = ""
        if mobiles:
            mention += MENTION_PREFIX + " ".join(f"@{m}" for m in mobiles)
        if "@all" in message.mentions:
            mention += " <at id=all></at>"
        buttons: list[dict[str, Any]] = []
        if message.link:
            buttons.append({"tag": "button", "text": {"tag": "plain_text", "content": LINK_TEXT}, "type": "primary",
                            "url": message.link})
        buttons += [{"tag": "button", "text": {"tag": "plain_text", "content": short_title(label, BUTTON_CHARS)},
                     "type": "default", "url": url} for label, url in message.jumps(3) if url != message.link]
        buttons = buttons[:3]

        def payload(body: str) -> dict[str, Any]:
            elements: list[dict[str, Any]] = [{"tag": "div", "text": {"tag": "plain_text", "content": body}}]
            if mention:
                elements.append({"tag": "div", "text": {"tag": "lark_md", "content": mention.strip()}})
            elements.append({"tag": "action", "actions": buttons})
            return {"msg_type": "interactive", "card": {
                "config": {"wide_screen_mode": True},
                "header": {"title": {"tag": "plain_text", "content": message.title}, "template": "blue"},
                "elements": elements}}

        def size(body: str) -> int:
            return len(encode_json(payload(body)))

        return payload(fit_within(size, message.body, MAX_BODY_BYTES - SIGNATURE_RESERVE))

    def send(
        self, client: httpx.Client, target: TargetSpec, message: Message, now: datetime
    ) -> Outcome:
        """Send one message, signed with ``now`` (in seconds) if the target has a secret."""
        payload = self.render(target, message)
        if target.secret:
            timestamp = int(epoch_seconds(now))
            sign = feishu_sign(target.secret, timestamp)
            payload = {"timestamp": str(timestamp), "sign": sign, **payload}
        outcome = post_json(
            client, target.url, encode_json(payload), lambda r: classify_reply(r, FEISHU, now)
        )
        return finish(target, message, outcome)
