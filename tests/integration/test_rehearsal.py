"""模拟暗访 on the example campaign: its bundled places, the sampled plan, the secret round and the report."""

from __future__ import annotations

import datetime as dt
import io
import json

from docx import Document
from sqlalchemy import func, select

from models import Finding, Inspection, InspectionStop, Place, Rehearsal
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections import record_finding
from services.rehearsal import plan_rehearsal, write_report
from services.standard import load_standard
from tests.conftest import EXAMPLE, at
from tests.support.inspections import open_first_phase

DAY = dt.date(2025, 3, 10)


def _ctx(s):
    return load_context(s, campaign=get_campaign(s))


def _bbox() -> tuple[float, float, float, float]:
    g = json.loads((EXAMPLE / "segments.geojson").read_text(encoding="utf-8"))
    xs = [c[0] for f in g["features"] for c in f["geometry"]["coordinates"]]
    ys = [c[1] for f in g["features"] for c in f["geometry"]["coordinates"]]
    return min(xs), min(ys), max(xs), max(ys)


def test_the_example_ships_places_of_at_least_six_types_inside_its_town(db, example):
    x0, y0, x1, y1 = _bbox()
    with db.reader() as s:
        places = list(s.scalars(select(Place)))
    assert len({p.kind for p in places}) >= 6
    assert all(x0 - 0.01 <= p.lon <= x1 + 0.01 and y0 - 0.01 <= p.lat <= y1 + 0.01 for p in places)


def test_a_plan_covers_the_place_types_in_the_town_and_the_same_seed_gives_the_same_plan(db, example):
    with db.unit_of_work() as s:
        plan = plan_rehearsal(s, ctx=_ctx(s), day=DAY, seed=3, now=at("2025-03-07 09:00"))
    with db.unit_of_work() as s:
        again = plan_rehearsal(s, ctx=_ctx(s), day=DAY, seed=3, now=at("2025-03-07 09:05"))
        other = plan_rehearsal(s, ctx=_ctx(s), day=DAY, seed=4, now=at("2025-03-07 09:10"))
    assert sum(1 for v in plan.by_type.values() if v) >= 6
    assert plan.by_type["主次干道"] >= 4 and plan.by_type["背街小巷"] >= 3
    assert again.id == plan.id and again.points == plan.points and other.id != plan.id
    x0, y0, x1, y1 = _bbox()
    assert all(x0 - 0.03 <= p.lon <= x1 + 0.03 and y0 - 0.03 <= p.lat <= y1 + 0.03 for p in plan.points)
    with db.reader() as s:
        ins = s.get(Inspection, plan.inspection_id)
        stops = s.scalar(select(func.count()).select_from(InspectionStop)
                         .where(InspectionStop.inspection_id == ins.id))
        assert (ins.kind, ins.announced, ins.published_at, stops) == ("暗访", False, None, len(plan.points))
        assert s.scalar(select(func.count()).select_from(Rehearsal)) == 2


def test_the_report_scores_the_findings_of_the_rehearsal_round_by_area_and_place_type(db, example, tmp_path):
    open_first_phase(db)
    with db.unit_of_work() as s:
        load_standard(s, ctx=_ctx(s), now=at("2025-03-01 09:00"))
        plan = plan_rehearsal(s, ctx=_ctx(s), day=DAY, seed=3, now=at("2025-03-07 09:00"))
    toilet = next(p for p in plan.points if p.type == "公厕")
    road = next(p for p in plan.points if p.type == "主次干道")
    with db.unit_of_work() as s:
        ctx = _ctx(s)
        for category, p in (("公厕不洁", toilet), ("暴露垃圾", road), ("乱堆乱放", road)):
            record_finding(s, ctx=ctx, category=category, lon=p.lon, lat=p.lat, now=at("2025-03-10 10:00"),
                           inspection_id=plan.inspection_id, allow_duplicate=True)
        record_finding(s, ctx=ctx, category="暴露垃圾", lon=road.lon, lat=road.lat, now=at("2025-03-10 10:00"),
                       allow_duplicate=True)  # an ordinary finding, not the rehearsal's
    with db.reader() as s:
        rep = write_report(s, ctx=_ctx(s), out_dir=tmp_path, now=at("2025-03-11 09:00"))
        assert s.scalar(select(func.count()).select_from(Finding)) == 4
    assert (rep.findings, rep.deduction, rep.score) == (3, 3.0, 97.0)
    assert dict((a, n) for a, n, _ in rep.by_area) == {"市容环境卫生": 3}
    by_type = {t: n for t, _, n, _ in rep.by_type}
    assert by_type["公厕"] == 1 and by_type["主次干道"] == 2
    html_file, docx_file, png = rep.files
    assert "2025年3月10日模拟暗访情况报告" in html_file.read_text(encoding="utf-8")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    doc = Document(io.BytesIO(docx_file.read_bytes()))
    assert any("扣3分" in p.text for p in doc.paragraphs)
