"""``cw inspections …`` (督查计划) and ``cw import places``; ``register`` adds every issue-7 group."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from commands.common import CampaignOpt, JsonOpt, NowOpt, context, handles_errors, out, parse_now, print_json
from commands.data import import_app
from rules.errors import NotFound
from rules.weeks import week_key
from services.campaigns import get_campaign, load_context, unit_directory
from services.inspections import (
    Plan,
    import_places,
    list_plans,
    office_principal,
    plan_week,
    publish_inspection,
    unit_principal,
)
from services.people import Principal

inspections_app = typer.Typer(help="督查计划：定期、暗访、交叉检查、领导带队、跟踪复查", no_args_is_help=True)



def viewer(session, campaign, unit: str | None) -> Principal:
    """创卫办, or the named unit's contact person (to see what that unit sees)."""
    if not unit:
        return office_principal(campaign)
    found = unit_directory(session, campaign.id).find(unit)
    if found is None:
        raise NotFound(f"找不到单位「{unit}」")
    return unit_principal(campaign, found.id, found.name)


def plan_json(plan: Plan) -> dict[str, Any]:
    """A round for ``--json``: ``seed`` only when the viewer may know the draw (创卫办)."""
    data = asdict(plan)
    if plan.seed is None:
        del data["seed"]
    return data


@inspections_app.command("plan")
@handles_errors
def plan_cmd(week: Annotated[str | None, typer.Option("--week", help="ISO 周次，如 2025-W18；默认本周")] = None,
             kind: Annotated[list[str] | None, typer.Option("--kind", help="只安排这些类型（可重复）")] = None,
             seed: Annotated[int | None, typer.Option("--seed", help="随机种子（默认随机生成并记录）")] = None,
             campaign: CampaignOpt = None, now: NowOpt = None, as_json: JsonOpt = False) -> None:
    """制定一周的督查计划，并只通知检查人员。"""
    t = parse_now(now)
    ctx = context()
    with ctx.db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        w = week or week_key(t.astimezone(ZoneInfo(c.timezone)).date())
        results = plan_week(s, ctx=load_context(s, campaign=c), week=w, now=t, kinds=kind, seed=seed)
    if as_json:
        print_json([asdict(r) for r in results])
        return
    if not results:
        out.print(f"{w}：没有需要新建的督查计划（已存在或无可安排的检查）")
    for r in results:
        secret = "（暗访，发布前对被检查单位保密）" if not r.announced else ""
        out.print(f"已制定 {r.title}：{r.stops} 个检查点位，通知 {r.notified} 条，种子 {r.seed}{secret}")
        for note in r.notes:
            out.print(f"  [yellow]注意：[/]{note}", highlight=False)


@inspections_app.command("list")
@handles_errors
def list_cmd(week: Annotated[str | None, typer.Option("--week", help="ISO 周次")] = None,
             unit: Annotated[str | None, typer.Option("--as-unit", help="以该单位身份查看（默认创卫办）")] = None,
             campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """列出督查计划（暗访计划在发布前只对创卫办和检查人员可见）。"""
    ctx = context()
    with ctx.db.reader() as s:
        c = get_campaign(s, campaign)
        plans = list_plans(s, principal=viewer(s, c, unit), week=week)
    if as_json:
        print_json([plan_json(p) for p in plans])
        return
    table = Table(title=f"督查计划（共 {len(plans)} 项）")
    for col in ("编号", "周次", "类型", "点位数", "检查日期", "状态"):
        table.add_column(col)
    for p in plans:
        days = sorted({x.day[5:] for x in p.stops})
        table.add_row(str(p.id), p.week, p.kind, str(len(p.stops)), "、".join(days),
                      "已公开" if p.published else "保密（未发布）")
    out.print(table)


@inspections_app.command("publish")
@handles_errors
def publish_cmd(inspection_id: Annotated[int, typer.Argument(help="督查计划编号")],
                campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """发布暗访结果：公开计划，并向责任单位下达其发现的问题。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        r = publish_inspection(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), inspection_id=inspection_id, now=parse_now(now))
    out.print(f"已发布督查计划 {inspection_id}：下达整改问题 {r['dispatched']} 条，转创卫办分派 {r['triaged']} 条")


@import_app.command("places")
@handles_errors
def import_places_cmd(
    file: Annotated[Path, typer.Argument(help="GeoJSON/GeoPackage/Shapefile 点，或 .xlsx/.csv（经度、纬度列）")],
    datum: Annotated[str, typer.Option("--datum", help="坐标系：wgs84、gcj02（高德/腾讯）或 bd09（百度）")] = "wgs84",
    layer: Annotated[str | None, typer.Option("--layer", help="图层名（GeoPackage）")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="工作表名称")] = None,
    campaign: CampaignOpt = None, now: NowOpt = None,
) -> None:
    """导入检查点位（名称、类型、地址），每个点位归属其所在路段。"""
    from commands.data import _print_report

    ctx = context()
    with ctx.db.unit_of_work() as s:
        r = import_places(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), path=file, datum=datum.lower(), layer=layer,
                          sheet=sheet, now=parse_now(now))
    _print_report(f"导入点位 {file}", r)


def register(app: typer.Typer) -> None:
    """Add the inspection, finding, complaint and ledger groups to ``cw``."""
    from commands.findings import complaints_app, findings_app, ledger_app

    app.add_typer(inspections_app, name="inspections")
    app.add_typer(findings_app, name="findings")
    app.add_typer(complaints_app, name="complaints")
    app.add_typer(ledger_app, name="ledger")
