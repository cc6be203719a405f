"""考核 score formulas (rules.scores): hand-computed cases, zero denominators, ranks and ties."""

from __future__ import annotations

import pytest

from config.assessment import AssessmentSpec
from rules import scores as rs
from rules.scores import Counts


def test_score_rates_follow_the_digital_city_formulas_on_a_hand_computed_unit():
    # 8 done in the window (6 by the deadline, 5 verified), 2 overdue → 应处置数 10
    c = Counts(handled=8, on_time=6, verified=5, overdue=2, checks=7, rework=1)
    ind = rs.indicators(c)
    assert ind.due == 10
    assert ind.completion_rate == pytest.approx(0.5)  # 5 / 10
    assert ind.on_time_rate == pytest.approx(0.6)  # 6 / 10
    assert ind.rework_rate == pytest.approx(1 / 7)  # 1 / 7
    assert ind.load_points == 10  # ≤ 50 items


def test_score_composite_is_the_department_evaluation_formula_with_the_default_weights():
    c = Counts(handled=8, on_time=6, verified=5, overdue=2, checks=7, rework=1)
    # 10 (立案数分值) + 50 %×30 + 60 %×30 + (1 − 1/7)×30 = 10 + 15 + 18 + 25.714…
    assert rs.composite(rs.indicators(c)) == pytest.approx(10 + 15 + 18 + 30 * 6 / 7)


def test_score_is_no_data_for_a_unit_with_nothing_due_not_zero_and_not_full_marks():
    ind = rs.indicators(Counts())
    assert ind.completion_rate is None and ind.on_time_rate is None and ind.rework_rate is None
    assert ind.rectification_rate is None and ind.satisfaction_rate is None
    assert rs.composite(ind) is None


def test_score_ratio_of_a_zero_denominator_is_none():
    assert rs.ratio(0, 0) is None and rs.ratio(3, 0) is None
    assert rs.ratio(0, 4) == 0.0 and rs.ratio(1, 4) == 0.25


def test_score_without_checks_rescales_the_weights_over_the_parts_with_data():
    # nothing checked yet: 返工率 has no data; 100×(0.3×1 + 0.3×0.5 + 0.1×1) / 0.7
    c = Counts(handled=4, on_time=2, verified=4, overdue=0)
    assert rs.rework_rate(c) is None
    assert rs.composite(rs.indicators(c)) == pytest.approx(100 * (0.3 + 0.15 + 0.1) / 0.7)


def test_score_of_a_unit_that_did_nothing_rests_on_its_load_tier_only():
    ind = rs.indicators(Counts(overdue=5))
    assert ind.completion_rate == 0.0 and ind.on_time_rate == 0.0
    assert rs.composite(ind) == pytest.approx(100 * 0.1 / 0.7)


@pytest.mark.parametrize(("items", "points"), [(0, 10), (50, 10), (51, 9), (100, 9), (101, 7.5), (200, 7.5),
                                               (201, 6), (500, 6), (501, 4), (1000, 4), (1001, 0), (10**6, 0)])
def test_score_load_tiers_are_ten_nine_seven_and_a_half_six_four_zero(items, points):
    assert rs.load_points(items) == points


def test_score_default_config_matches_the_rules_defaults():
    spec = AssessmentSpec()
    assert tuple((t.upto, t.points) for t in spec.load_tiers) == tuple(rs.DEFAULT_TIERS)
    assert rs.Weights(**spec.weights.model_dump()) == rs.Weights()


def test_score_rework_rate_counts_rejected_verifications_and_failed_reinspections_over_all_checks():
    # 6 tick verifications (1 rejected) + 4 re-inspections (2 failed): (1 + 2) / (6 + 4)
    c = Counts(checks=6, rework=1) + Counts(checks=4, rework=2)
    assert rs.rework_rate(c) == pytest.approx(0.3)


