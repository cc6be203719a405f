"""WeCom (企业微信) group robot: the key in the URL is the only credential, no signing.

A message with a link goes out as a ``template_card`` of type ``text_notice``: the whole card
opens the link (``card_action`` type 1, which ``text_notice`` requires) and up to three
``jump_list`` buttons open the items it lists. A card cannot mention anyone, so its mentions
follow in a separate ``text`` message (≤ 2048 bytes) — two requests out of the robot's 20 a
minute, which the relay's throttle counts. Without a link, ``markdown`` (≤ 4096 bytes), or
``text`` when someone must be mentioned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from notify.base import Message, Outcome, TargetSpec, with_keyword
from notify.classify import WECOM, classify_reply
from notify.sizing import encode_json, fit_within, utf8_len
from notify.templates import BUTTON_CHARS, LINK_TEXT, MENTION_LINE, card_text, short_title
from notify.transport import finish, post_json

TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 4096
#: ``jump_list`` holds at most three entries
JUMP_MAX = 3


class WeComChannel:
    """POST to ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`` (the URL as copied)."""

    name = "wecom"

    def requests_for(self, message: Message) -> int:
        """How many robot requests ``message`` costs: a card with mentions needs a second one."""
        return 2 if message.opens and message.mentions else 1

    def render(self, target: TargetSpec, message: Message) -> dict[str, Any]:
        """The main JSON payload: a card with a link, else markdown, else text with mentions."""
        message = with_keyword(message, target.keyword)
        if message.opens:
            return self.card(message)
        if message.mentions:
            return self.mention_text(message, full=True)
        head = f"**{message.title}**\n"
        body = _fit(head, message.body, "", MARKDOWN_MAX_BYTES)
        return {"msgtype": "markdown", "markdown": {"content": head + body}}

    def card(self, message: Message) -> dict[str, Any]:
        """A ``text_notice`` template card: title ≤ 26 characters, text ≤ 112, three buttons at most."""
        assert message.opens is not None
        card: dict[str, Any] = {
            "card_type": "text_notice",
            "main_title": {"title": short_title(message.title)},
            "sub_title_text": card_text(message.body),
            "card_action": {"type": 1, "url": message.opens},
        }
        card["jump_list"] = [{"type": 1, "title": short_title(label, BUTTON_CHARS), "url": url}
                             for label, url in message.jumps(JUMP_MAX)]
        return {"msgtype": "template_card", "template_card": card}

    def mention_text(self, message: Message, *, full: bool) -> dict[str, Any]:
        """A ``text`` message mentioning by mobile: the whole notice, or one line after a card."""
        if full:
            head = f"{message.title}\n"
            tail = f"\n{LINK_TEXT}：{message.link}" if message.link else ""
            content = head + _fit(head, message.body, tail, TEXT_MAX_BYTES) + tail
        else:
            content = MENTION_LINE.format(title=message.title)
        return {"msgtype": "text",
                "text": {"content": content, "mentioned_mobile_list": list(message.mentions)}}

    def send(
        self, client: httpx.Client, target: TargetSpec, message: Message, now: datetime
    ) -> Outcome:
        """Send one message (and its mentions); ok only on HTTP 200 with errcode 0.

        When the card went out but its mention line did not, the outcome is still ok: a retry
        would post the card a second time, and the card is the notice (the log keeps the miss).
        """
        outcome = self._post(client, target, self.render(target, message), now)
        if outcome.ok and message.opens and message.mentions:
            mention = self._post(client, target, self.mention_text(
                with_keyword(message, target.keyword), full=False), now)
            if not mention.ok:
                outcome = Outcome("ok", outcome.code, f"card sent; mention not sent: {mention.msg}")
        return finish(target, message, outcome)

    def _post(self, client: httpx.Client, target: TargetSpec, payload: dict[str, Any],
              now: datetime) -> Outcome:
        return post_json(client, target.url, encode_json(payload), lambda r: classify_reply(r, WECOM, now))


def _fit(head: str, body: str, tail: str, max_bytes: int) -> str:
    return fit_within(lambda text: utf8_len(head + text + tail), body, max_bytes)
