"""``cw standard archive``: the 资料整理 zip, filed by the standard's items in the standard's order.

Layout: ``目录.docx`` and ``index.xlsx`` at the top; one folder per area (``01 爱国卫生组织管理``), in it
one folder per item (``1.1 条目名称``) with the evidence files as uploaded and, under ``系统记录``,
xlsx extracts of the program's own records for that item. The zip is written to a temporary file
beside ``out`` and moved into place, so a failed run leaves no half-written archive.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import EvidenceFile, StandardItem
from rules.errors import InvalidInput, NotFound
from services import spreadsheets
from services.campaigns.context import CampaignContext
from services.standard import texts as tx
from services.standard.items import active_items, latest_results
from services.standard.system import Extract, system_evidence
from services.standard.vector import thresholds

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class ArchiveReport:
    path: Path
    items: int
    files: int  # uploaded evidence files
    extracts: int  # generated extracts


def folder(text: str) -> str:
    """A folder name safe on Windows and in zips (the office opens archives on Windows)."""
    return _UNSAFE.sub("_", text).strip(" .")[:80]


def area_folder(item: StandardItem) -> str:
    return f"{item.area_seq:02d} {folder(item.area)}"


def item_folder(item: StandardItem) -> str:
    return f"{area_folder(item)}/{folder(f'{item.code} {item.title}')}"


def _xlsx(sheets: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(list(columns))
        for c in ws[1]:
            c.font = Font(bold=True)
        for r in rows:
            ws.append(list(r))
        for k, col in enumerate(columns, start=1):
            width = max([len(str(col))] + [len(str(r[k - 1])) for r in rows if r[k - 1] is not None])
            ws.column_dimensions[ws.cell(1, k).column_letter].width = min(60, 4 + width * 1.6)
        for row in ws.iter_rows(min_row=2):
            for c in row:
                c.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    spreadsheets.save(wb, buf)  # text stays text (no formula injection)
    return buf.getvalue()


def _catalogue(title: str, when: str, entries: list[tuple[StandardItem, str, list[str]]]) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(tx.CATALOGUE_TITLE.format(title=title), level=0)
    doc.add_paragraph(tx.CATALOGUE_INTRO.format(title=title, when=when))
    area = None
    table = None
    for item, result, files in entries:
        if item.area != area:
            area = item.area
            doc.add_heading(f"{item.area_seq}. {item.area}", level=1)
            table = doc.add_table(rows=1, cols=5)
            table.style = "Table Grid"
            for cell, head in zip(table.rows[0].cells, ("条目", "名称", "责任单位", "自评结果", "佐证材料"), strict=True):
                cell.text = head
        assert table is not None  # a table is opened with each area
        cells = table.add_row().cells
        cells[0].text = f"{item.code} {item.number or ''}".strip()
        cells[1].text = item.title
        cells[2].text = item.owner or ""
        cells[3].text = result
        cells[4].text = "\n".join(files) or tx.NO_EVIDENCE
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _unique(name: str, taken: set[str]) -> str:
    stem, suffix = os.path.splitext(name)
    k, candidate = 2, name
    while candidate in taken:
        candidate, k = f"{stem}-{k}{suffix}", k + 1
    taken.add(candidate)
    return candidate


def write_archive(session: Session, *, ctx: CampaignContext, evidence_dir: Path, out: Path,
                  now: dt.datetime) -> ArchiveReport:
    """Write the archive zip to ``out`` (all or nothing) and say what it holds."""
    items = active_items(session, ctx.id)
    if not items:
        raise NotFound("还没有载入国家卫生县城标准，请先运行 cw standard load")
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise InvalidInput(f"资料压缩包应以 .zip 结尾：{out}")
    results = latest_results(session, [i.id for i in items])
    files: dict[int, list[EvidenceFile]] = {}
    for f in session.scalars(select(EvidenceFile).where(EvidenceFile.campaign_id == ctx.id)
                             .order_by(EvidenceFile.created_at, EvidenceFile.id)):
        files.setdefault(f.item_id, []).append(f)
    limits = thresholds(session, ctx.id)
    tz = ZoneInfo(ctx.campaign.timezone)
    local = now.astimezone(tz)
    when = f"{local.year}年{local.month}月{local.day}日{local.hour}时"
    title = ctx.spec.campaign.name
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp-", suffix=".zip")
    os.close(fd)
    index_rows: list[tuple[Any, ...]] = []
    entries: list[tuple[StandardItem, str, list[str]]] = []
    n_files = n_extracts = 0
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for seq, item in enumerate(items, start=1):
                base = item_folder(item)
                z.writestr(f"{base}/", b"")
                taken: set[str] = set()
                listed: list[str] = []
                for f in files.get(item.id, []):
                    src = evidence_dir / f.path
                    if not src.is_file():
                        raise NotFound(f"佐证材料文件缺失：{f.filename}（条目 {item.code}），请检查数据目录 {evidence_dir}")
                    name = f"{base}/{_unique(f.filename, taken)}"
                    z.write(src, name)
                    listed.append(name)
                    n_files += 1
                extracts: list[Extract] = system_evidence(session, ctx=ctx, item=item, thresholds=limits)
                if extracts:
                    name = f"{base}/{tx.SYSTEM_FOLDER}/{folder(item.code)} 系统记录摘录.xlsx"
                    z.writestr(name, _xlsx([(e.title, e.columns, e.rows) for e in extracts]))
                    listed.append(name)
                    n_extracts += 1
                r = results.get(item.id)
                result = r.result if r else tx.NOT_ASSESSED
                index_rows.append((seq, item.code, item.area, item.title, item.owner or "", result,
                                   r.score if r else None, (r.note or "") if r else "",
                                   f"{r.assessed_at.astimezone(tz):%Y年%m月%d日}" if r else "",
                                   "\n".join(listed), tx.VERIFIED[item.verified]))
                entries.append((item, result, [n.rsplit("/", 1)[-1] for n in listed]))
            z.writestr("index.xlsx", _xlsx([(tx.INDEX_SHEET, tx.INDEX_COLUMNS, index_rows)]))
            z.writestr("目录.docx", _catalogue(title, when, entries))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ArchiveReport(path=out, items=len(items), files=n_files, extracts=n_extracts)
