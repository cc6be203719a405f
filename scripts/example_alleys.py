"""Alleys (巷道) of the example county: unnamed and small ways that hang off a segment."""

from __future__ import annotations

import math
from collections import defaultdict

from example_roads import (
    ALLEY_ALONG_DIST,
    ALLEY_ALONG_SHARE,
    ALLEY_FALLBACK_HIGHWAYS,
    ALLEY_HIGHWAYS,
    ALLEY_MAX_DIST,
    ALLEY_MIN_LEN,
    ALLEY_TOUCH,
    N_ALLEYS,
    Segment,
    Street,
    Way,
    direction_at,
    share_within,
)
from shapely import ops
from shapely.geometry import LineString, Point


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


