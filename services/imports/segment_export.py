"""``cw export segments``: segments and alleys as WGS-84 GeoJSON with the import's fields."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models import Campaign, Segment, Street
from services import spreadsheets


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


def assignment_rows(session: Session, *, campaign: Campaign) -> list[list[str]]:
    """The active 包联 table, one row per 路段, in the import's column order."""
    from models import Assignment, AssignmentMember, Leader, Unit

    lead = aliased(Unit)
    rows = session.execute(
        select(Segment.code, Segment.name, Leader.name, lead.name, Assignment.id)
        .join(Assignment, (Assignment.segment_id == Segment.id) & Assignment.valid_to.is_(None))
        .join(Leader, Leader.id == Assignment.leader_id).join(lead, lead.id == Assignment.lead_unit_id)
        .where(Segment.campaign_id == campaign.id).order_by(Segment.code)).all()
    members: dict[int, list[str]] = {}
    for aid, name in session.execute(
            select(AssignmentMember.assignment_id, Unit.name).join(Unit, Unit.id == AssignmentMember.unit_id)
            .where(AssignmentMember.assignment_id.in_([r[4] for r in rows])).order_by(Unit.name)):
        members.setdefault(aid, []).append(name)
    return [[code, name, leader, lead_name, "、".join(members.get(aid, []))]
            for code, name, leader, lead_name, aid in rows]


def write_xlsx(path: Any, sheet: str, header: list[str], rows: list[list[Any]]) -> None:
    """A one-sheet workbook with a bold, frozen header; written to a temp file, then renamed."""
    from pathlib import Path

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(r)
    ws.freeze_panes = "A2"
    for i, h in enumerate(header, start=1):
        width = max([len(str(h))] + [len(str(r[i - 1])) for r in rows[:500]]) * 2 + 2
        ws.column_dimensions[get_column_letter(i)].width = min(width, 60)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    spreadsheets.save(wb, tmp)  # text stays text (no formula injection)
    tmp.replace(path)
