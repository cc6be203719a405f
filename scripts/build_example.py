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
import itertools
import json
import math
import random
import re
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import shapely
import yaml

#: hand-written policy sections (task templates, ladders, targets …), appended in name order
POLICY_DIR = Path(__file__).resolve().parent / "example_policy"
from openpyxl.styles import Alignment, Font
from pyproj import Transformer
from shapely import ops
from shapely.geometry import LineString, MultiLineString, Point, Polygon, shape

REPO = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = Path("/work/shared/data/beijing_wangjing_roads.geojson")
DEFAULT_OUT = REPO / "config" / "examples" / "demo_county"

# The seed speech: "涉及10条主街道、29个路段、57个巷道".
N_STREETS = 10
N_SEGMENTS = 29
N_ALLEYS = 57
MIN_SEGS_PER_STREET, MAX_SEGS_PER_STREET = 2, 4

UTM = "EPSG:32650"  # UTM zone 50N: metric work (Beijing is at 116.47°E)
TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
TO_WGS = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)

STREET_HIGHWAYS = {"trunk", "primary", "secondary", "tertiary", "unclassified", "residential"}
ALLEY_HIGHWAYS = {"residential", "service", "unclassified", "living_street"}
ALLEY_FALLBACK_HIGHWAYS = {"footway", "pedestrian"}  # only if the main pool is too small

DUP_DIST = 45.0          # m: a way this close to an already kept way of the street is a twin carriageway
DUP_SHARE = 0.8          # ... for at least this share of its length
CROSS_BUFFER = 25.0      # m: a named road within this distance of a street crosses it
CROSS_MAX_OVERLAP = 120.0  # m: longer shared stretches are parallel roads, not crossings
CROSS_MIN_ANGLE = 25.0   # degrees: flatter meetings are continuations, not crossings
CLUSTER_DIST = 40.0      # m: crossings closer than this are one junction
END_NAME_DIST = 80.0     # m: a junction this near a street end names that end
MIN_SEG_LEN = 100.0      # m
SYNTHETIC_CUT_PENALTY = 0.6  # cost of an equal-length cut instead of a real junction
ALLEY_MAX_DIST = 150.0   # m: an alley hangs off a segment no farther than this
ALLEY_TOUCH = 15.0       # m: "touches" its segment
ALLEY_MIN_LEN = 40.0     # m
ALLEY_ALONG_DIST = 20.0  # m: an unnamed way this close to a street ...
ALLEY_ALONG_SHARE = 0.5  # ... for this share of its length is a side carriageway, not an alley
BOUNDARY_BUFFER = 150.0  # m
BOUNDARY_SIMPLIFY = 10.0  # m
ROUND = 7                # decimals of WGS-84 degrees (~1 cm)

FIXED_TIMESTAMP = dt.datetime(2024, 12, 1, 8, 30, 0)  # written into the xlsx instead of "now"
SEED = 20061205  # the seed's 12月5日 mobilisation meeting; any constant would do


# --------------------------------------------------------------------------------------------
# geometry helpers
# --------------------------------------------------------------------------------------------

def to_utm(geom):
    return shapely.transform(geom, lambda x, y: TO_UTM.transform(x, y), interleaved=False)


def to_wgs(geom):
    return shapely.transform(geom, lambda x, y: TO_WGS.transform(x, y), interleaved=False)


def rounded_coords(line: LineString) -> list[list[float]]:
    """WGS-84 coordinates rounded to ROUND decimals, consecutive duplicates removed."""
    out: list[list[float]] = []
    for x, y in line.coords:
        p = [round(x, ROUND), round(y, ROUND)]
        if not out or out[-1] != p:
            out.append(p)
    if len(out) < 2:
        raise ValueError("line collapsed to a point after rounding")
    return out


def parts_of(geom) -> list[LineString]:
    if geom.is_empty:
        return []
    if isinstance(geom, LineString):
        return [geom]
    if hasattr(geom, "geoms"):
        out: list[LineString] = []
        for g in geom.geoms:
            out.extend(parts_of(g))
        return out
    return []


