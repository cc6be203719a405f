"""Streets, segments (路段) and alleys (巷道) of the example county, cut from real OSM roads.

Used by ``build_example.py``; deterministic for the same input.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import shapely

#: hand-written policy sections (task templates, ladders, targets …), appended in name order
POLICY_DIR = Path(__file__).resolve().parent / "example_policy"
from pyproj import Transformer
from shapely import ops
from shapely.geometry import LineString, MultiLineString, Point, shape

REPO = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = REPO / "tests" / "data" / "beijing_wangjing_roads.geojson"  # the repository's copy
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
