"""``cw standard load``: the standard file (and the campaign's owners and local items) into the database.

Idempotent and versioned: the same content loads as "unchanged"; changed content becomes a new
version whose items are updated by code, items it no longer has are retired (kept with their
自评 and evidence, shown as inactive), never deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.standards import ItemSpec, StandardFile, StandardFileError, read_standard, standard_path
from models import StandardItem, StandardVersion
from rules.errors import ConfigError
from services.campaigns.context import CampaignContext
from services.campaigns.directory import unit_directory


@dataclass
class LoadReport:
    code: str
    title: str
    version: int
    new_version: bool
    items: int
    added: int = 0
    updated: int = 0
    retired: int = 0
    unowned: list[str] = field(default_factory=list)  # owners named that are not units of the campaign


def read(ctx: CampaignContext, file: Path | None = None) -> tuple[StandardFile, str]:
    """The standard the campaign picked (or ``file``), as validated data and its text."""
    path = Path(file) if file else standard_path(ctx.spec.standard.file)
    try:
        return read_standard(path)
    except StandardFileError as e:
        raise ConfigError(f"标准文件 {e.path} 有 {len(e.problems)} 处错误：", e.problems) from None


def _rows(std: StandardFile, ctx: CampaignContext) -> list[tuple[int, str, int, ItemSpec, bool]]:
    rows = [(a_seq, a.name, i_seq, item, False) for a_seq, a, i_seq, item in std.items()]
    areas = {a.name: k for k, a in enumerate(std.areas, start=1)}
    for local in ctx.spec.standard.local_items:
        a_seq = areas.setdefault(local.area, len(areas) + 1)
        i_seq = 1 + max((r[2] for r in rows if r[0] == a_seq), default=0)
        rows.append((a_seq, local.area, i_seq, local, True))
    codes = [r[3].code for r in rows]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise ConfigError(f"本地条目编号与标准条目重复：{'、'.join(dup)}")
    return rows


def load_standard(session: Session, *, ctx: CampaignContext, now: dt.datetime, file: Path | None = None) -> LoadReport:
    """Load (or re-load) the campaign's standard; one new version only when the content changed."""
    std, text = read(ctx, file)
    overrides = ctx.spec.standard.model_dump(mode="json", exclude={"rehearsal", "file"})
    digest = hashlib.sha256((text + json.dumps(overrides, sort_keys=True, ensure_ascii=False)).encode()).hexdigest()
    cid = ctx.id
    latest = session.scalars(select(StandardVersion).where(StandardVersion.campaign_id == cid)
                             .order_by(StandardVersion.version.desc()).limit(1)).first()
    rows = _rows(std, ctx)
    if latest is not None and latest.sha256 == digest:
        return LoadReport(code=latest.code, title=latest.title, version=latest.version, new_version=False,
                          items=latest.items)
    version = (session.scalar(select(func.max(StandardVersion.version)).where(StandardVersion.campaign_id == cid))
               or 0) + 1
    session.add(StandardVersion(campaign_id=cid, version=version, code=std.code, title=std.title, sha256=digest,
                                items=len(rows), vector_thresholds=[t.model_dump(mode="json")
                                                                     for t in std.vector_thresholds],
                                loaded_at=now))
    report = LoadReport(code=std.code, title=std.title, version=version, new_version=True, items=len(rows))
    units = unit_directory(session, cid)
    owners = ctx.spec.standard.owners
    unknown_codes = sorted(set(owners) - {r[3].code for r in rows})
    if unknown_codes:
        raise ConfigError(f"standard.owners 中的条目编号不存在：{'、'.join(unknown_codes)}")
    existing = {i.code: i for i in session.scalars(select(StandardItem).where(StandardItem.campaign_id == cid))}
    for a_seq, area, i_seq, spec, local in rows:
        owner = owners.get(spec.code, spec.owner)
        unit = units.find(owner) if owner else None
        if owner and unit is None:
            report.unowned.append(f"{spec.code} {owner}")
        values = dict(area=area, area_seq=a_seq, seq=i_seq, number=spec.number, title=spec.title, text=spec.text,
                      verified=spec.verified, source=spec.source, owner=unit.name if unit else owner,
                      owner_unit_id=unit.id if unit else None, owner_kinds=[str(k) for k in spec.owner_kinds],
                      evidence=[e.model_dump(mode="json", exclude_none=True) for e in spec.evidence],
                      task_categories=list(spec.task_categories), finding_categories=list(spec.finding_categories),
                      indicator=spec.indicator, pest=str(spec.pest) if spec.pest else None, local=local, active=True)
        row = existing.pop(spec.code, None)
        if row is None:
            session.add(StandardItem(campaign_id=cid, code=spec.code, version=version, **values))
            report.added += 1
            continue
        if any(getattr(row, k) != v for k, v in values.items()):
            report.updated += 1
        for k, v in values.items():
            setattr(row, k, v)
        row.version = version
    for row in existing.values():
        if row.active:
            row.active = False
            report.retired += 1
    session.flush()
    return report
