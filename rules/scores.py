"""考核指标: the indicator formulas, the composite score and rankings, over plain counts.

The definitions follow the 数字城管 evaluation practice (DOMAIN_ANCHORS §2.5), with a task
(任务, including a finding's 整改 task) in the place of a case (案件). A period is the
half-open window ``[start, as_of)``, ``as_of`` being the period's end or ``now`` while it runs;
every count is taken from the state the database records for that window:

- 处置数 ``handled``: tasks done (打卡, or 整改完成 reported) inside the window, whatever their deadline;
- 按期处置数 ``on_time``: of those, done no later than the deadline (an approved 延期 or 挂账 date
  replaces the deadline when later);
- 结案数 ``verified``: of those, verified (核查通过 / 复查通过, 销号) before ``as_of``;
- 超时未处置数 ``overdue``: tasks not done at ``as_of`` whose deadline passed inside the window
  (a recurring task that lapsed as 未完成 counts here, in the period of its deadline, once);
- 积压 ``backlog``: one-off tasks and rectifications not done whose deadline passed before the
  window; they count with a bounded weight (``Backlog``) so the period is what is measured and a
  unit that clears its work recovers;
- 应处置数 ``due`` = 处置数 + 超时未处置数 + weighted 积压 (数字城管: 应结案数 = 处置数 + 超时未处置数);
- 核查数 ``checks``: verdicts given inside the window on the unit's work — tick verifications
  (pass or reject), re-inspections (跟踪复查, passed or failed) of its rectifications, and
  回访 of the 12345 complaints it rectified;
- 返工数 ``rework``: of those, the rejected verifications, the failed re-inspections and the
  回访 answered 不满意 (重办).

A ratio whose denominator is zero is ``None`` ("no data"): a unit with nothing due is neither
0 % nor 100 %.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

#: scores closer than this are a tie (two decimals, as printed in the 考核 record)
TIE_DECIMALS = 2


@dataclass(frozen=True)
class Counts:
    """What one unit (or segment) did in one period; every field is a count from the database."""

    handled: int = 0  # 处置数
    on_time: int = 0  # 按期处置数
    verified: int = 0  # 结案数
    overdue: int = 0  # 超时未处置数 (deadline inside the period)
    checks: int = 0  # 核查数 (verifications + re-inspections + 回访)
    rework: int = 0  # 返工数 (rejected verifications + failed re-inspections + 不满意 回访)
    rect_handled: int = 0  # 整改 tasks done in the window
    rect_on_time: int = 0  # ... of them by their rectification deadline
    rect_overdue: int = 0  # 整改 tasks past their deadline and not done
    findings: int = 0  # 问题数: findings dispatched to the unit in the window
    escalated: int = 0  # problems that left the unit's level upward in the window
    complaints: int = 0  # complaints received in the window the unit answers for
    visits: int = 0  # 回访数 made in the window
    satisfied: int = 0  # 满意 + 基本满意 among those visits
    backlog: int = 0  # 积压: overdue since before the period, still open

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


@dataclass(frozen=True)
class Weights:
    """Shares of the composite score (see ``config.assessment.WeightsSpec``)."""

    completion: float = 0.30
    on_time: float = 0.30
    quality: float = 0.30
    load: float = 0.10
    rectification: float = 0.0
    satisfaction: float = 0.0


@dataclass(frozen=True)
class Backlog:
    """How old backlog weighs in a period: ``weight`` per item, at most ``cap`` items' worth."""

    weight: float = 0.5
    cap: int = 5

    def counted(self, items: int) -> int:
        return min(self.cap, math.ceil(items * self.weight))


#: (upto, points): items ≤ upto score the points; upto None is the last, open tier
LoadTiers = Sequence[tuple[int | None, float]]
DEFAULT_TIERS: LoadTiers = ((50, 10), (100, 9), (200, 7.5), (500, 6), (1000, 4), (None, 0))


@dataclass(frozen=True)
class Indicators:
    """The indicators of one unit (or segment) in one period; ratios in [0, 1] or None."""

    counts: Counts
    due: int  # 应处置数 = handled + overdue + weighted backlog
    completion_rate: float | None  # 结案率
    on_time_rate: float | None  # 按期处置率
    rework_rate: float | None  # 返工率
    rectification_due: int  # 应整改数
    rectification_rate: float | None  # 按期整改率
    satisfaction_rate: float | None  # 满意率
    load_points: float  # 立案数分值


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None ("no data") when the denominator is zero."""
    return None if denominator == 0 else numerator / denominator


def due(c: Counts, backlog: Backlog = Backlog()) -> int:
    """应处置数 = handled + overdue + the backlog's bounded weight."""
    return c.handled + c.overdue + backlog.counted(c.backlog)


def completion_rate(c: Counts, backlog: Backlog = Backlog()) -> float | None:
    """结案率 = 结案数 / 应处置数 = verified / due."""
    return ratio(c.verified, due(c, backlog))


def on_time_rate(c: Counts, backlog: Backlog = Backlog()) -> float | None:
    """按期处置率 (按期完成率) = 按期处置数 / 应处置数 = on_time / due."""
    return ratio(c.on_time, due(c, backlog))


