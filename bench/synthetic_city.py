"""A synthetic city of N segments on a realistic street grid, loadable into SQLite or PostgreSQL.

Streets run east–west and north–south with a little jitter (deterministic per seed); each
street is cut into segments of about 150 m at its crossings; short alleys hang off about one
segment in two; units, leaders and 包联 assignments are spread over the segments. Rows are
bulk-inserted with SQLAlchemy Core (executemany), not one ORM object per row.

    python -m bench.synthetic_city --segments 5000 --url sqlite:////tmp/city.db
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import insert, select

from config.campaign import CampaignFile
from models import Assignment, AssignmentMember, Campaign, Leader, Phase, Segment, Stage, Street, TaskTemplate, Unit
from models.db import make_engine
from services import schema

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "examples" / "demo_county" / "campaign.yaml"
ORIGIN = (110.25, 34.52)  # lon, lat: around the seed county
BLOCK_M = 150.0
M_PER_DEG_LAT = 110_540.0


@dataclass(frozen=True)
class City:
    campaign_id: int
    code: str
    segments: int
    alleys: int
    units: int
    leaders: int


def _grid_size(n: int) -> tuple[int, int]:
    """Streets per direction and segments per street so that 2·s·k ≈ n."""
    s = max(2, round(math.sqrt(n / 2 / 1.0)))
    k = max(1, round(n / (2 * s)))
    return s, k


def geometry(n_segments: int, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """Segments and alleys as plain dicts with WGS-84 LineStrings (no database)."""
    rng = random.Random(seed)
    s, k = _grid_size(n_segments)
    m_per_deg_lon = 111_320.0 * math.cos(math.radians(ORIGIN[1]))
    to_lonlat = lambda x, y: [round(ORIGIN[0] + x / m_per_deg_lon, 7), round(ORIGIN[1] + y / M_PER_DEG_LAT, 7)]
    segments, alleys = [], []
    for axis in ("东西", "南北"):
        for i in range(s):
            street = f"{'东西' if axis == '东西' else '南北'}{i + 1}{'路' if axis == '东西' else '街'}"
            offset = i * BLOCK_M + rng.uniform(-8, 8)
            for j in range(k):
                if len(segments) >= n_segments:
                    break
                a, b = j * BLOCK_M, (j + 1) * BLOCK_M
                pts = [(a, offset), ((a + b) / 2, offset + rng.uniform(-4, 4)), (b, offset)]
                if axis == "南北":
                    pts = [(y, x) for x, y in pts]
                code = f"S{len(segments) + 1:05d}"
                segments.append({"code": code, "name": f"{street}（{j + 1}段）", "street": street,
                                 "coords": [to_lonlat(x, y) for x, y in pts]})
                if rng.random() < 0.5:
                    mx, my = pts[1]
                    dx, dy = (0.0, 60.0) if axis == "东西" else (60.0, 0.0)
                    alleys.append({"code": f"A{len(alleys) + 1:05d}", "name": f"{street}{j + 1}号巷",
                                   "parent": code, "coords": [to_lonlat(mx + dx * 0.1, my + dy * 0.1),
                                                              to_lonlat(mx + dx, my + dy)]})
    return segments, alleys


def _spec(code: str, templates_per_phase: int) -> dict:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["campaign"] = {**data["campaign"], "code": code, "name": f"合成城市（{code}）", "county": "合成县",
                        "boundary": None}
    data["units"], data["leaders"], data["segments"], data["assignments"] = [], [], None, None
    for section in ("inspections", "notifications", "escalation", "assessment"):
        data.pop(section, None)  # they name the example's units and targets; defaults apply
    templates = []
    for _, phase in [(s["name"], p) for s in data["stages"] for p in s.get("phases", [])]:
        for t in range(templates_per_phase):
            extra = {"milestones": "monthly"} if t == 0 else {"recurrence": "weekly"} if t == 1 else {}
            templates.append({"code": f"{phase['name']}-{t:02d}", "phase": phase["name"], "category": "综合治理",
                              "title": f"{phase['name']}任务{t + 1}", "scope": "segment", **extra})
    data["task_templates"] = templates
    return json.loads(CampaignFile.model_validate(data).model_dump_json())


def load(url: str, n_segments: int = 5000, *, code: str = "synthetic", seed: int = 7,
         templates_per_phase: int = 10) -> City:
    """Create the schema if needed and load one synthetic campaign; returns its counts."""
    engine = make_engine(url)
    schema.upgrade(engine)
    rng = random.Random(seed)
    now = dt.datetime(2024, 12, 20, 1, 0, tzinfo=dt.UTC)
    spec = _spec(code, templates_per_phase)
    segs, alleys = geometry(n_segments, seed)
    n_lead, n_member, n_leaders = max(4, n_segments // 50), max(8, n_segments // 15), max(3, n_segments // 120)
    with engine.begin() as c:
        cid = c.execute(insert(Campaign).values(code=code, name=spec["campaign"]["name"], county="合成县",
                                                timezone="Asia/Shanghai", spec=spec, created_at=now,
                                                updated_at=now).returning(Campaign.id)).scalar_one()
        for seq, st in enumerate(spec["stages"], start=1):
            sid = c.execute(insert(Stage).values(campaign_id=cid, seq=seq, name=st["name"],
                                                 start_date=dt.date.fromisoformat(st["start"]),
                                                 end_date=dt.date.fromisoformat(st["end"])).returning(Stage.id)).scalar_one()
            for ph in st.get("phases", []):
                c.execute(insert(Phase).values(campaign_id=cid, stage_id=sid, seq=len(c.execute(
                    select(Phase.id).where(Phase.campaign_id == cid)).all()) + 1, name=ph["name"],
                    start_date=dt.date.fromisoformat(ph["start"]), end_date=dt.date.fromisoformat(ph["end"]),
                    transition=ph["transition"]))
        units = ([dict(name=f"牵头部门{i + 1}", kind="牵头部门") for i in range(n_lead)]
                 + [dict(name=f"参与单位{i + 1}", kind="参与单位") for i in range(n_member)]
                 + [dict(name="合成县创卫办", kind="创卫办")])
        c.execute(insert(Unit), [dict(campaign_id=cid, aliases=[], contacts=[], notify=[], **u) for u in units])
        c.execute(insert(Leader), [dict(campaign_id=cid, name=f"县级领导{i + 1}", aliases=[], notify=[])
                                   for i in range(n_leaders)])
        unit_ids = {n: i for i, n in c.execute(select(Unit.id, Unit.name).where(Unit.campaign_id == cid)).all()}
        lead_ids = [unit_ids[f"牵头部门{i + 1}"] for i in range(n_lead)]
        member_ids = [unit_ids[f"参与单位{i + 1}"] for i in range(n_member)]
        leader_ids = list(c.execute(select(Leader.id).where(Leader.campaign_id == cid).order_by(Leader.id)).scalars())
        c.execute(insert(TaskTemplate), [dict(campaign_id=cid, code=t["code"], phase_name=t["phase"],
                                              category=t["category"], title=t["title"], description="",
                                              scope=t["scope"], recurrence=t["recurrence"], milestones=t["milestones"],
                                              deadline_rule=t["deadline"]["rule"], deadline_days=t["deadline"]["days"])
                                         for t in spec["task_templates"]])
        streets = sorted({s["street"] for s in segs})
        c.execute(insert(Street), [dict(campaign_id=cid, name=n) for n in streets])
        street_ids = dict(c.execute(select(Street.name, Street.id).where(Street.campaign_id == cid)).all())

        def seg_row(d: dict, kind: str, street_id: int | None, parent_id: int | None) -> dict:
            xs, ys = [p[0] for p in d["coords"]], [p[1] for p in d["coords"]]
            return dict(campaign_id=cid, code=d["code"], name=d["name"], kind=kind, street_id=street_id,
                        parent_id=parent_id, geometry={"type": "LineString", "coordinates": d["coords"]},
                        source_datum="wgs84", min_lon=min(xs), min_lat=min(ys), max_lon=max(xs), max_lat=max(ys))

        c.execute(insert(Segment), [seg_row(s, "路段", street_ids[s["street"]], None) for s in segs])
        seg_ids = dict(c.execute(select(Segment.code, Segment.id).where(Segment.campaign_id == cid)).all())
        c.execute(insert(Segment), [seg_row(a, "巷道", None, seg_ids[a["parent"]]) for a in alleys])
        c.execute(insert(Assignment), [dict(campaign_id=cid, segment_id=seg_ids[s["code"]],
                                            leader_id=leader_ids[i % len(leader_ids)],
                                            lead_unit_id=lead_ids[i % len(lead_ids)], valid_from=now)
                                       for i, s in enumerate(segs)])
        assignment_ids = list(c.execute(select(Assignment.id).where(Assignment.campaign_id == cid)
                                        .order_by(Assignment.id)).scalars())
        members = []
        for aid in assignment_ids:
            for u in rng.sample(member_ids, k=min(3, len(member_ids))):
                members.append(dict(assignment_id=aid, unit_id=u))
        c.execute(insert(AssignmentMember), members)
    engine.dispose()
    return City(cid, code, len(segs), len(alleys), len(units), len(leader_ids))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--segments", type=int, default=5000)
    p.add_argument("--url", required=True)
    p.add_argument("--code", default="synthetic")
    a = p.parse_args()
    print(load(a.url, a.segments, code=a.code))


if __name__ == "__main__":
    main()
