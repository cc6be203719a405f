"""``cw brief``: write an issue of the 创卫简报 (weekly or 专刊) and list the issues."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from commands.common import CampaignOpt, JsonOpt, context, handles_errors, out, parse_now, print_json
from commands.labels import BRIEF_KIND
from commands.texts import (
    CLI_BAD_FILE,
    CLI_DRAFT_GENERATED,
    CLI_DRAFT_OWN,
    CLI_DRAFT_SECTION,
    CLI_DRAFTED,
    CLI_EDITED,
    CLI_LIST_COLS,
    CLI_LIST_TITLE,
    CLI_NO_TEXT,
    CLI_REUSED,
    CLI_WRITTEN,
)
from rules.errors import InvalidInput
from rules.vocabulary import BriefState, label
from services.briefs import (
    draft_brief,
    edit_brief,
    list_briefs,
    moment,
    number,
    reserve,
    reserve_readiness,
    write_issue,
)
from services.campaigns import get_campaign, load_context

brief_app = typer.Typer(help="创卫简报：cw brief --week 2025-W18 --out 目录 | cw brief --special 标题 --out 目录 | cw brief list | "
                             "cw brief draft/edit/issue --week 2025-W18（草稿 → 修改 → 签发）| "
                             "cw brief readiness --month 2025-03（达标准备情况专刊）",
                        invoke_without_command=True)

NowOpt = Annotated[str | None, typer.Option("--now", help="当前时间（ISO 8601），默认真实时钟；"
                                                             "早于周末时简报数据截至该时间")]


@handles_errors
def _write(week: str | None, special: str | None, out_dir: Path | None, now: str | None, campaign: str | None,
           as_json: bool, readiness: str | None = None) -> None:
    ctx = context()
    t_now = parse_now(now)
    folder = out_dir or ctx.settings.output_dir / "briefs"
    # the number is recorded (committed) before any file shows it
    with ctx.db.unit_of_work() as s:
        if readiness is not None:
            ref = reserve_readiness(s, ctx=load_context(s, campaign=get_campaign(s, campaign)),
                                    month=readiness or None, now=t_now)
        else:
            ref = reserve(s, campaign=get_campaign(s, campaign), week=week, special=special, now=t_now)
    with ctx.db.unit_of_work() as s:
        written = write_issue(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), issue_id=ref.id, out_dir=folder, now=t_now,
                              photo_dir=ctx.settings.photo_dir)
    f = written.files
    files = [f.html, f.docx, *([f.png] if f.png else [])]
    if as_json:
        print_json({"number": written.number, "kind": written.kind, "key": written.key, "new": ref.created,
                    "as_of": written.as_of.isoformat(), "files": [str(f) for f in files],
                    "notified": written.notified})
        return
    label = number(written.number, written.kind == "special")
    out.print(CLI_WRITTEN.format(number=label, files="、".join(str(f) for f in files))
              + ("" if ref.created else CLI_REUSED), highlight=False)


@brief_app.callback()
def brief(ctx: typer.Context,
          week: Annotated[str | None, typer.Option("--week", help="ISO 周次，如 2025-W18")] = None,
          special: Annotated[str | None, typer.Option("--special", help="专刊标题（与周报共用期号）")] = None,
          out_dir: Annotated[Path | None, typer.Option("--out", help="输出目录，默认 <output_dir>/briefs")] = None,
          now: NowOpt = None, campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """生成一期创卫简报（HTML、Word 与进度图），并通知创卫办。"""
    if ctx.invoked_subcommand is not None:
        return
    if week is None and special is None:
        out.print(ctx.get_help())
        raise typer.Exit(2)
    _write(week, special, out_dir, now, campaign, as_json)


@brief_app.command("list")
@handles_errors
def brief_list(campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """列出已编发的各期简报。"""
    ctx = context()
    with ctx.db.reader() as s:
        rows = list_briefs(s, campaign=get_campaign(s, campaign))
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table(title=CLI_LIST_TITLE.format(n=len(rows)))
    for col in CLI_LIST_COLS:
        table.add_column(col)
    for r in rows:
        table.add_row(number(r.number, r.kind == "special"), BRIEF_KIND.get(r.kind, r.kind),
                      r.title, moment(dt.datetime.fromisoformat(r.as_of)), Path(r.docx).stem if r.docx else "")
    out.print(table)


WeekOpt = Annotated[str, typer.Option("--week", help="ISO 周次，如 2025-W18")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="输出目录，默认 <output_dir>/briefs")]


@brief_app.command("draft")
@handles_errors
def brief_draft(week: WeekOpt, now: NowOpt = None, campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """生成（或查看）一期简报草稿：工作动态、下步工作等各节的文字，签发前可修改。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        d = draft_brief(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), week=week, now=parse_now(now),
                        photo_dir=ctx.settings.photo_dir)
    if as_json:
        print_json(asdict(d))
        return
    out.print(CLI_DRAFTED.format(number=number(d.number, False), state=label(BriefState(d.state)), week=d.week),
              highlight=False)
    for section, text in d.sections.items():
        mark = CLI_DRAFT_OWN if section in d.edited else CLI_DRAFT_GENERATED
        out.print(CLI_DRAFT_SECTION.format(section=section, mark=mark), highlight=False)
        out.print(text or "—", highlight=False)


@brief_app.command("edit")
@handles_errors
def brief_edit(week: WeekOpt,
               section: Annotated[str, typer.Option("--section", help="工作动态、下步工作 或 按语")],
               file: Annotated[Path | None, typer.Option("--file", help="UTF-8 文本文件（空文件恢复系统生成的文字）")] = None,
               text: Annotated[str | None, typer.Option("--text", help="直接填写的文字")] = None,
               now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """修改草稿中的一节文字（签发前）。"""
    if file is None and text is None:
        raise InvalidInput(CLI_NO_TEXT)
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InvalidInput(CLI_BAD_FILE.format(path=file, reason=type(e).__name__)) from e
    ctx = context()
    with ctx.db.unit_of_work() as s:
        issue = edit_brief(s, campaign=get_campaign(s, campaign), week=week, section=section, text=text or "",
                           now=parse_now(now), actor="创卫办")
        n = issue.number
    out.print(CLI_EDITED.format(number=n, section=section, chars=len((text or "").strip())), highlight=False)


@brief_app.command("issue")
def brief_issue(week: WeekOpt, out_dir: OutOpt = None, now: NowOpt = None, campaign: CampaignOpt = None,
                as_json: JsonOpt = False) -> None:
    """签发：写出 HTML 与 Word 文件并通知创卫办（期号以草稿时为准）。"""
    _write(week, None, out_dir, now, campaign, as_json)


@brief_app.command("readiness")
def brief_readiness(month: Annotated[str, typer.Option("--month", help="月份，如 2025-03；默认为上一天所在的月份")] = "",
                    out_dir: OutOpt = None, now: NowOpt = None, campaign: CampaignOpt = None,
                    as_json: JsonOpt = False) -> None:
    """达标准备情况专刊：国家卫生县城标准各方面达标率、未达标条目及责任单位、未自评条目（HTML 与 Word），并通知创卫办。"""
    _write(None, None, out_dir, now, campaign, as_json, readiness=month)
