"""病媒生物 monitoring (鼠/蚊/蝇/蟑 density surveys) checked against the loaded C-level thresholds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import StandardVersion, VectorRecord
from rules.errors import InvalidInput
from rules.vocabulary import Pest
from services.campaigns.context import CampaignContext


@dataclass(frozen=True)
class VectorCheck:
    id: int
    pest: str
    metric: str
    value: float
    unit: str
    threshold: float | None
    threshold_verified: bool
    passed: bool | None  # None: no threshold for this metric


def thresholds(session: Session, campaign_id: int) -> list[dict]:
    """The C-level thresholds of the newest loaded standard."""
    v = session.scalars(select(StandardVersion).where(StandardVersion.campaign_id == campaign_id)
                        .order_by(StandardVersion.version.desc()).limit(1)).first()
    return list(v.vector_thresholds or []) if v else []


def record_vector(session: Session, *, ctx: CampaignContext, pest: str, metric: str, method: str, place: str,
                  surveyed_on: dt.date, value: float, now: dt.datetime, unit: str | None = None) -> VectorCheck:
    """Store one density survey and whether it meets the threshold for its pest and metric."""
    if pest not in set(Pest):
        raise InvalidInput(f"病媒种类「{pest}」无效（可选：{'、'.join(Pest)}）")
    if value < 0:
        raise InvalidInput("监测结果不能为负数")
    limit = next((t for t in thresholds(session, ctx.id) if t["pest"] == pest and t["metric"] == metric), None)
    row = VectorRecord(campaign_id=ctx.id, pest=pest, metric=metric.strip(), method=method.strip(),
                       place=place.strip(), surveyed_on=surveyed_on, value=value,
                       unit=unit or (limit["unit"] if limit else ""), threshold=limit["max"] if limit else None,
                       passed=None if limit is None else value <= float(limit["max"]), created_at=now)
    session.add(row)
    session.flush()
    return VectorCheck(id=row.id, pest=pest, metric=row.metric, value=value, unit=row.unit, threshold=row.threshold,
                       threshold_verified=bool(limit and limit.get("verified")), passed=row.passed)
