"""The items as loaded, their newest 自评 and evidence, and the readiness view (per area % met, red items)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import EvidenceFile, SelfAssessment, StandardItem, StandardVersion
from rules.errors import NotFound
from rules.vocabulary import SelfResult
from services.campaigns.context import CampaignContext


@dataclass(frozen=True)
class ItemRow:
    code: str
    area: str
    title: str
    owner: str | None
    number: str | None
    verified: bool
    result: str | None  # newest 自评, None when not assessed
    score: float | None
    evidence: int  # files filed under it


@dataclass
class AreaStatus:
    area: str
    items: int
    assessed: int
    met: int
    rate: float | None  # met / items


@dataclass
class StandardStatus:
    standard: str | None
    version: int | None
    areas: int
    items: int
    assessed: int
    met: int
    mostly_met: int
    not_met: int
    by_area: list[AreaStatus] = field(default_factory=list)
    red: list[ItemRow] = field(default_factory=list)  # 未达标, or not assessed


def active_items(session: Session, campaign_id: int) -> list[StandardItem]:
    """Every active item in the standard's order."""
    return list(session.scalars(select(StandardItem).where(StandardItem.campaign_id == campaign_id,
                                                           StandardItem.active.is_(True))
                                .order_by(StandardItem.area_seq, StandardItem.seq)))


def get_item(session: Session, campaign_id: int, code: str) -> StandardItem:
    item = session.scalars(select(StandardItem).where(StandardItem.campaign_id == campaign_id,
                                                      StandardItem.code == code.strip())).first()
    if item is None or not item.active:
        raise NotFound(f"找不到标准条目 {code}（用 cw standard items 查看条目编号；标准未载入时先运行 cw standard load）")
    return item


def latest_results(session: Session, item_ids: list[int]) -> dict[int, SelfAssessment]:
    """The newest 自评 of each item that has one."""
    if not item_ids:
        return {}
    newest = (select(SelfAssessment.item_id, func.max(SelfAssessment.id).label("id"))
              .where(SelfAssessment.item_id.in_(item_ids)).group_by(SelfAssessment.item_id).subquery())
    rows = session.scalars(select(SelfAssessment).join(newest, newest.c.id == SelfAssessment.id))
    return {r.item_id: r for r in rows}


def list_items(session: Session, *, ctx: CampaignContext) -> list[ItemRow]:
    """The standard's items in order with owner, newest result and evidence count."""
    items = active_items(session, ctx.id)
    results = latest_results(session, [i.id for i in items])
    counts = dict(session.execute(select(EvidenceFile.item_id, func.count()).where(EvidenceFile.campaign_id == ctx.id)
                                  .group_by(EvidenceFile.item_id)).tuples().all())
    out = []
    for i in items:
        r = results.get(i.id)
        out.append(ItemRow(code=i.code, area=i.area, title=i.title, owner=i.owner, number=i.number,
                           verified=i.verified, result=r.result if r else None, score=r.score if r else None,
                           evidence=counts.get(i.id, 0)))
    return out


def standard_status(session: Session, *, ctx: CampaignContext) -> StandardStatus:
    """Counts overall and per area: items, assessed, met (达标); the red items (未达标 or not assessed)."""
    rows = list_items(session, ctx=ctx)
    version = session.scalars(select(StandardVersion).where(StandardVersion.campaign_id == ctx.id)
                              .order_by(StandardVersion.version.desc()).limit(1)).first()
    by_area: dict[str, AreaStatus] = {}
    for r in rows:
        a = by_area.setdefault(r.area, AreaStatus(area=r.area, items=0, assessed=0, met=0, rate=None))
        a.items += 1
        a.assessed += r.result is not None
        a.met += r.result == SelfResult.MET
    for a in by_area.values():
        a.rate = round(a.met / a.items, 4) if a.items else None
    return StandardStatus(
        standard=version.title if version else None, version=version.version if version else None,
        areas=len(by_area), items=len(rows), assessed=sum(r.result is not None for r in rows),
        met=sum(r.result == SelfResult.MET for r in rows),
        mostly_met=sum(r.result == SelfResult.MOSTLY_MET for r in rows),
        not_met=sum(r.result == SelfResult.NOT_MET for r in rows),
        by_area=list(by_area.values()), red=[r for r in rows if r.result in (None, SelfResult.NOT_MET)])
