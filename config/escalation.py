"""``escalation:`` in campaign.yaml: the coordination and accountability ladders as data.

Every key has a default, so a campaign file may leave the section out; unknown keys are errors.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from config.base import Strict
from rules.vocabulary import ProblemLevel

Clock = Literal["工作日", "工作时", "紧急时"]
LEVEL_ORDER: tuple[str, ...] = tuple(ProblemLevel)


class LimitSpec(Strict):
    limit: float = Field(gt=0)
    clock: Clock = "工作日"

    @model_validator(mode="after")
    def _whole_days(self) -> LimitSpec:
        if self.clock == "工作日" and self.limit != int(self.limit):
            raise ValueError(f"工作日时限须为整数：{self.limit}")
        return self


class LadderLevelSpec(LimitSpec):
    level: ProblemLevel


def _default_levels() -> list[LadderLevelSpec]:
    return [LadderLevelSpec(level=ProblemLevel.MEMBER, limit=2), LadderLevelSpec(level=ProblemLevel.LEAD, limit=3),
            LadderLevelSpec(level=ProblemLevel.LEADER, limit=3), LadderLevelSpec(level=ProblemLevel.OFFICE, limit=5)]


class InterviewSpec(Strict):
    """约谈 recommendation within one phase (0 switches an input off)."""

    yellow_cards: int = Field(default=2, ge=0)
    red_streak: int = Field(default=0, ge=0)


class AccountabilitySpec(Strict):
    """Working days before the deadline (reminder) and after it (督办, sanctions); repeats per phase."""

    remind_before: int = Field(default=1, ge=0, le=30)
    supervise_after: int = Field(default=1, ge=0, le=60)
    criticise_after: int = Field(default=5, ge=0, le=120)
    yellow_after: int = Field(default=10, ge=0, le=250)
    criticise_after_supervisions: int = Field(default=3, ge=0)
    yellow_after_criticisms: int = Field(default=2, ge=0)
    interview: InterviewSpec = InterviewSpec()
    #: 督办单 文号 prefix: 创卫督〔2025〕12号
    notice_prefix: str = Field(default="创卫督", min_length=1, max_length=10)
    #: time a 督办单 gives for the rectification
    notice_limit: LimitSpec = LimitSpec(limit=3)

    @model_validator(mode="after")
    def _ordered(self) -> AccountabilitySpec:
        if not self.supervise_after <= self.criticise_after <= self.yellow_after:
            raise ValueError("须满足 supervise_after ≤ criticise_after ≤ yellow_after（逾期工作日数）")
        return self


class EscalationSpec(Strict):
    coordination: list[LadderLevelSpec] = Field(default_factory=_default_levels)
    #: 退单: a holder that is not responsible returns the problem to 创卫办 within this time
    return_window: LimitSpec = LimitSpec(limit=2)
    #: the longest 延期 a level may approve; longer waits are 挂账
    extension_max: LimitSpec = LimitSpec(limit=10)
    accountability: AccountabilitySpec = AccountabilitySpec()

    @field_validator("coordination")
    @classmethod
    def _ladder(cls, v: list[LadderLevelSpec]) -> list[LadderLevelSpec]:
        names = [x.level for x in v]
        if not names or names[-1] != ProblemLevel.OFFICE:
            raise ValueError("协调层级须以创卫办结尾")
        if names != sorted(set(names), key=LEVEL_ORDER.index):
            raise ValueError(f"协调层级不能重复，且须按 {' → '.join(LEVEL_ORDER)} 的顺序排列")
        return v