def test_score_rectification_and_satisfaction_rates():
    c = Counts(rect_handled=3, rect_on_time=2, rect_overdue=1, visits=4, satisfied=3, complaints=5)
    assert rs.rectification_rate(c) == pytest.approx(0.5)  # 2 / (3 + 1)
    assert rs.satisfaction_rate(c) == pytest.approx(0.75)  # 3 / 4
    assert rs.satisfaction_rate(Counts(complaints=2)) is None  # no 回访 yet


def test_score_weights_for_rectification_and_satisfaction_enter_the_composite():
    w = rs.Weights(completion=0.25, on_time=0.25, quality=0.2, load=0.1, rectification=0.1, satisfaction=0.1)
    c = Counts(handled=2, on_time=2, verified=2, checks=2, rework=0, rect_handled=1, rect_on_time=0,
               visits=2, satisfied=1)
    # 100 × (0.25 + 0.25 + 0.2 + 0.1 + 0.1×0 + 0.1×0.5) = 85
    assert rs.composite(rs.indicators(c), w) == pytest.approx(85.0)


def test_score_ranking_gives_ties_the_same_place_and_skips_the_next():
    ranks = rs.rank({"a": 90.0, "b": 85.004, "c": 85.0, "d": 70.0, "e": None})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4, "e": None}


def test_score_ranking_is_within_each_unit_kind():
    kinds = {"lead1": "牵头部门", "lead2": "牵头部门", "part1": "参与单位", "part2": "参与单位"}
    ranks = rs.rank_within(kinds, {"lead1": 50.0, "lead2": 60.0, "part1": 99.0, "part2": 10.0}, min_peers=2)
    assert ranks == {"lead1": 2, "lead2": 1, "part1": 1, "part2": 2}


def test_a_kind_with_fewer_than_three_scored_units_is_not_ranked():
    kinds = {"lead1": "牵头部门", "lead2": "牵头部门", "p1": "参与单位", "p2": "参与单位", "p3": "参与单位",
             "p4": "参与单位"}
    ranks = rs.rank_within(kinds, {"lead1": 50.0, "lead2": 60.0, "p1": 99.0, "p2": 10.0, "p3": 50.0, "p4": None})
    assert ranks == {"lead1": None, "lead2": None, "p1": 1, "p2": 3, "p3": 2, "p4": None}


def test_old_backlog_weighs_with_a_bounded_weight_so_a_unit_can_recover():
    fresh = Counts(handled=10, on_time=10, verified=10)
    buried = Counts(handled=10, on_time=10, verified=10, backlog=400)
    assert rs.indicators(buried).due == 10 + rs.Backlog().cap
    assert rs.on_time_rate(buried) == pytest.approx(10 / 15)
    assert rs.on_time_rate(fresh) == 1.0
    assert rs.indicators(Counts(handled=4, on_time=4, verified=4, backlog=3), backlog=rs.Backlog(0.5, 5)).due == 6


def test_score_movements_since_the_last_period():
    moved = rs.movements({"a": 1, "b": 2, "c": 3, "d": None}, {"a": 3, "b": 2, "c": 1, "d": 1})
    assert moved == {"a": 2, "b": 0, "c": -2, "d": None}
    assert rs.movements({"a": 1}, {}) == {"a": None}


def test_score_config_rejects_weights_that_do_not_add_up_and_unordered_tiers():
    with pytest.raises(ValueError, match="权重之和"):
        AssessmentSpec.model_validate({"weights": {"completion": 0.5}})
    with pytest.raises(ValueError, match="upto"):
        AssessmentSpec.model_validate({"load_tiers": [{"upto": 100, "points": 9}, {"upto": 50, "points": 10},
                                                      {"upto": None, "points": 0}]})
    with pytest.raises(ValueError):
        AssessmentSpec.model_validate({"ratings": {"green_min": 50, "yellow_min": 70}})
    with pytest.raises(ValueError):
        AssessmentSpec.model_validate({"colour": "red"})
