"""Read an office's table (.xlsx, or .csv in UTF-8 with or without BOM, or GBK) into numbered rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from rules.errors import InvalidInput


@dataclass(frozen=True)
class TableRow:
    """One data row; ``number`` is the row number as the spreadsheet shows it (header = 1)."""

    number: int
    values: dict[str, str]


def _clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: 无法识别文件编码（应为 UTF-8 或 GBK）") from None


def _rows_from_csv(path: Path) -> list[list[str]]:
    text = _decode(path.read_bytes(), path)
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def _rows_from_xlsx(path: Path, sheet: str | None) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise InvalidInput(f"{path}: 无法打开 Excel 文件", log_detail=repr(e)) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InvalidInput(f"{path}: 找不到工作表「{sheet}」（现有：{'、'.join(wb.sheetnames)}）")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        return [[_clean(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_table(path: Path, required: list[str], sheet: str | None = None) -> list[TableRow]:
    """Rows of ``path`` keyed by header; raise InvalidInput naming any missing column."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"找不到文件 {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = _rows_from_xlsx(path, sheet)
    elif suffix in (".csv", ".txt"):
        raw = _rows_from_csv(path)
    else:
        raise InvalidInput(f"{path}: 不支持的表格格式 {suffix}（请用 .xlsx 或 .csv）")
    if not raw:
        raise InvalidInput(f"{path}: 文件是空的")
    header = [_clean(h) for h in raw[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInput(f"{path}: 第1行表头缺少列：{'、'.join(missing)}（现有：{'、'.join(h for h in header if h)}）")
    rows = []
    for i, cells in enumerate(raw[1:], start=2):
        values = {h: _clean(cells[j]) if j < len(cells) else "" for j, h in enumerate(header) if h}
        if any(values.values()):
            rows.append(TableRow(number=i, values=values))
    return rows
