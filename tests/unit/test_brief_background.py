"""The demo writes brief files in a second process (issue 22): the same files as written inline,
all present when the block ends, and a failure there is not lost."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import pytest
from shapely.errors import GeometryTypeError

from services.briefs.render import render_issue, rendering_in_background, write_document
from services.briefs.view import compose
from tests.support.brief_sample import ISSUE, full_sections, sample_data


def _docx_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:  # the zip's timestamps differ run to run, its XML must not
        return z.read("word/document.xml")


def test_files_written_in_the_background_are_the_ones_written_inline(tmp_path):
    data = sample_data(full_sections(tmp_path))
    inline = render_issue(data, ISSUE, tmp_path / "inline")
    with rendering_in_background():
        late = render_issue(data, ISSUE, tmp_path / "late")
        doc = write_document(compose(data, ISSUE, map_png=None), tmp_path / "late", "专刊")
    assert late.png is not None and inline.png is not None
    assert late.png.read_bytes() == inline.png.read_bytes()
    assert _docx_xml(late.docx) == _docx_xml(inline.docx)
    assert late.html.stat().st_size > 0 and doc.docx.is_file() and doc.html.is_file()
    assert not list((tmp_path / "late").glob(".brief-*"))  # no temporary file left behind


def test_a_failure_in_the_background_is_raised_when_the_block_ends(tmp_path):
    broken = dataclasses.replace(sample_data(full_sections(tmp_path)), boundary={"type": "Nonsense"})
    with pytest.raises(GeometryTypeError, match="nonsense"), rendering_in_background():
        files = render_issue(broken, ISSUE, tmp_path / "out")  # returns at once: the failure comes later
    assert not files.docx.exists() and not list((tmp_path / "out").glob(".brief-*"))
