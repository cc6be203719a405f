"""Inspection planners (督查计划): pure functions from segments, places, people and a seed to stops.

Kinds: 定期 (each street's segments on a fixed day), 暗访 (dates and samples drawn with a
recorded seed), 交叉 (units inspect segments they do not answer for, loads balanced, no
inspector–inspected pair repeated from the previous round), 领导带队 (a county leader, in
rotation, inspects another leader's segments), 复查 (each finding after its deadline).
Ids are plain ints; the same inputs and seed always give the same stops.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rules.errors import InvalidInput

SEGMENT, ALLEY = "路段", "巷道"
MAIN_ROADS, BACK_STREETS = "主次干道", "背街小巷"
_SEARCH_BUDGET = 20_000  # backtracking steps per capacity before the pair rule is relaxed


@dataclass(frozen=True)
class SegmentInfo:
    id: int
    group: str  # 主街道 name: a 定期 round visits a street's segments together
    lead_unit: int | None
    units: frozenset[int]  # lead department + participating units: who answers for it
    leader: int | None = None
    kind: str = SEGMENT


@dataclass(frozen=True)
class PlaceInfo:
    id: int
    kind: str  # 类型: 农贸市场, 公厕 …
    segment: int | None


@dataclass(frozen=True)
class FindingDue:
    id: int
    segment: int | None
    due: dt.date  # the local date of its current rectification deadline
    inspector_unit: int | None
    responsible: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Sample:
    type: str
    min: int
    share: float


@dataclass(frozen=True)
class Stop:
    day: dt.date
    segment: int | None = None
    place: int | None = None
    finding: int | None = None
    inspector_unit: int | None = None
    leader: int | None = None
    inspected_unit: int | None = None


@dataclass(frozen=True)
class CrossPlan:
    stops: list[Stop]
    loads: dict[int, int]  # inspector → segments to inspect
    pairs_relaxed: bool  # True when no plan avoided every pair of the previous round


def sample_count(available: int, rule: Sample) -> int:
    """max(min, ceil(share × available)), never more than there is."""
    return min(available, max(rule.min, math.ceil(rule.share * available - 1e-9)))


def _need_days(workdays: Sequence[dt.date]) -> None:
    if not workdays:
        raise InvalidInput("这一周没有工作日，无法安排检查")


def regular_plan(segments: Iterable[SegmentInfo], workdays: Sequence[dt.date], inspector: int | None) -> list[Stop]:
    """定期: every 路段, street by street, the streets spread over the week's working days."""
    _need_days(workdays)
    groups: dict[str, list[SegmentInfo]] = defaultdict(list)
    for s in segments:
        if s.kind == SEGMENT:
            groups[s.group].append(s)
    stops = []
    for i, name in enumerate(sorted(groups)):
        for s in sorted(groups[name], key=lambda s: s.id):
            stops.append(Stop(day=workdays[i % len(workdays)], segment=s.id, inspector_unit=inspector,
                              inspected_unit=s.lead_unit))
    return stops


def unannounced_plan(segments: Sequence[SegmentInfo], places: Sequence[PlaceInfo], workdays: Sequence[dt.date],
                     sampling: Sequence[Sample], days: int, seed: int, inspector: int | None) -> list[Stop]:
    """暗访: ``days`` dates and a sample per place type, all drawn from ``seed``."""
    _need_days(workdays)
    rng = random.Random(seed)
    dates = sorted(rng.sample(list(workdays), min(days, len(workdays))))
    lead = {s.id: s.lead_unit for s in segments}
    stops = []
    for rule in sampling:
        if rule.type in (MAIN_ROADS, BACK_STREETS):
            kind = SEGMENT if rule.type == MAIN_ROADS else ALLEY
            pool = sorted(s.id for s in segments if s.kind == kind)
            chosen = rng.sample(pool, sample_count(len(pool), rule))
            stops += [Stop(day=rng.choice(dates), segment=i, inspector_unit=inspector, inspected_unit=lead.get(i))
                      for i in sorted(chosen)]
        else:
            pool_p = sorted((p for p in places if p.kind == rule.type), key=lambda p: p.id)
            chosen_p = rng.sample(pool_p, sample_count(len(pool_p), rule))
            stops += [Stop(day=rng.choice(dates), place=p.id, segment=p.segment, inspector_unit=inspector,
                           inspected_unit=lead.get(p.segment) if p.segment else None)
                      for p in sorted(chosen_p, key=lambda p: p.id)]
    return sorted(stops, key=lambda s: (s.day, s.place is not None, s.segment or 0, s.place or 0))


