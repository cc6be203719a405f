"""Another town's input files, made from the real Wangjing OSM roads in tests/data.

Named roads become 路段 (code T-Lnn), a few unnamed ones 巷道 (T-Xnn) hanging off the nearest
named road; the 包联 table names units and leaders the example campaign does not have.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from shapely.geometry import mapping, shape

from maps.datum import from_wgs84

ROADS = Path(__file__).resolve().parent.parent / "data" / "beijing_wangjing_roads.geojson"
HEADER = ["路段编号", "路段名称", "包段县级领导", "牵头部门", "参与单位"]
LEADERS = ["镇党委书记", "镇长", "副镇长（分管城建）"]
LEADS = ["镇规划建设办", "镇综合执法队", "镇社会事务办"]
MEMBERS = ["镇卫生院、镇中心小学", "镇供电所；镇邮政所", "镇派出所,镇中心小学", "镇卫生院\n镇供电所"]


@dataclass(frozen=True)
class Town:
    truth: Path  # WGS-84 segments
    gcj02: Path
    xlsx: Path
    gbk_csv: Path
    segments: int
    alleys: int
    rows: list[list[str]]


def _features() -> tuple[list[dict], list[dict]]:
    roads = json.loads(ROADS.read_text(encoding="utf-8"))["features"]
    named = [f for f in roads if f["properties"].get("name") and f["geometry"]["type"] == "LineString"]
    named.sort(key=lambda f: f["properties"]["seg_id"])
    unnamed = [f for f in roads if not f["properties"].get("name")
               and f["properties"].get("highway") in ("residential", "service")]
    unnamed.sort(key=lambda f: f["properties"]["seg_id"])
    segs = []
    for i, f in enumerate(named[:12], start=1):
        segs.append({"type": "Feature", "geometry": f["geometry"], "properties": {
            "路段编号": f"T-L{i:02d}", "路段名称": f"{f['properties']['name']}（{i}段）", "类型": "路段",
            "所属街道": f["properties"]["name"], "上级路段": None}})
    lines = [(s["properties"]["路段编号"], shape(s["geometry"])) for s in segs]
    alleys = []
    for j, f in enumerate(unnamed[:6], start=1):
        g = shape(f["geometry"])
        parent = min(lines, key=lambda cl: cl[1].distance(g))[0]
        alleys.append({"type": "Feature", "geometry": f["geometry"], "properties": {
            "路段编号": f"T-X{j:02d}", "路段名称": f"无名巷{j}", "类型": "巷道", "所属街道": None, "上级路段": parent}})
    return segs, alleys


def make_town(folder: Path) -> Town:
    """Write the town's files into ``folder``."""
    segs, alleys = _features()
    feats = segs + alleys
    truth = folder / "town_wgs84.geojson"
    truth.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), encoding="utf-8")
    shifted = [{**f, "geometry": mapping(from_wgs84(shape(f["geometry"]), "gcj02"))} for f in feats]
    gcj = folder / "town_gcj02.geojson"
    gcj.write_text(json.dumps({"type": "FeatureCollection", "features": shifted}, ensure_ascii=False), encoding="utf-8")
    rows = [[s["properties"]["路段编号"], s["properties"]["路段名称"], LEADERS[i % 3], LEADS[i % 3], MEMBERS[i % 4]]
            for i, s in enumerate(segs)]
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    xlsx = folder / "town.xlsx"
    wb.save(xlsx)
    gbk = folder / "town_gbk.csv"
    with gbk.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return Town(truth, gcj, xlsx, gbk, len(segs), len(alleys), rows)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path
