"""``assessment:`` in campaign.yaml: composite-score weights, load tiers, weekly rating rules.

Every field has a default modelled on the 数字城管 专业部门评价 (DOMAIN_ANCHORS §2.5):
30 % 结案率 + 30 % 按期处置率 + 30 % (1 − 返工率) + 10 % 立案数分值, the load tiers scoring
10/9/7.5/6/4/0 points for ≤50/≤100/≤200/≤500/≤1000/>1000 items. ``assessment: {}`` (or no
section) gives exactly that. Unknown keys are errors.

How many consecutive 红 weeks call for a 约谈 is not set here: it is an input of the one 约谈
rule, ``escalation.accountability.interview.red_streak`` (``rules.accountability``).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from config.base import Strict
from rules.vocabulary import OFFICE_NAME

#: unit kinds ranked against each other by default (创卫办 assesses, it is not assessed)
RANKED_KINDS = ["牵头部门", "参与单位", "职能部门", "乡镇/街道"]


class WeightsSpec(Strict):
    """Shares of the composite score; they must add up to 1."""

    completion: float = Field(default=0.30, ge=0, le=1)  # 结案率
    on_time: float = Field(default=0.30, ge=0, le=1)  # 按期处置率
    quality: float = Field(default=0.30, ge=0, le=1)  # 1 − 返工率
    load: float = Field(default=0.10, ge=0, le=1)  # 立案数分值 (load tier)
    rectification: float = Field(default=0.0, ge=0, le=1)  # 按期整改率 of findings
    satisfaction: float = Field(default=0.0, ge=0, le=1)  # 满意率 of complaints

    @model_validator(mode="after")
    def _sum_to_one(self) -> WeightsSpec:
        total = sum(self.model_dump().values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"各项权重之和应为 1，实际为 {total:g}")
        return self


class LoadTierSpec(Strict):
    """Items (应处置数) up to ``upto`` score ``points``; ``upto: null`` is the last, open tier."""

    upto: int | None = Field(default=None, ge=0)
    points: float = Field(ge=0)


DEFAULT_TIERS = [LoadTierSpec(upto=50, points=10), LoadTierSpec(upto=100, points=9),
                 LoadTierSpec(upto=200, points=7.5), LoadTierSpec(upto=500, points=6),
                 LoadTierSpec(upto=1000, points=4), LoadTierSpec(upto=None, points=0)]


class RatingSpec(Strict):
    """Weekly 评级: 绿 from ``green_min``, 黄 from ``yellow_min``, 红 below (score out of 100)."""

    green_min: float = Field(default=80, ge=0, le=100)
    yellow_min: float = Field(default=60, ge=0, le=100)
    #: this many overdue items (超时未处置) in the week make the rating 红 whatever the score
    red_overdue_min: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> RatingSpec:
        if self.yellow_min > self.green_min:
            raise ValueError("yellow_min（黄）不能高于 green_min（绿）")
        return self


class AssessmentSpec(Strict):
    weights: WeightsSpec = WeightsSpec()
    load_tiers: list[LoadTierSpec] = Field(default_factory=lambda: list(DEFAULT_TIERS))
    ratings: RatingSpec = RatingSpec()
    #: 表彰 candidates proposed per unit kind at each phase end
    commendations: int = Field(default=3, ge=0, le=50)
    #: a 表彰 candidate handled at least this many items (应处置数) in the phase
    commendation_min_due: int = Field(default=10, ge=0)
    #: old backlog (overdue since before the period) weighs this much per item, at most ``backlog_cap`` items
    backlog_weight: float = Field(default=0.5, ge=0, le=1)
    backlog_cap: int = Field(default=5, ge=0)
    #: rows per unit kind on the brief's 红榜 and 黑榜
    board_size: int = Field(default=3, ge=1, le=50)
    ranked_kinds: list[str] = Field(default_factory=lambda: list(RANKED_KINDS), min_length=1)

    @model_validator(mode="after")
    def _tiers(self) -> AssessmentSpec:
        problems = []
        bounds = [t.upto for t in self.load_tiers]
        if not bounds or bounds[-1] is not None:
            problems.append("load_tiers 的最后一档应为 upto: null（不设上限）")
        closed = [b for b in bounds[:-1] if b is not None]
        if len(closed) != len(bounds) - 1 or closed != sorted(set(closed)):
            problems.append("load_tiers 的 upto 应严格递增，且只有最后一档为 null")
        unknown = [k for k in self.ranked_kinds if k not in [*RANKED_KINDS, OFFICE_NAME]]
        if unknown:
            problems.append(f"ranked_kinds 含未知单位类别：{'、'.join(unknown)}")
        if problems:
            raise ValueError("；".join(problems))
        return self
