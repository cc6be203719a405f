"""Every workbook the program writes keeps text as text (spreadsheet formula injection, issue 16).

openpyxl stores any string that starts with "=" as a formula: a rectification note
``=HYPERLINK(…)`` or a unit named ``=cmd|' /C calc'!A0`` would run in the office's Excel. No
workbook of this program has a formula of its own, so ``save`` turns every formula cell back
into the text it was given, in every sheet, just before writing.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any


def as_text(workbook: Any) -> int:
    """Make every formula cell of ``workbook`` (an openpyxl Workbook) a text cell; return how many."""
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.data_type = "s"
                    changed += 1
    return changed


def save(workbook: Any, target: Path | str | IO[bytes]) -> None:
    """``workbook.save(target)`` with every cell written from text kept as text."""
    as_text(workbook)
    workbook.save(target)
