"""The brief as an editable Word file: A4, Chinese fonts, real tables, embedded PNG maps.

Fonts follow the office's 公文 habit: 仿宋 body, 黑体 section headings, 楷体 sub-headings,
宋体 tables and a red 宋体 masthead. Word keeps a separate font slot for East Asian text
(``w:eastAsia``); python-docx's ``font.name`` sets only the Latin slots, so every style and
run here sets both, and the theme font references that would override them are removed.
"""

from __future__ import annotations

import io
import unicodedata
from copy import deepcopy
from pathlib import Path
from typing import Any  # python-docx ships no types: its documents, paragraphs, runs and cells are Any here

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from services.briefs import texts as t
from services.briefs.images import photo_jpeg
from services.briefs.view import Document, Empty, Figure, Heading, InteractiveMap, Para, Photos, Table

LATIN = "Times New Roman"
BODY, HEADING, SUBHEADING, TABLE, MASTHEAD = "仿宋", "黑体", "楷体", "宋体", "宋体"
RED = RGBColor(0xC0, 0x00, 0x00)
GREY = RGBColor(0x75, 0x75, 0x75)
BLACK = RGBColor(0, 0, 0)
PAGE_MM, MARGINS_MM = (210, 297), (25, 22, 26, 22)  # top, bottom, left, right
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM[2] - MARGINS_MM[3]
PT_MM = 0.3528
CELL_PADDING_MM = 4.0  # Word's default cell margins and the border
NARROW_MM = 24.0
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
               "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
               "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_fonts(rpr_parent: Any, east_asian: str, latin: str = LATIN) -> None:
    """Point the Latin and East Asian slots of a style's or run's rPr at the given fonts."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asian), ("w:cs", latin)):
        fonts.set(qn(attr), name)


def _style(doc: Any, name: str, east_asian: str, size_pt: float, *, bold: bool = False,
           colour: RGBColor = BLACK) -> None:
    style = doc.styles[name]
    style.font.size = Pt(size_pt)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = colour
    _set_fonts(style.element, east_asian)


def _run(paragraph: Any, text: str, *, font: str = BODY, size_pt: float | None = None, bold: bool | None = None,
         colour: RGBColor | None = None) -> Any:
    run = paragraph.add_run(text)
    _set_fonts(run._element, font)
    if size_pt:
        run.font.size = Pt(size_pt)
    if bold is not None:
        run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _border(paragraph: Any, side: str, *, colour: str, eighths_pt: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_AFTER_PBDR)  # Word rejects pPr children out of order
    line = OxmlElement(f"w:{side}")
    for attr, value in (("w:val", "single"), ("w:sz", str(eighths_pt)), ("w:space", "1"), ("w:color", colour)):
        line.set(qn(attr), value)
    borders.append(line)


def _setup(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    top, bottom, left, right = MARGINS_MM
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    _style(doc, "Normal", BODY, 14)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    doc.styles["Normal"].element.get_or_add_rPr().append(lang)
    doc.styles["Normal"].paragraph_format.space_after = Pt(2)
    _style(doc, "Heading 1", HEADING, 16)
    _style(doc, "Heading 2", SUBHEADING, 14, bold=True)
    for name in ("Heading 1", "Heading 2"):
        fmt = doc.styles[name].paragraph_format
        fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(12), Pt(4), True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", font=TABLE, size_pt=10.5)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    footer._p.append(field)
    _run(footer, " —", font=TABLE, size_pt=10.5)


def _masthead(doc: Any, d: Document) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(12)
    _run(p, d.masthead, font=MASTHEAD, size_pt=44, bold=True, colour=RED)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, d.number, size_pt=16)
    p = doc.add_paragraph()
    p.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    _run(p, f"{d.editor}\t{d.date}", size_pt=14)
    _border(p, "bottom", colour="C00000", eighths_pt=18)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(18)
    _run(p, d.headline, font=HEADING, size_pt=18)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, d.period, size_pt=12, colour=GREY)


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    for attr, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shading.set(qn(attr), value)
    cell._tc.get_or_add_tcPr().append(shading)


def _cell(cell: Any, text: str, *, size_pt: float, bold: bool = False,
          align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.first_line_indent = None
    p.paragraph_format.space_after = Pt(0)
    _run(p, text, font=TABLE, size_pt=size_pt, bold=bold)


def _text_width(text: str) -> int:
    """Width in half-width characters: a Chinese character counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _column_widths_mm(rows: list[tuple[str, ...]], size_pt: float) -> list[float]:
    """Column widths filling the text width: narrow columns (numbers, codes, short names)
    get their natural width, so "任务数" never wraps; the wide ones share what is left."""
    half_mm = size_pt * PT_MM / 2
    natural = [max(_text_width(row[j]) for row in rows) * half_mm + CELL_PADDING_MM for j in range(len(rows[0]))]
    narrow = [n <= NARROW_MM for n in natural]
    free = TEXT_WIDTH_MM - sum(n for n, is_narrow in zip(natural, narrow, strict=False) if is_narrow)
    wide = sum(n for n, is_narrow in zip(natural, narrow, strict=False) if not is_narrow)
    if sum(natural) <= TEXT_WIDTH_MM or not wide or free < wide / 3:
        return [TEXT_WIDTH_MM * n / sum(natural) for n in natural]
    return [n if is_narrow else n * free / wide for n, is_narrow in zip(natural, narrow, strict=False)]


