"""评级: weekly 绿/黄/红 ratings by thresholds, red-rating streaks, 红榜/黑榜 and 表彰 candidates.

A rating is an assessment, not a sanction: the sanctions (通报批评, 黄牌警告) and the 约谈
rule belong to the accountability ladder (``rules.accountability``); a red streak computed
here is one of that rule's inputs.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rules.vocabulary import RatingColour
from rules.weeks import previous_week

K = TypeVar("K", bound=Hashable)

GREEN, YELLOW, RED = RatingColour.GREEN, RatingColour.YELLOW, RatingColour.RED
COLOURS = tuple(RatingColour)


@dataclass(frozen=True)
class Thresholds:
    """绿 from ``green_min``, 黄 from ``yellow_min``, 红 below; optionally 红 from N overdue items."""

    green_min: float = 80.0
    yellow_min: float = 60.0
    red_overdue_min: int | None = None


def rate(score: float | None, overdue: int = 0, th: Thresholds = Thresholds()) -> str | None:
    """The week's colour: None without a score ("no data"); 红 when overdue items reach the limit."""
    if score is None:
        return None
    if th.red_overdue_min is not None and overdue >= th.red_overdue_min:
        return RED
    if score >= th.green_min:
        return GREEN
    if score >= th.yellow_min:
        return YELLOW
    return RED


def red_streak(history: Mapping[str, str | None], week: str) -> int:
    """Consecutive 红 weeks ending with ``week``; a week missing from ``history`` breaks the streak."""
    streak, current = 0, week
    while history.get(current) == RED:
        streak += 1
        current = previous_week(current)
    return streak


@dataclass(frozen=True)
class Entry(Generic[K]):
    """One ranked unit for the boards: its kind, score, rank within the kind and rating."""

    key: K
    kind: str
    score: float | None
    rank: int | None
    rating: str | None


def _kinds(entries: Sequence[Entry[K]], order: Sequence[str]) -> list[str]:
    present = {e.kind for e in entries}
    return [k for k in order if k in present] + sorted(present - set(order))


def boards(entries: Sequence[Entry[K]], size: int,
           order: Sequence[str] = ()) -> tuple[list[Entry[K]], list[Entry[K]]]:
    """红榜 (best 绿-rated, best first) and 黑榜 (worst 红-rated, worst first): ``size`` per kind,
    kinds in ``order`` (then by name)."""
    red: list[Entry[K]] = []
    black: list[Entry[K]] = []
    for kind in _kinds(entries, order):
        ranked = sorted((e for e in entries if e.kind == kind and e.rank is not None),
                        key=lambda e: (e.rank, -(e.score or 0.0)))
        red += [e for e in ranked if e.rating == GREEN][:size]
        black += [e for e in reversed(ranked) if e.rating == RED][:size]
    return red, black


def commendation_candidates(entries: Sequence[Entry[K]], red_weeks: Mapping[K, int], count: int,
                            green_min: float, order: Sequence[str] = (),
                            excluded: Collection[K] = ()) -> list[Entry[K]]:
    """表彰 candidates at a phase end: per kind, the best ``count`` whose phase score reaches 绿,
    who had no 红 week in the phase and are not ``excluded`` (too little work to judge, or a
    confirmed sanction in the phase); ties at the cut are all included."""
    out: list[Entry[K]] = []
    for kind in _kinds(entries, order):
        eligible = sorted((e for e in entries if e.kind == kind and e.rank is not None and e.score is not None
                           and e.score >= green_min and red_weeks.get(e.key, 0) == 0 and e.key not in excluded),
                          key=lambda e: e.rank or 0)
        if count and eligible:
            cut = eligible[min(count, len(eligible)) - 1].rank or 0
            out += [e for e in eligible if (e.rank or 0) <= cut]
    return out
