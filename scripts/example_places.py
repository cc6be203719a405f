"""Places to inspect for the example campaign (``places.geojson``), from the OpenStreetMap export of 望京.

Each OSM node or way (a way by the centroid of its nodes) whose tags say what kind of place it is
becomes a point of one of the types the 暗访 samples. Where OSM has none of a type inside the
example's roads (公厕, 建筑工地), a few points are placed beside real segments and named
"（示意）": they are illustrations, not real places. Output is deterministic (sorted, 7 decimals).

    .venv/bin/python scripts/example_places.py [beijing_wangjing.osm] [--out config/examples/demo_county]

Data © OpenStreetMap contributors, ODbL 1.0.
"""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OSM = ROOT.parent / "shared" / "data" / "beijing_wangjing.osm"
DEFAULT_OUT = ROOT / "config" / "examples" / "demo_county"
#: place type → at most this many (the nearest-named first, then by OSM id)
LIMITS = {"农贸市场": 3, "餐饮店": 12, "垃圾站": 4, "学校": 5, "医院": 2, "社区": 6, "公厕": 4, "建筑工地": 2}
CUISINE = {"restaurant": "餐馆", "fast_food": "快餐店", "cafe": "咖啡馆"}


def kind_of(tags: dict[str, str]) -> str | None:
    """The 暗访 place type of an OSM object, or None."""
    amenity, building, landuse = tags.get("amenity"), tags.get("building"), tags.get("landuse")
    name = tags.get("name", "")
    if amenity == "marketplace" or (("菜" in name or "市场" in name) and building):
        return "农贸市场"
    if amenity in CUISINE:
        return "餐饮店"
    if amenity in ("waste_transfer_station", "waste_disposal"):
        return "垃圾站"
    if amenity in ("school", "kindergarten") or building in ("school", "kindergarten"):
        return "学校"
    if amenity in ("hospital", "clinic"):
        return "医院"
    if amenity == "toilets":
        return "公厕"
    if landuse == "construction" or building == "construction":
        return "建筑工地"
    if landuse == "residential" and name:
        return "社区"
    return None


def _name(kind: str, tags: dict[str, str], osm_id: str, lon: float, lat: float) -> str:
    name = tags.get("name") or tags.get("name:zh") or ""
    if kind == "餐饮店" and tags.get("name:en") and not name:
        name = tags["name:en"]
    if name and not name.isdigit() and (kind == "餐饮店" or any("\u4e00" <= ch <= "\u9fff" for ch in name)):
        return name
    if kind == "垃圾站":
        return f"垃圾收集点（OSM {osm_id}）" if tags.get("amenity") == "waste_disposal" else f"垃圾转运站（OSM {osm_id}）"
    label = CUISINE.get(tags.get("amenity", ""), kind)
    return f"{label}（OSM {osm_id}）"


def read_osm(path: Path) -> list[dict]:
    root = ET.parse(path).getroot()
    nodes = {n.get("id"): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}
    found = []
    for el in root:
        if el.tag not in ("node", "way"):
            continue
        tags = {t.get("k"): t.get("v") for t in el.findall("tag")}
        kind = kind_of(tags)
        if kind is None:
            continue
        if el.tag == "node":
            lon, lat = nodes[el.get("id")]
        else:
            pts = [nodes[r.get("ref")] for r in el.findall("nd") if r.get("ref") in nodes]
            if not pts:
                continue
            pts = pts[:-1] if len(pts) > 1 and pts[0] == pts[-1] else pts
            lon, lat = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
        osm = f"{el.tag}/{el.get('id')}"
        found.append({"类型": kind, "名称": _name(kind, tags, el.get("id"), lon, lat), "来源": f"OSM {osm}",
                      "lon": round(lon, 7), "lat": round(lat, 7)})
    return found


def illustrative(segments: Path, kind: str, n: int, taken: set[str]) -> list[dict]:
    """``n`` points of ``kind`` at the midpoints of spread-out real segments, marked （示意）."""
    feats = [f for f in json.loads(segments.read_text(encoding="utf-8"))["features"]
             if f["properties"].get("类型") == "路段"]
    step = max(1, len(feats) // max(n, 1))
    shift = sum(map(ord, kind)) % step  # each type beside other segments
    out = []
    for k, f in enumerate(feats[shift:: step][:n], start=1):
        coords = f["geometry"]["coordinates"]
        lon, lat = coords[len(coords) // 2]
        name = f"{f['properties']['路段名称'].split('（')[0]}{kind}{k}（示意）"
        if name in taken:
            continue
        out.append({"类型": kind, "名称": name, "来源": "示意", "lon": round(lon, 7), "lat": round(lat + 0.0002, 7)})
    return out


def build_places(osm: Path, segments: Path) -> list[dict]:
    places = read_osm(osm)
    chosen: list[dict] = []
    for kind, limit in LIMITS.items():
        of_kind = sorted((p for p in places if p["类型"] == kind), key=lambda p: ("OSM" in p["名称"], p["来源"]))
        seen: set[str] = set()
        picked = []
        for p in of_kind:
            if p["名称"] in seen:
                continue
            seen.add(p["名称"])
            picked.append(p)
        picked = picked[:limit]
        if not picked:
            picked = illustrative(segments, kind, min(limit, 3), seen)
        chosen += picked
    return chosen


def write_places(path: Path, places: list[dict]) -> None:
    features = [{"type": "Feature",
                 "properties": {"名称": p["名称"], "类型": p["类型"], "来源": p["来源"]},
                 "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]}} for p in places]
    doc = {"type": "FeatureCollection",
           "name": "示范县检查点位（© OpenStreetMap contributors, ODbL 1.0；标注“示意”的为示意点位）",
           "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("osm", nargs="?", type=Path, default=DEFAULT_OSM, help=f"OSM XML export (default: {DEFAULT_OSM})")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"example folder (default: {DEFAULT_OUT})")
    args = ap.parse_args(argv)
    places = build_places(args.osm, args.out / "segments.geojson")
    write_places(args.out / "places.geojson", places)
    counts: dict[str, int] = {}
    for p in places:
        counts[p["类型"]] = counts.get(p["类型"], 0) + 1
    print("、".join(f"{k} {v}" for k, v in counts.items()), f"-> {args.out / 'places.geojson'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
