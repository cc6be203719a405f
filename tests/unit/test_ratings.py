"""Weekly ratings (rules.ratings): thresholds, red streaks, 红榜/黑榜 and 表彰 candidates."""

from __future__ import annotations

import pytest

from rules import ratings as rr
from rules.ratings import GREEN, RED, YELLOW, Entry, Thresholds


@pytest.mark.parametrize(("score", "colour"), [(100, GREEN), (80, GREEN), (79.99, YELLOW), (60, YELLOW),
                                               (59.99, RED), (0, RED), (None, None)])
def test_rating_follows_the_configured_thresholds(score, colour):
    assert rr.rate(score, 0, Thresholds(green_min=80, yellow_min=60)) == colour


def test_rating_turns_red_at_the_overdue_limit_whatever_the_score():
    th = Thresholds(green_min=80, yellow_min=60, red_overdue_min=3)
    assert rr.rate(95, 2, th) == GREEN
    assert rr.rate(95, 3, th) == RED
    assert rr.rate(None, 9, th) is None  # no data is never rated


def test_rating_red_streak_counts_consecutive_red_weeks_and_a_gap_breaks_it():
    history = {"2025-W07": RED, "2025-W08": YELLOW, "2025-W09": RED, "2025-W10": RED, "2025-W11": RED}
    assert rr.red_streak(history, "2025-W11") == 3
    assert rr.red_streak(history, "2025-W08") == 0
    assert rr.red_streak({"2025-W09": RED, "2025-W11": RED}, "2025-W11") == 1  # W10 missing
    assert rr.red_streak({"2024-W52": RED, "2025-W01": RED}, "2025-W01") == 2


def _e(key, kind, score, rank, rating):
    return Entry(key=key, kind=kind, score=score, rank=rank, rating=rating)


def test_rating_boards_list_the_best_green_and_the_worst_red_per_kind():
    entries = [_e("a", "牵头部门", 95, 1, GREEN), _e("b", "牵头部门", 85, 2, GREEN), _e("c", "牵头部门", 70, 3, YELLOW),
               _e("d", "牵头部门", 40, 4, RED), _e("e", "牵头部门", 30, 5, RED), _e("f", "参与单位", 20, 1, RED),
               _e("g", "参与单位", None, None, None)]
    red, black = rr.boards(entries, size=1)
    assert [e.key for e in red] == ["a"]
    assert [e.key for e in black] == ["f", "e"]  # per kind (by name without an order), worst first
    red, black = rr.boards(entries, size=1, order=["牵头部门", "参与单位"])
    assert [e.key for e in black] == ["e", "f"]
    red, black = rr.boards(entries, size=3)
    assert [e.key for e in red] == ["a", "b"] and [e.key for e in black] == ["f", "e", "d"]


def test_rating_commendation_candidates_are_the_best_green_units_without_a_red_week():
    entries = [_e("a", "牵头部门", 95, 1, None), _e("b", "牵头部门", 90, 2, None), _e("c", "牵头部门", 90, 2, None),
               _e("d", "牵头部门", 85, 4, None), _e("e", "牵头部门", 50, 5, None), _e("f", "参与单位", 99, 1, None),
               _e("g", "参与单位", 79, 2, None)]
    chosen = rr.commendation_candidates(entries, {"a": 1}, count=2, green_min=80)
    # a had a red week; b and c tie at the cut and are both candidates; g is below 绿
    assert sorted(e.key for e in chosen) == ["b", "c", "f"]
    assert rr.commendation_candidates(entries, {}, count=0, green_min=80) == []
