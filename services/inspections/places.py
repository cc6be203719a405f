"""``cw import places``: points to inspect (农贸市场, 公厕, 垃圾站 …), each on the segment it routes to.

GeoJSON/GeoPackage/Shapefile points, or .xlsx/.csv rows with 经度/纬度; attributes 名称, 类型,
optional 地址. Same rules as the segment import: a datum option, all rows checked first and
nothing imported while any row is wrong. Keyed by (类型, 名称): a second import updates.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from maps.datum import bd09_to_wgs84, gcj02_to_wgs84
from models import Place
from rules.errors import InvalidInput
from services.campaigns.context import CampaignContext
from services.imports.segments import DATUMS, ImportReport

NAME, KIND, ADDRESS, LON, LAT = "名称", "类型", "地址", "经度", "纬度"
GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")


def to_wgs84_lonlat(lons: object, lats: object, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """Arrays of WGS-84 lon/lat from coordinates in ``datum`` (wgs84, gcj02 or bd09)."""
    if datum not in DATUMS:
        raise InvalidInput(f"不支持的坐标系 {datum}（可选：{'、'.join(DATUMS)}）")
    x: np.ndarray | float
    y: np.ndarray | float
    x, y = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    if datum == "gcj02":
        x, y = gcj02_to_wgs84(x, y)
    elif datum == "bd09":
        x, y = bd09_to_wgs84(x, y)
    return np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(y, dtype=float))


def to_wgs84_point(lon: float, lat: float, datum: str) -> tuple[float, float]:
    """One point in ``datum`` as WGS-84 (lon, lat)."""
    x, y = to_wgs84_lonlat([lon], [lat], datum)
    return float(x[0]), float(y[0])


@dataclass(frozen=True)
class _Row:
    number: int
    name: str
    kind: str
    address: str | None
    lon: float
    lat: float


def _number(text: object) -> float | None:
    try:
        v = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _text(v: object) -> str | None:
    return None if v is None or str(v).strip() == "" else str(v).strip()


def _raw_rows(path: Path, layer: str | None, sheet: str | None) -> tuple[str, list[tuple[int, dict[str, Any], Any]]]:
    """(what a row is called, [(number, attributes, point or (lon text, lat text))]).

    The third item is Any: a shapely point (shapely ships no types) or a tuple of two cell texts.
    """
    if path.suffix.lower() in GEO_SUFFIXES:
        from services.imports.geofiles import read_features

        return "个要素", [(f.number, f.properties, f.geometry) for f in read_features(path, layer)]
    from services.imports.tables import read_table

    return "行", [(r.number, r.values, (r.values.get(LON), r.values.get(LAT)))
                  for r in read_table(path, [NAME, KIND, LON, LAT], sheet)]


def _validate(path: Path, layer: str | None, sheet: str | None) -> list[_Row]:
    label, raw = _raw_rows(path, layer, sheet)
    errors: list[str] = []
    rows: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    if raw and path.suffix.lower() in GEO_SUFFIXES and not any(NAME in p for _, p, _ in raw):
        raise InvalidInput(f"{path}: 缺少属性字段 {NAME}（需要 {NAME}、{KIND}，可选 {ADDRESS}）")
    for number, props, where_is in raw:
        where = f"{path}: 第{number}{label}"
        name, kind, address = _text(props.get(NAME)), _text(props.get(KIND)), _text(props.get(ADDRESS))
        if not name:
            errors.append(f"{where}: 字段 {NAME}: 不能为空")
        if not kind:
            errors.append(f"{where}: 字段 {KIND}: 不能为空")
        if isinstance(where_is, tuple):
            lon, lat = _number(where_is[0]), _number(where_is[1])
            if lon is None or lat is None:
                errors.append(f"{where}: 字段 {LON}/{LAT}: 应为数字，实际为「{where_is[0]}」「{where_is[1]}」")
                continue
        else:
            g = where_is
            if g is not None and g.geom_type == "MultiPoint" and len(g.geoms) == 1:
                g = g.geoms[0]
            if g is None or g.is_empty or g.geom_type != "Point":
                errors.append(f"{where}: 字段 geometry: 应为点（Point），实际为 {g.geom_type if g is not None else '空'}")
                continue
            lon, lat = g.x, g.y
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            errors.append(f"{where}: 坐标超出经纬度范围（是否为投影坐标？请先转换为经纬度）")
            continue
        if name and kind:
            if (kind, name) in seen:
                errors.append(f"{where}: {KIND}「{kind}」{NAME}「{name}」与第{seen[(kind, name)]}{label}重复")
                continue
            seen[(kind, name)] = number
            rows.append(_Row(number, name, kind, address, lon, lat))
    if errors:
        raise InvalidInput(f"{path}: {len(errors)} 处错误，未导入任何数据：", errors)
    return rows


def import_places(session: Session, *, ctx: CampaignContext, path: Path, now: dt.datetime, datum: str = "wgs84",
                  layer: str | None = None, sheet: str | None = None) -> ImportReport:
    """Create or update the file's places, each routed to its segment; all or nothing."""
    path = Path(path)
    if datum not in DATUMS:
        raise InvalidInput(f"不支持的坐标系 {datum}（可选：{'、'.join(DATUMS)}）")
    rows = _validate(path, layer, sheet)
    report = ImportReport()
    if not rows:
        return report
    lons, lats = to_wgs84_lonlat([r.lon for r in rows], [r.lat for r in rows], datum)
    campaign = ctx.campaign
    buffer_m = ctx.spec.inspections.routing_buffer_m
    routed, dist = ctx.router.route_many(lons, lats, buffer_m)
    known = {(p.kind, p.name): p for p in session.scalars(select(Place).where(Place.campaign_id == campaign.id))}
    sample_types = {s.type for s in ctx.spec.inspections.sampling}
    for k, r in enumerate(rows):
        seg = int(routed[k][0]) if routed[k][0] >= 0 else None
        values = dict(address=r.address, lon=round(float(lons[k]), 7), lat=round(float(lats[k]), 7),
                      source_datum=datum, segment_id=seg, distance_m=None if seg is None else round(float(dist[k]), 2))
        if seg is None:
            report.warnings.append(f"第{r.number}行（{r.name}）: 不在任何路段 {buffer_m:.0f} 米范围内，未归属路段")
        if r.kind not in sample_types:
            report.warnings.append(f"第{r.number}行（{r.name}）: 类型「{r.kind}」未在 inspections.sampling 中配置抽样")
        place = known.get((r.kind, r.name))
        if place is None:
            session.add(Place(campaign_id=campaign.id, name=r.name, kind=r.kind, updated_at=now, **values))
            report.created += 1
        elif any(getattr(place, key) != v for key, v in values.items() if key != "source_datum"):
            for key, v in values.items():
                setattr(place, key, v)
            place.updated_at = now
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    return report
