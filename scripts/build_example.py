#!/usr/bin/env python3
"""Build the bundled example campaign ``config/examples/demo_county/`` from real OSM roads.

Input: an OpenStreetMap road extract of 望京/花家地 (朝阳区, 北京) as a GeoJSON FeatureCollection
of LineStrings with the fields ``osm_id``, ``name``, ``highway`` (the shared development file
``beijing_wangjing_roads.geojson``; © OpenStreetMap contributors, ODbL 1.0).

Output (deterministic: the same input gives byte-identical files on every run):

* ``segments.geojson``  10 main streets (主街道) cut into 29 segments (路段) + 57 alleys (巷道)
* ``assignments.xlsx``  the 包联路段 table: segment -> county leader, lead department, participants
* ``campaign.yaml``     the campaign file (stages, phases, units, leaders, calendar)
* ``boundary.geojson``  a 示意范围 outline: all lines buffered 150 m, holes filled, simplified

The county (示范县) is a stand-in for the seed county 潼关县, whose street data is not public.

Usage::

    .venv/bin/python scripts/build_example.py [ROADS_GEOJSON] [--out DIR]

Only the standard library, shapely, pyproj, openpyxl and pyyaml are used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import re
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import openpyxl
import yaml
from example_alleys import choose_alleys
from example_places import DEFAULT_OSM, build_places, write_places
from example_roads import (  # the road-cutting half of this script
    BOUNDARY_BUFFER,
    BOUNDARY_SIMPLIFY,
    DEFAULT_INPUT,
    DEFAULT_OUT,
    FIXED_TIMESTAMP,
    MAX_SEGS_PER_STREET,
    MIN_SEGS_PER_STREET,
    N_ALLEYS,
    N_SEGMENTS,
    N_STREETS,
    POLICY_DIR,
    ROUND,
    SEED,
    Segment,
    Way,
    allocate_segments,
    choose_streets,
    cut_street,
    read_ways,
    rounded_coords,
    to_wgs,
)
from openpyxl.styles import Alignment, Font
from shapely import ops
from shapely.geometry import LineString, Polygon

# --------------------------------------------------------------------------------------------
# units, leaders, assignments
# --------------------------------------------------------------------------------------------

OFFICE_FULL_NAME = "示范县创建国家卫生县城工作领导小组办公室"
# (name, kind, aliases). Seed (2007) names are aliases of today's names; see README.md.
UNITS: list[tuple[str, str, list[str]]] = [
    ("县创卫办", "创卫办", ["创卫办", "县创建国家卫生县城工作领导小组办公室"]),
    # 牵头部门 named in the seed
    ("县人民检察院", "牵头部门", ["县检察院", "检察院"]),
    ("县教育局", "牵头部门", ["教育局"]),
    ("县公安局", "牵头部门", ["公安局"]),
    ("县整顿办", "牵头部门", ["整顿办"]),
    ("县税务局", "牵头部门", ["地税局", "县地税局", "国税局", "县国税局"]),
    ("县水务局", "牵头部门", ["水务局", "水利局", "县水利局"]),
    ("县农业农村局", "牵头部门", ["农牧局", "县农牧局"]),
    ("县供电公司", "牵头部门", ["电力局", "县电力局", "供电局"]),
    # 参与单位 named in the seed, and a few other county departments
    ("县公安局交通警察大队", "参与单位", ["交警大队", "县交警大队", "公安局交警大队"]),
    ("县文化和旅游广电局", "参与单位", ["广电局", "县广电局", "文旅局"]),
    ("县电信公司", "参与单位", ["电信局", "县电信局"]),
    ("县投资促进局", "参与单位", ["招商局", "县招商局"]),
    ("县二轻总公司", "参与单位", ["二轻总公司"]),
    ("县人民政府办公室", "参与单位", ["政府办", "县政府办"]),
    ("县民政局", "参与单位", ["民政局"]),
    ("县财政局", "参与单位", ["财政局"]),
    ("县司法局", "参与单位", ["司法局"]),
    ("县人力资源和社会保障局", "参与单位", ["人社局", "县人社局", "劳动局"]),
    # 职能部门
    ("县城市管理局", "职能部门", ["市容环卫局", "县市容环卫局", "环卫局", "县环卫局", "城管局"]),
    ("县住房和城乡建设局", "职能部门", ["城建局", "县城建局", "住建局"]),
    ("县市场监督管理局", "职能部门", ["工商局", "县工商局", "市场监管局"]),
    ("县生态环境分局", "职能部门", ["环保局", "县环保局", "生态环境局"]),
    ("县卫生健康局", "职能部门", ["卫生局", "县卫生局", "爱卫办", "县爱卫办", "卫健局"]),
    ("县发展和改革局", "职能部门", ["经发局", "县经发局", "发改局"]),
    ("县自然资源局", "职能部门", ["矿管局", "县矿管局", "国土局"]),
    # 乡镇/街道
    ("城关街道", "乡镇/街道", ["城关镇"]),
    ("太要镇", "乡镇/街道", []),
]

LEAD_DEPARTMENTS = [u for u, k, _ in UNITS if k == "牵头部门"]
PARTICIPANT_POOL = [u for u, k, _ in UNITS if k in ("参与单位", "职能部门")]

CONTACT_NAMES = [
    "周文静", "孙立新", "马海涛", "胡晓燕", "郭志刚", "林建军", "何丽娟", "高云飞", "罗晓梅", "梁国栋",
    "宋玉兰", "郑海波", "谢春华", "韩永强", "唐秀芳", "冯志明", "董建平", "萧红梅", "程立军", "曹小燕",
    "袁海峰", "邓慧敏", "许文涛", "傅春燕", "沈国强", "曾晓丽", "彭志华", "吕建新", "苏桂英", "卢振东",
]

# 金书记 and 何县长 are named in the seed speech; all people here are fictitious.
LEADERS = [
    ("金志远", "县委书记"),
    ("何文斌", "县长"),
    ("王建国", "县委副书记"),
    ("李国华", "常务副县长"),
    ("张晓东", "副县长"),
    ("刘秀英", "副县长"),
    ("陈卫民", "县人大常委会副主任"),
    ("赵丽华", "县政协副主席"),
]


# --------------------------------------------------------------------------------------------
# notification targets: who hears where (target names from example_policy/30_notifications.yaml)
# --------------------------------------------------------------------------------------------

#: by unit kind; 参与单位 and 乡镇/街道 name none and use the default (政务协同平台)
UNIT_NOTIFY = {
    "创卫办": ["创卫办群", "政务协同平台"],
    "牵头部门": ["牵头部门群"],
    "职能部门": ["职能部门邮箱"],
}
LEADER_NOTIFY = ["县领导群"]


def blocks(n_items: int, n_holders: int) -> list[int]:
    """Holder index for each item, contiguous blocks as even as possible (larger first)."""
    base, extra = divmod(n_items, n_holders)
    out: list[int] = []
    for h in range(n_holders):
        out += [h] * (base + (1 if h < extra else 0))
    return out


def assignment_rows(segments: list[Segment]) -> list[list[str]]:
    rng = random.Random(SEED)
    leader_of = blocks(len(segments), len(LEADERS))          # a leader holds neighbouring segments
    deck: list[str] = []  # participants are dealt from shuffled decks: every unit gets a fair share
    rows = []
    for i, seg in enumerate(segments):
        lead = LEAD_DEPARTMENTS[i % len(LEAD_DEPARTMENTS)]    # round robin: 3-4 segments each
        units: list[str] = []
        for _ in range(rng.choice((2, 3, 3, 4))):
            if not deck:
                deck = list(PARTICIPANT_POOL)
                rng.shuffle(deck)
            pick = next((u for u in deck if u != lead and u not in units), None)
            if pick is None:  # the deck's rest is all taken: start a fresh deck
                deck = [u for u in PARTICIPANT_POOL if u != lead and u not in units]
                rng.shuffle(deck)
                pick = deck[0]
            deck.remove(pick)
            units.append(pick)
        units.sort(key=PARTICIPANT_POOL.index)
        rows.append([seg.code, seg.name, LEADERS[leader_of[i]][0], lead, "、".join(units)])
    return rows


# --------------------------------------------------------------------------------------------
# writers
# --------------------------------------------------------------------------------------------

def write_segments(path: Path, segments: list[Segment], alleys: list[Segment]) -> None:
    lines = []
    for s in segments + alleys:
        feat = {
            "type": "Feature",
            "properties": {
                "路段编号": s.code,
                "路段名称": s.name,
                "类型": s.kind,
                "所属街道": s.street if s.kind == "路段" else None,
                "上级路段": s.parent,
            },
            "geometry": {"type": "LineString", "coordinates": rounded_coords(to_wgs(s.geom))},
        }
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n",
                    encoding="utf-8")


def boundary_polygon(lines: list[LineString]) -> Polygon:
    shape_ = ops.unary_union([ln.buffer(BOUNDARY_BUFFER) for ln in lines])
    if not isinstance(shape_, Polygon):  # should not happen: alleys lie within 150 m of segments
        shape_ = shape_.buffer(BOUNDARY_BUFFER).buffer(-BOUNDARY_BUFFER)
    if not isinstance(shape_, Polygon):
        shape_ = shape_.convex_hull
    filled = Polygon(shape_.exterior)
    return filled.simplify(BOUNDARY_SIMPLIFY, preserve_topology=True)


def write_boundary(path: Path, poly: Polygon) -> None:
    ring = [list(map(float, c)) for c in to_wgs(poly).exterior.coords]
    coords = []
    for x, y in ring:
        p = [round(x, ROUND), round(y, ROUND)]
        if not coords or coords[-1] != p:
            coords.append(p)
    if coords[0] != coords[-1]:
        coords.append(coords[0])
    # GeoJSON (RFC 7946): exterior rings counter-clockwise
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(coords, coords[1:], strict=False))
    if area2 < 0:
        coords = coords[::-1]
    feat = {
        "type": "Feature",
        "properties": {"name": "示范县示意范围", "label": "示意范围"},
        "geometry": {"type": "Polygon", "coordinates": [coords]},
    }
    path.write_text('{"type":"FeatureCollection","features":[\n'
                    + json.dumps(feat, ensure_ascii=False, separators=(",", ":")) + "\n]}\n",
                    encoding="utf-8")


def write_assignments(path: Path, rows: list[list[str]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "包联路段"
    header = ["路段编号", "路段名称", "包段县级领导", "牵头部门", "参与单位"]
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="center")
    for r in rows:
        ws.append(r)
    for col, width in zip("ABCDE", (10, 40, 14, 18, 60), strict=False):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = "scripts/build_example.py"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    buf = io.BytesIO()
    wb.save(buf)
    # openpyxl stamps "now" into docProps/core.xml and the zip entries: pin both
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, data)
    path.write_bytes(out.getvalue())


def campaign_data(used_units: set[str]) -> dict:
    units = []
    for i, (name, kind, aliases) in enumerate(UNITS):
        role = "主任" if kind == "创卫办" else "联络员"
        u: dict = {"name": name, "kind": kind}
        if kind == "创卫办":  # the byline of the 创卫简报 and the 督查通报
            u["full_name"] = OFFICE_FULL_NAME
        if aliases:
            u["aliases"] = aliases
        u["contacts"] = [{"name": CONTACT_NAMES[i], "phone": f"1380000{1001 + i:04d}", "role": role}]
        if kind in UNIT_NOTIFY:
            u["notify"] = UNIT_NOTIFY[kind]
        units.append(u)
    missing = used_units - {u for u, _, _ in UNITS}
    if missing:
        raise SystemExit(f"units used in assignments but not listed: {sorted(missing)}")
    return {
        "campaign": {
            "code": "demo-county",
            "name": "示范县创建国家卫生县城",
            "county": "示范县",
            "timezone": "Asia/Shanghai",
            "boundary": {"file": "boundary.geojson", "datum": "wgs84", "label": "示意范围"},
        },
        "stages": [
            {"name": "筹备组织、宣传动员", "start": dt.date(2024, 12, 1), "end": dt.date(2024, 12, 31)},
            {
                "name": "综合整治、硬件达标",
                "start": dt.date(2025, 1, 1),
                "end": dt.date(2026, 6, 30),
                "phases": [
                    {"name": "起步", "start": dt.date(2025, 1, 1), "end": dt.date(2025, 4, 30), "transition": "auto"},
                    {"name": "加速", "start": dt.date(2025, 5, 1), "end": dt.date(2025, 10, 31), "transition": "auto"},
                    {"name": "攻坚", "start": dt.date(2025, 11, 1), "end": dt.date(2026, 3, 31), "transition": "auto"},
                    {"name": "冲刺", "start": dt.date(2026, 4, 1), "end": dt.date(2026, 6, 30), "transition": "auto"},
                ],
            },
        ],
        "units": units,
        "leaders": [{"name": n, "title": t, "phone": f"1380000{i:04d}", "notify": LEADER_NOTIFY}
                    for i, (n, t) in enumerate(LEADERS, 1)],
        "segments": {"file": "segments.geojson", "datum": "wgs84"},
        "assignments": {"file": "assignments.xlsx"},
        "places": {"file": "places.geojson", "datum": "wgs84"},
        "calendar": {
            "office_hours": [["08:30", "12:00"], ["14:30", "18:00"]],
            "close_of_business": "18:00",
            "overrides": [],
        },
    }


def _scalar(v) -> str:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        plain = yaml.safe_dump(v, allow_unicode=True, default_style=None).strip()
        if plain.endswith("\n..."):
            plain = plain[:-4].strip()
        # quote anything that is not a plain, unambiguous Chinese/ASCII word
        if plain != v or re.fullmatch(r"[0-9:.\-+ ]+", v) or not v:
            return json.dumps(v, ensure_ascii=False)
        return v
    return yaml.safe_dump(v, default_flow_style=True).strip().removesuffix("\n...").strip()


def _flow(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return _scalar(v)


def campaign_yaml(data: dict) -> str:
    c = data["campaign"]
    out = [
        "# 示范县创建国家卫生县城: the bundled example campaign.",
        "# Generated by scripts/build_example.py; do not edit by hand (see README.md).",
        "# People, phone numbers and the county are fictitious. Roads: © OpenStreetMap contributors (ODbL).",
        "campaign:",
    ]
    for k in ("code", "name", "county", "timezone"):
        out.append(f"  {k}: {_scalar(c[k])}")
    out.append(f"  boundary: {_flow(c['boundary'])}")
    out.append("stages:")
    for st in data["stages"]:
        out.append(f"  - name: {_scalar(st['name'])}")
        out.append(f"    start: {_scalar(st['start'])}")
        out.append(f"    end: {_scalar(st['end'])}")
        if "phases" in st:
            out.append("    phases:")
            for ph in st["phases"]:
                out.append(f"      - {_flow(ph)}")
    out.append("units:")
    for u in data["units"]:
        out.append(f"  - {_flow(u)}")
    out.append("leaders:")
    for ld in data["leaders"]:
        out.append(f"  - {_flow(ld)}")
    out.append(f"segments: {_flow(data['segments'])}")
    out.append(f"assignments: {_flow(data['assignments'])}")
    out.append(f"places: {_flow(data['places'])}")
    cal = data["calendar"]
    out.append("calendar:")
    for k in ("office_hours", "close_of_business", "overrides"):
        out.append(f"  {k}: {_flow(cal[k])}")
    text = "\n".join(out) + "\n"
    if yaml.safe_load(text) != data:
        raise AssertionError("campaign.yaml does not round-trip")
    # the hand-written policy (task templates, ladders, notification targets) follows the data
    return text + "".join(p.read_text(encoding="utf-8") for p in sorted(POLICY_DIR.glob("*.yaml")))


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------

def build(src: Path, out_dir: Path) -> dict:
    ways = read_ways(src)
    streets = choose_streets(ways)
    allocate_segments(streets)

    named: dict[str, list[Way]] = defaultdict(list)
    for w in ways:
        if w.name:
            named[w.name].append(w)
    chosen = {s.name for s in streets}
    total_len = {n: sum(w.length for w in ws) for n, ws in named.items()}
    # junction naming preference: chosen main streets, then longer roads
    rank = {n: (n not in chosen, -round(total_len[n], 1), n) for n in named}

    segments: list[Segment] = []
    for s in streets:
        segments += cut_street(s, named, rank)
    for i, seg in enumerate(segments, start=1):
        seg.code = f"LD-{i:02d}"
    alleys = choose_alleys(ways, streets, segments)

    # checks
    assert len(streets) == N_STREETS
    assert len(segments) == N_SEGMENTS, len(segments)
    assert len(alleys) == N_ALLEYS, len(alleys)
    assert all(MIN_SEGS_PER_STREET <= s.n_segments <= MAX_SEGS_PER_STREET for s in streets)
    assert len({s.name for s in segments}) == N_SEGMENTS, "duplicate segment names"
    assert len({a.name for a in alleys}) == N_ALLEYS, "duplicate alley names"
    codes = {s.code for s in segments}
    assert all(a.parent in codes for a in alleys)

    out_dir.mkdir(parents=True, exist_ok=True)
    write_segments(out_dir / "segments.geojson", segments, alleys)
    write_boundary(out_dir / "boundary.geojson", boundary_polygon([s.geom for s in segments + alleys]))
    rows = assignment_rows(segments)
    write_assignments(out_dir / "assignments.xlsx", rows)
    osm = src.parent / DEFAULT_OSM.name  # the OSM export the roads came from (points to inspect)
    osm = osm if osm.is_file() else DEFAULT_OSM
    write_places(out_dir / "places.geojson", build_places(osm, out_dir / "segments.geojson"))
    used = {r[3] for r in rows} | {u for r in rows for u in r[4].split("、")}
    (out_dir / "campaign.yaml").write_text(campaign_yaml(campaign_data(used)), encoding="utf-8")
    return {
        "streets": [(s.name, s.n_segments, round(s.length)) for s in streets],
        "segments": len(segments),
        "alleys": len(alleys),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("roads", nargs="?", type=Path, default=DEFAULT_INPUT,
                    help=f"OSM roads GeoJSON (default: {DEFAULT_INPUT})")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    args = ap.parse_args(argv)
    if not args.roads.exists():
        ap.error(f"input not found: {args.roads}")
    summary = build(args.roads, args.out)
    for name, n, length in summary["streets"]:
        print(f"{name}\t{n} 路段\t{length} m")
    print(f"{len(summary['streets'])} 主街道, {summary['segments']} 路段, {summary['alleys']} 巷道 -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
