"""The national standards as data (``config/standards/*.yaml``) and the campaign's ``standard:`` section.

A standard file lists areas → items, the evidence each item expects and the unit kinds that
usually answer for it; ``verified: false`` marks wording or figures not checked against the
official text. A file may ``extends:`` another and replace or add items by code. The campaign
picks its standard, may name the owner of any item and may add local items.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from config.base import Strict
from rules.vocabulary import Pest, UnitKind

STANDARDS_DIR = Path(__file__).resolve().parent
DEFAULT_STANDARD = "county-2021"
EvidenceKind = Literal["文件", "照片", "记录", "数据"]
SystemSource = Literal["tasks", "findings", "complaints", "survey", "vector"]


class Threshold(Strict):
    op: Literal[">=", "<="] | None = None
    value: float | None = None
    unit: str | None = None
    note: str | None = None
    verified: bool = False
    source: str | None = None


class EvidenceSpec(Strict):
    kind: EvidenceKind
    what: str = Field(min_length=1)
    system: SystemSource | None = None  # drawn from the system's own records
    threshold: Threshold | None = None


class ItemSpec(Strict):
    code: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$")
    number: str | None = None  # the item's number in the official text, e.g. （十）
    title: str = Field(min_length=1, max_length=200)
    text: str = ""
    verified: bool = False
    source: str | None = None
    owner_kinds: list[UnitKind] = []
    owner: str | None = None  # the unit that usually answers for it (name or alias)
    evidence: list[EvidenceSpec] = []
    task_categories: list[str] = []  # task templates of these categories evidence the item
    finding_categories: list[str] = []  # findings of these categories evidence (or count against) it
    indicator: Literal["survey"] | None = None
    pest: Pest | None = None


class AreaSpec(Strict):
    name: str = Field(min_length=1, max_length=40)
    items: list[ItemSpec] = []


class VectorThreshold(Strict):
    pest: Pest
    metric: str = Field(min_length=1)
    unit: str
    max: float = Field(ge=0)
    verified: bool = False
    source: str | None = None


class StandardFile(Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    title: str = Field(min_length=1)
    kind: Literal["county", "city"] = "county"
    edition: int
    note: str = ""
    extends: str | None = None
    areas: list[AreaSpec] = []
    vector_thresholds: list[VectorThreshold] = []

    @model_validator(mode="after")
    def _unique_codes(self) -> StandardFile:
        codes = [i.code for a in self.areas for i in a.items]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"条目编号重复：{'、'.join(dup)}")
        return self

    def items(self) -> list[tuple[int, AreaSpec, int, ItemSpec]]:
        """(area order, area, item order, item) in the standard's order."""
        return [(a_seq, a, i_seq, i) for a_seq, a in enumerate(self.areas, start=1)
                for i_seq, i in enumerate(a.items, start=1)]


class LocalItemSpec(ItemSpec):
    area: str = Field(min_length=1)


class RehearsalSample(Strict):
    """How many places of a type a rehearsal visits: max(min, ceil(share × places of the type))."""

    type: str = Field(min_length=1, max_length=40)
    min: int = Field(default=1, ge=0, le=100)
    share: float = Field(default=0.0, ge=0, le=1)
    area: str = "市容环境卫生"  # the standard's area its deductions count against

    def count(self, available: int) -> int:
        return min(available, max(self.min, math.ceil(self.share * available)))


#: after the national 技术评估's per-type sampling (DOMAIN_ANCHORS §1, §3.3): counts scale with the
#: number of places of each type; the minimums are working figures for a county, not national numbers
DEFAULT_REHEARSAL: tuple[RehearsalSample, ...] = (
    RehearsalSample(type="主次干道", min=4, share=0.2),
    RehearsalSample(type="背街小巷", min=3, share=0.1),
    RehearsalSample(type="农贸市场", min=1, share=0.5, area="重点场所卫生"),
    RehearsalSample(type="餐饮店", min=3, share=0.2, area="食品和饮用水安全"),
    RehearsalSample(type="公厕", min=2, share=0.3),
    RehearsalSample(type="垃圾站", min=1, share=0.3),
    RehearsalSample(type="建筑工地", min=1, share=0.5),
    RehearsalSample(type="学校", min=1, share=0.5, area="重点场所卫生"),
    RehearsalSample(type="医院", min=1, share=0.5, area="重点场所卫生"),
    RehearsalSample(type="社区", min=2, share=0.3),
)


