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
    FlowEntry("deliver-notifications", "flows.notifications", "deliver_notifications", "* * * * *",
              "每分钟投递到期通知（重试、限流、合并、死信）"),
    FlowEntry("morning-digest", "flows.notifications", "morning_digest", "0 8 * * *",
              "每个工作日8时给各单位、县级领导和创卫办发当日待办清单（到期、逾期事项按路段列出）"),
    FlowEntry("sweep", "flows.sweep", "sweep", "0 * * * *", "每小时督办巡检：超时自动上报、提醒、逾期通知、督办单和处理建议"),
    FlowEntry("weekly-brief", "flows.briefs", "weekly_brief", "0 6 * * 1", "每周一生成上周创卫简报草稿，供创卫办修改"),
    FlowEntry("issue-brief", "flows.briefs", "issue_brief", "0 14 * * 1", "每周一14时签发未签发的简报草稿并通知创卫办"),
    FlowEntry("readiness-brief", "flows.briefs", "readiness_brief", "0 9 1 * *",
              "每月1日9时编发上月的达标准备情况专刊（国家卫生县城标准各方面达标率、未达标条目及责任单位、未自评条目）"),
    FlowEntry("plan-inspections", "flows.inspections", "plan_inspections", "30 7 * * 1", "每周一制定本周督查计划并通知检查人员"),
    FlowEntry("assess-week", "flows.assessment", "assess_week", "30 5 * * 1", "每周一提出上周考核评级和表彰候选，待创卫办确认"),
)


def find(name: str) -> FlowEntry:
    for entry in FLOWS:
        if entry.name == name:
            return entry
    raise KeyError(name)
