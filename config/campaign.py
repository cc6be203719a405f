"""The campaign file (``campaign.yaml``): a validated description of one 创卫 campaign.

Only shapes and field-level rules live here; files the campaign names are read by the
services. Every model forbids unknown keys, so a typo is an error, not a silent default.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from config.assessment import AssessmentSpec
from config.base import Strict
from config.escalation import EscalationSpec
from config.inspections import InspectionsSpec
from config.notifications import NotificationsSpec
from config.standards import StandardSpec
from rules.vocabulary import Recurrence, TemplateScope, UnitKind

Datum = Literal["wgs84", "gcj02", "bd09"]


class BoundarySpec(Strict):
    file: str
    datum: Datum = "wgs84"
    label: str = "示意范围"


class CampaignInfo(Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    name: str = Field(min_length=1)
    county: str = Field(min_length=1)
    timezone: str = "Asia/Shanghai"
    boundary: BoundarySpec | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知时区 {v}") from None
        return v


class PhaseSpec(Strict):
    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    transition: Literal["auto", "confirm"] = "auto"


class StageSpec(Strict):
    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    phases: list[PhaseSpec] = []

    @model_validator(mode="after")
    def _phases_fit(self) -> StageSpec:
        problems = []
        if self.end < self.start:
            problems.append(f"阶段「{self.name}」结束日期早于开始日期")
        previous: PhaseSpec | None = None
        for p in self.phases:
            if p.end < p.start:
                problems.append(f"时段「{p.name}」结束日期早于开始日期")
            if p.start < self.start or p.end > self.end:
                problems.append(f"时段「{p.name}」超出所属阶段「{self.name}」的日期范围")
            if previous and p.start != previous.end + dt.timedelta(days=1):
                gap = "重叠" if p.start <= previous.end else "不连续"
                problems.append(f"时段「{previous.name}」与「{p.name}」{gap}（应首尾相接）")
            previous = p
        if problems:
            raise ValueError("；".join(problems))
        return self


class Contact(Strict):
    name: str
    phone: str | None = None
    email: str | None = None
    role: str | None = None


class UnitSpec(Strict):
    name: str = Field(min_length=1)
    kind: UnitKind
    #: the unit's full official name, as documents print it (创卫办: the byline of briefs and 通报)
    full_name: str | None = None
    aliases: list[str] = []
    contacts: list[Contact] = []
    notify: list[str] = []


class LeaderSpec(Strict):
    name: str = Field(min_length=1)
    title: str | None = None
    phone: str | None = None
    aliases: list[str] = []
    notify: list[str] = []


class GeoFileRef(Strict):
    file: str
    datum: Datum = "wgs84"
    layer: str | None = None


class TableFileRef(Strict):
    file: str
    sheet: str | None = None


_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _hhmm(v: str) -> str:
    if not _HHMM.match(v):
        raise ValueError(f"时间 {v!r} 格式应为 HH:MM")
    return v


class CalendarOverride(Strict):
    date: dt.date
    workday: bool
    note: str = ""


class CalendarSpec(Strict):
    office_hours: list[tuple[str, str]] = [("08:30", "12:00"), ("14:30", "18:00")]
    close_of_business: str = "18:00"
    overrides: list[CalendarOverride] = []
    #: years whose whole holiday notice the office typed into ``overrides``
    complete_years: list[int] = []

    @field_validator("close_of_business")
    @classmethod
    def _cob(cls, v: str) -> str:
        return _hhmm(v)

    @field_validator("office_hours")
    @classmethod
    def _hours(cls, v: list[tuple[str, str]]) -> list[tuple[str, str]]:
        for start, end in v:
            _hhmm(start), _hhmm(end)
            if end <= start:
                raise ValueError(f"办公时间 {start}-{end} 结束早于开始")
        return v


class DeadlineSpec(Strict):
    #: phase_end: last working day of the phase; working_days: N 工作日 after the period opens;
    #: period_end: last working day of the week/month (recurring templates)
    rule: Literal["phase_end", "working_days", "period_end"] = "phase_end"
    days: int = Field(default=0, ge=0, le=250)


class TaskTemplateSpec(Strict):
    code: str = Field(min_length=1, max_length=40)
    phase: str = Field(min_length=1, description="时段名称，或 * 表示每个时段")
    category: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    scope: TemplateScope
    unit: str | None = None
    recurrence: Recurrence = Recurrence.ONCE
    #: "以月为单位,倒排进度": a once-per-phase template split into monthly milestones
    milestones: Literal["none", "monthly"] = "none"
    deadline: DeadlineSpec = DeadlineSpec()
    #: inspections.taxonomy categories whose quantities a tick of this template may report (台账)
    ledger: list[str] = []

    @model_validator(mode="after")
    def _unit_for_unit_scope(self) -> TaskTemplateSpec:
        if self.scope is TemplateScope.UNIT and not self.unit:
            raise ValueError("scope 为 unit 时必须填写 unit（单位名称）")
        if self.scope is not TemplateScope.UNIT and self.unit:
            raise ValueError("只有 scope 为 unit 时才能填写 unit")
        if self.milestones == "monthly" and self.recurrence is not Recurrence.ONCE:
            raise ValueError("按月倒排节点只适用于 recurrence: once 的模板")
        return self


class CampaignFile(Strict):
    campaign: CampaignInfo
    stages: list[StageSpec] = Field(min_length=1)
    units: list[UnitSpec] = []
    leaders: list[LeaderSpec] = []
    segments: GeoFileRef | None = None
    assignments: TableFileRef | None = None
    calendar: CalendarSpec = CalendarSpec()
    task_templates: list[TaskTemplateSpec] = []
    escalation: EscalationSpec = EscalationSpec()
    notifications: NotificationsSpec = NotificationsSpec()
    inspections: InspectionsSpec = InspectionsSpec()
    assessment: AssessmentSpec = AssessmentSpec()
    #: the national standard the campaign is assessed against (自评、资料整理、模拟暗访)
    standard: StandardSpec = StandardSpec()
    #: points to inspect (农贸市场、公厕 …), imported by ``cw init`` like ``cw import places``
    places: GeoFileRef | None = None

    @model_validator(mode="after")
    def _cross_checks(self) -> CampaignFile:
        problems = []
        for a, b in zip(self.stages, self.stages[1:], strict=False):
            if b.start <= a.end:
                problems.append(f"阶段「{a.name}」与「{b.name}」日期重叠")
        seen: dict[str, str] = {}
        for u in self.units:
            for n in [u.name, *u.aliases]:
                if n in seen and seen[n] != u.name:
                    problems.append(f"单位名称或别名「{n}」同时属于「{seen[n]}」和「{u.name}」")
                seen[n] = u.name
        names = [u.name for u in self.units]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"单位「{dup}」重复")
        phase_names = {p.name for s in self.stages for p in s.phases}
        codes = [t.code for t in self.task_templates]
        for dup in sorted({c for c in codes if codes.count(c) > 1}):
            problems.append(f"任务模板编号「{dup}」重复")
        for t in self.task_templates:
            if t.phase != "*" and t.phase not in phase_names:
                problems.append(f"任务模板「{t.code}」的时段「{t.phase}」不存在")
            if t.unit and t.unit not in seen:
                problems.append(f"任务模板「{t.code}」的单位「{t.unit}」未在 units 中列出")
        for d in self.inspections.named_departments():
            if d not in seen:
                problems.append(f"问题类别的职能部门「{d}」未在 units 中列出")
        if problems:
            raise ValueError("；".join(problems))
        return self

    def phases(self) -> list[tuple[StageSpec, PhaseSpec]]:
        """Every sub-phase with its stage, in date order."""
        return [(s, p) for s in self.stages for p in s.phases]