def share_within(line: LineString, other, dist: float) -> float:
    if line.length == 0:
        return 1.0
    return line.intersection(other.buffer(dist)).length / line.length


def direction_at(line: LineString, pos: float, half: float = 20.0) -> tuple[float, float]:
    a = line.interpolate(max(0.0, pos - half))
    b = line.interpolate(min(line.length, pos + half))
    dx, dy = b.x - a.x, b.y - a.y
    n = math.hypot(dx, dy) or 1.0
    return dx / n, dy / n


def angle_between(u: tuple[float, float], v: tuple[float, float]) -> float:
    """Unsigned angle between two undirected directions, 0..90 degrees."""
    c = abs(u[0] * v[0] + u[1] * v[1])
    return math.degrees(math.acos(min(1.0, c)))


def endpoint_key(p) -> tuple[float, float]:
    return (round(p[0], 1), round(p[1], 1))


# --------------------------------------------------------------------------------------------
# input
# --------------------------------------------------------------------------------------------

@dataclass
class Way:
    osm_id: str
    name: str | None
    highway: str
    geom: LineString  # UTM

    @property
    def length(self) -> float:
        return self.geom.length


def read_ways(path: Path) -> list[Way]:
    data = json.loads(path.read_text(encoding="utf-8"))
    ways = []
    for f in data["features"]:
        props = f.get("properties") or {}
        geom = shape(f["geometry"])
        for part in parts_of(geom):
            if len(part.coords) < 2:
                continue
            name = props.get("name")
            name = name.strip() if isinstance(name, str) and name.strip() else None
            ways.append(Way(str(props.get("osm_id")), name, str(props.get("highway")), to_utm(part)))
    # stable order independent of the file order
    ways.sort(key=lambda w: (w.name or "", w.osm_id, round(w.geom.coords[0][0], 2), round(w.geom.coords[0][1], 2)))
    return ways


# --------------------------------------------------------------------------------------------
# streets
# --------------------------------------------------------------------------------------------

@dataclass
class Street:
    name: str
    ways: list[Way]                 # all OSM ways with this name
    kept: list[Way]                 # one carriageway
    parts: list[LineString] = field(default_factory=list)  # merged, oriented W->E or S->N
    ew: bool = True                 # True: runs west-east, else south-north
    n_segments: int = 0

    @property
    def length(self) -> float:
        return sum(p.length for p in self.parts)


def representative_ways(ways: list[Way]) -> list[Way]:
    """Drop twin carriageways / parallel side roads: keep the longest way, then every way that
    is not mostly within DUP_DIST of what is already kept."""
    kept: list[Way] = []
    for w in sorted(ways, key=lambda w: (-round(w.length, 3), w.osm_id)):
        if kept:
            union = ops.unary_union([k.geom for k in kept])
            if share_within(w.geom, union, DUP_DIST) >= DUP_SHARE:
                continue
        kept.append(w)
    # a short way dropped next to a junction may be the link between two kept pieces:
    # put back every dropped way that joins pieces (fewer merged parts), never a twin
    dropped = [w for w in sorted(ways, key=lambda w: (-round(w.length, 3), w.osm_id)) if w not in kept]
    for w in dropped:
        before = len(parts_of(ops.linemerge(MultiLineString([k.geom for k in kept]))))
        after = len(parts_of(ops.linemerge(MultiLineString([k.geom for k in kept] + [w.geom]))))
        if after < before:
            kept.append(w)
    return kept


def orient(parts: list[LineString]) -> tuple[list[LineString], bool]:
    xs = [c[0] for p in parts for c in p.coords]
    ys = [c[1] for p in parts for c in p.coords]
    ew = (max(xs) - min(xs)) >= (max(ys) - min(ys))
    axis = 0 if ew else 1
    out = []
    for p in parts:
        if p.coords[-1][axis] < p.coords[0][axis]:
            p = LineString(list(p.coords)[::-1])
        out.append(p)
    out.sort(key=lambda p: (p.centroid.coords[0][axis], p.length))
    return out, ew


