"""``inspections:`` in campaign.yaml: finding taxonomy, sampling, routing buffer, plan kinds.

Every field has a default, so ``inspections: {}`` (or no section at all) gives the national
assessment's problem vocabulary (国家卫生县城暗访常见问题) with common time limits and the
functional departments (职能部门) a county usually names for them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from config.base import Strict
from rules.vocabulary import InspectionKind

Clock = Literal["工作日", "工作时", "紧急时"]
LedgerUnit = Literal["户", "间", "平方米", "块", "条", "处", "吨", "个", "辆", "米"]
PLAN_KINDS: tuple[str, ...] = tuple(InspectionKind)

#: place types that are road lines, not imported points
MAIN_ROADS, BACK_STREETS = "主次干道", "背街小巷"


class CategorySpec(Strict):
    """One finding category: its rectification limit, who answers for it, its ledger unit."""

    name: str = Field(min_length=1, max_length=40)
    group: str = "市容环境"
    limit: float = Field(default=3, gt=0)
    clock: Clock = "工作日"
    #: 职能部门 given a parallel rectification task (unit names or aliases); may be empty
    departments: list[str] = []
    ledger_unit: LedgerUnit = "处"
    #: the ledger's measures when more than one is counted (违章建筑: 间 and 平方米); empty: ledger_unit
    measures: list[LedgerUnit] = []
    #: how a summary says the work (拆除违章建筑, 清运垃圾, 悬挂横幅); empty: by the primary measure
    verb: str = Field(default="", max_length=8)
    #: 12345 complaints of this category: 办理时限 in 工作日 (None: the section's default)
    complaint_limit: int | None = Field(default=None, gt=0)

    @property
    def units(self) -> list[str]:
        """The measures this category's quantities are counted in, the first one primary."""
        return list(dict.fromkeys(self.measures)) if self.measures else [self.ledger_unit]

    @model_validator(mode="after")
    def _whole_days(self) -> CategorySpec:
        if self.clock == "工作日" and self.limit != int(self.limit):
            raise ValueError(f"问题类别「{self.name}」按工作日计时，时限必须是整数天")
        return self


class SamplingSpec(Strict):
    """How many places of one type a 暗访/sampled round visits: max(min, ceil(share × all))."""

    type: str = Field(min_length=1)
    min: int = Field(default=1, ge=0)
    share: float = Field(default=0.0, ge=0, le=1)


def _c(name: str, group: str, limit: float, clock: str, departments: list[str], unit: str) -> CategorySpec:
    return CategorySpec.model_validate(dict(name=name, group=group, limit=limit, clock=clock,
                                            departments=departments, ledger_unit=unit))


CITY_MGMT, MARKET, HOUSING, HEALTH, ECOLOGY = "县城市管理局", "县市场监督管理局", "县住房和城乡建设局", "县卫生健康局", "县生态环境分局"

#: the national vocabulary (DOMAIN_ANCHORS §3.4), with usual limits and departments
DEFAULT_TAXONOMY: tuple[CategorySpec, ...] = (
    _c("暴露垃圾", "市容环境", 24, "紧急时", [CITY_MGMT], "处"),
    _c("卫生死角", "市容环境", 2, "工作日", [CITY_MGMT], "处"),
    _c("垃圾桶满溢", "环卫设施", 12, "紧急时", [CITY_MGMT], "个"),
    _c("占道经营", "市容环境", 1, "工作日", [MARKET, CITY_MGMT], "户"),
    _c("店外经营", "市容环境", 1, "工作日", [MARKET], "户"),
    _c("流动摊点", "市容环境", 1, "工作日", [CITY_MGMT], "处"),
    _c("乱停乱放", "市容环境", 1, "工作日", ["县公安局交通警察大队"], "辆"),
    _c("牛皮癣/小广告", "市容环境", 2, "工作日", [CITY_MGMT], "块"),
    _c("乱搭乱建", "市容环境", 10, "工作日", [CITY_MGMT, HOUSING], "平方米"),
    _c("乱堆乱放", "市容环境", 2, "工作日", [CITY_MGMT], "处"),
    _c("建筑工地扬尘", "市容环境", 3, "工作日", [HOUSING, ECOLOGY], "处"),
    _c("道路积水", "市容环境", 3, "工作日", [HOUSING], "处"),
    _c("道路破损", "市容环境", 10, "工作日", [HOUSING], "平方米"),
    _c("公厕不洁", "环卫设施", 24, "紧急时", [CITY_MGMT], "间"),
    _c("垃圾站脏污", "环卫设施", 24, "紧急时", [CITY_MGMT], "处"),
    _c("病媒生物痕迹", "病媒生物", 3, "工作日", [HEALTH], "处"),
    _c("六小行业", "六小行业", 5, "工作日", [MARKET, HEALTH], "户"),
    _c("农贸市场脏乱", "农贸市场", 3, "工作日", [MARKET], "处"),
    _c("健康教育缺失", "健康教育", 5, "工作日", [HEALTH], "块"),
    _c("室内吸烟", "健康教育", 3, "工作日", [HEALTH], "处"),
    _c("河道漂浮物", "市容环境", 2, "工作日", ["县水务局"], "吨"),
    _c("其他", "其他", 5, "工作日", [], "处"),
)

