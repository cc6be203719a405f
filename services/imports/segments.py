"""``cw import segments``: upsert 路段 and 巷道 keyed by 路段编号, all or nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Campaign, Segment, Street
from models.geo import ALLEY, SEGMENT
from rules.errors import InvalidInput
from services.imports.geofiles import Feature, read_features

CODE, NAME, KIND, STREET, PARENT = "路段编号", "路段名称", "类型", "所属街道", "上级路段"
DATUMS = ("wgs84", "gcj02", "bd09")


@dataclass
class ImportReport:
    """What an import did; ``warnings`` name the row and are shown but do not stop the import."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    created_units: list[str] = field(default_factory=list)
    created_leaders: list[str] = field(default_factory=list)
    created_streets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    number: int
    code: str
    name: str
    kind: str
    street: str | None
    parent: str | None
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float]


def _geometry(feature: Feature, datum: str, where: str, errors: list[str]) -> tuple[dict, tuple] | None:
    from shapely.geometry import LineString, MultiLineString, mapping

    from maps.datum import to_wgs84

    g = feature.geometry
    if feature.problem:
        errors.append(f"{where}: 字段 geometry: {feature.problem}")
        return None
    if g is None or g.is_empty:
        errors.append(f"{where}: 字段 geometry: 缺少线状图形")
        return None
    if isinstance(g, MultiLineString) and len(g.geoms) == 1:
        g = g.geoms[0]
    if not isinstance(g, (LineString, MultiLineString)):
        errors.append(f"{where}: 字段 geometry: 应为线（LineString），实际为 {g.geom_type}")
        return None
    problem = coordinate_problem(g)
    if problem:
        errors.append(f"{where}: 字段 geometry: {problem}")
        return None
    w = to_wgs84(g, datum)
    if coordinate_problem(w):
        errors.append(f"{where}: 字段 geometry: 坐标无法从 {datum} 转换为 WGS-84")
        return None
    mapped = mapping(w)
    geo = {"type": mapped["type"], "coordinates": _lists(mapped["coordinates"])}
    return geo, tuple(float(v) for v in w.bounds)


def coordinate_problem(g: Any) -> str | None:
    """Why a geometry's coordinates cannot be a place on Earth (NaN, infinite, projected), or None.

    Every coordinate is checked: a bounding box skips NaN, so one NaN vertex would pass it and
    then break every map that draws the segment.
    """
    import numpy as np
    import shapely

    xy = shapely.get_coordinates(g)
    if len(xy) < 2 and g.geom_type in ("LineString", "MultiLineString"):
        return "线只有一个点（至少需要两个点）"
    if not np.isfinite(xy).all():
        return "坐标含有非数值（NaN）或无穷大"
    lon, lat = xy[:, 0], xy[:, 1]
    if not ((-180 <= lon) & (lon <= 180) & (-90 <= lat) & (lat <= 90)).all():
        return "坐标超出经纬度范围（是否为投影坐标？请先转换为经纬度）"
    return None