def _assign(bundles: list[tuple[int, list[SegmentInfo]]], inspectors: list[int], cap: int,
            allowed: dict[int, list[int]]) -> dict[int, int] | None:
    """Backtracking: bundle lead → inspector with every load ≤ cap (most constrained first)."""
    size = {lead: len(segs) for lead, segs in bundles}
    order = sorted(size, key=lambda b: (len(allowed[b]), -size[b]))
    load = dict.fromkeys(inspectors, 0)
    chosen: dict[int, int] = {}
    steps = 0

    def go(k: int) -> bool:
        nonlocal steps
        if k == len(order):
            return True
        b = order[k]
        for i in sorted(allowed[b], key=lambda i: load[i]):  # stable: keeps the seeded order on ties
            steps += 1
            if steps > _SEARCH_BUDGET:
                return False
            if load[i] + size[b] > cap:
                continue
            load[i] += size[b]
            chosen[b] = i
            if go(k + 1):
                return True
            load[i] -= size[b]
            del chosen[b]
        return False

    return dict(chosen) if go(0) else None


def cross_plan(segments: Sequence[SegmentInfo], inspectors: Sequence[int], previous_pairs: set[tuple[int, int]],
               workdays: Sequence[dt.date], seed: int) -> CrossPlan:
    """交叉: each lead department's 路段 go to one inspector who answers for none of them.

    Loads (路段 per inspector) are kept as even as the bundles allow: the smallest maximum
    load that has a solution wins. (inspector, inspected lead) pairs of the previous round
    are avoided; only if that is impossible are they allowed again (``pairs_relaxed``).
    """
    _need_days(workdays)
    rng = random.Random(seed)
    by_lead: dict[int, list[SegmentInfo]] = defaultdict(list)
    for s in segments:
        if s.kind == SEGMENT and s.lead_unit is not None:
            by_lead[s.lead_unit].append(s)
    bundles = [(lead, sorted(segs, key=lambda s: s.id)) for lead, segs in sorted(by_lead.items())]
    pool = sorted(set(inspectors))
    rng.shuffle(pool)  # seeded tie-break among equally loaded inspectors
    total = sum(len(segs) for _, segs in bundles)
    lower = max([math.ceil(total / len(pool))] + [len(segs) for _, segs in bundles]) if pool and bundles else 0

    def eligible(respect_pairs: bool) -> dict[int, list[int]]:
        return {lead: [i for i in pool if all(i not in s.units for s in segs)
                       and not (respect_pairs and (i, lead) in previous_pairs)] for lead, segs in bundles}

    for respect_pairs in (True, False):
        allowed = eligible(respect_pairs)
        stuck = [lead for lead, options in allowed.items() if not options]
        if stuck and not respect_pairs:
            raise InvalidInput(f"有 {len(stuck)} 个牵头部门的路段找不到可交叉检查的单位（检查单位不能检查自己负责的路段）")
        if stuck:
            continue
        for cap in range(lower, total + 1):
            found = _assign(bundles, pool, cap, allowed)
            if found is not None:
                day = workdays[len(workdays) // 2]
                stops = [Stop(day=day, segment=s.id, inspector_unit=found[lead], inspected_unit=lead)
                         for lead, segs in bundles for s in segs]
                loads = {i: sum(len(segs) for lead, segs in bundles if found[lead] == i) for i in sorted(set(pool))}
                return CrossPlan(stops=stops, loads=loads, pairs_relaxed=not respect_pairs)
    if not bundles:
        return CrossPlan(stops=[], loads={}, pairs_relaxed=False)
    raise InvalidInput("无法安排交叉检查：检查单位不足")


def leader_plan(segments: Sequence[SegmentInfo], leaders: Sequence[int], week: str, count: int,
                workdays: Sequence[dt.date], inspector: int | None) -> list[Stop]:
    """领导带队: in weekly rotation, ``count`` leaders each inspect the next leader's segments."""
    _need_days(workdays)
    ring = sorted(set(leaders))
    if len(ring) < 2:
        return []
    year, number = (int(x) for x in week.split("-W"))
    start = year * 53 + number
    held: dict[int, list[int]] = defaultdict(list)
    for s in segments:
        if s.kind == SEGMENT and s.leader is not None:
            held[s.leader].append(s.id)
    lead = {s.id: s.lead_unit for s in segments}
    stops = []
    for r in range(min(count, len(ring))):
        leader = ring[(start + r) % len(ring)]
        target = ring[(start + r + 1) % len(ring)]
        day = workdays[-1 - (r % len(workdays))]
        stops += [Stop(day=day, segment=i, leader=leader, inspector_unit=inspector, inspected_unit=lead.get(i))
                  for i in sorted(held[target])]
    return stops


def reinspection_plan(findings: Iterable[FindingDue], workdays: Sequence[dt.date], office: int | None) -> list[Stop]:
    """复查: each finding on the first working day of the week after its deadline's date.

    Findings whose deadline falls on or after the week's last working day wait for a later
    week. The finding's own inspector goes back, unless it answers for the segment.
    """
    _need_days(workdays)
    stops = []
    for f in sorted(findings, key=lambda f: (f.due, f.id)):
        day = next((d for d in workdays if d > f.due), None)
        if day is None:
            continue
        inspector = f.inspector_unit if f.inspector_unit not in f.responsible else office
        stops.append(Stop(day=day, segment=f.segment, finding=f.id, inspector_unit=inspector or office))
    return stops