class StandardSpec(Strict):
    """``standard:`` in campaign.yaml."""

    file: str = DEFAULT_STANDARD  # a name in config/standards/ or a path beside campaign.yaml
    owners: dict[str, str] = {}  # item code → unit name (overrides the standard's owner)
    local_items: list[LocalItemSpec] = []
    rehearsal: list[RehearsalSample] = Field(default_factory=lambda: [s.model_copy() for s in DEFAULT_REHEARSAL])

    @field_validator("rehearsal")
    @classmethod
    def _unique_types(cls, v: list[RehearsalSample]) -> list[RehearsalSample]:
        types = [s.type for s in v]
        dup = sorted({t for t in types if types.count(t) > 1})
        if dup:
            raise ValueError(f"模拟暗访点位类型重复：{'、'.join(dup)}")
        return v


class StandardFileError(Exception):
    """A standard file that cannot be read, with every problem."""

    def __init__(self, path: Path, problems: list[str]):
        super().__init__(f"{path}: {len(problems)} problems")
        self.path, self.problems = path, problems


def standard_path(name: str, base: Path | None = None) -> Path:
    """The file a ``standard.file`` names: a bundled standard's code, or a path (relative to ``base``)."""
    bundled = STANDARDS_DIR / f"{name}.yaml"
    if "/" not in name and not name.endswith((".yaml", ".yml")) and bundled.is_file():
        return bundled
    p = Path(name)
    return p if p.is_absolute() or base is None else base / p


def _read(path: Path) -> dict:
    if not path.is_file():
        raise StandardFileError(path, [f"{path}: 找不到标准文件"])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as e:
        raise StandardFileError(path, [f"{path}: 不是有效的 UTF-8 YAML 文件（{type(e).__name__}）"]) from None
    if not isinstance(raw, dict):
        raise StandardFileError(path, [f"{path}: 文件内容应为键值表（code、title、areas …）"])
    return raw


def _merge(base: dict, child: dict) -> dict:
    """``child`` over ``base``: areas by name, items by code (a child's item replaces the base's)."""
    merged = {**base, **{k: v for k, v in child.items() if k not in ("areas", "extends")}}
    areas = [dict(a, items=list(a.get("items") or [])) for a in base.get("areas") or []]
    for ca in child.get("areas") or []:
        target = next((a for a in areas if a.get("name") == ca.get("name")), None)
        if target is None:
            areas.append(dict(ca))
            continue
        for ci in ca.get("items") or []:
            idx = next((k for k, i in enumerate(target["items"]) if i.get("code") == ci.get("code")), None)
            if idx is None:
                target["items"].append(ci)
            else:
                target["items"][idx] = ci
    merged["areas"] = areas
    merged["vector_thresholds"] = child.get("vector_thresholds") or base.get("vector_thresholds") or []
    return merged


def read_standard(path: Path) -> tuple[StandardFile, str]:
    """The validated standard in ``path`` (its ``extends`` resolved) and the text it was read from."""
    raw = _read(path)
    texts = [path.read_text(encoding="utf-8")]
    seen = {path.resolve()}
    while raw.get("extends"):
        parent = standard_path(str(raw["extends"]), path.parent)
        if parent.resolve() in seen:
            raise StandardFileError(path, [f"{path}: extends 形成循环（{raw['extends']}）"])
        seen.add(parent.resolve())
        base = _read(parent)
        texts.append(parent.read_text(encoding="utf-8"))
        raw = _merge(base, {**raw, "extends": base.get("extends")})
        raw["extends"] = base.get("extends")
    try:
        return StandardFile.model_validate(raw), "\n".join(texts)
    except ValidationError as e:
        problems = [f"{path}: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors()]
        raise StandardFileError(path, problems) from None
