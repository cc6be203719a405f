"""``cw assess export``: the 考核 record as an Excel workbook, one sheet per period, and a 说明 sheet.

Phase and whole-campaign sheets are computed as of ``now``; a week with stored ratings is
written from its stored record (the snapshot taken when it was proposed, with its status),
so the workbook shows what 创卫办 confirmed even if data changed afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Campaign, Phase
from rules.errors import InvalidInput
from rules.times import page_time
from rules.weeks import week_label, week_monday
from services import spreadsheets
from services.assessment import texts as tx
from services.assessment.ranking import (
    RankingLine,
    assess,
    phase_period,
    ranking_line,
    settings,
    week_period,
    whole_period,
)
from services.assessment.record import list_ratings, stored_weeks

RATIO_KEYS = {"completion_rate", "on_time_rate", "rework_rate", "rectification_rate", "satisfaction_rate"}
HEADER_FILL = PatternFill("solid", fgColor="C00000")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=13)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
RATING_FILLS = {"绿": PatternFill("solid", fgColor="C6EFCE"), "黄": PatternFill("solid", fgColor="FFEB9C"),
                "红": PatternFill("solid", fgColor="FFC7CE")}


@dataclass(frozen=True, slots=True)
class WrittenWorkbook:
    path: Path
    sheets: tuple[str, ...]  # in the workbook's order


def cell_value(key: str, value: Any) -> Any:
    """What a sheet cell holds: numbers as numbers, None as 无数据, movements and statuses as text."""
    if key == "movement":
        return tx.movement(value)
    if key == "status":
        return tx.STATUS_TEXT.get(value, value)
    if value is None:
        return tx.NO_DATA if key in RATIO_KEYS | {"score", "rank", "rating"} else ""
    return value


def week_sheet(week: str) -> str:
    """A week's sheet named as people read the week, with its year (an 18-month campaign meets 1月6日—12日
    twice): 2025年1月6日—12日, 2024年12月30日—2025年1月5日 (Excel allows 31 characters, no ``:/\\?*[]``)."""
    label = week_label(week)
    return label if label[:4].isdigit() else f"{week_monday(week).year}年{label}"


def _sheet(wb: Workbook, name: str, title: str, lines: Sequence[RankingLine], record: bool) -> Worksheet:
    ws = wb.create_sheet(name)
    columns = tx.COLUMNS + (tx.RECORD_COLUMNS if record else [])
    ws.cell(row=1, column=1, value=title).font = TITLE_FONT
    for j, (_, header) in enumerate(columns, start=1):
        c = ws.cell(row=2, column=j, value=header)
        c.font, c.fill, c.border = HEADER_FONT, HEADER_FILL, BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = 26 if j == 3 else 11
    for i, line in enumerate(lines, start=3):
        for j, (key, _) in enumerate(columns, start=1):
            value = getattr(line, key)
            c = ws.cell(row=i, column=j, value=cell_value(key, value))
            c.border = BORDER
            if key in RATIO_KEYS and isinstance(c.value, float):
                c.number_format = "0.0%"
            elif key in ("score", "load_points") and isinstance(c.value, float):
                c.number_format = "0.00"
            elif key == "rating" and value in RATING_FILLS:
                c.fill = RATING_FILLS[value]
    ws.freeze_panes = "D3"
    ws.row_dimensions[2].height = 32
    return ws


def _notes(wb: Workbook, campaign: Campaign) -> None:
    ws = wb.create_sheet(tx.SHEET_NOTES)
    spec = settings(campaign)
    rows = [*tx.NOTES, ("本活动权重", "、".join(f"{k} {v:g}" for k, v in spec.weights.model_dump().items())),
            ("本活动评级阈值", f"绿 ≥ {spec.ratings.green_min:g}，黄 ≥ {spec.ratings.yellow_min:g}，其余为红"
             + (f"；超时未处置达 {spec.ratings.red_overdue_min} 件即为红" if spec.ratings.red_overdue_min else "")),
            ("立案数分档", "；".join(f"≤{t.upto}件 {t.points:g}分" if t.upto is not None else f"其余 {t.points:g}分"
                                 for t in spec.load_tiers))]
    for j, header in enumerate(("项目", "口径"), start=1):
        c = ws.cell(row=1, column=j, value=header)
        c.font, c.fill, c.border = HEADER_FONT, HEADER_FILL, BORDER
    for i, (term, text) in enumerate(rows, start=2):
        ws.cell(row=i, column=1, value=term).font = Font(bold=True)
        ws.cell(row=i, column=2, value=text).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 16, 100


def write_workbook(session: Session, *, campaign: Campaign, path: Path, now: dt.datetime,
                   weeks: list[str] | None = None) -> WrittenWorkbook:
    """Write the workbook: each started phase, the whole campaign, each stored or named week, 说明."""
    if path.suffix.lower() != ".xlsx":
        raise InvalidInput(f"导出文件应以 .xlsx 结尾：{path}")
    tz = ZoneInfo(campaign.timezone)
    as_of = lambda p: tx.AS_OF.format(as_of=page_time(p.as_of.astimezone(tz)))
    wb = Workbook()
    wb.remove(wb.active)
    phases = session.scalars(select(Phase).where(Phase.campaign_id == campaign.id).order_by(Phase.seq)).all()
    for phase in phases:
        if dt.datetime.combine(phase.start_date, dt.time(0), tzinfo=tz) < now:
            p = phase_period(session, campaign, phase.name, now)
            lines = [ranking_line(r) for r in assess(session, campaign=campaign, period=p, now=now).rows]
            _sheet(wb, f"时段-{phase.name}", tx.SHEET_TITLE.format(label=p.label, as_of=as_of(p)), lines, False)
    whole = whole_period(session, campaign, now)
    _sheet(wb, tx.WHOLE, tx.SHEET_TITLE.format(label=whole.label, as_of=as_of(whole)),
           [ranking_line(r) for r in assess(session, campaign=campaign, period=whole, now=now).rows], False)
    stored = set(stored_weeks(session, campaign))
    for week in sorted(stored | {week_period(campaign, w, now).key for w in weeks or []}):
        p = week_period(campaign, week, now)
        if week in stored:
            _sheet(wb, week_sheet(week), tx.SHEET_TITLE.format(label=p.label, as_of="考核记录"),
                   list_ratings(session, campaign=campaign, week=week), True)
        else:
            lines = [ranking_line(r) for r in assess(session, campaign=campaign, period=p, now=now).rows]
            _sheet(wb, week_sheet(week), tx.SHEET_TITLE.format(label=p.label, as_of=as_of(p)), lines, False)
    _notes(wb, campaign)
    path.parent.mkdir(parents=True, exist_ok=True)
    spreadsheets.save(wb, path)  # text stays text (no formula injection)
    return WrittenWorkbook(path=path, sheets=tuple(wb.sheetnames))
