"""``cw init``, ``cw check``, ``cw import …``, ``cw export …``, ``cw status``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from commands.common import CampaignOpt, NowOpt, context, handles_errors, out, parse_now, print_json
from config.loader import load_campaign
from services import schema
from services.campaigns import (
    CampaignStatus,
    RollupTotal,
    campaign_status,
    coverage_notes,
    get_campaign,
    init_campaign,
    load_context,
    rollup_status,
)
from services.imports import (
    ImportReport,
    assignment_rows,
    import_assignments,
    import_segments,
    segments_geojson,
    write_xlsx,
)

import_app = typer.Typer(help="导入路段、包联表等数据", no_args_is_help=True)
export_app = typer.Typer(help="导出数据", no_args_is_help=True)



def _print_report(title: str, r: ImportReport) -> None:
    out.print(f"{title}：新增 {r.created}，更新 {r.updated}，未变 {r.unchanged}")
    for label, items in (("新建街道", r.created_streets), ("新建单位", r.created_units),
                         ("新建县级领导", r.created_leaders)):
        if items:
            out.print(f"  {label}（{len(items)}）：{'、'.join(items)}")
    for w in r.warnings:
        out.print(f"  [yellow]提示：[/]{w}", highlight=False)


@handles_errors
def init(config: Annotated[Path, typer.Option("--config", help="campaign.yaml 或其所在文件夹")],
         now: NowOpt = None) -> None:
    """创建或升级数据库，并载入活动配置（路段、包联表、单位、领导）。"""
    ctx = context()
    loaded = load_campaign(config)
    t = parse_now(now)
    schema.upgrade(ctx.db.engine)
    with ctx.db.unit_of_work() as s:
        report = init_campaign(s, loaded=loaded, now=t)
    verb = "已创建" if report.created else "已更新"
    out.print(f"{verb}活动 {report.campaign}（{loaded.spec.campaign.name}），数据库：{ctx.settings.resolved_database_url()}")
    if report.segments:
        _print_report("路段/巷道", report.segments)
    if report.assignments:
        _print_report("包联", report.assignments)
    if report.places:
        _print_report("检查点位", report.places)
    for note in coverage_notes(loaded.spec, t):
        out.print(f"[yellow]注意：[/]{note}", highlight=False)


@handles_errors
def check(config: Annotated[Path, typer.Option("--config", help="campaign.yaml 或其所在文件夹")],
          now: NowOpt = None) -> None:
    """只校验活动配置文件，不改动数据库。"""
    loaded = load_campaign(config)
    spec = loaded.spec
    phases = spec.phases()
    out.print(f"活动配置有效：{spec.campaign.name}（{spec.campaign.code}），{len(spec.stages)} 个阶段，"
              f"{len(phases)} 个时段，{len(spec.units)} 个单位，{len(spec.leaders)} 位县级领导，"
              f"{len(spec.task_templates)} 个任务模板")
    for note in coverage_notes(spec, parse_now(now)):
        out.print(f"[yellow]注意：[/]{note}", highlight=False)


@import_app.command("segments")
@handles_errors
def import_segments_cmd(
    file: Annotated[Path, typer.Argument(help="GeoJSON、GeoPackage 或 Shapefile")],
    datum: Annotated[str, typer.Option("--datum", help="文件坐标系：wgs84、gcj02（高德/腾讯）或 bd09（百度）")] = "wgs84",
    layer: Annotated[str | None, typer.Option("--layer", help="图层名（GeoPackage）")] = None,
    campaign: CampaignOpt = None, now: NowOpt = None,
) -> None:
    """导入路段与巷道（按路段编号新增或更新）。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        r = import_segments(s, campaign=c, path=file, datum=datum.lower(), layer=layer, now=parse_now(now))
    _print_report(f"导入 {file}", r)