def _lists(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [float(c) for c in coords[:2]]
    return [_lists(c) for c in coords]


def _text(props: dict[str, Any], key: str) -> str | None:
    v = props.get(key)
    return None if v is None or str(v).strip() == "" else str(v).strip()


def _validate(path: Path, features: list[Feature], datum: str, known: dict[str, Segment]) -> list[_Row]:
    errors: list[str] = []
    rows: list[_Row] = []
    first_seen: dict[str, int] = {}
    if features and not any(CODE in f.properties for f in features):
        raise InvalidInput(f"{path}: 缺少属性字段 {CODE}（需要 {CODE}、{NAME}、{KIND}、{STREET}、{PARENT}）")
    for f in features:
        where = f"{path}: 第{f.number}个要素"
        p = f.properties
        code = _text(p, CODE)
        if not code:
            errors.append(f"{where}: 字段 {CODE}: 不能为空")
            continue
        where += f"（{code}）"
        if code in first_seen:
            errors.append(f"{where}: 字段 {CODE}: 与第{first_seen[code]}个要素重复")
            continue
        first_seen[code] = f.number
        name, kind = _text(p, NAME), _text(p, KIND) or SEGMENT
        street, parent = _text(p, STREET), _text(p, PARENT)
        if not name:
            errors.append(f"{where}: 字段 {NAME}: 不能为空")
        if kind not in (SEGMENT, ALLEY):
            errors.append(f"{where}: 字段 {KIND}: 应为「{SEGMENT}」或「{ALLEY}」，实际为「{kind}」")
        if kind == SEGMENT and not street:
            errors.append(f"{where}: 字段 {STREET}: 路段必须填写所属街道")
        if kind == ALLEY and not parent:
            errors.append(f"{where}: 字段 {PARENT}: 巷道必须填写上级路段的路段编号")
        geo = _geometry(f, datum, where, errors)
        if geo and name and kind in (SEGMENT, ALLEY):
            rows.append(_Row(f.number, code, name, kind, street, parent, geo[0], geo[1]))
    in_file = {r.code: r for r in rows}
    for r in rows:
        if r.kind != ALLEY or not r.parent:
            continue
        target = in_file.get(r.parent)
        if target is None and r.parent in first_seen:
            continue  # the parent is in the file with errors of its own, listed above
        target_kind = target.kind if target else (known[r.parent].kind if r.parent in known else None)
        if target_kind is None:
            errors.append(f"{path}: 第{r.number}个要素（{r.code}）: 字段 {PARENT}: 路段编号 {r.parent} 不存在")
        elif target_kind != SEGMENT:
            errors.append(f"{path}: 第{r.number}个要素（{r.code}）: 字段 {PARENT}: {r.parent} 不是路段")
    if errors:
        raise InvalidInput(f"{path}: {len(errors)} 处错误，未导入任何数据：", errors)
    return rows


def import_segments(
    session: Session, *, campaign: Campaign, path: Path, datum: str = "wgs84",
    layer: str | None = None, now: dt.datetime,
) -> ImportReport:
    """Create or update the file's segments and alleys; leave the others alone."""
    if datum not in DATUMS:
        raise InvalidInput(f"不支持的坐标系 {datum}（可选：{'、'.join(DATUMS)}）")
    path = Path(path)
    known = {s.code: s for s in session.scalars(select(Segment).where(Segment.campaign_id == campaign.id))}
    rows = _validate(path, read_features(path, layer), datum, known)
    report = ImportReport()
    streets = {s.name: s for s in session.scalars(select(Street).where(Street.campaign_id == campaign.id))}
    for name in sorted({r.street for r in rows if r.street} - set(streets)):
        streets[name] = Street(campaign_id=campaign.id, name=name)
        session.add(streets[name])
        report.created_streets.append(name)
    session.flush()
    # segments first, so alleys can point at them
    for r in sorted(rows, key=lambda r: (r.kind != SEGMENT, r.number)):
        seg = known.get(r.code)
        if r.kind == SEGMENT:
            assert r.street is not None  # _validate keeps no segment without a street
            street_id: int | None = streets[r.street].id
            parent_id: int | None = None
        else:
            assert r.parent is not None  # _validate keeps no alley without a parent segment
            parent = known[r.parent]
            street_id, parent_id = parent.street_id, parent.id
        values = dict(name=r.name, kind=r.kind, street_id=street_id, parent_id=parent_id,
                      geometry=r.geometry, source_datum=datum, min_lon=r.bbox[0], min_lat=r.bbox[1],
                      max_lon=r.bbox[2], max_lat=r.bbox[3])
        if seg is None:
            seg = Segment(campaign_id=campaign.id, code=r.code, **values)
            session.add(seg)
            known[r.code] = seg
            report.created += 1
        elif any(getattr(seg, k) != v for k, v in values.items() if k != "source_datum"):
            for k, v in values.items():
                setattr(seg, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
        session.flush()
    return report
