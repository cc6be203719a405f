"""Outbox rows of many items alike, their texts worked out once per shape instead of once per item.

A batch sends tens of thousands of messages that differ only in the item's id and a few texts
(its title, its segment): 「【逾期】{title}」 to the same unit, with the same deadline. Building
each one's payload (link, JSON) and key text item by item cost more than writing it. A ``Shape``
is one such message rendered once with stand-ins (``ID_MARK``, ``TEXT_MARKS``) by the very code
that builds a single message, then turned into format strings: an item's row is one
``str.format`` and one hash. JSON escapes a text character by character, so the text escaped on
its own and put where its stand-in was gives the same bytes as the message built for it alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from typing import Any

from models.base import json_text

#: an item id no campaign reaches, standing in for the item's id while a shape is rendered
ID_MARK = 987_654_321_987_654_321
#: private-use characters standing in for the item's texts (never in a name or a title people write; a shape
#: whose fixed text holds one anyway fails its first item's check and is not used)
TEXT_MARKS = ("\ue000", "\ue001", "\ue002")
_STANDS_IN = re.compile("|".join([str(ID_MARK), *TEXT_MARKS]))
_FIELD = {str(ID_MARK): "{0}", **{m: f"{{{i + 1}}}" for i, m in enumerate(TEXT_MARKS)}}

#: (payload JSON text, [(target, key text)]) of one message as ``Outbox`` builds it
Rendered = tuple[str, list[tuple[str, str]]]


def _format_string(text: str) -> str:
    """``text`` with its braces doubled and each stand-in made a ``str.format`` field."""
    return _STANDS_IN.sub(lambda m: _FIELD[m.group(0)], text.replace("{", "{{").replace("}", "}}"))


class Shape:
    """The messages of items alike to one recipient: payload and key texts with fields for an item's id and texts."""

    __slots__ = ("_code", "_payload", "_keys", "_unused")

    def __init__(self, code: str, rendered: Rendered, n_texts: int):
        self._code = code
        self._unused = TEXT_MARKS[n_texts:]  # a stand-in the shape has no text for stays itself
        self._payload = _format_string(rendered[0])
        self._keys = [(target, _format_string(key_text)) for target, key_text in rendered[1]]

    def render(self, item_id: int, texts: Sequence[str]) -> tuple[str, list[tuple[str, str]]]:
        """(payload JSON, [(target, idempotency key)]) of one item's message."""
        ident = str(item_id)
        escaped = [json_text(t)[1:-1] for t in texts]  # a JSON string's inside: the text as the payload holds it
        payload = self._payload.format(ident, *escaped, *self._unused)
        code = self._code
        return payload, [(target, f"{code}:{hashlib.sha256(k.format(ident, *TEXT_MARKS).encode()).hexdigest()[:40]}")
                         for target, k in self._keys]


def shape_of(code: str, render: Callable[[int, Sequence[str]], Rendered], n_texts: int) -> Shape:
    """The shape of the messages ``render`` builds (for an id and ``n_texts`` texts)."""
    return Shape(code, render(ID_MARK, TEXT_MARKS[:n_texts]), n_texts)


def key_text(parts: Sequence[Any]) -> str:
    """What ``services.notifications.outbox.idempotency_key`` hashes: the parts joined by ``|``."""
    return "|".join(str(p) for p in parts)
