"""``cw rehearsal …``: plan a 模拟暗访 (sampled places and route) and write its scored report."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from commands.common import CampaignOpt, NowOpt, context, handles_errors, out, parse_now, print_json
from commands.texts import REH_MAP, REH_PLANNED, REH_REPORT, REH_TYPES
from rules.errors import InvalidInput
from services.campaigns import get_campaign, load_context
from services.rehearsal import plan_rehearsal, write_report, write_route_map

rehearsal_app = typer.Typer(help="模拟暗访：按国家暗访方式抽取点位、路线图、扣分报告", no_args_is_help=True)


@rehearsal_app.command("plan")
@handles_errors
def plan(day: Annotated[str, typer.Option("--date", help="暗访日期，如 2025-03-10")],
         seed: Annotated[int | None, typer.Option("--seed", help="随机种子（同一日期和种子得到同一方案）")] = None,
         json_out: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
         no_map: Annotated[bool, typer.Option("--no-map", help="不画路线图")] = False,
         campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """按点位类型抽取模拟暗访点位（数量随活动规模缩放，可在 standard.rehearsal 中配置），排出路线。"""
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        raise InvalidInput(f"--date 的日期格式不正确：{day}（示例：2025-03-10）") from None
    ctx = context()
    with ctx.db.unit_of_work() as s:
        p = plan_rehearsal(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), day=when, seed=seed,
                           now=parse_now(now))
    png = None
    if p.points and not no_map:  # drawn after the commit: the plan stands even if drawing fails
        with ctx.db.reader() as s:
            png = write_route_map(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), plan=p,
                                  out_dir=ctx.settings.output_dir / "rehearsals")
    if json_out:
        print_json({"id": p.id, "date": p.date, "seed": p.seed, "inspection_id": p.inspection_id,
                    "route_m": p.route_m, "map": str(png) if png else None, "by_type": p.by_type,
                    "points": [{"seq": x.seq, "type": x.type, "name": x.name, "lon": x.lon, "lat": x.lat,
                                "area": x.area, "segment": x.segment} for x in p.points],
                    "notes": p.notes})
        return
    out.print(REH_PLANNED.format(date=p.date_label, id=p.id, seed=p.seed, n=len(p.points)), highlight=False)
    for t, n in p.by_type.items():
        out.print(REH_TYPES.format(type=t, n=n), highlight=False)
    for note in p.notes:
        out.print(f"  [yellow]{note}[/]", highlight=False)
    for x in p.points:
        out.print(f"  {x.seq:>2}. {x.type} {x.name}", highlight=False)
    if png:
        out.print(REH_MAP.format(path=png), highlight=False)


@rehearsal_app.command("report")
@handles_errors
def report(rehearsal: Annotated[int | None, typer.Option("--id", help="模拟暗访编号（默认最近一次）")] = None,
           campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """给模拟暗访打分：按方面、点位类型扣分，路段和单位排名（HTML 和 Word）。"""
    ctx = context()
    with ctx.db.reader() as s:
        r = write_report(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), rehearsal_id=rehearsal,
                         out_dir=ctx.settings.output_dir / "rehearsals", now=parse_now(now))
    out.print(REH_REPORT.format(files="、".join(str(f) for f in r.files)), highlight=False)
