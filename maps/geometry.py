"""Geometry helpers on shapely and pyproj: CRS choice, metric measures, outlines, GeoJSON.

Geometries are stored and exchanged in WGS-84 (EPSG:4326, lon/lat order); anything measured
in metres is computed either on the ellipsoid (pyproj Geod) or in a projected CRS stated by
the caller or chosen here (a UTM zone).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import LineString, MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

WGS84 = CRS.from_epsg(4326)
_GEOD = Geod(ellps="WGS84")


def utm_crs_for(lon: float, lat: float) -> CRS:
    """The WGS-84 / UTM zone CRS (EPSG:326xx north, 327xx south) containing (lon, lat)."""
    if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"not a WGS-84 lon/lat position: ({lon}, {lat})")
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def metric_crs(crs: Any) -> CRS:
    """Parse `crs` (anything pyproj accepts) and check it is projected with axes in metres."""
    crs = CRS.from_user_input(crs)
    if not crs.is_projected or any(a.unit_name != "metre" for a in crs.axis_info[:2]):
        raise ValueError(f"{crs.name} is not a projected CRS in metres")
    return crs


@lru_cache(maxsize=32)
def transformer(src: CRS, dst: CRS) -> Transformer:
    """A cached pyproj Transformer from `src` to `dst` in (x, y) = (lon, lat) order."""
    return Transformer.from_crs(src, dst, always_xy=True)


def _reproject(geometry, src: CRS, dst: CRS):
    tr = transformer(src, dst)

    def apply(coords: np.ndarray) -> np.ndarray:
        out = coords.copy()
        out[:, 0], out[:, 1] = tr.transform(coords[:, 0], coords[:, 1])
        return out

    return shapely.transform(geometry, apply, include_z=None)


def project(geometry, crs: Any):
    """WGS-84 `geometry` (or an array of geometries) → the projected CRS `crs` (metres)."""
    return _reproject(geometry, WGS84, metric_crs(crs))


def unproject(geometry, crs: Any):
    """`geometry` (or an array of geometries) in projected `crs` → WGS-84."""
    return _reproject(geometry, metric_crs(crs), WGS84)


def length_m(line: BaseGeometry) -> float:
    """Geodesic length in metres on the WGS-84 ellipsoid of a WGS-84 (Multi)LineString."""
    return float(_GEOD.geometry_length(line))


def bbox(geom: BaseGeometry | Sequence[BaseGeometry]) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of a geometry or of a sequence of geometries."""
    minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(geom))
    if np.isnan(minx):
        raise ValueError("an empty geometry has no bounding box")
    return minx, miny, maxx, maxy


def outline_of(lines: Sequence[LineString], buffer_m: float = 150.0) -> Polygon:
    """A 示意范围 (schematic extent) around road lines, as one WGS-84 Polygon without holes.

    The lines (WGS-84) are buffered by `buffer_m` metres in the local UTM zone and unioned.
    Parts that stay apart are joined by a morphological closing (grow, then shrink by the
    same distance, doubling it until one part remains); holes are filled and the outline is
    simplified to a tolerance of buffer_m / 10.
    """
    if not lines:
        raise ValueError("outline_of needs at least one line")
    if buffer_m <= 0:
        raise ValueError("buffer_m must be positive")
    minx, miny, maxx, maxy = bbox(lines)
    crs = utm_crs_for((minx + maxx) / 2, (miny + maxy) / 2)
    projected = project(np.asarray(lines, dtype=object), crs)
    area = shapely.union_all(shapely.buffer(projected, buffer_m))
    close_m = buffer_m
    # One doubling past the extent's diagonal makes the closing close to the convex hull,
    # which is connected, so the loop is short; the hull is the last resort.
    for _ in range(32):
        if not isinstance(area, MultiPolygon):
            break
        area = area.buffer(close_m).buffer(-close_m)
        close_m *= 2
    if not isinstance(area, Polygon):
        area = area.convex_hull
    outline = Polygon(area.exterior).simplify(buffer_m / 10, preserve_topology=True)
    return unproject(outline, crs)


def to_geojson_dict(geom: BaseGeometry) -> dict[str, Any]:
    """A GeoJSON geometry object (plain dicts and lists, JSON-serialisable)."""
    return json.loads(shapely.to_geojson(geom))


def from_geojson_dict(d: dict[str, Any]) -> BaseGeometry:
    """The shapely geometry of a GeoJSON geometry object."""
    return shape(d)
