"""Chinese map datums: WGS-84 ⇄ GCJ-02 (高德/腾讯) ⇄ BD-09 (百度), vectorised with NumPy.

GCJ-02 is WGS-84 plus the public reverse-engineered offset series (Krasovsky 1940 ellipsoid),
applied only inside a crude China bounding box; BD-09 is GCJ-02 plus a small polar
perturbation. Neither has an EPSG code, so never ask pyproj for them: convert coordinates
here and keep the CRS label EPSG:4326 while the true datum is tracked as metadata.

Every function takes and returns (lon, lat) in degrees, as scalars or arrays of any shape
(scalars in, floats out). Points outside the box are returned unchanged. The inverses have
no closed form and are solved by fixed-point iteration to below 1e-10 degrees (about 10 µm).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeAlias

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

_A = 6378245.0  # Krasovsky 1940 semi-major axis (m), GCJ-02's ellipsoid
_EE = 0.00669342162296594323  # Krasovsky 1940 first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0  # BD-09 perturbation constant
_BD_DLON, _BD_DLAT = 0.0065, 0.006

_TOL_DEG = 1e-10
_MAX_ITER = 30  # the offsets' Jacobian is ~1e-5, so the iteration converges in 3–5 steps

Coords: TypeAlias = tuple[NDArray[np.float64] | float, NDArray[np.float64] | float]


class Datum(StrEnum):
    """The geodetic datum a set of coordinates is really in (the CRS label is EPSG:4326)."""

    WGS84 = "wgs84"  # GPS, OpenStreetMap, 天地图 (CGCS2000 agrees to the cm level)
    GCJ02 = "gcj02"  # 国测局 "火星坐标": 高德/AMap, 腾讯地图
    BD09 = "bd09"  # 百度地图


def in_china_bbox(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """True where (lon, lat) is inside the box where GCJ-02 offsets apply."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _gcj_offset(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """GCJ-02 minus WGS-84 in degrees at the WGS-84 point (lon, lat)."""
    x, y = lon - 105.0, lat - 35.0

    def s(v: NDArray) -> NDArray:
        return np.sin(v * np.pi)

    common = (20.0 * s(6.0 * x) + 20.0 * s(2.0 * x)) * 2.0 / 3.0
    dlat_m = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + common
        + (20.0 * s(y) + 40.0 * s(y / 3.0)) * 2.0 / 3.0
        + (160.0 * s(y / 12.0) + 320.0 * s(y / 30.0)) * 2.0 / 3.0
    )
    dlon_m = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + common
        + (20.0 * s(x) + 40.0 * s(x / 3.0)) * 2.0 / 3.0
        + (150.0 * s(x / 12.0) + 300.0 * s(x / 30.0)) * 2.0 / 3.0
    )
    rad = np.radians(lat)
    m = 1.0 - _EE * np.sin(rad) ** 2
    dlon = dlon_m * 180.0 / (_A / np.sqrt(m) * np.cos(rad) * np.pi)
    dlat = dlat_m * 180.0 / (_A * (1.0 - _EE) / (m * np.sqrt(m)) * np.pi)
    return dlon, dlat


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lon, lat = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return lon, lat


def _out(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Coords:
    if lon.ndim == 0:
        return float(lon), float(lat)
    return lon, lat


def _wgs_to_gcj(lon: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    dlon, dlat = _gcj_offset(lon, lat)
    inside = in_china_bbox(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def _gcj_to_bd(lon: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    inside = in_china_bbox(lon, lat)
    bd_lon = z * np.cos(theta) + _BD_DLON
    bd_lat = z * np.sin(theta) + _BD_DLAT
    return np.where(inside, bd_lon, lon), np.where(inside, bd_lat, lat)


def _bd_to_gcj_approx(lon: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    x, y = lon - _BD_DLON, lat - _BD_DLAT
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(
    forward: Callable[[NDArray, NDArray], tuple[NDArray, NDArray]],
    lon: NDArray,
    lat: NDArray,
    start: tuple[NDArray, NDArray],
) -> tuple[NDArray, NDArray]:
    """Solve forward(w) == (lon, lat) for w by the fixed point w <- w - (forward(w) - target).

    Points outside the China box are returned unchanged (the forward map is the identity
    there). NaN inputs stay NaN and do not hold up convergence.
    """
    w_lon, w_lat = start[0].copy(), start[1].copy()
    for _ in range(_MAX_ITER):
        f_lon, f_lat = forward(w_lon, w_lat)
        e_lon, e_lat = f_lon - lon, f_lat - lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        if not np.any((np.abs(e_lon) >= _TOL_DEG) | (np.abs(e_lat) >= _TOL_DEG)):
            break
    outside = ~in_china_bbox(lon, lat)
    return np.where(outside, lon, w_lon), np.where(outside, lat, w_lat)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """WGS-84 → GCJ-02 (高德/腾讯)."""
    return _out(*_wgs_to_gcj(*_as_arrays(lon, lat)))


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """GCJ-02 → WGS-84, iterated until the forward image is within 1e-10° of the input."""
    lon, lat = _as_arrays(lon, lat)
    return _out(*_invert(_wgs_to_gcj, lon, lat, (lon, lat)))


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """GCJ-02 → BD-09 (百度)."""
    return _out(*_gcj_to_bd(*_as_arrays(lon, lat)))


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """BD-09 → GCJ-02: the usual closed-form approximation, refined by iteration."""
    lon, lat = _as_arrays(lon, lat)
    return _out(*_invert(_gcj_to_bd, lon, lat, _bd_to_gcj_approx(lon, lat)))


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """WGS-84 → BD-09 (via GCJ-02)."""
    return _out(*_gcj_to_bd(*_wgs_to_gcj(*_as_arrays(lon, lat))))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """BD-09 → WGS-84 (via GCJ-02)."""
    lon, lat = _as_arrays(lon, lat)
    g_lon, g_lat = _invert(_gcj_to_bd, lon, lat, _bd_to_gcj_approx(lon, lat))
    return _out(*_invert(_wgs_to_gcj, g_lon, g_lat, (g_lon, g_lat)))


_TO_WGS84 = {Datum.GCJ02: gcj02_to_wgs84, Datum.BD09: bd09_to_wgs84}
_FROM_WGS84 = {Datum.GCJ02: wgs84_to_gcj02, Datum.BD09: wgs84_to_bd09}


def _transform_xy(geometry, fn: Callable[[ArrayLike, ArrayLike], Coords]):
    def apply(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        out = coords.copy()
        out[:, 0], out[:, 1] = fn(coords[:, 0], coords[:, 1])
        return out  # a z column, if any, is passed through untouched

    # include_z=None keeps each geometry's own dimensionality: 2D stays 2D, 3D keeps its z.
    return shapely.transform(geometry, apply, include_z=None)


def to_wgs84(geometry, datum: Datum | str):
    """Return `geometry` (or an array of geometries) in `datum` converted to WGS-84.

    Vertex count and order are unchanged and z values are kept as they are. Raises
    ValueError for an unknown datum name.
    """
    datum = Datum(datum)
    if datum is Datum.WGS84:
        return geometry
    return _transform_xy(geometry, _TO_WGS84[datum])


def from_wgs84(geometry, datum: Datum | str):
    """Return WGS-84 `geometry` (or an array of geometries) converted to `datum`.

    Vertex count and order are unchanged and z values are kept as they are. Raises
    ValueError for an unknown datum name.
    """
    datum = Datum(datum)
    if datum is Datum.WGS84:
        return geometry
    return _transform_xy(geometry, _FROM_WGS84[datum])
