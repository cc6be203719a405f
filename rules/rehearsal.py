"""模拟暗访 sampling and route: which places of each type a rehearsal visits, and in which order.

Pure functions over plain values. Counts per type come from the campaign's configuration
(max(min, ceil(share × places of the type)), never more than there are); the draw is a seeded
random sample of the candidates sorted by key, so the same seed gives the same plan. The route
is a nearest-neighbour walk from the westernmost point, measured on an equirectangular
projection (good to well under 1 % over a county town).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Candidate:
    type: str
    key: str  # unique and stable: "segment:12", "place:40"
    name: str
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Quota:
    type: str
    count: int


def sample(candidates: Sequence[Candidate], quotas: Sequence[Quota], seed: int) -> list[Candidate]:
    """``quota.count`` candidates of each quota's type (fewer when there are fewer), drawn with ``seed``."""
    rng = random.Random(seed)
    by_type: dict[str, list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: c.key):
        by_type.setdefault(c.type, []).append(c)
    out: list[Candidate] = []
    for q in quotas:
        pool = by_type.get(q.type, [])
        out += rng.sample(pool, min(max(q.count, 0), len(pool)))
    return out


def distance_m(a: Candidate, b: Candidate) -> float:
    """Approximate ground distance in metres (equirectangular, mean Earth radius)."""
    mean_lat = math.radians((a.lat + b.lat) / 2)
    dx = math.radians(b.lon - a.lon) * math.cos(mean_lat)
    dy = math.radians(b.lat - a.lat)
    return 6_371_008.8 * math.hypot(dx, dy)


def route(points: Sequence[Candidate]) -> list[Candidate]:
    """The points in visiting order: nearest neighbour from the westernmost (ties by key)."""
    left = sorted(points, key=lambda c: (c.lon, c.key))
    if not left:
        return []
    order = [left.pop(0)]
    while left:
        here = order[-1]
        k = min(range(len(left)), key=lambda i: (distance_m(here, left[i]), left[i].key))
        order.append(left.pop(k))
    return order


def route_length_m(points: Sequence[Candidate]) -> float:
    return sum(distance_m(a, b) for a, b in zip(points, points[1:], strict=False))


def counts(points: Sequence[Candidate], types: Sequence[str]) -> Mapping[str, int]:
    """Points per type, every configured type listed (0 where none was drawn)."""
    out = {t: 0 for t in types}
    for p in points:
        out[p.type] = out.get(p.type, 0) + 1
    return out
