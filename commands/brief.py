"""``cw brief``: write an issue of the 创卫简报 (weekly or 专刊) and list the issues."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from commands.common import context, handles_errors, out, parse_now, print_json
from commands.labels import BRIEF_KIND
from commands.texts import CLI_LIST_COLS, CLI_LIST_TITLE, CLI_REUSED, CLI_WRITTEN
from services.briefs import (
    list_briefs,
    moment,
    number,
    reserve,
    write_issue,
)
from services.campaigns import get_campaign, load_context

brief_app = typer.Typer(help="创卫简报：cw brief --week 2025-W18 --out 目录 | cw brief --special 标题 --out 目录 | cw brief list",
                        invoke_without_command=True)

CampaignOpt = Annotated[str | None, typer.Option("--campaign", help="活动编号（只有一个活动时可省略）")]
NowOpt = Annotated[str | None, typer.Option("--now", help="当前时间（ISO 8601），默认真实时钟；"
                                                             "早于周末时简报数据截至该时间")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON")]


@handles_errors
def _write(week: str | None, special: str | None, out_dir: Path | None, now: str | None, campaign: str | None,
           as_json: bool) -> None:
    ctx = context()
    t_now = parse_now(now)
    folder = out_dir or ctx.settings.output_dir / "briefs"
    # the number is recorded (committed) before any file shows it
    with ctx.db.unit_of_work() as s:
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
