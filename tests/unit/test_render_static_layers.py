"""The static map's week-independent layer (names, codes, scale bar, north arrow) is drawn once per layout."""

from __future__ import annotations

import dataclasses

import matplotlib
import numpy as np
import pytest
from PIL import Image

from maps import render_static
from maps.fonts import cjk_rc
from maps.render_static import static_progress_map
from tests.unit.test_render_folium import WANGJING_BOX, wangjing_points, wangjing_segments


@pytest.fixture(autouse=True)
def empty_cache():
    render_static._OVERLAYS.clear()
    yield
    render_static._OVERLAYS.clear()


def draw(path, segments, **kwargs):
    findings, _, _ = wangjing_points()
    options = {"title": "望京街道创卫进度图", "date_text": "第12期", "boundary": WANGJING_BOX, "findings": findings}
    return static_progress_map(segments, out_path=path, **(options | kwargs))


def pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"))


def test_a_map_drawn_from_the_cached_layer_is_the_map_drawn_afresh(tmp_path):
    segments = wangjing_segments()
    fresh = draw(tmp_path / "fresh.png", segments)
    cached = draw(tmp_path / "cached.png", segments)
    assert len(render_static._OVERLAYS) == 1
    assert np.array_equal(pixels(fresh), pixels(cached))


def test_next_weeks_colours_reuse_the_layer_and_still_change_the_map(tmp_path):
    segments = wangjing_segments()
    first = draw(tmp_path / "w1.png", segments)
    done = [dataclasses.replace(s, tasks_done=s.tasks_total) for s in segments]
    second = draw(tmp_path / "w2.png", done, findings=[])
    assert len(render_static._OVERLAYS) == 1
    assert not np.array_equal(pixels(first), pixels(second))
    render_static._OVERLAYS.clear()
    afresh = draw(tmp_path / "w2-fresh.png", done, findings=[])
    assert np.array_equal(pixels(second), pixels(afresh))


def test_other_segments_get_their_own_layer(tmp_path):
    segments = wangjing_segments()
    draw(tmp_path / "all.png", segments)
    fewer = draw(tmp_path / "fewer.png", segments[: len(segments) // 2])
    assert len(render_static._OVERLAYS) == 2
    render_static._OVERLAYS.clear()
    afresh = draw(tmp_path / "fewer-fresh.png", segments[: len(segments) // 2])
    assert np.array_equal(pixels(fewer), pixels(afresh))


def test_the_png_keeps_its_title_and_resolution(tmp_path):
    path = draw(tmp_path / "map.png", wangjing_segments())
    with Image.open(path) as image:
        assert image.size == (1800, 1350)
        assert image.info["Title"] == "望京街道创卫进度图 第12期"
        assert round(image.info["dpi"][0]) == 150


def test_the_labels_are_on_the_map(tmp_path):
    """Without the layer the street names' white halos and the blue codes would be missing."""
    path = draw(tmp_path / "map.png", wangjing_segments())
    render_static._OVERLAYS.clear()
    with matplotlib.rc_context(cjk_rc()):
        base = render_static._draw(wangjing_segments(), title="望京街道创卫进度图", date_text="第12期",
                                   boundary=WANGJING_BOX, findings=wangjing_points()[0], osm_credit=True,
                                   problems=[], boundary_label="示意范围", layers="base")
        bare = np.asarray(render_static._raster(base, 150))
    differ = (np.abs(pixels(path).astype(int) - bare.astype(int)).max(axis=-1) > 60).sum()
    assert differ > 5000


def test_the_osm_credit_is_part_of_the_layout(tmp_path):
    segments = wangjing_segments()
    without = draw(tmp_path / "without.png", segments, osm_credit=False)
    with_credit = draw(tmp_path / "with.png", segments, osm_credit=True)
    assert len(render_static._OVERLAYS) == 2
    assert not np.array_equal(pixels(without), pixels(with_credit))