def rework_rate(c: Counts) -> float | None:
    """返工率 = 返工数 / 核查数 = (rejected verifications + failed re-inspections + 不满意 回访) / checks.

    数字城管 divides 返工数 by 处置数; every 处置 is checked once, so the checks made in the
    period are its 处置数 as seen by the checker, and the rate stays within [0, 1].
    """
    return ratio(c.rework, c.checks)


def rectification_rate(c: Counts) -> float | None:
    """按期整改率 = 整改 tasks done on time / (整改 tasks done + 整改 tasks overdue)."""
    return ratio(c.rect_on_time, c.rect_handled + c.rect_overdue)


def satisfaction_rate(c: Counts) -> float | None:
    """满意率 = (满意 + 基本满意) / 回访数 (12345 practice)."""
    return ratio(c.satisfied, c.visits)


def load_points(items: int, tiers: LoadTiers = DEFAULT_TIERS) -> float:
    """立案数分值: the points of the first tier whose ``upto`` is ≥ items (fewer items score higher)."""
    for upto, points in tiers:
        if upto is None or items <= upto:
            return points
    return 0.0


def indicators(c: Counts, tiers: LoadTiers = DEFAULT_TIERS, backlog: Backlog = Backlog()) -> Indicators:
    """Every indicator of one set of counts."""
    n = due(c, backlog)
    return Indicators(counts=c, due=n, completion_rate=completion_rate(c, backlog),
                      on_time_rate=on_time_rate(c, backlog), rework_rate=rework_rate(c),
                      rectification_due=c.rect_handled + c.rect_overdue, rectification_rate=rectification_rate(c),
                      satisfaction_rate=satisfaction_rate(c), load_points=load_points(n, tiers))


def components(ind: Indicators, tiers: LoadTiers = DEFAULT_TIERS) -> dict[str, float | None]:
    """The composite's parts in [0, 1]: the rates, 1 − 返工率, and 立案数分值 / the top tier's points."""
    top = max((p for _, p in tiers), default=0.0)
    return {
        "completion": ind.completion_rate,
        "on_time": ind.on_time_rate,
        "quality": None if ind.rework_rate is None else 1.0 - ind.rework_rate,
        "load": (ind.load_points / top) if top > 0 else None,
        "rectification": ind.rectification_rate,
        "satisfaction": ind.satisfaction_rate,
    }


def composite(ind: Indicators, weights: Weights = Weights(), tiers: LoadTiers = DEFAULT_TIERS) -> float | None:
    """综合得分 out of 100 = 100 × Σ wᵢ·xᵢ / Σ wᵢ over the parts that have data.

    With the default weights and every part known this is the 专业部门评价 formula
    立案数分值 + 结案率×30 % + 按期处置率×30 % + (1 − 返工率)×30 % (rates in percent). A part
    without data (no checks yet: no 返工率) leaves the sum and the weights are rescaled over the
    rest. The load tier alone is no score: with no rate known at all the result is None.
    """
    parts = components(ind, tiers)
    known = {k: v for k, v in parts.items() if v is not None and getattr(weights, k) > 0}
    if not any(k != "load" for k in known):
        return None
    total = sum(getattr(weights, k) for k in known)
    return 100.0 * sum(getattr(weights, k) * v for k, v in known.items()) / total


def rank(scores: Mapping[K, float | None]) -> dict[K, int | None]:
    """Competition ranking (1, 2, 2, 4 …), highest score first; equal to two decimals is a tie.

    A key without a score ("no data") gets no rank.
    """
    known = sorted(((round(s, TIE_DECIMALS), k) for k, s in scores.items() if s is not None),
                   key=lambda x: -x[0])
    out: dict[K, int | None] = {k: None for k, s in scores.items() if s is None}
    previous: float | None = None
    place = 0
    for i, (s, k) in enumerate(known, start=1):
        if s != previous:
            place, previous = i, s
        out[k] = place
    return out


def movements(current: Mapping[K, int | None], previous: Mapping[K, int | None]) -> dict[K, int | None]:
    """Places moved since the last period (+ up, − down); None without a rank in either period."""
    out: dict[K, int | None] = {}
    for k, now_rank in current.items():
        before = previous.get(k)
        out[k] = None if now_rank is None or before is None else before - now_rank
    return out


#: a rank means something only among this many units of a kind with a score
MIN_PEERS = 3


def rank_within(kinds: Mapping[K, str], scores: Mapping[K, float | None],
                min_peers: int = MIN_PEERS) -> dict[K, int | None]:
    """Rank each key only against keys of the same kind (牵头部门 with 牵头部门 …); a kind with fewer
    than ``min_peers`` scored keys is not ranked at all (no "第1名" of one)."""
    out: dict[K, int | None] = {}
    for kind in set(kinds.values()):
        group = {k: scores.get(k) for k, v in kinds.items() if v == kind}
        if sum(1 for x in group.values() if x is not None) < min_peers:
            out.update(dict.fromkeys(group))
            continue
        out.update(rank(group))
    return out