def merge_parts(kept: list[Way]) -> list[LineString]:
    merged = ops.linemerge(MultiLineString([w.geom for w in kept]))
    parts = parts_of(merged)
    # close small gaps between parts (a carriageway swap at a junction)
    changed = True
    while changed and len(parts) > 1:
        changed = False
        for i, j in itertools.combinations(range(len(parts)), 2):
            a, b = parts[i], parts[j]
            best = None
            for ra, rb in itertools.product((False, True), repeat=2):
                ca = list(a.coords)[::-1] if ra else list(a.coords)
                cb = list(b.coords)[::-1] if rb else list(b.coords)
                d = Point(ca[-1]).distance(Point(cb[0]))
                if best is None or d < best[0]:
                    best = (d, ca, cb)
            if best[0] <= 30.0:
                joined = LineString(best[1] + best[2][1:] if best[0] == 0 else best[1] + best[2])
                parts = [p for k, p in enumerate(parts) if k not in (i, j)] + [joined]
                changed = True
                break
    return parts


def choose_streets(ways: list[Way]) -> list[Street]:
    by_name: dict[str, list[Way]] = defaultdict(list)
    for w in ways:
        if w.name and w.highway in STREET_HIGHWAYS and re.search(r"[\u4e00-\u9fff]", w.name):
            by_name[w.name].append(w)
    streets = []
    for name, ws in by_name.items():
        kept = representative_ways(ws)
        parts, ew = orient(merge_parts(kept))
        streets.append(Street(name, ws, kept, parts, ew))
    streets.sort(key=lambda s: (-round(s.length, 1), s.name))
    chosen = streets[:N_STREETS]
    if len(chosen) < N_STREETS:
        raise SystemExit(f"only {len(chosen)} named streets in the input, need {N_STREETS}")
    return chosen


def allocate_segments(streets: list[Street]) -> None:
    """2..4 segments per street, proportional to length, summing to N_SEGMENTS."""
    total = sum(s.length for s in streets)
    quota = [N_SEGMENTS * s.length / total for s in streets]
    n = [min(MAX_SEGS_PER_STREET, max(MIN_SEGS_PER_STREET, max(len(s.parts), math.floor(q))))
         for s, q in zip(streets, quota, strict=False)]
    order = sorted(range(len(streets)), key=lambda i: (-(quota[i] - math.floor(quota[i])), i))
    while sum(n) < N_SEGMENTS:
        for i in order:
            if sum(n) < N_SEGMENTS and n[i] < MAX_SEGS_PER_STREET:
                n[i] += 1
    while sum(n) > N_SEGMENTS:
        for i in reversed(order):
            if sum(n) > N_SEGMENTS and n[i] > max(MIN_SEGS_PER_STREET, len(streets[i].parts)):
                n[i] -= 1
    for s, k in zip(streets, n, strict=False):
        s.n_segments = k


# --------------------------------------------------------------------------------------------
# crossings and cuts
# --------------------------------------------------------------------------------------------

@dataclass
class Crossing:
    pos: float
    name: str


def crossings(part: LineString, street: Street, named: dict[str, list[Way]],
              rank: dict[str, tuple]) -> list[Crossing]:
    """Junctions of `part` with other named roads, clustered, best name per junction."""
    raw: list[Crossing] = []
    for name, ws in named.items():
        if name == street.name:
            continue
        other = ops.unary_union([w.geom for w in ws])
        if part.distance(other) > CROSS_BUFFER:
            continue
        for piece in parts_of(part.intersection(other.buffer(CROSS_BUFFER))):
            if piece.length > CROSS_MAX_OVERLAP:
                continue
            a, b = part.project(Point(piece.coords[0])), part.project(Point(piece.coords[-1]))
            pos = (a + b) / 2
            here = part.interpolate(pos)
            near = min(ws, key=lambda w: (w.geom.distance(here), w.osm_id))
            ang = angle_between(direction_at(part, pos), direction_at(near.geom, near.geom.project(here)))
            if ang < CROSS_MIN_ANGLE:
                continue
            raw.append(Crossing(pos, name))
    raw.sort(key=lambda c: (c.pos, c.name))
    clusters: list[list[Crossing]] = []
    for c in raw:
        if clusters and c.pos - clusters[-1][-1].pos <= CLUSTER_DIST:
            clusters[-1].append(c)
        else:
            clusters.append([c])
    out = []
    for cl in clusters:
        best = min(cl, key=lambda c: rank[c.name])
        out.append(Crossing(sum(c.pos for c in cl) / len(cl), best.name))
    return out


