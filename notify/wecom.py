"""WeCom (企业微信) group robot: the key in the URL is the only credential, no signing.

``markdown`` (≤ 4096 bytes) looks better, but only ``text`` (≤ 2048 bytes) can mention people
by mobile number, so a message with mentions goes out as text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from notify.base import Message, Outcome, TargetSpec, with_keyword
from notify.classify import WECOM, classify_reply
from notify.sizing import encode_json, fit_within, utf8_len
from notify.templates import LINK_TEXT
from notify.transport import finish, post_json

TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 4096


class WeComChannel:
    """POST to ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`` (the URL as copied)."""

    name = "wecom"

    def render(self, target: TargetSpec, message: Message) -> dict[str, Any]:
        """The JSON payload; the body is truncated with a note to fit the byte limit."""
        message = with_keyword(message, target.keyword)
        if message.mentions:
            head = f"{message.title}\n"
            tail = f"\n{LINK_TEXT}：{message.link}" if message.link else ""
            body = _fit(head, message.body, tail, TEXT_MAX_BYTES)
            return {
                "msgtype": "text",
                "text": {
                    "content": head + body + tail,
                    "mentioned_mobile_list": list(message.mentions),
                },
            }
        head = f"**{message.title}**\n"
        tail = f"\n[{LINK_TEXT}]({message.link})" if message.link else ""
        body = _fit(head, message.body, tail, MARKDOWN_MAX_BYTES)
        return {"msgtype": "markdown", "markdown": {"content": head + body + tail}}

    def send(
        self, client: httpx.Client, target: TargetSpec, message: Message, now: datetime
    ) -> Outcome:
        """Send one message; ok only on HTTP 200 with errcode 0."""
        body = encode_json(self.render(target, message))
        outcome = post_json(client, target.url, body, lambda r: classify_reply(r, WECOM, now))
        return finish(target, message, outcome)


def _fit(head: str, body: str, tail: str, max_bytes: int) -> str:
    return fit_within(lambda text: utf8_len(head + text + tail), body, max_bytes)