@import_app.command("assignments")
@handles_errors
def import_assignments_cmd(
    file: Annotated[Path, typer.Argument(help=".xlsx 或 .csv（UTF-8 或 GBK）")],
    create_missing: Annotated[bool, typer.Option("--create-missing", help="自动创建表中出现但系统中没有的单位和县级领导")] = False,
    sheet: Annotated[str | None, typer.Option("--sheet", help="工作表名称")] = None,
    campaign: CampaignOpt = None, now: NowOpt = None,
) -> None:
    """导入包联表（路段编号、路段名称、包段县级领导、牵头部门、参与单位）。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        r = import_assignments(s, campaign=c, path=file, sheet=sheet, create_missing=create_missing,
                               now=parse_now(now))
    _print_report(f"导入 {file}", r)


@export_app.command("segments")
@handles_errors
def export_segments_cmd(file: Annotated[Path, typer.Argument(help="输出的 GeoJSON 文件")],
                        campaign: CampaignOpt = None) -> None:
    """导出路段与巷道为 WGS-84 GeoJSON（可再次导入）。"""
    ctx = context()
    with ctx.db.reader() as s:
        data = segments_geojson(s, campaign=get_campaign(s, campaign))
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(file.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(file)
    out.print(f"已导出 {len(data['features'])} 条路段/巷道到 {file}")


def _status_all(as_json: bool, t) -> None:
    ctx = context()
    with ctx.db.reader() as s:
        data = rollup_status(s, now=t)
    if as_json:
        print_json(asdict(data))
        return
    table = Table(title="全市汇总（市县同创）")
    for col in ("活动", "当前时段", "路段", "巷道", "包联齐全", "任务", "已销号", "逾期"):
        table.add_column(col)
    rows: list[tuple[str, str | None, CampaignStatus | RollupTotal]] = [(c.name, c.phase, c) for c in data.campaigns]
    for name, phase, r in [*rows, ("合计", None, data.total)]:
        tk = r.tasks
        table.add_row(name, phase or "", str(r.segments), str(r.alleys),
                      str(r.segments_fully_assigned), str(tk.total), str(tk.verified), str(tk.overdue))
    out.print(table)


@export_app.command("assignments")
@handles_errors
def export_assignments_cmd(file: Annotated[Path, typer.Argument(help="输出的 .xlsx 文件")],
                           campaign: CampaignOpt = None) -> None:
    """导出当前有效的包联表（与导入格式相同，可修改后再导入）。"""
    from services.imports import COLUMNS

    ctx = context()
    with ctx.db.reader() as s:
        rows = assignment_rows(s, campaign=get_campaign(s, campaign))
    write_xlsx(file, "包联路段", COLUMNS, rows)
    out.print(f"已导出 {len(rows)} 行包联表到 {file}")


@handles_errors
def status(as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
           all_campaigns: Annotated[bool, typer.Option("--all", help="所有活动及合计（全市汇总）")] = False,
           campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """活动概况：路段、单位、包联、当前时段、任务。"""
    ctx = context()
    t = parse_now(now)
    if all_campaigns:
        _status_all(as_json, t)
        return
    with ctx.db.reader() as s:
        c = get_campaign(s, campaign)
        data = campaign_status(s, ctx=load_context(s, campaign=c), now=t)
    if as_json:
        print_json(asdict(data))
        return
    table = Table(title=f"{data.name}（{data.campaign}）", show_header=False)
    labels = [("streets", "主街道"), ("segments", "路段"), ("alleys", "巷道"), ("units", "单位"),
              ("leaders", "县级领导"), ("assignments", "有效包联"), ("segments_fully_assigned", "包联齐全的路段")]
    for key, label in labels:
        table.add_row(label, str(getattr(data, key)))
    table.add_row("当前时段", data.phase or "（尚未开始）")
    tk = data.tasks
    table.add_row("任务", f"共 {tk.total}，待办 {tk.open}，待核查 {tk.done}，已销号 {tk.verified}，逾期 {tk.overdue}")
    for banner in data.banners:
        table.add_row("[yellow]提示[/]", banner)
    out.print(table)