def choose_cuts(length: float, cands: list[Crossing], m: int) -> list[tuple[float, str | None]]:
    """m-1 cut positions along a line of `length`: real junctions where they give parts of
    similar length, equal-length cuts (no name) where there are not enough junctions."""
    if m <= 1:
        return []
    usable = [c for c in cands if MIN_SEG_LEN <= c.pos <= length - MIN_SEG_LEN]
    ideal = length / m
    best = None
    for k in range(min(m - 1, len(usable)), -1, -1):
        for combo in itertools.combinations(usable, k):
            cuts = [(c.pos, c.name) for c in combo]
            # fill the missing cuts by halving the longest piece
            while len(cuts) < m - 1:
                edges = [0.0] + sorted(p for p, _ in cuts) + [length]
                i = max(range(len(edges) - 1), key=lambda j: (edges[j + 1] - edges[j], -j))
                cuts.append(((edges[i] + edges[i + 1]) / 2, None))
            cuts.sort(key=lambda c: c[0])
            edges = [0.0] + [p for p, _ in cuts] + [length]
            pieces = [edges[j + 1] - edges[j] for j in range(len(edges) - 1)]
            if min(pieces) < MIN_SEG_LEN:
                continue
            score = sum((p - ideal) ** 2 for p in pieces) / ideal ** 2 + SYNTHETIC_CUT_PENALTY * (m - 1 - k)
            key = (round(score, 6), [round(p, 3) for p, _ in cuts])
            if best is None or key < best[0]:
                best = (key, cuts)
    if best is None:  # too short for MIN_SEG_LEN pieces: plain equal parts
        return [(length * j / m, None) for j in range(1, m)]
    return best[1]


def end_name(cands: list[Crossing], pos: float) -> str | None:
    near = [c for c in cands if abs(c.pos - pos) <= END_NAME_DIST]
    if not near:
        return None
    return min(near, key=lambda c: (abs(c.pos - pos), c.name)).name


POSITIONAL = {
    2: (("西段", "东段"), ("南段", "北段")),
    3: (("西段", "中段", "东段"), ("南段", "中段", "北段")),
    4: (("一段", "二段", "三段", "四段"),) * 2,
}


@dataclass
class Segment:
    code: str
    name: str
    street: str
    geom: LineString  # UTM
    kind: str = "路段"
    parent: str | None = None


def cut_street(street: Street, named: dict[str, list[Way]], rank: dict[str, tuple]) -> list[Segment]:
    # segments per part, proportional to length, at least one each
    k = len(street.parts)
    per_part = [1] * k
    while sum(per_part) < street.n_segments:
        i = max(range(k), key=lambda j: (street.parts[j].length / per_part[j], -j))
        per_part[i] += 1
    pieces: list[tuple[LineString, str | None, str | None]] = []
    for part, m in zip(street.parts, per_part, strict=False):
        cands = crossings(part, street, named, rank)
        cuts = choose_cuts(part.length, cands, m)
        edges = [(0.0, end_name(cands, 0.0))] + cuts + [(part.length, end_name(cands, part.length))]
        for (a, na), (b, nb) in zip(edges, edges[1:], strict=False):
            pieces.append((ops.substring(part, a, b), na, nb))
    n = len(pieces)
    labels = POSITIONAL[n][0 if street.ew else 1]
    segs: list[Segment] = []
    seen: set[str] = set()
    for i, (geom, na, nb) in enumerate(pieces):
        if na and nb and na != nb:
            label = f"{na}至{nb}段"
            if label in seen:
                label = labels[i]
        else:
            label = labels[i]
        seen.add(label)
        segs.append(Segment("", f"{street.name}（{label}）", street.name, geom))
    return segs


# --------------------------------------------------------------------------------------------
# alleys
# --------------------------------------------------------------------------------------------

