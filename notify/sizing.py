"""Byte budgets: the IM platforms count UTF-8 bytes, and a Chinese character is 3 of them.

The IM adapters truncate with a note rather than split: a split notice arrives as several
messages that each use up the robot's 20-per-minute allowance and can interleave with other
notices, while the full text is always one click away in the system. ``split_utf8`` is here for
callers that prefer several numbered parts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from notify.templates import TRUNCATION_NOTE

#: the longest UTF-8 encoding of one character; no budget may be smaller
_MAX_CHAR_BYTES = 4


def utf8_len(text: str) -> int:
    """Length of ``text`` in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def encode_json(payload: Any) -> bytes:
    """The exact bytes sent: compact UTF-8 JSON, Chinese unescaped (as the size limits assume)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fit_utf8(text: str, max_bytes: int, suffix: str = TRUNCATION_NOTE) -> str:
    """``text`` if it fits in ``max_bytes``, else its head (cut between characters) + ``suffix``."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    room = max_bytes - utf8_len(suffix)
    if room < 0:
        raise ValueError(f"budget of {max_bytes} bytes is smaller than the truncation note")
    return _head(data, room).rstrip() + suffix


def fit_within(
    size_of: Callable[[str], int], text: str, max_bytes: int, suffix: str = TRUNCATION_NOTE
) -> str:
    """Truncate ``text`` until ``size_of(text)`` (whatever embeds it) fits in ``max_bytes``.

    ``size_of`` measures the whole rendered thing (a JSON body, a content field with a heading),
    so escaping and fixed parts are accounted for exactly. The longest fitting head is found
    by bisection over the text's byte budget.
    """
    if size_of(text) <= max_bytes:
        return text
    low, high = utf8_len(suffix), utf8_len(text) - 1  # budgets: low must fit, high need not
    if size_of(fit_utf8(text, low, suffix)) > max_bytes:
        raise ValueError(f"the fixed parts alone exceed {max_bytes} bytes")
    while low < high:
        middle = (low + high + 1) // 2
        if size_of(fit_utf8(text, middle, suffix)) <= max_bytes:
            low = middle
        else:
            high = middle - 1
    return fit_utf8(text, low, suffix)


def split_utf8(text: str, max_bytes: int) -> list[str]:
    """Split ``text`` into parts of at most ``max_bytes`` each, numbered ``(1/3) …``.

    Parts break at line ends where possible; a single over-long line is cut on character
    boundaries. Text that fits is returned as one unnumbered part.
    """
    if utf8_len(text) <= max_bytes:
        return [text]
    expected = 2
    while True:
        label_bytes = utf8_len(_label(expected, expected))
        budget = max_bytes - label_bytes
        if budget < _MAX_CHAR_BYTES:
            raise ValueError(f"{max_bytes} bytes is too small to split into numbered parts")
        chunks = _pack_lines(text, budget)
        if len(chunks) <= expected:
            return [_label(i, len(chunks)) + chunk for i, chunk in enumerate(chunks, 1)]
        expected = len(chunks)


def _label(index: int, total: int) -> str:
    return f"({index}/{total}) "


def _head(data: bytes, size: int) -> str:
    """The first ``size`` bytes of UTF-8 ``data``, moved back onto a character boundary."""
    while 0 < size < len(data) and data[size] & 0xC0 == 0x80:  # 0b10xxxxxx: continuation byte
        size -= 1
    return data[:size].decode("utf-8")


def _pack_lines(text: str, budget: int) -> list[str]:
    """Greedily pack whole lines into chunks of at most ``budget`` bytes."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        if utf8_len(current + line) <= budget:
            current += line
            continue
        if current:
            chunks.append(current)
        current = ""
        data = line.encode("utf-8")
        while len(data) > budget:
            piece = _head(data, budget)
            chunks.append(piece)
            data = data[len(piece.encode("utf-8")) :]
        current = data.decode("utf-8")
    if current:
        chunks.append(current)
    return [c.rstrip("\n") for c in chunks if c.strip("\n")]
