"""``cw report``: the office's documents besides the weekly brief — 阶段总结 and 督查通报."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commands.common import CampaignOpt, JsonOpt, NowOpt, context, handles_errors, out, parse_now, print_json
from commands.texts import CLI_CIRCULAR_WRITTEN, CLI_STAGE_LINE, CLI_STAGE_WRITTEN
from services.campaigns import get_campaign, load_context
from services.reports import issue_circular, write_stage_summary

report_app = typer.Typer(help="公文：cw report stage --phase 起步 --out 目录 | cw report circular --inspection 编号 --out 目录",
                         no_args_is_help=True)



@report_app.command("stage")
@handles_errors
def stage(phase: Annotated[str, typer.Option("--phase", help="时段名称，如 起步")],
          out_dir: Annotated[Path, typer.Option("--out", help="输出目录")] = Path("."),
          now: NowOpt = None, campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """阶段总结（HTML 与 Word）和该时段的整改台账（xlsx）。"""
    ctx = context()
    with ctx.db.reader() as s:
        files = write_stage_summary(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), phase=phase,
                                    out_dir=out_dir, now=parse_now(now))
    paths = [files.html, files.docx, files.xlsx]
    if as_json:
        print_json({"files": [str(p) for p in paths],
                    "quantities": [{"category": q.category, "measure": q.measure, "findings": q.findings,
                                    "ticks": q.ticks, "total": q.total} for q in files.quantities]})
        return
    out.print(CLI_STAGE_WRITTEN.format(phase=phase, files="、".join(str(p) for p in paths)), highlight=False)
    line = "，".join(f"{q.category}{q.total:g}{q.measure}" for q in files.quantities[:8])
    if line:
        out.print(CLI_STAGE_LINE.format(line=line), highlight=False)


@report_app.command("circular")
@handles_errors
def circular(inspection: Annotated[int, typer.Option("--inspection", help="督查计划编号（cw inspections list）")],
             out_dir: Annotated[Path, typer.Option("--out", help="输出目录")] = Path("."),
             now: NowOpt = None, campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """印发一轮已公开督查的督查通报（HTML 与 Word），并通知被通报的单位。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        files = issue_circular(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), inspection_id=inspection,
                               out_dir=out_dir, now=parse_now(now), photo_dir=ctx.settings.photo_dir)
    if as_json:
        print_json({"number": files.number, "new": files.created, "files": [str(files.html), str(files.docx)],
                    "notified": files.notified})
        return
    out.print(CLI_CIRCULAR_WRITTEN.format(number=files.number, files=f"{files.html}、{files.docx}",
                                          notified=files.notified), highlight=False)
