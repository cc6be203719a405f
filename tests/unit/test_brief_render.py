"""The brief's files rendered from plain data: HTML, Word and PNG, every section filled or empty."""

from __future__ import annotations

import datetime as dt
import html
import re
import warnings

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.shared import Mm

from services.briefs import texts as t
from services.briefs.render import render_issue
from services.briefs.view import Empty, Heading, Issue, Para, compose
from tests.support.brief_sample import ISSUE, full_sections, sample_data

REMOTE = re.compile(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["\']?(?:https?:)?//', re.I)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    folder = tmp_path_factory.mktemp("brief")
    data = sample_data(full_sections(folder))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files = render_issue(data, ISSUE, folder / "out")
    return files, [str(w.message) for w in caught]


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    return render_issue(sample_data(), ISSUE, tmp_path_factory.mktemp("empty"))


def test_an_empty_optional_section_reads_no_data_under_its_heading():
    doc = compose(sample_data(), ISSUE, map_png=None)
    after = {}
    for block, following in zip(doc.blocks, doc.blocks[1:], strict=False):
        if isinstance(block, Heading):
            after[block.text] = following
    for heading in (t.H_FINDINGS, t.H_QUANTITIES):
        assert after[heading] == Empty(t.NO_DATA), heading
    assert after[t.H_RANKING] == Para(t.RANKING_PENDING)  # ratings not confirmed yet: said so, not left blank
    assert after[t.H_EXPOSURES] == Para(t.NO_EXPOSURES)


def test_the_masthead_reads_like_an_official_brief():
    doc = compose(sample_data(), ISSUE, map_png=None)
    assert (doc.masthead, doc.number, doc.editor, doc.date) == ("创卫简报", "第12期", "街道创卫办", "2025年5月5日")  # dated Monday
    assert doc.headline == "2025年第18周（4月28日至5月4日）创卫工作情况"
    assert doc.period == "统计周期：2025年4月28日至2025年5月4日　数据截至2025年5月4日24时"


def test_a_special_issue_is_marked_and_headed_by_its_title():
    doc = compose(sample_data(), Issue(13, True, "转段动员会专刊", None), map_png=None)
    assert doc.number == "第13期（专刊）" and doc.headline == "转段动员会专刊"


def test_times_are_written_the_chinese_way():
    tz = dt.timezone(dt.timedelta(hours=8))
    assert t.moment(dt.datetime(2025, 5, 5, tzinfo=tz)) == "2025年5月4日24时"
    assert t.moment(dt.datetime(2025, 4, 30, 10, 30, tzinfo=tz)) == "2025年4月30日10时30分"
    assert t.share(None) == "—" and t.share(0.375) == "37.5%"


def test_the_html_is_self_contained_with_maps_and_photos_inlined(full):
    files, _ = full
    page = files.html.read_text(encoding="utf-8")
    assert "创卫简报" in page and "第12期" in page
    assert not REMOTE.search(page)
    assert page.count('src="data:image/png;base64,') == 1  # the static map
    assert page.count('src="data:image/jpeg;base64,') == 4  # 3 finding photos and 1 exposure photo
    srcdoc = re.search(r"<iframe [^>]*srcdoc='([^']*)'", page)
    assert srcdoc and "L.map(" in html.unescape(srcdoc[1])


def test_the_html_shows_every_section_that_has_data(full):
    files, _ = full
    page = files.html.read_text(encoding="utf-8")
    for text in ("区卫生健康委员会", "逾期任务5项", "暴露垃圾", "拆除违章建筑", "小区门口暴露垃圾", "创卫办"):
        assert text in page, text
    assert t.NO_DATA not in page


def test_the_png_map_draws_without_a_missing_glyph(full):
    files, caught = full
    assert files.png is not None and files.png.stat().st_size > 50_000
    assert not [w for w in caught if "Glyph" in w or "missing" in w.lower()]


def test_the_docx_is_a4_with_chinese_fonts_headings_tables_and_pictures(full):
    files, _ = full
    doc = open_docx(str(files.docx))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋" and fonts.get(qn("w:eastAsiaTheme")) is None
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for heading in (t.H_OVERVIEW, t.H_SEGMENTS, t.H_RANKING, t.H_RED, t.H_BLACK, t.H_FINDINGS, t.H_OVERDUE,
                    t.H_PROBLEMS, t.H_EXPOSURES, t.H_LEDGER, t.H_MAPS):
        assert heading in headings
    assert doc.paragraphs[0].text == "创卫简报"
    # ranking ×2, exposures, exposure photo, segments, overdue, problems, findings, photos, ledger
    assert len(doc.tables) == 10
    segment_table = doc.tables[4]
    assert [c.text for c in segment_table.rows[0].cells] == list(t.COLS_SEGMENTS)
    assert segment_table.rows[-1].cells[0].text == t.TOTAL
    assert len(doc.inline_shapes) == 1 + 3 + 1  # map, finding photos, exposure photo


def test_an_empty_brief_still_has_its_map_and_no_broken_image(empty):
    page = empty.html.read_text(encoding="utf-8")
    assert page.count(t.NO_DATA) == 2  # findings, ledger quantities
    assert "<img" in page and 'src=""' not in page
    assert len(open_docx(str(empty.docx)).inline_shapes) == 1


def test_a_city_brief_sums_by_street_and_lists_the_segments_furthest_behind():
    from dataclasses import replace

    from services.briefs.data import Counts, SegmentRow
    from services.briefs.view import Table

    rows = [SegmentRow(f"S{i}", f"路{i % 12}段{i}", f"东西{i % 12}路", "领导", "部门", Counts(10, i % 11, 0, 1))
            for i in range(1, 301)]
    doc = compose(replace(sample_data(), segments=rows), ISSUE, map_png=None)
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    streets, behind = tables[0], tables[1]
    assert [r[0] for r in streets.rows[:3]] == ["东西0路", "东西1路", "东西2路"] and len(streets.rows) == 12
    assert streets.total[:3] == (t.TOTAL, "300", "3000")
    assert [r[5] for r in behind.rows] == ["0"] * 27 + ["1"] * 3  # 27 segments have none verified
    assert [r[0] for r in behind.rows[:2]] == ["S11", "S22"]


def test_a_section_whose_module_does_not_exist_yet_is_none():
    from services.briefs import sections as brief_sections

    assert brief_sections._hook("services.no_such_module", "brief_findings") is None


def test_an_unannounced_inspection_never_reaches_the_brief_whatever_the_hook_returns(monkeypatch):
    from maps.views import PointView
    from services.briefs import sections as brief_sections

    points = [PointView(id=1, lon=116.47, lat=39.99, category="暗访", label="未公布", published=False),
              PointView(id=2, lon=116.47, lat=39.99, category="定期", label="已公布", published=True)]
    monkeypatch.setattr(brief_sections, "_hook", lambda module, name: lambda session, **window: points)
    assert [p.label for p in brief_sections.inspection_points(None, campaign=None)] == ["已公布"]
