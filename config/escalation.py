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


#: where a finding's problem enters the coordination ladder: the segment's participating units, the
#: functional department its category names, or the lead department
EntryTo = Literal["参与单位", "职能部门", "牵头部门"]


class EntrySpec(Strict):
    """Entry of findings' problems: ``default`` for every category not listed in ``categories``."""

    default: EntryTo = "参与单位"
    categories: dict[str, EntryTo] = Field(default_factory=dict)


class InterviewSpec(Strict):
    """约谈 recommendation (0 switches an input off): confirmed 黄牌警告 over the campaign, or a red streak."""

    yellow_cards: int = Field(default=2, ge=0)
    red_streak: int = Field(default=0, ge=0)


class AccountabilitySpec(Strict):
    """Working days before the deadline (reminder) and after it (督办, sanctions); repeats per phase."""

    remind_before: int = Field(default=1, ge=0, le=30)
    supervise_after: int = Field(default=1, ge=0, le=60)
    criticise_after: int = Field(default=5, ge=0, le=120)
    yellow_after: int = Field(default=10, ge=0, le=250)
    #: 通报批评 is proposed from a period's record: this many 督办单 in one ``criticism_period``
    criticise_after_supervisions: int = Field(default=3, ge=0)
    criticism_period: Literal["week", "month", "phase"] = "month"
    #: 黄牌警告 per unit per phase: this many confirmed 通报批评 in the phase, or this many red weeks running
    yellow_after_criticisms: int = Field(default=2, ge=0)
    yellow_after_red_weeks: int = Field(default=0, ge=0)
    interview: InterviewSpec = InterviewSpec()
    #: a weekly or monthly task not done this many 工作日 after its deadline is closed as 未完成
    lapse_after: int = Field(default=2, ge=0, le=60)
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
    #: the sweep climbs past 牵头部门 only after this long there (null: at 牵头部门's own limit)
    climb_after: LimitSpec | None = LimitSpec(limit=10)
    entry: EntrySpec = EntrySpec()

    @field_validator("coordination")
    @classmethod
    def _ladder(cls, v: list[LadderLevelSpec]) -> list[LadderLevelSpec]:
        names = [x.level for x in v]
        if not names or names[-1] != ProblemLevel.OFFICE:
            raise ValueError("协调层级须以创卫办结尾")
        if names != sorted(set(names), key=LEVEL_ORDER.index):
            raise ValueError(f"协调层级不能重复，且须按 {' → '.join(LEVEL_ORDER)} 的顺序排列")
        return v
