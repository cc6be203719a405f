"""The bundled national standard as data, and the pure 模拟暗访 sampling and route."""

from __future__ import annotations

import math

import pytest

from config.standards import DEFAULT_REHEARSAL, STANDARDS_DIR, StandardFileError, read_standard
from rules import rehearsal as rr

AREAS = ["爱国卫生组织管理", "健康教育和健康促进", "市容环境卫生", "生态环境", "重点场所卫生", "食品和饮用水安全",
         "公共卫生与医疗服务", "病媒生物预防控制"]


def test_the_county_standard_has_the_eight_areas_in_order_and_at_least_thirty_items():
    std, _ = read_standard(STANDARDS_DIR / "county-2021.yaml")
    assert [a.name for a in std.areas] == AREAS
    items = [i for _, _, _, i in std.items()]
    assert len(items) >= 30 and all(a.items for a in std.areas)
    assert all(i.evidence and i.owner_kinds and i.title for i in items)


def test_every_threshold_is_either_verified_with_a_source_or_marked_unverified():
    std, _ = read_standard(STANDARDS_DIR / "county-2021.yaml")
    for _, _, _, item in std.items():
        assert item.verified is False or item.source, item.code
        for e in item.evidence:
            if e.threshold is not None:
                assert e.threshold.verified is False or e.threshold.source, item.code
    flies = [t for t in std.vector_thresholds if t.pest == "蝇"]
    assert {t.metric: t.max for t in flies}["有蝇房间阳性率"] == 9 and all(t.verified for t in flies)
    assert not any(t.verified for t in std.vector_thresholds if t.pest != "蝇")


def test_the_city_standard_extends_the_county_one_item_for_item():
    city, _ = read_standard(STANDARDS_DIR / "city-2021.yaml")
    county, _ = read_standard(STANDARDS_DIR / "county-2021.yaml")
    assert city.code == "city-2021" and city.kind == "city"
    assert [i.code for _, _, _, i in city.items()] == [i.code for _, _, _, i in county.items()]


def test_a_standard_file_with_a_repeated_code_is_refused_with_the_code(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("code: bad\ntitle: 坏\nedition: 2021\nareas:\n  - name: 甲\n    items:\n"
                    "      - {code: '1.1', title: 一}\n      - {code: '1.1', title: 二}\n", encoding="utf-8")
    with pytest.raises(StandardFileError) as e:
        read_standard(path)
    assert "1.1" in " ".join(e.value.problems)


def _grid(kind: str, n: int) -> list[rr.Candidate]:
    return [rr.Candidate(kind, f"{kind}:{k:03d}", f"{kind}{k}", 116.46 + 0.001 * k, 39.99 + 0.0005 * (k % 5))
            for k in range(n)]


def test_sampling_draws_each_quota_never_more_than_there_are_and_repeats_with_the_seed():
    pool = _grid("主次干道", 29) + _grid("公厕", 3) + _grid("学校", 1)
    quotas = [rr.Quota("主次干道", 6), rr.Quota("公厕", 5), rr.Quota("学校", 1), rr.Quota("医院", 1)]
    a = rr.sample(pool, quotas, seed=3)
    assert rr.counts(a, [q.type for q in quotas]) == {"主次干道": 6, "公厕": 3, "学校": 1, "医院": 0}
    assert a == rr.sample(list(reversed(pool)), quotas, seed=3)
    assert a != rr.sample(pool, quotas, seed=4)


def test_the_route_visits_every_point_once_from_the_west():
    pts = rr.sample(_grid("背街小巷", 20), [rr.Quota("背街小巷", 8)], seed=1)
    path = rr.route(pts)
    assert sorted(p.key for p in path) == sorted(p.key for p in pts)
    assert path[0].lon == min(p.lon for p in pts)


def test_distance_is_about_111_km_per_degree_of_latitude():
    a, b = rr.Candidate("", "a", "", 116.0, 40.0), rr.Candidate("", "b", "", 116.0, 41.0)
    assert rr.distance_m(a, b) == pytest.approx(111_195, rel=1e-3)


def test_rehearsal_counts_scale_with_the_places_of_a_type():
    roads = next(s for s in DEFAULT_REHEARSAL if s.type == "主次干道")
    assert roads.count(0) == 0
    assert roads.count(10) == roads.min
    assert roads.count(100) == math.ceil(roads.share * 100)