def side_of(seg: Segment, alley: LineString) -> str:
    """北侧/南侧/东侧/西侧: where the far end of the alley lies relative to its segment."""
    far = max((Point(c) for c in alley.coords), key=lambda p: (round(seg.geom.distance(p), 3), p.x, p.y))
    pos = seg.geom.project(far)
    foot = seg.geom.interpolate(pos)
    dx, dy = far.x - foot.x, far.y - foot.y
    ux, uy = direction_at(seg.geom, pos, 40.0)
    if math.hypot(dx, dy) < 1.0:  # alley lies along the segment: use its middle instead
        mid = alley.interpolate(0.5, normalized=True)
        dx, dy = mid.x - foot.x, mid.y - foot.y
    if abs(ux) >= abs(uy):  # segment runs west-east here
        return "北侧" if dy >= 0 else "南侧"
    return "东侧" if dx >= 0 else "西侧"


def choose_alleys(ways: list[Way], streets: list[Street], segments: list[Segment]) -> list[Segment]:
    street_geoms = ops.unary_union([w.geom for s in streets for w in s.ways])
    named_geoms = ops.unary_union([w.geom for w in ways if w.name])

    def pool(highways: set[str]) -> list[tuple[Way, Segment, float]]:
        out = []
        for w in ways:
            if w.highway not in highways or w.length < ALLEY_MIN_LEN:
                continue
            if w.name and any(w.name == s.name for s in streets):
                continue
            if share_within(w.geom, street_geoms, ALLEY_ALONG_DIST) >= ALLEY_ALONG_SHARE:
                continue  # an unnamed side carriageway of a main street
            if not w.name and share_within(w.geom, named_geoms, ALLEY_ALONG_DIST) >= ALLEY_ALONG_SHARE:
                continue
            mid = w.geom.interpolate(0.5, normalized=True)
            parent = min(segments, key=lambda s: (round(s.geom.distance(w.geom), 1),
                                                  round(s.geom.distance(mid), 1), s.code))
            d = parent.geom.distance(w.geom)
            if d < ALLEY_MAX_DIST:
                out.append((w, parent, d))
        return out

    cands = pool(ALLEY_HIGHWAYS)
    if len(cands) < N_ALLEYS:
        cands += pool(ALLEY_FALLBACK_HIGHWAYS)
    if len(cands) < N_ALLEYS:
        raise SystemExit(f"only {len(cands)} alley candidates, need {N_ALLEYS}")

    # round robin over segments: each segment's best candidates (touching first, then longest)
    by_seg: dict[str, list[tuple[Way, Segment, float]]] = defaultdict(list)
    for c in cands:
        by_seg[c[1].code].append(c)
    for lst in by_seg.values():
        lst.sort(key=lambda c: (c[2] > ALLEY_TOUCH, -round(c[0].length, 1), c[0].osm_id))
    picked: list[tuple[Way, Segment, float]] = []
    depth = 0
    while len(picked) < N_ALLEYS:
        for seg in segments:
            lst = by_seg.get(seg.code, [])
            if depth < len(lst) and len(picked) < N_ALLEYS:
                picked.append(lst[depth])
        depth += 1

    # codes: by parent segment, then position along it; names: parent street + side + number
    seg_index = {s.code: i for i, s in enumerate(segments)}

    def along(c):
        w, seg, _ = c
        return seg.geom.project(w.geom.interpolate(w.geom.project(seg.geom.centroid)))

    picked.sort(key=lambda c: (seg_index[c[1].code], round(along(c), 1), c[0].osm_id))
    counters: dict[tuple[str, str], int] = defaultdict(int)
    alleys = []
    for i, (w, seg, _) in enumerate(picked, start=1):
        side = side_of(seg, w.geom)
        counters[(seg.street, side)] += 1
        name = w.name or f"{seg.street}{side}巷道{counters[(seg.street, side)]}"
        alleys.append(Segment(f"XD-{i:02d}", name, seg.street, w.geom, kind="巷道", parent=seg.code))
    return alleys


# --------------------------------------------------------------------------------------------
# units, leaders, assignments
# --------------------------------------------------------------------------------------------

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
