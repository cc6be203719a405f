"""The static progress map for the weekly brief: PNG and SVG, Chinese text without tofu."""

from __future__ import annotations

import warnings

import pytest
from PIL import Image

from maps import styles
from maps.fonts import cjk_rc, register_cjk_font
from maps.render_static import static_progress_map
from rules.errors import InvalidInput
from tests.unit.test_render_folium import WANGJING_BOX, wangjing_points, wangjing_segments

TITLE = "望京街道创卫进度图"
DATE = "第12期 · 2026年5月18日"


def draw(tmp_path, fmt: str, **kwargs):
    findings, _, _ = wangjing_points()
    options = {
        "title": TITLE,
        "date_text": DATE,
        "boundary": WANGJING_BOX,
        "findings": findings,
        "out_path": tmp_path / f"map.{fmt}",
        "fmt": fmt,
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = static_progress_map(wangjing_segments(), **(options | kwargs))
    return path, [str(w.message) for w in caught]


def test_a_png_is_written_with_no_missing_glyph_warning(tmp_path):
    path, caught = draw(tmp_path, "png")
    assert path == tmp_path / "map.png"
    assert caught == []
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (1800, 1350)  # 12 × 9 in at 150 dpi


def test_the_png_shows_every_progress_colour_on_the_roads(tmp_path):
    path, _ = draw(tmp_path, "png")
    with Image.open(path) as image:
        counts = {colour: n for n, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    for cls in styles.PROGRESS_CLASSES:
        rgb = tuple(int(cls.colour[i : i + 2], 16) for i in (1, 3, 5))
        assert counts.get(rgb, 0) > 200, cls.label


def test_an_svg_is_written_with_the_title_and_date_and_street_names(tmp_path):
    path, caught = draw(tmp_path, "svg")
    assert caught == []
    svg = path.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for text in (
        TITLE,
        DATE,
        styles.LEGEND_PROGRESS_TITLE,
        styles.NO_TASKS_LABEL,
        styles.LEGEND_CATEGORY_TITLE,
        "病媒生物防制",
        "© OpenStreetMap contributors",
        'id="street-阜通东大街"',
        'id="north-arrow"',
    ):
        assert text in svg, text


def test_each_main_street_is_labelled_at_most_once(tmp_path):
    path, _ = draw(tmp_path, "svg")
    svg = path.read_text(encoding="utf-8")
    streets = {s.street for s in wangjing_segments() if s.street}
    labelled = [name for name in streets if f'id="street-{name}"' in svg]
    assert len(labelled) >= 8
    assert all(svg.count(f'id="street-{name}"') == 1 for name in labelled)


def test_the_scale_bar_is_labelled_in_metres(tmp_path):
    path, _ = draw(tmp_path, "svg")
    svg = path.read_text(encoding="utf-8")
    assert 'id="scale-bar-500m"' in svg  # the 望京 box is about 1.9 km wide


def test_the_openstreetmap_credit_can_be_left_off(tmp_path):
    path, _ = draw(tmp_path, "svg", osm_credit=False)
    assert "OpenStreetMap" not in path.read_text(encoding="utf-8")


def test_a_map_with_only_a_boundary_still_draws(tmp_path):
    path, caught = draw(tmp_path, "png", findings=())
    assert path.stat().st_size > 10_000 and caught == []
    only_boundary = static_progress_map(
        [], title=TITLE, date_text=DATE, boundary=WANGJING_BOX, out_path=tmp_path / "b.png"
    )
    assert only_boundary.exists()


def test_nothing_to_draw_is_refused_with_a_chinese_message(tmp_path):
    with pytest.raises(InvalidInput, match="没有可绘制"):
        static_progress_map(
            [], title=TITLE, date_text=DATE, boundary=None, out_path=tmp_path / "x.png"
        )


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="格式"):
        draw(tmp_path, "pdf")


def test_the_cjk_font_is_registered_by_file_and_listed_first():
    family = register_cjk_font()
    assert family in ("WenQuanYi Micro Hei", "Noto Sans CJK JP", "WenQuanYi Zen Hei")
    rc = cjk_rc()
    assert rc["font.sans-serif"][0] == family and rc["axes.unicode_minus"] is False


def test_the_printed_map_names_segment_codes_leaders_the_sketched_outline_and_problem_levels(tmp_path):
    _, problems, _ = wangjing_points()
    path, caught = draw(tmp_path, "svg", boundary_label="示意范围", problems=problems)
    assert caught == []
    svg = path.read_text(encoding="utf-8")
    roads = [s for s in wangjing_segments() if s.kind == styles.SEGMENT_KIND]
    assert all(f'id="code-{s.code}"' in svg for s in roads)
    assert styles.LEGEND_LEADERS in svg and all(s.leader in svg for s in roads if s.leader)
    assert "示意范围" in svg and styles.LEGEND_BOUNDARY not in svg
    levels = {p.level for p in problems if p.level}
    assert levels and all(f"{styles.LEGEND_PROBLEM_PREFIX}{level}" in svg for level in levels)
