"""Every flow the program runs: its command-line name, schedule and whether it overlaps."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class FlowEntry:
    name: str  # the flow's name and `cw run` name
    module: str
    function: str
    cron: str
    description: str

    def load(self) -> Any:
        return getattr(import_module(self.module), self.function)

    @property
    def entrypoint(self) -> str:
        return f"{self.module.replace('.', '/')}.py:{self.function}"


FLOWS: tuple[FlowEntry, ...] = (
    FlowEntry("advance-phases", "flows.phases", "advance_phases", "5 0 * * *", "每日转段检查并生成新时段任务"),
    FlowEntry("instantiate-recurring-tasks", "flows.phases", "instantiate_recurring_tasks", "10 0 * * *",
              "每日生成周、月例行任务"),
)


def find(name: str) -> FlowEntry:
    for entry in FLOWS:
        if entry.name == name:
            return entry
    raise KeyError(name)