def _table(doc: Any, block: Table) -> None:
    """A real Word table; rows are appended one by one (python-docx's ``table.rows[i]`` walks
    the whole table, which a city-sized table cannot afford)."""
    size = 10.5 if len(block.columns) <= 6 else 9
    rows = [*block.rows, *([block.total] if block.total else [])]
    widths = [Mm(w) for w in _column_widths_mm([block.columns, *rows], size)]
    table = doc.add_table(rows=0, cols=len(block.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice and WPS follow
    header = table.add_row()
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on every page
    for cell, text, width in zip(header.cells, block.columns, widths, strict=True):
        cell.width = width  # the cells, which Word follows
        _cell(cell, text, size_pt=size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "ECEFF1")
    body: Any = None  # the first body row, still without text: later rows are copies of its XML
    for i, values in enumerate(rows):
        is_total = block.total is not None and i == len(rows) - 1
        if is_total or body is None:
            tr = _styled_row(table, block, widths, size=size, total=is_total)
            if not is_total:
                body = deepcopy(tr)
        else:  # a copy of the styled row: python-docx's per-cell calls cost ~1 ms a cell
            tr = deepcopy(body)
            table._tbl.append(tr)
        for tc, text in zip(tr.tc_lst, values, strict=True):
            tc.p_lst[0].r_lst[0].text = text  # the same setter as add_run(text): tabs and breaks kept
    doc.add_paragraph()


def _styled_row(table: Any, block: Table, widths: list[Any], *, size: float, total: bool) -> Any:
    """Append a body (or total) row whose cells hold one empty, styled run each; return its ``w:tr``."""
    row = table.add_row()
    for j, (cell, width) in enumerate(zip(row.cells, widths, strict=True)):
        cell.width = width
        align = WD_ALIGN_PARAGRAPH.RIGHT if j in block.numeric else WD_ALIGN_PARAGRAPH.LEFT
        _cell(cell, "", size_pt=size, bold=total, align=align)
        if total:
            _shade(cell, "F5F5F5")
    return row._tr


def _photos(doc: Any, block: Photos) -> None:
    columns = len(block.headers)
    table = doc.add_table(rows=1, cols=columns)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
        _cell(cell, text, size_pt=10.5, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "ECEFF1")
    width = Mm(min(TEXT_WIDTH_MM / columns - 6, 110))
    for row in block.rows:
        caption = table.add_row().cells
        _cell(caption[0].merge(caption[-1]) if columns > 1 else caption[0], row.caption, size_pt=10.5)
        for cell, path in zip(table.add_row().cells, row.photos, strict=True):
            content = photo_jpeg(path)
            if content is None:
                _cell(cell, t.PHOTO_MISSING, size_pt=10.5, align=WD_ALIGN_PARAGRAPH.CENTER)
                continue
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(io.BytesIO(content), width=width)
    doc.add_paragraph()


def _paragraph(doc: Any, text: str, *, note: bool = False, empty: bool = False) -> None:
    p = doc.add_paragraph()
    if note or empty:
        _run(p, text, size_pt=10.5 if note else 12, colour=GREY)
    else:
        p.paragraph_format.first_line_indent = Pt(28)  # two characters of 14 pt
        _run(p, text)


def _figure(doc: Any, block: Figure) -> None:
    # from bytes: the picture's name in the file is then "image.png", not the temporary file's name
    doc.add_picture(io.BytesIO(block.path.read_bytes()), width=Mm(TEXT_WIDTH_MM))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, block.caption, size_pt=10.5)


def _distribution(doc: Any, lines: tuple[str, ...]) -> None:
    for i, line in enumerate(lines):
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        _run(p, line, size_pt=12)
        if i == 0:
            p.paragraph_format.space_before = Pt(24)
            _border(p, "top", colour="000000", eighths_pt=8)
        if i == len(lines) - 1:
            _border(p, "bottom", colour="000000", eighths_pt=8)


def render_docx(d: Document, out_path: Path) -> Path:
    """Write the issue as a .docx to ``out_path``."""
    doc = new_docx()
    _setup(doc)
    doc.core_properties.title = f"{d.masthead} {d.number}"
    doc.core_properties.author = d.editor
    _masthead(doc, d)
    for block in d.blocks:
        if isinstance(block, Heading):
            p = doc.add_heading(level=block.level)
            _run(p, block.text, font=HEADING if block.level == 1 else SUBHEADING,
                 colour=RED if block.tone == "red" else None)
        elif isinstance(block, Para):
            _paragraph(doc, block.text, note=block.note)
        elif isinstance(block, Empty):
            _paragraph(doc, block.text, empty=True)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Figure):
            _figure(doc, block)
        elif isinstance(block, InteractiveMap):
            _paragraph(doc, t.DOCX_MAP_NOTE, note=True)
        elif isinstance(block, Photos):
            _photos(doc, block)
    _distribution(doc, d.distribution)
    doc.save(str(out_path))
    return out_path
