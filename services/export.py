"""``cw export segments``: segments and alleys as WGS-84 GeoJSON with the import's fields."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models import Campaign, Segment, Street


def segments_geojson(session: Session, *, campaign: Campaign) -> dict[str, Any]:
    """A FeatureCollection that ``cw import segments`` reads back unchanged."""
    parent = aliased(Segment)
    rows = session.execute(
        select(Segment, Street.name, parent.code)
        .outerjoin(Street, Street.id == Segment.street_id)
        .outerjoin(parent, parent.id == Segment.parent_id)
        .where(Segment.campaign_id == campaign.id)
        .order_by(Segment.kind.desc(), Segment.code)).all()
    features = []
    for seg, street, parent_code in rows:
        is_alley = seg.parent_id is not None
        features.append({
            "type": "Feature",
            "properties": {"路段编号": seg.code, "路段名称": seg.name, "类型": seg.kind,
                           "所属街道": None if is_alley else street, "上级路段": parent_code},
            "geometry": seg.geometry,
        })
    return {"type": "FeatureCollection", "name": f"{campaign.code}_segments", "features": features}
