"""``cw rehearsal report`` and the route map: score a 模拟暗访 like the national 暗访 (HTML and DOCX).

The rehearsal's findings are those recorded in its inspection round. Each finding deducts points
(``DEDUCTION`` per finding, doubled for 严重); deductions are summed by the standard's area (the
item whose ``finding_categories`` name the category, else the point type's area) and by place type
(the nearest sampled point), and segments and units are ranked by their deductions.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from maps.route import RoutePoint, route_map_png
from models import Finding, Segment, StandardItem, Unit
from models.inspections import MERGED
from rules import rehearsal as rr
from services.campaigns.context import CampaignContext
from services.rehearsal import texts as tx
from services.rehearsal.plan import RehearsalPlan, get_rehearsal

DEDUCTION = 1.0
SEVERE = "严重"


@dataclass
class RehearsalReport:
    plan: RehearsalPlan
    findings: int
    deduction: float
    score: float
    by_area: list[tuple[str, int, float]]
    by_type: list[tuple[str, int, int, float]]
    segments: list[tuple[str, int, float]]
    units: list[tuple[str, int, float]]
    files: list[Path]


def _points(plan: RehearsalPlan) -> list[RoutePoint]:
    return [RoutePoint(seq=p.seq, type=p.type, name=p.name, lon=p.lon, lat=p.lat) for p in plan.points]


def write_route_map(session: Session, *, ctx: CampaignContext, plan: RehearsalPlan, out_dir: Path) -> Path:
    """The route map PNG of ``plan`` in ``out_dir``."""
    lines = list(session.scalars(select(Segment.geometry).where(Segment.campaign_id == ctx.id)))
    cands = [rr.Candidate(p.type, str(p.seq), p.name, p.lon, p.lat) for p in plan.points]
    title = tx.MAP_TITLE.format(date=plan.date_label, n=len(plan.points), km=rr.route_length_m(cands) / 1000)
    return route_map_png(_points(plan), lines, title=title, out_path=out_dir / f"模拟暗访路线_{plan.date}_{plan.id}.png")


def score_rehearsal(session: Session, *, ctx: CampaignContext, rehearsal_id: int | None = None) -> RehearsalReport:
    """Deductions of a rehearsal by area, place type, segment and unit."""
    plan = get_rehearsal(session, ctx=ctx, rehearsal_id=rehearsal_id)
    findings = list(session.scalars(select(Finding).where(Finding.inspection_id == plan.inspection_id,
                                                          Finding.status != MERGED))) if plan.inspection_id else []
    area_of_category: dict[str, str] = {}
    for area, cats in session.execute(select(StandardItem.area, StandardItem.finding_categories)
                                      .where(StandardItem.campaign_id == ctx.id, StandardItem.active.is_(True))
                                      .order_by(StandardItem.area_seq, StandardItem.seq)):
        for c in cats or []:
            area_of_category.setdefault(c, area)
    segs = dict(session.execute(select(Segment.id, Segment.name).where(Segment.campaign_id == ctx.id)).tuples().all())
    units = dict(session.execute(select(Unit.id, Unit.name).where(Unit.campaign_id == ctx.id)).tuples().all())
    cands = [rr.Candidate(p.type, str(p.seq), p.name, p.lon, p.lat) for p in plan.points]
    by_area: dict[str, list[float]] = defaultdict(list)
    by_type: dict[str, list[float]] = defaultdict(list)
    by_seg: dict[str, list[float]] = defaultdict(list)
    by_unit: dict[str, list[float]] = defaultdict(list)
    for f in findings:
        d = DEDUCTION * (2 if f.severity == SEVERE else 1)
        near = None
        if f.lon is not None and f.lat is not None and cands:
            here = rr.Candidate("", "", "", f.lon, f.lat)
            near = min(cands, key=lambda c: rr.distance_m(here, c))
        point_type = near.type if near else ""
        area = area_of_category.get(f.category) or next(
            (p.area for p in plan.points if near and str(p.seq) == near.key), tx.OTHER_AREA)
        by_area[area].append(d)
        by_type[point_type or "—"].append(d)
        if f.segment_id in segs:
            by_seg[segs[f.segment_id]].append(d)
        if f.lead_unit_id in units:
            by_unit[units[f.lead_unit_id]].append(d)
    deduction = sum(sum(v) for v in by_area.values())
    return RehearsalReport(
        plan=plan, findings=len(findings), deduction=deduction, score=max(0.0, 100 - deduction),
        by_area=[(a, len(v), sum(v)) for a, v in sorted(by_area.items(), key=lambda kv: -sum(kv[1]))],
        by_type=[(t, plan.by_type.get(t, 0), len(by_type.get(t, [])), sum(by_type.get(t, [])))
                 for t in list(plan.by_type) + [t for t in by_type if t not in plan.by_type]],
        segments=sorted(((n, len(v), sum(v)) for n, v in by_seg.items()), key=lambda r: (r[2], r[0])),
        units=sorted(((n, len(v), sum(v)) for n, v in by_unit.items()), key=lambda r: (r[2], r[0])),
        files=[])


def _tables(rep: RehearsalReport) -> list[tuple[str, tuple[str, ...], list[tuple]]]:
    return [
        (tx.BY_AREA, tx.AREA_COLS, [(a, n, f"{d:g}") for a, n, d in rep.by_area]),
        (tx.BY_TYPE, tx.TYPE_COLS, [(t, p, n, f"{d:g}") for t, p, n, d in rep.by_type]),
        (tx.BY_SEGMENT, tx.RANK_COLS, [(k, n, c, f"{d:g}") for k, (n, c, d) in enumerate(rep.segments, start=1)]),
        (tx.BY_UNIT, tx.RANK_COLS, [(k, n, c, f"{d:g}") for k, (n, c, d) in enumerate(rep.units, start=1)]),
        (tx.POINTS, tx.POINT_COLS, [(p.seq, p.type, p.name, p.segment or "") for p in rep.plan.points]),
    ]


def _intro(rep: RehearsalReport) -> str:
    return tx.REPORT_INTRO.format(date=rep.plan.date_label, types=sum(1 for v in rep.plan.by_type.values() if v),
                                  points=len(rep.plan.points), findings=rep.findings, deduction=rep.deduction,
                                  score=rep.score)


def _html(rep: RehearsalReport, map_name: str) -> str:
    e = html.escape
    parts = [f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>{e(tx.REPORT_TITLE.format(date=rep.plan.date_label))}</title>",
             "<style>body{font-family:sans-serif;max-width:960px;margin:auto;padding:1em}"
             "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #999;padding:4px 8px}"
             "img{max-width:100%}</style>",
             f"<h1>{e(tx.REPORT_TITLE.format(date=rep.plan.date_label))}</h1><p>{e(_intro(rep))}</p>",
             f"<img src='{e(map_name)}' alt='路线图'>"]
    if not rep.findings:
        parts.append(f"<p>{e(tx.NO_FINDINGS)}</p>")
    for title, cols, rows in _tables(rep):
        if not rows:
            continue
        parts.append(f"<h2>{e(title)}</h2><table><tr>" + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in r) + "</tr>" for r in rows]
        parts.append("</table>")
    parts.append("<p><small>地图数据 © OpenStreetMap contributors</small></p></html>")
    return "\n".join(parts)


def _docx(rep: RehearsalReport, map_png: Path) -> bytes:
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    doc.add_heading(tx.REPORT_TITLE.format(date=rep.plan.date_label), level=0)
    doc.add_paragraph(_intro(rep))
    doc.add_picture(str(map_png), width=Cm(16))
    if not rep.findings:
        doc.add_paragraph(tx.NO_FINDINGS)
    for title, cols, rows in _tables(rep):
        if not rows:
            continue
        doc.add_heading(title, level=1)
        table = doc.add_table(rows=1, cols=len(cols))
        table.style = "Table Grid"
        for cell, c in zip(table.rows[0].cells, cols, strict=True):
            cell.text = c
        for r in rows:
            for cell, v in zip(table.add_row().cells, r, strict=True):
                cell.text = str(v)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_report(session: Session, *, ctx: CampaignContext, out_dir: Path, now: dt.datetime,
                 rehearsal_id: int | None = None) -> RehearsalReport:
    """Score the rehearsal and write its route map, HTML and DOCX into ``out_dir``."""
    rep = score_rehearsal(session, ctx=ctx, rehearsal_id=rehearsal_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    png = write_route_map(session, ctx=ctx, plan=rep.plan, out_dir=out_dir)
    stem = out_dir / f"模拟暗访报告_{rep.plan.date}_{rep.plan.id}"
    page, word = stem.with_suffix(".html"), stem.with_suffix(".docx")
    page.write_text(_html(rep, png.name), encoding="utf-8")
    word.write_bytes(_docx(rep, png))
    rep.files = [page, word, png]
    return rep
