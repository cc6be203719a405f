"""Route points (findings, complaints, ticks) to the nearest road segment, in metres.

Segments arrive as (id, WGS-84 LineString). They are projected once to a metric CRS (the
UTM zone of the data's centre unless one is given) and indexed in a shapely STRtree; points
are projected the same way, so every distance and buffer here is in metres of that CRS
(UTM scale error is below 0.1%, i.e. under 6 cm on a 60 m buffer).

Ties are broken deterministically: the smallest distance wins, then the smallest id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Geod
from shapely.geometry import LineString

from maps.geometry import WGS84, bbox, metric_crs, project, transformer, utm_crs_for

_GEOD = Geod(ellps="WGS84")


class SegmentIndex:
    """Nearest-segment lookup over road segments, measured in a projected CRS.

    Parameters
    ----------
    records
        (segment id, WGS-84 LineString) pairs. An id may appear more than once (a segment
        drawn as several lines); it is then routed to through its nearest line.
    crs
        Projected CRS in metres to measure in (anything pyproj accepts, e.g. "EPSG:4548").
        Default: the UTM zone of the centre of the records' bounding box.
    """

    def __init__(self, records: Sequence[tuple[int, LineString]], crs: Any = None):
        self.ids: NDArray[np.int64] = np.array([int(i) for i, _ in records], dtype=np.int64)
        lines = np.array([line for _, line in records], dtype=object)
        if crs is None:
            if not len(lines):
                raise ValueError("an empty SegmentIndex needs an explicit crs")
            minx, miny, maxx, maxy = bbox(lines)
            crs = utm_crs_for((minx + maxx) / 2, (miny + maxy) / 2)
        self.crs: CRS = metric_crs(crs)
        self._lines = project(lines, self.crs) if len(lines) else lines
        self._tree = shapely.STRtree(self._lines)
        self._to_metric = transformer(WGS84, self.crs)

    def __len__(self) -> int:
        return len(self.ids)

    def _points(self, lons: ArrayLike, lats: ArrayLike) -> NDArray[np.object_]:
        x, y = self._to_metric.transform(
            np.asarray(lons, dtype=float).ravel(), np.asarray(lats, dtype=float).ravel()
        )
        return shapely.points(x, y)

    def route(
        self, lon: float, lat: float, buffer_m: float = 60.0
    ) -> tuple[int | None, float | None]:
        """(segment id, distance in metres) of the nearest segment within `buffer_m`.

        (None, None) when no segment is within `buffer_m` (inclusive) of the point.
        """
        _check_buffer(buffer_m)
        if not (np.isfinite(lon) and np.isfinite(lat)):
            return None, None
        point = self._points(lon, lat)[0]
        x, y = point.x, point.y
        box = shapely.box(x - buffer_m, y - buffer_m, x + buffer_m, y + buffer_m)
        candidates = self._tree.query(box)
        distances = shapely.distance(self._lines[candidates], point)
        keep = distances <= buffer_m
        candidates, distances = candidates[keep], distances[keep]
        if not len(candidates):
            return None, None
        best = np.lexsort((self.ids[candidates], distances))[0]
        return int(self.ids[candidates[best]]), float(distances[best])

    def route_many(
        self, lons: ArrayLike, lats: ArrayLike, buffer_m: float = 60.0
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Vectorised `route` over 1-D arrays of lon and lat.

        Returns (ids, distances_m): id -1 and distance NaN where no segment is within
        `buffer_m` (inclusive) or the position is not finite.
        """
        _check_buffer(buffer_m)
        lons, lats = np.asarray(lons, dtype=float).ravel(), np.asarray(lats, dtype=float).ravel()
        if lons.shape != lats.shape:
            raise ValueError("lons and lats must have the same length")
        ids = np.full(len(lons), -1, dtype=np.int64)
        dist = np.full(len(lons), np.nan)
        finite = np.flatnonzero(np.isfinite(lons) & np.isfinite(lats))
        if not len(finite) or not len(self):
            return ids, dist
        (point_i, line_i), d = self._tree.query_nearest(
            self._points(lons[finite], lats[finite]),
            max_distance=buffer_m,
            return_distance=True,
            all_matches=True,  # every equidistant line, so ties go to the smallest id
        )
        seg = self.ids[line_i]
        order = np.lexsort((seg, d, point_i))
        point_i, seg, d = point_i[order], seg[order], d[order]
        first = np.ones(len(point_i), dtype=bool)
        first[1:] = point_i[1:] != point_i[:-1]
        target = finite[point_i[first]]
        ids[target], dist[target] = seg[first], d[first]
        return ids, dist


def _check_buffer(buffer_m: float) -> None:
    if not (np.isfinite(buffer_m) and buffer_m > 0):
        raise ValueError(f"buffer_m must be a positive number of metres, not {buffer_m!r}")


def nearby(
    points: Sequence[tuple[int, float, float]], lon: float, lat: float, radius_m: float
) -> list[tuple[int, float]]:
    """(id, geodesic distance in metres) of the points within `radius_m` of (lon, lat).

    `points` are (id, lon, lat) in WGS-84; the radius is inclusive; the result is sorted by
    distance, then id. Used to spot duplicate findings (e.g. within 50 m of each other).
    """
    if not points:
        return []
    ids = np.array([p[0] for p in points], dtype=np.int64)
    p_lon = np.array([p[1] for p in points], dtype=float)
    p_lat = np.array([p[2] for p in points], dtype=float)
    _, _, d = _GEOD.inv(np.full_like(p_lon, lon), np.full_like(p_lat, lat), p_lon, p_lat)
    d = np.asarray(d)
    hit = np.flatnonzero(d <= radius_m)
    hit = hit[np.lexsort((ids[hit], d[hit]))]
    return [(int(ids[i]), float(d[i])) for i in hit]
