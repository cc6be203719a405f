"""Routing points to road segments (maps.routing) and the geometry helpers it stands on
(maps.geometry), on real OpenStreetMap roads of 望京, Beijing (© OpenStreetMap contributors)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape

from maps.geometry import (
    bbox,
    from_geojson_dict,
    length_m,
    outline_of,
    project,
    to_geojson_dict,
    unproject,
    utm_crs_for,
)
from maps.routing import SegmentIndex, nearby

DATA = Path(__file__).resolve().parents[1] / "data"
GEOD = Geod(ellps="WGS84")


def _features(name: str) -> list[dict]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))["features"]


ROADS = _features("beijing_wangjing_roads.geojson")
POIS = {f["properties"]["osm_id"]: f for f in _features("beijing_wangjing_pois.geojson")}
# Segment ids are row numbers; seg_id / name / highway are looked up through them.
RECORDS = [(i, shape(f["geometry"])) for i, f in enumerate(ROADS)]
NAMED_RECORDS = [(i, line) for i, line in RECORDS if ROADS[i]["properties"]["name"]]


def _seg(i: int | None) -> dict:
    return ROADS[i]["properties"]


def _lonlat(osm_id: str) -> tuple[float, float]:
    lon, lat = POIS[osm_id]["geometry"]["coordinates"]
    return lon, lat


@pytest.fixture(scope="module")
def index() -> SegmentIndex:
    return SegmentIndex(RECORDS)


@pytest.fixture(scope="module")
def named_index() -> SegmentIndex:
    return SegmentIndex(NAMED_RECORDS)


GK = CRS.from_epsg(4548)  # CGCS2000 3° Gauss–Krüger CM 117E, for Beijing
TO_GK = Transformer.from_crs(4326, GK, always_xy=True)
FROM_GK = Transformer.from_crs(GK, 4326, always_xy=True)
ROADS_GK = {i: LineString([TO_GK.transform(x, y) for x, y in line.coords]) for i, line in RECORDS}


def _brute_force_nearest(records, lon: float, lat: float) -> tuple[int, float]:
    """Nearest record by a plain loop, measured in a different projection than the index's
    (Gauss–Krüger instead of UTM), then re-measured on the ellipsoid."""
    point = Point(TO_GK.transform(lon, lat))
    best_id, best_line, best_d = None, None, np.inf
    for seg_id, _ in records:
        line_gk = ROADS_GK[seg_id]
        d = line_gk.distance(point)
        if d < best_d or (d == best_d and seg_id < best_id):
            best_id, best_line, best_d = seg_id, line_gk, d
    foot = best_line.interpolate(best_line.project(point))
    foot_lon, foot_lat = FROM_GK.transform(foot.x, foot.y)
    return best_id, float(GEOD.inv(lon, lat, foot_lon, foot_lat)[2])


# (POI osm_id, its name, expected road name, expected seg_id) on the full network. Bus stops
# are named after the street they stand on; 侯庄路口 is the junction on 广顺北大街.
ON_ALL_ROADS = [
    ("4724147442", "望京街 Bus 104", "望京街", "534224179_0"),
    ("4724147444", "阜通西大街 Bus 104", "阜通西大街", "199827592_0"),
    ("4724147445", "阜通西大街 Bus 104", "阜通西大街", "170261285_0"),
    ("4724147443", "FuTongXiDaJie Bus 104", "阜通西大街", "173019246_0"),
    ("4697068430", "侯庄路口北", "广顺北大街", "199827587_0"),
    ("7354956982", "侯庄路口南", "广顺北大街", "170258801_0"),
    ("7725851281", "望京西园三区北门", "宏泰西街", "170258832_0"),
]


@pytest.mark.parametrize(("osm_id", "poi_name", "road_name", "seg_id"), ON_ALL_ROADS)
def test_a_bus_stop_routes_to_the_street_it_is_named_after(
    index, osm_id, poi_name, road_name, seg_id
):
    assert POIS[osm_id]["properties"]["name"] == poi_name
    lon, lat = _lonlat(osm_id)
    routed, distance_m = index.route(lon, lat)
    assert _seg(routed)["name"] == road_name
    assert _seg(routed)["seg_id"] == seg_id
    brute_id, geodesic_m = _brute_force_nearest(RECORDS, lon, lat)
    assert brute_id == routed
    assert distance_m == pytest.approx(geodesic_m, rel=2e-3, abs=0.01)


def test_a_poi_routes_among_named_segments_to_the_street_of_its_address(named_index, index):
    # 国家电网朝阳望京营业厅, addr:street=广顺南大街: an unnamed service road is nearer (16 m),
    # but among the named streets it is 广顺南大街, 24.6 m away.
    lon, lat = _lonlat("3645418972")
    assert POIS["3645418972"]["properties"]["addr_street"] == "广顺南大街"
    assert _seg(index.route(lon, lat)[0])["name"] is None
    routed, distance_m = named_index.route(lon, lat)
    assert (_seg(routed)["name"], _seg(routed)["seg_id"]) == ("广顺南大街", "199827591_0")
    assert distance_m == pytest.approx(24.64, abs=0.05)
    assert named_index.route(lon, lat, buffer_m=20.0) == (None, None)


def test_a_pub_whose_address_is_fuan_xilu_routes_to_阜安西路(named_index):
    lon, lat = _lonlat("5235827170")
    assert POIS["5235827170"]["properties"]["addr_street"].startswith("Fuan Xilu")
    routed, distance_m = named_index.route(lon, lat)
    assert _seg(routed)["name"] == "阜安西路"
    assert distance_m == pytest.approx(_brute_force_nearest(NAMED_RECORDS, lon, lat)[1], rel=2e-3)


def test_every_poi_routes_to_the_brute_force_nearest_segment(index):
    for osm_id in POIS:
        lon, lat = _lonlat(osm_id)
        routed, distance_m = index.route(lon, lat, buffer_m=500.0)
        brute_id, geodesic_m = _brute_force_nearest(RECORDS, lon, lat)
        assert routed == brute_id, osm_id
        assert distance_m == pytest.approx(geodesic_m, rel=2e-3, abs=0.01), osm_id


def test_the_index_measures_in_the_utm_zone_of_the_data():
    assert SegmentIndex(RECORDS).crs == CRS.from_epsg(32650)


def test_a_point_500_m_outside_the_data_routes_to_nothing(index):
    minx, miny, maxx, maxy = bbox([line for _, line in RECORDS])
    lon, lat, _ = GEOD.fwd(maxx, (miny + maxy) / 2, 90.0, 500.0)
    assert index.route(lon, lat) == (None, None)
    assert index.route(lon, lat, buffer_m=400.0) == (None, None)
    routed, distance_m = index.route(lon, lat, buffer_m=2000.0)
    assert routed is not None and distance_m >= 499.0
    ids, dist = index.route_many([lon], [lat])
    assert ids.tolist() == [-1] and np.isnan(dist[0])


def test_the_buffer_is_inclusive_and_exact_on_a_real_poi(index):
    lon, lat = _lonlat("4724147443")  # FuTongXiDaJie Bus 104, 20.6 m from 阜通西大街
    routed, d = index.route(lon, lat, buffer_m=500.0)
    assert index.route(lon, lat, buffer_m=d) == (routed, d)
    assert index.route(lon, lat, buffer_m=float(np.nextafter(d, 0))) == (None, None)
    assert index.route_many([lon], [lat], buffer_m=d)[0].tolist() == [routed]
    assert index.route_many([lon], [lat], buffer_m=float(np.nextafter(d, 0)))[0].tolist() == [-1]


def test_the_buffer_is_measured_in_metres_of_the_given_crs():
    utm = CRS.from_epsg(32650)
    road = unproject(LineString([(450_000, 4_427_000), (451_000, 4_427_000)]), utm)
    idx = SegmentIndex([(7, road)], crs=utm)
    lon, lat = unproject(Point(450_500, 4_427_060), utm).coords[0]
    routed, d = idx.route(lon, lat, buffer_m=60.001)
    assert routed == 7 and d == pytest.approx(60.0, abs=1e-6)
    assert idx.route(lon, lat, buffer_m=59.999) == (None, None)
    assert idx.route_many([lon], [lat], buffer_m=59.999)[0].tolist() == [-1]


def test_a_tie_goes_to_the_smallest_id_whatever_the_record_order():
    line = LineString([(116.46, 39.99), (116.47, 39.99)])
    twin = LineString(line.coords)
    for records in ([(9, line), (4, twin), (6, line)], [(6, line), (9, twin), (4, line)]):
        idx = SegmentIndex(records)
        assert idx.route(116.465, 39.9902)[0] == 4
        assert idx.route_many([116.465], [39.9902])[0].tolist() == [4]


def test_route_many_equals_route_for_a_thousand_random_points(index):
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = bbox([line for _, line in RECORDS])
    lons = rng.uniform(minx - 0.002, maxx + 0.002, 1000)
    lats = rng.uniform(miny - 0.002, maxy + 0.002, 1000)
    ids, dist = index.route_many(lons, lats, buffer_m=60.0)
    one_by_one = [index.route(x, y, buffer_m=60.0) for x, y in zip(lons, lats, strict=True)]
    assert ids.tolist() == [-1 if i is None else i for i, _ in one_by_one]
    expected = np.array([np.nan if d is None else d for _, d in one_by_one])
    np.testing.assert_array_equal(dist, expected)
    assert 100 < (ids == -1).sum() < 900  # the sample has hits and misses


def test_route_many_skips_non_finite_positions(index):
    lon, lat = _lonlat("4724147442")
    ids, dist = index.route_many([np.nan, lon, np.inf], [39.99, lat, 39.99])
    assert ids.tolist() == [-1, index.route(lon, lat)[0], -1]
    assert np.isnan(dist[0]) and np.isnan(dist[2])
    assert index.route(np.nan, lat) == (None, None)


def test_an_empty_index_routes_nothing_and_needs_a_crs():
    with pytest.raises(ValueError):
        SegmentIndex([])
    idx = SegmentIndex([], crs="EPSG:32650")
    assert idx.route(116.47, 39.99) == (None, None)
    assert idx.route_many([116.47], [39.99])[0].tolist() == [-1]


def test_a_geographic_crs_or_a_non_positive_buffer_is_rejected(index):
    with pytest.raises(ValueError):
        SegmentIndex(RECORDS, crs="EPSG:4326")
    with pytest.raises(ValueError):
        index.route(116.47, 39.99, buffer_m=0.0)
    with pytest.raises(ValueError):
        index.route_many([116.47], [39.99], buffer_m=-5.0)


def test_distances_agree_between_utm_and_gauss_kruger_indexes(index):
    gk = SegmentIndex(RECORDS, crs="EPSG:4548")
    for osm_id in list(POIS)[:40]:
        lon, lat = _lonlat(osm_id)
        a, b = index.route(lon, lat, 300.0), gk.route(lon, lat, 300.0)
        assert a[1] == pytest.approx(b[1], rel=2e-3, abs=1e-3)


def test_nearby_lists_points_within_the_radius_by_distance_then_id():
    lon, lat = 116.4700, 39.9950
    offsets = {1: (0.0, 30.0), 2: (90.0, 49.9), 3: (180.0, 50.1), 4: (270.0, 80.0), 5: (45.0, 30.0)}
    points = []
    for pid, (azimuth, dist_m) in offsets.items():
        p_lon, p_lat, _ = GEOD.fwd(lon, lat, azimuth, dist_m)
        points.append((pid, p_lon, p_lat))
    found = nearby(points, lon, lat, 50.0)
    assert [pid for pid, _ in found] == [1, 5, 2]
    assert [d for _, d in found] == pytest.approx([30.0, 30.0, 49.9], abs=1e-6)
    assert nearby([], lon, lat, 50.0) == []
    assert nearby([(8, lon, lat)], lon, lat, 0.0) == [(8, 0.0)]


def test_nearby_finds_real_bus_stops_on_both_sides_of_湖光中街():
    east_gate = [(int(k), *_lonlat(k)) for k in ("7725839772", "7725839773")]
    lon, lat = _lonlat("7725839772")
    found = nearby(east_gate, lon, lat, 50.0)
    assert [pid for pid, _ in found] == [7725839772, 7725839773]
    assert found[1][1] == pytest.approx(GEOD.inv(lon, lat, *_lonlat("7725839773"))[2])


# Geometry helpers (maps.geometry)


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [(116.47, 39.99, 32650), (110.30, 34.50, 32649), (151.21, -33.87, 32756), (-0.13, 51.5, 32630)],
)
def test_utm_crs_for_picks_the_zone_containing_the_point(lon, lat, epsg):
    assert utm_crs_for(lon, lat) == CRS.from_epsg(epsg)


def test_length_m_matches_the_geodesic_lengths_recorded_in_the_data():
    for (_, line), road in zip(RECORDS, ROADS, strict=True):
        assert length_m(line) == pytest.approx(road["properties"]["length_m"], abs=0.051)


def test_bbox_of_the_roads_lies_in_the_osm_export_box():
    minx, miny, maxx, maxy = bbox([line for _, line in RECORDS])
    assert 116.4595 - 1e-6 <= minx < maxx <= 116.4817 + 1e-6
    assert 39.9867 - 1e-6 <= miny < maxy <= 40.0041 + 1e-6
    assert bbox(Point(1, 2)) == (1.0, 2.0, 1.0, 2.0)


def test_project_and_unproject_round_trip_to_the_millimetre():
    line = RECORDS[3][1]
    back = unproject(project(line, "EPSG:32650"), "EPSG:32650")
    assert shapely.get_coordinates(back) == pytest.approx(shapely.get_coordinates(line), abs=1e-8)


def test_outline_of_the_named_streets_is_one_hole_free_polygon_around_them():
    lines = [line for _, line in NAMED_RECORDS]
    outline = outline_of(lines, buffer_m=150.0)
    assert isinstance(outline, Polygon) and outline.is_valid
    assert not outline.interiors
    assert all(outline.contains(line) for line in lines)
    utm = CRS.from_epsg(32650)
    outline_m, lines_m = project(outline, utm), project(shapely.union_all(lines), utm)
    # Every outline vertex is about buffer_m from the streets (closing and simplifying may
    # move it a little outward, never inward past the tolerance).
    vertex_d = [lines_m.distance(Point(c)) for c in outline_m.exterior.coords]
    assert min(vertex_d) > 150.0 - 15.0 - 0.5
    assert outline_m.area < shapely.box(*lines_m.bounds).buffer(150.0).area


def test_outline_of_joins_separate_streets_into_one_polygon():
    a = LineString([(110.20, 34.50), (110.21, 34.50)])
    b = LineString([(110.20, 34.53), (110.21, 34.53)])  # 3.3 km north of a
    outline = outline_of([a, b], buffer_m=100.0)
    assert isinstance(outline, Polygon) and not isinstance(outline, MultiPolygon)
    assert outline.contains(a) and outline.contains(b)


def test_outline_of_rejects_no_lines_and_a_non_positive_buffer():
    with pytest.raises(ValueError):
        outline_of([])
    with pytest.raises(ValueError):
        outline_of([RECORDS[0][1]], buffer_m=0)


def test_geojson_dicts_round_trip_and_serialise_to_json():
    line = RECORDS[3][1]
    d = to_geojson_dict(line)
    assert d["type"] == "LineString" and isinstance(d["coordinates"][0], list)
    assert json.loads(json.dumps(d)) == d
    assert from_geojson_dict(d).equals_exact(line, tolerance=0)
    assert from_geojson_dict(ROADS[3]["geometry"]).equals_exact(line, tolerance=0)
