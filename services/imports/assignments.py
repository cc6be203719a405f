"""``cw import assignments``: the office's 包联 table, validated row by row, all or nothing."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Assignment, AssignmentMember, Campaign, Leader, Segment, Unit
from models.geo import SEGMENT
from rules.errors import InvalidInput
from rules.vocabulary import UnitKind
from services.campaigns.directory import Directory, leader_directory, name_key, unit_directory
from services.imports.segments import ImportReport
from services.imports.tables import read_table

CODE, NAME, LEADER, LEAD, MEMBERS = "路段编号", "路段名称", "包段县级领导", "牵头部门", "参与单位"
COLUMNS = [CODE, NAME, LEADER, LEAD, MEMBERS]
_SEPARATORS = re.compile(r"[、，,;；\n\r]+")


@dataclass(frozen=True)
class _Row:
    number: int
    segment: Segment
    leader: str
    lead: str
    members: tuple[str, ...]


def split_units(cell: str) -> list[str]:
    """参与单位 cell → unit names (separated by 、，, ; or new lines)."""
    return [p.strip() for p in _SEPARATORS.split(cell or "") if p.strip()]


def _members(cell: str, where: str, warnings: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in split_units(cell):
        key = name_key(name)
        if key in seen:
            warnings.append(f"{where}: 字段 {MEMBERS}: 单位「{name}」重复填写，已合并")
            continue
        seen[key] = name
    return tuple(seen.values())


class _Resolver:
    """Finds units and leaders; with create_missing, plans (but does not yet write) new ones."""

    def __init__(self, units: Directory[Unit], leaders: Directory[Leader], create_missing: bool):
        self.units, self.leaders, self.create = units, leaders, create_missing
        self.new_units: dict[str, tuple[str, str]] = {}  # key -> (name, kind)
        self.new_leaders: dict[str, str] = {}

    def unit(self, name: str, kind: UnitKind, where: str, column: str, errors: list[str]) -> None:
        if self.units.find(name) or name_key(name) in self.new_units:
            return
        if self.create:
            self.new_units[name_key(name)] = (name, kind.value)
        else:
            errors.append(f"{where}: 字段 {column}: 单位「{name}」不存在（可在活动配置 units 中添加，或使用 --create-missing）")

    def leader(self, name: str, where: str, errors: list[str]) -> None:
        if self.leaders.find(name) or name_key(name) in self.new_leaders:
            return
        if self.create:
            self.new_leaders[name_key(name)] = name
        else:
            errors.append(f"{where}: 字段 {LEADER}: 县级领导「{name}」不存在（可在活动配置 leaders 中添加，或使用 --create-missing）")


def _resolved_id(directory: Directory[Unit] | Directory[Leader], name: str) -> int:
    """The id of a unit or leader the resolver accepted (or just created)."""
    row = directory.find(name)
    if row is None:
        raise InvalidInput(f"名称「{name}」无法对应到唯一的单位或县级领导，未导入任何数据，请检查名称与别名")
    return row.id


def _validate(path: Path, session: Session, campaign: Campaign, sheet: str | None,
              resolver: _Resolver, warnings: list[str]) -> list[_Row]:
    table = read_table(path, COLUMNS, sheet)
    segments = {s.code: s for s in session.scalars(
        select(Segment).where(Segment.campaign_id == campaign.id))}
    errors: list[str] = []
    rows: list[_Row] = []
    first_row: dict[str, int] = {}
    for t in table:
        v = t.values
        where = f"{path}: 第{t.number}行"
        code = v.get(CODE, "")
        if not code:
            errors.append(f"{where}: 字段 {CODE}: 不能为空")
            continue
        where += f"（{code}）"
        if code in first_row:
            errors.append(f"{where}: 字段 {CODE}: 与第{first_row[code]}行重复")
            continue
        first_row[code] = t.number
        row_errors: list[str] = []
        seg = segments.get(code)
        if seg is None:
            row_errors.append(f"{where}: 字段 {CODE}: 路段编号 {code} 不存在（请先导入路段）")
        elif seg.kind != SEGMENT:
            row_errors.append(f"{where}: 字段 {CODE}: {code} 是巷道，包联表只填路段")
        elif v.get(NAME) and name_key(v[NAME]) != name_key(seg.name):
            warnings.append(f"{where}: 字段 {NAME}: 「{v[NAME]}」与系统中的「{seg.name}」不一致，以路段编号为准")
        for column in (LEADER, LEAD, MEMBERS):
            if not v.get(column):
                row_errors.append(f"{where}: 字段 {column}: 不能为空")
        if v.get(LEADER):
            resolver.leader(v[LEADER], where, row_errors)
        if v.get(LEAD):
            resolver.unit(v[LEAD], UnitKind.LEAD, where, LEAD, row_errors)
        members = _members(v.get(MEMBERS, ""), where, warnings)
        for m in members:
            resolver.unit(m, UnitKind.PARTICIPATING, where, MEMBERS, row_errors)
        errors.extend(row_errors)
        if not row_errors and seg is not None:
            rows.append(_Row(t.number, seg, v[LEADER], v[LEAD], members))
    if errors:
        raise InvalidInput(f"{path}: {len(errors)} 处错误，未导入任何数据：", errors)
    return rows


def import_assignments(
    session: Session, *, campaign: Campaign, path: Path, sheet: str | None = None,
    create_missing: bool = False, now: dt.datetime,
) -> ImportReport:
    """Upsert the 包联 table keyed by 路段编号; a changed row closes the old assignment."""
    path = Path(path)
    report = ImportReport()
    units, leaders = unit_directory(session, campaign.id), leader_directory(session, campaign.id)
    resolver = _Resolver(units, leaders, create_missing)
    rows = _validate(path, session, campaign, sheet, resolver, report.warnings)
    for name, kind in resolver.new_units.values():
        u = Unit(campaign_id=campaign.id, name=name, kind=kind, aliases=[], contacts=[], notify=[])
        session.add(u)
        units.add(u)
        report.created_units.append(f"{name}（{kind}）")
    for name in resolver.new_leaders.values():
        x = Leader(campaign_id=campaign.id, name=name, aliases=[], notify=[])
        session.add(x)
        leaders.add(x)
        report.created_leaders.append(name)
    session.flush()
    active = {a.segment_id: a for a in session.scalars(
        select(Assignment).where(Assignment.campaign_id == campaign.id, Assignment.valid_to.is_(None)))}
    members: dict[int, set[int]] = {}
    if active:
        for m in session.scalars(select(AssignmentMember).where(
                AssignmentMember.assignment_id.in_([a.id for a in active.values()]))):
            members.setdefault(m.assignment_id, set()).add(m.unit_id)
    for r in rows:
        leader_id, lead_id = _resolved_id(leaders, r.leader), _resolved_id(units, r.lead)
        member_ids = {_resolved_id(units, m) for m in r.members}
        old = active.get(r.segment.id)
        if old and (old.leader_id, old.lead_unit_id, members.get(old.id, set())) == (leader_id, lead_id, member_ids):
            report.unchanged += 1
            continue
        if old:
            old.valid_to = now
            report.updated += 1
        else:
            report.created += 1
        new = Assignment(campaign_id=campaign.id, segment_id=r.segment.id, leader_id=leader_id,
                         lead_unit_id=lead_id, valid_from=now)
        session.add(new)
        session.flush()
        session.add_all(AssignmentMember(assignment_id=new.id, unit_id=u) for u in sorted(member_ids))
    session.flush()
    return report
