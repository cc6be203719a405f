"""WGS-84 ⇄ GCJ-02 ⇄ BD-09 conversions (maps.datum)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape

from maps.datum import (
    Datum,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

DATA = Path(__file__).resolve().parents[1] / "data"
GEOD = Geod(ellps="WGS84")


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


@pytest.fixture(scope="module")
def china_points() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20240601)
    return rng.uniform(73.5, 135.0, 5000), rng.uniform(18.0, 53.5, 5000)


def test_wgs84_to_gcj02_matches_the_published_tiananmen_pair():
    lon, lat = wgs84_to_gcj02(116.3975, 39.9087)
    assert lon == pytest.approx(116.40374, abs=1e-5)
    assert lat == pytest.approx(39.91010, abs=1e-5)


def test_forward_transforms_match_the_coordtransform_reference_values():
    # Reference outputs printed in the README of the widely copied coordTransform code.
    assert wgs84_to_gcj02(116.404, 39.915) == pytest.approx(
        (116.41024449916938, 39.91640428150164), abs=1e-12
    )
    assert gcj02_to_bd09(116.404, 39.915) == pytest.approx(
        (116.41036949371029, 39.92133699351021), abs=1e-12
    )


def test_gcj02_offset_in_beijing_is_about_half_a_kilometre_mostly_east():
    lon, lat = wgs84_to_gcj02(116.3975, 39.9087)
    east = _metres(116.3975, 39.9087, lon, 39.9087)
    north = _metres(116.3975, 39.9087, 116.3975, lat)
    assert 500 < east < 560 and 100 < north < 200


def test_wgs84_gcj02_round_trip_is_within_a_centimetre_across_china(china_points):
    lon, lat = china_points
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert _metres(lon, lat, *back).max() < 0.01


def test_gcj02_to_wgs84_inverts_the_forward_formula_to_1e_10_degrees(china_points):
    g_lon, g_lat = china_points
    f_lon, f_lat = wgs84_to_gcj02(*gcj02_to_wgs84(g_lon, g_lat))
    assert np.abs(f_lon - g_lon).max() < 1e-10
    assert np.abs(f_lat - g_lat).max() < 1e-10


def test_wgs84_bd09_round_trip_is_within_a_centimetre_across_china(china_points):
    lon, lat = china_points
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert _metres(lon, lat, *back).max() < 0.01


def test_gcj02_bd09_round_trip_is_within_a_centimetre_across_china(china_points):
    lon, lat = china_points
    back = bd09_to_gcj02(*gcj02_to_bd09(lon, lat))
    assert _metres(lon, lat, *back).max() < 0.01


def test_wgs84_to_bd09_is_gcj02_then_bd09(china_points):
    lon, lat = china_points
    np.testing.assert_array_equal(wgs84_to_bd09(lon, lat), gcj02_to_bd09(*wgs84_to_gcj02(lon, lat)))


def test_bd09_offset_from_wgs84_is_about_a_kilometre(china_points):
    lon, lat = china_points
    d = _metres(lon, lat, *wgs84_to_bd09(lon, lat))
    assert 500 < d.min() and d.max() < 1600


@pytest.mark.parametrize(
    "fn",
    [wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02, wgs84_to_bd09, bd09_to_wgs84],
)
def test_every_transform_is_the_identity_outside_china(fn):
    # London, New York, Sydney, Cape Town, Honolulu, and a point just west of the box.
    lon = np.array([-0.1276, -74.006, 151.2093, 18.4241, -157.8583, 71.9])
    lat = np.array([51.5072, 40.7128, -33.8688, -33.9249, 21.3069, 40.0])
    out_lon, out_lat = fn(lon, lat)
    np.testing.assert_array_equal(out_lon, lon)
    np.testing.assert_array_equal(out_lat, lat)


def test_a_mixed_array_moves_only_the_points_inside_china():
    lon, lat = wgs84_to_gcj02([116.3975, -0.1276], [39.9087, 51.5072])
    assert lon[0] != 116.3975 and lat[0] != 39.9087
    assert (lon[1], lat[1]) == (-0.1276, 51.5072)


def test_scalars_give_floats_and_arrays_keep_their_shape():
    lon, lat = gcj02_to_wgs84(116.4, 39.9)
    assert type(lon) is float and type(lat) is float
    grid_lon, grid_lat = np.meshgrid(np.linspace(110, 120, 4), np.linspace(30, 40, 3))
    out_lon, out_lat = bd09_to_wgs84(grid_lon, grid_lat)
    assert out_lon.shape == out_lat.shape == (3, 4)
    assert out_lon[1, 2] == pytest.approx(bd09_to_wgs84(grid_lon[1, 2], grid_lat[1, 2])[0], abs=0)


def test_nan_coordinates_stay_nan_without_disturbing_the_others():
    lon, lat = gcj02_to_wgs84([np.nan, 116.4], [np.nan, 39.9])
    assert np.isnan(lon[0]) and np.isnan(lat[0])
    assert (lon[1], lat[1]) == gcj02_to_wgs84(116.4, 39.9)


def test_to_wgs84_keeps_vertex_count_and_order_and_moves_every_vertex():
    gcj = LineString([(110.20, 34.50), (110.21, 34.51), (110.22, 34.50), (110.20, 34.50)])
    wgs = to_wgs84(gcj, "gcj02")
    assert isinstance(wgs, LineString)
    coords = np.array(wgs.coords)
    expected = np.column_stack(gcj02_to_wgs84(*np.array(gcj.coords).T))
    np.testing.assert_array_equal(coords, expected)


def test_to_wgs84_handles_polygons_with_holes_and_multipart_geometries():
    shell = [(110.2, 34.4), (110.4, 34.4), (110.4, 34.6), (110.2, 34.6), (110.2, 34.4)]
    hole = [(110.25, 34.45), (110.3, 34.45), (110.3, 34.5), (110.25, 34.45)]
    multi = MultiPolygon([Polygon(shell, [hole]), Polygon([(p[0] + 1, p[1]) for p in shell])])
    out = to_wgs84(multi, Datum.BD09)
    assert isinstance(out, MultiPolygon) and len(out.geoms) == 2
    assert len(out.geoms[0].interiors) == 1
    assert shapely.get_num_coordinates(out) == shapely.get_num_coordinates(multi)
    back = from_wgs84(out, Datum.BD09)
    assert _metres(*shapely.get_coordinates(multi).T, *shapely.get_coordinates(back).T).max() < 0.01


def test_to_wgs84_keeps_z_values_and_2d_geometries_stay_2d():
    line3d = LineString([(116.40, 39.90, 45.0), (116.41, 39.91, 46.5)])
    out = to_wgs84(line3d, "gcj02")
    assert out.has_z
    np.testing.assert_array_equal(shapely.get_coordinates(out, include_z=True)[:, 2], [45.0, 46.5])
    assert not to_wgs84(Point(116.4, 39.9), "gcj02").has_z


def test_to_wgs84_converts_an_array_of_geometries():
    geoms = np.array([Point(116.4, 39.9), LineString([(116.4, 39.9), (116.5, 40.0)])])
    out = to_wgs84(geoms, "gcj02")
    assert out.shape == (2,)
    assert out[0].equals_exact(Point(gcj02_to_wgs84(116.4, 39.9)), tolerance=0)


def test_wgs84_datum_returns_the_geometry_unchanged():
    line = LineString([(116.4, 39.9), (116.5, 40.0)])
    assert to_wgs84(line, "wgs84") is line
    assert from_wgs84(line, Datum.WGS84) is line


def test_from_wgs84_to_gcj02_inverts_to_wgs84():
    line = LineString([(116.46, 39.99), (116.47, 40.0), (116.48, 39.995)])
    back = to_wgs84(from_wgs84(line, "gcj02"), "gcj02")
    assert _metres(*np.array(line.coords).T, *np.array(back.coords).T).max() < 0.01


def test_an_unknown_datum_name_is_rejected():
    with pytest.raises(ValueError):
        to_wgs84(Point(116.4, 39.9), "cgcs2000")
    with pytest.raises(ValueError):
        from_wgs84(Point(116.4, 39.9), "GCJ-02")


def _features(name: str) -> list[dict]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))["features"]


def test_weinan_counties_published_in_gcj02_convert_to_the_wgs84_file_at_every_vertex():
    gcj = _features("weinan_counties_gcj02.geojson")
    wgs = _features("weinan_counties_wgs84.geojson")
    assert [f["properties"]["adcode"] for f in gcj] == [f["properties"]["adcode"] for f in wgs]
    assert {f["properties"]["coord_sys"] for f in gcj} == {"GCJ-02"}

    converted = to_wgs84(np.array([shape(f["geometry"]) for f in gcj]), "gcj02")
    ours = shapely.get_coordinates(converted)
    theirs = shapely.get_coordinates(np.array([shape(f["geometry"]) for f in wgs]))
    assert ours.shape == theirs.shape and len(ours) > 9000

    # The WGS-84 file is written at 1e-6°: rounded the same way, every vertex is identical...
    np.testing.assert_array_equal(np.round(ours, 6), theirs)
    # ...and unrounded, every vertex is within that rounding (0.5e-6° ≈ 0.06 m per axis).
    assert np.abs(ours - theirs).max() <= 0.5e-6 + 1e-12
    assert _metres(*ours.T, *theirs.T).max() < 0.08


def test_weinan_county_outlines_move_about_half_a_kilometre_from_gcj02_to_wgs84():
    gcj = _features("weinan_counties_gcj02.geojson")
    tongguan = next(f for f in gcj if f["properties"]["name"] == "潼关县")
    before = shapely.get_coordinates(shape(tongguan["geometry"]))
    after = shapely.get_coordinates(to_wgs84(shape(tongguan["geometry"]), "gcj02"))
    shift = _metres(*before.T, *after.T)
    assert 450 < shift.min() and shift.max() < 530
