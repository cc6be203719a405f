"""Inspection planners (rules.inspection_plans): pure, seeded, on a small made-up county."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from rules.errors import InvalidInput
from rules.inspection_plans import (
    FindingDue,
    PlaceInfo,
    Sample,
    SegmentInfo,
    cross_plan,
    leader_plan,
    regular_plan,
    reinspection_plan,
    sample_count,
    unannounced_plan,
)
from rules.weeks import week_days

WEEK = week_days("2025-W19")
WORKDAYS = [d for d in WEEK if d.weekday() < 5]
OFFICE = 1


def county(n_leads: int = 8, per_lead: tuple[int, ...] = (3, 4), seed: int = 3) -> list[SegmentInfo]:
    """Lead units 100.., participating units 200..219 dealt 2–4 per segment, alleys on half the segments."""
    rng = random.Random(seed)
    segs, sid = [], 0
    for k in range(n_leads):
        for _ in range(per_lead[k % len(per_lead)]):
            sid += 1
            members = frozenset(rng.sample(range(200, 220), rng.randint(2, 4)))
            segs.append(SegmentInfo(id=sid, group=f"街{sid % 5}", lead_unit=100 + k, units=members | {100 + k},
                                    leader=300 + k // 2))
    alleys = [SegmentInfo(id=1000 + s.id, group=s.group, lead_unit=s.lead_unit, units=s.units, leader=s.leader,
                          kind="巷道") for s in segs[::2]]
    return segs + alleys


def test_cross_inspection_never_assigns_a_unit_to_a_segment_it_answers_for():
    segs = county()
    # participating units inspect too: some of them sit on many segments
    inspectors = sorted({s.lead_unit for s in segs} | {200, 201, 202})
    for seed in range(25):
        plan = cross_plan(segs, inspectors, set(), WORKDAYS, seed)
        units = {s.id: s.units for s in segs}
        assert plan.stops and all(stop.inspector_unit not in units[stop.segment] for stop in plan.stops)


def test_cross_inspection_covers_every_segment_once_and_balances_the_loads():
    segs = county(n_leads=8, per_lead=(3, 4))
    inspectors = sorted({s.lead_unit for s in segs})
    plan = cross_plan(segs, inspectors, set(), WORKDAYS, seed=11)
    main = [s.id for s in segs if s.kind == "路段"]
    assert sorted(stop.segment for stop in plan.stops) == sorted(main)
    loads = list(plan.loads.values())
    assert sum(loads) == len(main) and max(loads) - min(loads) <= 1  # bundles are 3 or 4 路段


def test_cross_inspection_spreads_bundles_when_inspectors_are_fewer_than_bundles():
    segs = county(n_leads=9, per_lead=(2,))
    inspectors = [100, 101, 102]  # three lead units inspect nine bundles of two
    plan = cross_plan(segs, inspectors, set(), WORKDAYS, seed=5)
    assert sorted(plan.loads.values()) == [6, 6, 6]


def test_cross_inspection_does_not_repeat_a_pair_in_consecutive_rounds():
    segs = county()
    inspectors = sorted({s.lead_unit for s in segs})
    previous: set[tuple[int, int]] = set()
    for week in range(10):
        plan = cross_plan(segs, inspectors, previous, WORKDAYS, seed=week)
        pairs = {(s.inspector_unit, s.inspected_unit) for s in plan.stops}
        assert not plan.pairs_relaxed
        assert not pairs & previous
        previous = pairs


def test_cross_inspection_relaxes_the_pair_rule_only_when_nothing_else_works():
    segs = [SegmentInfo(1, "a", 10, frozenset({10})), SegmentInfo(2, "b", 11, frozenset({11}))]
    plan = cross_plan(segs, [10, 11], {(10, 11), (11, 10)}, WORKDAYS, seed=1)
    assert plan.pairs_relaxed and {(s.inspector_unit, s.segment) for s in plan.stops} == {(11, 1), (10, 2)}


def test_cross_inspection_refuses_when_a_segment_has_no_outside_inspector():
    segs = [SegmentInfo(1, "a", 10, frozenset({10, 11}))]
    with pytest.raises(InvalidInput):
        cross_plan(segs, [10, 11], set(), WORKDAYS, seed=1)


def test_the_same_seed_reproduces_the_same_plans_and_another_seed_changes_them():
    segs = county()
    places = [PlaceInfo(500 + i, ["农贸市场", "公厕", "餐饮店"][i % 3], (i % 20) + 1) for i in range(30)]
    sampling = [Sample("主次干道", 3, 0.2), Sample("背街小巷", 2, 0.1), Sample("公厕", 2, 0.3), Sample("餐饮店", 1, 0.0)]
    inspectors = sorted({s.lead_unit for s in segs})
    a = unannounced_plan(segs, places, WORKDAYS, sampling, 2, 42, OFFICE)
    assert a == unannounced_plan(segs, places, WORKDAYS, sampling, 2, 42, OFFICE)
    assert a != unannounced_plan(segs, places, WORKDAYS, sampling, 2, 43, OFFICE)
    assert cross_plan(segs, inspectors, set(), WORKDAYS, 42) == cross_plan(segs, inspectors, set(), WORKDAYS, 42)


def test_unannounced_rounds_sample_each_place_type_with_its_minimum_on_the_drawn_days():
    segs = county()
    places = [PlaceInfo(500 + i, ["农贸市场", "公厕"][i % 2], None) for i in range(9)]  # 5 markets, 4 toilets
    sampling = [Sample("主次干道", 3, 0.2), Sample("背街小巷", 2, 0.1), Sample("农贸市场", 1, 0.5), Sample("公厕", 6, 0.0)]
    stops = unannounced_plan(segs, places, WORKDAYS, sampling, 2, 9, OFFICE)
    kinds = {p.id: p.kind for p in places}
    counted = Counter("主次干道" if s.place is None and s.segment < 1000 else "背街小巷" if s.place is None
                      else kinds[s.place] for s in stops)
    main = sum(1 for s in segs if s.kind == "路段")
    assert counted == {"主次干道": max(3, -(-main * 2 // 10)), "背街小巷": 2, "农贸市场": 3, "公厕": 4}
    assert len({s.day for s in stops}) <= 2 and all(s.inspector_unit == OFFICE for s in stops)


def test_sample_counts_take_the_larger_of_minimum_and_share_but_never_more_than_exist():
    assert sample_count(29, Sample("主次干道", 5, 0.2)) == 6
    assert sample_count(10, Sample("公厕", 2, 0.1)) == 2
    assert sample_count(1, Sample("农贸市场", 3, 0.5)) == 1


def test_regular_rounds_visit_every_segment_street_by_street():
    segs = county()
    stops = regular_plan(segs, WORKDAYS, OFFICE)
    assert sorted(s.segment for s in stops) == sorted(s.id for s in segs if s.kind == "路段")
    by_street = {}
    for s in stops:
        by_street.setdefault(next(x.group for x in segs if x.id == s.segment), set()).add(s.day)
    assert all(len(days) == 1 for days in by_street.values())


def test_leader_led_rounds_rotate_and_never_inspect_the_leaders_own_segments():
    segs = county()
    leaders = sorted({s.leader for s in segs})
    seen = set()
    for n in range(18, 26):
        stops = leader_plan(segs, leaders, f"2025-W{n}", 1, WORKDAYS, OFFICE)
        held = {s.id: s.leader for s in segs}
        assert stops and all(held[s.segment] != s.leader for s in stops)
        seen.add(stops[0].leader)
    assert seen == set(leaders)


def test_reinspection_comes_on_the_first_working_day_after_the_deadline():
    due = [FindingDue(1, 5, dt.date(2025, 5, 2), 7), FindingDue(2, 6, dt.date(2025, 5, 6), 7, frozenset({7})),
           FindingDue(3, 6, dt.date(2025, 5, 9), 8)]
    stops = reinspection_plan(due, WORKDAYS, OFFICE)
    assert [(s.finding, s.day, s.inspector_unit) for s in stops] == [
        (1, dt.date(2025, 5, 5), 7),  # overdue before the week: its first working day
        (2, dt.date(2025, 5, 7), OFFICE),  # its inspector answers for the segment: 创卫办 goes instead
    ]  # finding 3 is due on Friday: next week
