"""``cw assess``: the ranking of a week or phase, the 考核 workbook, ratings and 表彰 to confirm."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from commands.common import CampaignOpt, JsonOpt, NowOpt, context, handles_errors, out, parse_now, print_json
from commands.labels import PROPOSAL_STATUS
from commands.texts import (
    CLI_COLUMNS,
    CLI_COMMENDED,
    CLI_CONFIRMED,
    CLI_EXPORTED,
    CLI_INTERVIEW,
    CLI_NOTE,
    CLI_PROPOSED,
    CLI_SEGMENT_TITLE,
    CLI_TITLE,
    CLI_WIDTH,
    WHAT_COMMENDATIONS,
    WHAT_RATINGS,
)
from rules.errors import InvalidInput
from rules.times import page_time
from services.assessment import (
    AS_OF,
    COLUMNS,
    RECORD_COLUMNS,
    SEGMENT,
    UNIT,
    ConfirmedCommendations,
    ConfirmedRatings,
    ProposedRatings,
    RankingLine,
    confirm_commendations,
    confirm_ratings,
    list_commendations,
    list_ratings,
    movement,
    pct,
    period_for,
    points,
    propose_commendations,
    propose_ratings,
    ranking_line,
    settings,
    write_workbook,
)
from services.assessment import assess as assess_service
from services.campaigns import get_campaign, load_context

assess_app = typer.Typer(help="考核：cw assess --week 2025-W10 | --phase 起步 | --whole；"
                              "cw assess export --xlsx 文件；cw assess ratings/confirm/commend",
                         invoke_without_command=True)

WeekOpt = Annotated[str | None, typer.Option("--week", help="ISO 周次，如 2025-W10")]
PhaseOpt = Annotated[str | None, typer.Option("--phase", help="时段名称，如 起步")]
UnitsOpt = Annotated[list[str] | None, typer.Option("--unit", help="只处理这些单位（可重复）")]
ByOpt = Annotated[str, typer.Option("--by", help="确认人姓名")]


def _cell(key: str, value: Any) -> str:
    if key.endswith("_rate"):
        return pct(value)
    if key == "score":
        return points(value)
    if key == "movement":
        return movement(value)
    if key == "status":
        return PROPOSAL_STATUS.get(value, value)
    return "—" if value is None else str(value)


def _tables(lines: Sequence[RankingLine], title: str, columns: list[str]) -> None:
    headers = dict(COLUMNS + RECORD_COLUMNS)
    wide = Console(width=max(out.width, CLI_WIDTH), file=out.file, soft_wrap=True)
    for kind in dict.fromkeys(line.kind for line in lines):
        table = Table(title=title.format(kind=kind), title_justify="left")
        for key in columns:
            table.add_column(headers[key], justify="left" if key == "name" else "right", no_wrap=key != "name")
        for line in (x for x in lines if x.kind == kind):
            table.add_row(*(_cell(k, getattr(line, k)) for k in columns))
        wide.print(table)


@handles_errors
def _show(week: str | None, phase: str | None, whole: bool, segments: bool, kind: str | None, now: str | None,
          campaign: str | None, as_json: bool) -> None:
    ctx = context()
    t_now = parse_now(now)
    with ctx.db.reader() as s:
        c = get_campaign(s, campaign)
        period = period_for(s, c, now=t_now, week=week, phase=phase, whole=whole)
        result = assess_service(s, campaign=c, period=period, now=t_now, by=SEGMENT if segments else UNIT)
        w, tz = settings(c).weights, ZoneInfo(c.timezone)
    lines = [ranking_line(r) for r in result.rows if kind is None or r.kind == kind]
    if as_json:
        print_json({"period": period.key, "label": period.label, "as_of": period.as_of.isoformat(),
                    "rows": [asdict(line) for line in lines]})
        return
    as_of = AS_OF.format(as_of=page_time(period.as_of.astimezone(tz)))
    title = (CLI_SEGMENT_TITLE.format(label=period.label, as_of=as_of) if segments
             else CLI_TITLE.format(label=period.label, kind="{kind}", as_of=as_of))
    columns = [k for k in CLI_COLUMNS if k != "rating" or period.kind == "week"]
    _tables(lines, title, columns)
    extra = "".join(f" + {name}×{getattr(w, key):g}" for key, name in (("rectification", "按期整改率"),
                                                                        ("satisfaction", "满意率"))
                    if getattr(w, key) > 0)
    out.print(CLI_NOTE.format(completion=f"{w.completion:g}", on_time=f"{w.on_time:g}", quality=f"{w.quality:g}",
                                 load=f"{w.load:g}", extra=extra), highlight=False)


@assess_app.callback()
def assess(ctx: typer.Context, week: WeekOpt = None, phase: PhaseOpt = None,
           whole: Annotated[bool, typer.Option("--whole", help="整个活动全程")] = False,
           segments: Annotated[bool, typer.Option("--segments", help="按路段排名（巷道计入所属路段）")] = False,
           kind: Annotated[str | None, typer.Option("--kind", help="只显示这一类单位，如 牵头部门")] = None,
           now: NowOpt = None, campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """打印一周（默认上周）、一个时段或全程的单位考核排名（同类单位之间比较）。"""
    if ctx.invoked_subcommand is not None:
        return
    _show(week, phase, whole, segments, kind, now, campaign, as_json)


@assess_app.command("export")
@handles_errors
def export(xlsx: Annotated[Path, typer.Option("--xlsx", help="输出的 Excel 文件（.xlsx）")],
           week: Annotated[list[str] | None, typer.Option("--week", help="另外导出这些周（可重复）")] = None,
           now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """导出考核记录：每个时段、全程、已评级的各周各一个工作表，另附“说明”。"""
    ctx = context()
    t_now = parse_now(now)
    with ctx.db.reader() as s:
        result = write_workbook(s, campaign=get_campaign(s, campaign), path=xlsx, now=t_now, weeks=week)
    out.print(CLI_EXPORTED.format(path=result.path, sheets=len(result.sheets)), highlight=False)


@assess_app.command("ratings")
@handles_errors
def ratings(week: Annotated[str, typer.Option("--week", help="ISO 周次，如 2025-W10")],
            only_list: Annotated[bool, typer.Option("--list", help="只列出已保存的评级，不重新计算")] = False,
            now: NowOpt = None, campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """提出（或刷新）一周的评级并列出；已确认的评级不变。"""
    ctx = context()
    t_now = parse_now(now)
    report: ProposedRatings | None = None
    if not only_list:
        with ctx.db.unit_of_work() as s:
            report = propose_ratings(s, campaign=get_campaign(s, campaign), week=week, now=t_now)
    with ctx.db.reader() as s:
        lines = list_ratings(s, campaign=get_campaign(s, campaign), week=week)
    if as_json:
        print_json({"report": asdict(report) if report else None, "ratings": [asdict(line) for line in lines]})
        return
    if report:
        out.print(CLI_PROPOSED.format(week=report.week, n=report.proposed, frozen=report.frozen), highlight=False)
    _tables(lines, f"{week} 评级（{{kind}}）", ["rank", "name", "score", "rating", "overdue", "red_streak", "status"])


@assess_app.command("confirm")
@handles_errors
def confirm(by: ByOpt, week: WeekOpt = None, phase: PhaseOpt = None, unit: UnitsOpt = None, now: NowOpt = None,
            campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """创卫办确认一周的评级（--week）或一个时段的表彰（--phase）；确认后发布并通知。"""
    if (week is None) == (phase is None):
        raise InvalidInput("请给出 --week（确认评级）或 --phase（确认表彰）之一")
    ctx = context()
    t_now = parse_now(now)
    report: ConfirmedRatings | ConfirmedCommendations
    with ctx.db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        if week:
            report = confirm_ratings(s, ctx=load_context(s, campaign=c), week=week, now=t_now, actor=by, units=unit)
        else:
            report = confirm_commendations(s, ctx=load_context(s, campaign=c), phase=phase or "", now=t_now, actor=by, units=unit)
    if as_json:
        print_json(asdict(report))
        return
    what = WHAT_RATINGS if week else WHAT_COMMENDATIONS
    out.print(CLI_CONFIRMED.format(n=report.confirmed, what=what, notified=report.notified), highlight=False)
    for i in report.interviews if isinstance(report, ConfirmedRatings) else ():
        out.print(CLI_INTERVIEW.format(unit=i.unit, n=i.red_streak), highlight=False)


@assess_app.command("commend")
@handles_errors
def commend(phase: Annotated[str, typer.Option("--phase", help="已结束的时段名称")],
            only_list: Annotated[bool, typer.Option("--list", help="只列出，不重新提出")] = False,
            now: NowOpt = None, campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """在时段结束时提出表彰候选（每类单位前几名，得分达绿色线且时段内无红色评级）。"""
    ctx = context()
    t_now = parse_now(now)
    with ctx.db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        rows = (list_commendations(s, campaign=c, phase=phase) if only_list
                else propose_commendations(s, campaign=c, phase=phase, now=t_now))
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    out.print(CLI_COMMENDED.format(phase=phase, n=len(rows)), highlight=False)
    table = Table()
    for header in ("单位类别", "排名", "单位", "综合得分", "理由", "状态"):
        table.add_column(header)
    for r in rows:
        table.add_row(r.kind, str(r.rank), r.unit, points(r.score), r.reason, PROPOSAL_STATUS.get(r.status, r.status))
    out.print(table)