DEFAULT_SAMPLING: tuple[SamplingSpec, ...] = (
    SamplingSpec(type=MAIN_ROADS, min=3, share=0.2),
    SamplingSpec(type=BACK_STREETS, min=3, share=0.1),
    SamplingSpec(type="农贸市场", min=1, share=0.5),
    SamplingSpec(type="公厕", min=2, share=0.2),
    SamplingSpec(type="垃圾站", min=1, share=0.2),
    SamplingSpec(type="餐饮店", min=3, share=0.1),
)


class InspectionsSpec(Strict):
    #: a point routes to the nearest segment line within this distance (metres, projected CRS)
    routing_buffer_m: float = Field(default=60.0, gt=0, le=1000)
    #: an open finding of the same category this close is offered as a duplicate (metres)
    duplicate_radius_m: float = Field(default=50.0, gt=0, le=1000)
    #: 12345 work orders: default 办理时限 in 工作日
    complaint_limit_days: int = Field(default=5, gt=0)
    taxonomy: list[CategorySpec] = Field(default_factory=lambda: [c.model_copy() for c in DEFAULT_TAXONOMY])
    sampling: list[SamplingSpec] = Field(default_factory=lambda: [s.model_copy() for s in DEFAULT_SAMPLING])
    #: what the weekly planner makes
    weekly: list[InspectionKind] = [InspectionKind.REGULAR, InspectionKind.UNANNOUNCED, InspectionKind.CROSS,
                                    InspectionKind.RECHECK]
    #: 暗访 rounds: how many of the week's working days are drawn
    unannounced_days: int = Field(default=2, ge=1, le=7)
    #: 领导带队 rounds: how many county leaders lead a round each week (in rotation)
    leaders_per_week: int = Field(default=1, ge=1)

    @field_validator("taxonomy")
    @classmethod
    def _unique_categories(cls, v: list[CategorySpec]) -> list[CategorySpec]:
        names = [c.name for c in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"问题类别重复：{'、'.join(dup)}")
        if not v:
            raise ValueError("taxonomy 至少需要一个问题类别")
        return v

    @field_validator("sampling")
    @classmethod
    def _unique_types(cls, v: list[SamplingSpec]) -> list[SamplingSpec]:
        types = [s.type for s in v]
        dup = sorted({t for t in types if types.count(t) > 1})
        if dup:
            raise ValueError(f"抽样点位类型重复：{'、'.join(dup)}")
        return v

    @model_validator(mode="after")
    def _unique_kinds(self) -> InspectionsSpec:
        if len(set(self.weekly)) != len(self.weekly):
            raise ValueError("weekly 中的检查类型重复")
        return self

    def category(self, name: str) -> CategorySpec | None:
        """The category named ``name``, or None."""
        return next((c for c in self.taxonomy if c.name == name), None)

    def named_departments(self) -> list[str]:
        """职能部门 names the office wrote itself (the default taxonomy is matched leniently)."""
        if self.taxonomy == list(DEFAULT_TAXONOMY):
            return []
        return sorted({d for c in self.taxonomy for d in c.departments})

    def complaint_limit(self, category: str | None) -> int:
        """办理时限 (工作日) for a complaint of ``category``."""
        c = self.category(category) if category else None
        return c.complaint_limit if c and c.complaint_limit else self.complaint_limit_days
