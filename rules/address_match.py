"""Place an address string (12345 工单的诉求地址) on a segment by the names of streets and segments.

A segment is named like 阜通东大街（阜荣街至望京街段）: its street and the two crossings that
bound it. An address naming a segment or alley outright wins; otherwise the address must name
a street, and when that street has several segments, also one of the bounding crossings.
Anything less certain is not guessed: it goes to 创卫办's triage queue.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")
_BOUNDS = re.compile(r"[（(](.+?)至(.+?)段[）)]")


@dataclass(frozen=True)
class NamedSegment:
    id: int  # the 路段 an address on this line routes to (an alley's parent)
    name: str  # 路段名称 / 巷道名称
    street: str | None  # 所属街道 (None for an alley)


def _norm(text: str | None) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def crossings(name: str) -> tuple[str, ...]:
    """The crossing streets a segment name is bounded by: 阜通东大街（阜荣街至望京街段） → (阜荣街, 望京街)."""
    m = _BOUNDS.search(_norm(name))
    return (m.group(1), m.group(2)) if m else ()


def _streets_in(address: str, streets: set[str]) -> list[str]:
    """Street names in the address, without one that is only part of a longer match."""
    found = [s for s in streets if s and s in address]
    return [s for s in found if not any(s != t and s in t for t in found)]


def match_address(address: str, segments: Sequence[NamedSegment]) -> int | None:
    """The id of the segment an address names, or None when it is not certain."""
    text = _norm(address)
    if not text:
        return None
    named = sorted((s for s in segments if _norm(s.name) and _norm(s.name) in text),
                   key=lambda s: -len(_norm(s.name)))
    if named:
        best = [s for s in named if len(_norm(s.name)) == len(_norm(named[0].name))]
        ids = {s.id for s in best}
        return ids.pop() if len(ids) == 1 else None
    streets = _streets_in(text, {_norm(s.street) for s in segments if s.street})
    if not streets:
        return None
    candidates = [s for s in segments if s.street and _norm(s.street) in streets]
    if len({s.id for s in candidates}) == 1 and len(streets) == 1:
        return candidates[0].id
    scored = []
    for s in candidates:
        others = [c for c in crossings(s.name) if c != _norm(s.street)]
        score = sum(1 for c in others if c in text)
        if score:
            scored.append((score, s.id))
    if not scored:
        return None
    top = max(score for score, _ in scored)
    ids = {i for score, i in scored if score == top}
    return ids.pop() if len(ids) == 1 else None
