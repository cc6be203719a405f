"""``escalation:`` in campaign.yaml: the coordination and accountability ladders as data."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from config.base import Strict


class LadderLevelSpec(Strict):
    level: str
    limit: float = Field(gt=0)
    clock: Literal["工作日", "工作时", "紧急时"] = "工作日"


class EscalationSpec(Strict):
    coordination: list[LadderLevelSpec] = []
