"""``cw findings …`` (问题与整改), ``cw complaints …`` (12345 工单), ``cw ledger …`` (整改台账)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from commands.common import CampaignOpt, JsonOpt, NowOpt, context, handles_errors, out, parse_now, print_json
from commands.inspections import viewer
from models import Campaign, Segment
from rules.errors import NotFound
from rules.vocabulary import OFFICE_NAME, VisitResult
from services.campaigns import get_campaign, load_context, unit_directory
from services.inspections import (
    assign_finding,
    close_complaint,
    export_xlsx,
    expose_finding,
    import_complaints,
    list_complaints,
    list_findings,
    merge_finding,
    record_finding,
    reinspect,
    report_rectified,
    return_finding,
    totals,
    visit_complaint,
)

findings_app = typer.Typer(help="督查发现的问题：登记、分派/改派、整改、复查", no_args_is_help=True)
complaints_app = typer.Typer(help="群众投诉（12345 工单）：导入、列表、回访、办结", no_args_is_help=True)
ledger_app = typer.Typer(help="整改台账", no_args_is_help=True)

ByOpt = Annotated[str, typer.Option("--by", help="操作人")]
IdArg = Annotated[int, typer.Argument(help="问题编号")]
StatusOpt = Annotated[str | None, typer.Option("--status", help="triage、open、rectified、closed、live、overdue …")]
QuantityOpt = Annotated[float | None, typer.Option("--quantity", help="整改数量（按类别计量单位）")]
TableArg = Annotated[Path, typer.Argument(help=".xlsx 或 .csv：工单编号、诉求内容，可选受理时间、问题类别、诉求地址、经纬度、诉求人、联系电话")]


def _find_unit_id(session: Session, campaign: Campaign, name: str) -> int:
    found = unit_directory(session, campaign.id).find(name)
    if found is None:
        raise NotFound(f"找不到单位「{name}」")
    return found.id


def _unit_id(session: Session, campaign: Campaign, name: str | None) -> int | None:
    return _find_unit_id(session, campaign, name) if name else None


@findings_app.command("record")
@handles_errors
def record_cmd(category: Annotated[str, typer.Option("--category", help="问题类别，如 暴露垃圾")],
               lon: Annotated[float, typer.Option("--lon", help="经度")],
               lat: Annotated[float, typer.Option("--lat", help="纬度")],
               description: Annotated[str, typer.Option("--desc", help="问题描述")] = "",
               datum: Annotated[str, typer.Option("--datum", help="wgs84、gcj02 或 bd09")] = "wgs84",
               inspection: Annotated[int | None, typer.Option("--inspection", help="所属督查计划编号")] = None,
               inspector: Annotated[str | None, typer.Option("--inspector", help="检查单位")] = None,
               merge_into: Annotated[int | None, typer.Option("--merge-into", help="合并到已有问题")] = None,
               new: Annotated[bool, typer.Option("--new", help="附近有同类问题时仍另立新问题")] = False,
               by: ByOpt = OFFICE_NAME, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """登记一个督查发现的问题，按位置分派到路段。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        f = record_finding(s, ctx=load_context(s, campaign=c), category=category, lon=lon, lat=lat, datum=datum.lower(), now=parse_now(now),
                           actor=by, description=description, inspection_id=inspection,
                           inspector_unit_id=_unit_id(s, c, inspector), merge_into=merge_into, allow_duplicate=new)
        fid, status = f.id, f.status
        segment = s.get(Segment, f.segment_id) if f.segment_id else None
        seg = segment.code if segment else ""
    out.print(f"已登记问题 {fid}：" + {"merged": f"已合并到问题 {merge_into}", "triage": "不在任何路段责任范围内，已转创卫办分派",
                                   "pending": "暗访问题，待计划发布后下达"}.get(status, f"已下达整改（路段 {seg}）"))


@findings_app.command("list")
@handles_errors
def list_cmd(status: StatusOpt = None,
             unit: Annotated[str | None, typer.Option("--as-unit", help="以该单位身份查看")] = None,
             campaign: CampaignOpt = None, now: NowOpt = None, as_json: JsonOpt = False) -> None:
    """列出问题（暗访问题发布前只有创卫办可见）。"""
    ctx = context()
    with ctx.db.reader() as s:
        c = get_campaign(s, campaign)
        rows = list_findings(s, campaign=c, principal=viewer(s, c, unit), now=parse_now(now), status=status)
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table(title=f"问题（共 {len(rows)} 条）")
    for col in ("编号", "类别", "路段", "牵头部门", "期限", "返工", "状态"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r.id), r.category, r.segment or "—", r.lead_unit or "—",
                      (r.deadline or "")[:16].replace("T", " "), str(r.rework_count), r.status_text)
    out.print(table)


@findings_app.command("assign")
@handles_errors
def assign_cmd(finding_id: IdArg, segment: Annotated[str, typer.Option("--segment", help="路段或巷道编号")],
               reason: Annotated[str, typer.Option("--reason", help="改派理由")] = "",
               by: ByOpt = OFFICE_NAME, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """创卫办分派待分派问题，或改派分错的问题。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        assign_finding(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), finding_id=finding_id, segment_code=segment,
                       now=parse_now(now), actor=by, reason=reason)
    out.print(f"问题 {finding_id} 已分派到 {segment}")


@findings_app.command("return")
@handles_errors
def return_cmd(finding_id: IdArg, unit: Annotated[str, typer.Option("--unit", help="退回的牵头部门")],
               reason: Annotated[str, typer.Option("--reason", help="退回理由")],
               campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """牵头部门退回不属于本路段的问题，由创卫办改派。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        return_finding(s, ctx=load_context(s, campaign=c), finding_id=finding_id, unit_id=_find_unit_id(s, c, unit), reason=reason,
                       now=parse_now(now), actor=unit)
    out.print(f"问题 {finding_id} 已退回创卫办待改派")


@findings_app.command("rectify")
@handles_errors
def rectify_cmd(finding_id: IdArg, quantity: QuantityOpt = None,
                unit: Annotated[str | None, typer.Option("--unit", help="报告单位（默认牵头部门）")] = None,
                note: Annotated[str, typer.Option("--note", help="说明")] = "",
                campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """报告整改完成，并把数量记入整改台账。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        report_rectified(s, ctx=load_context(s, campaign=c), finding_id=finding_id, now=parse_now(now), actor=unit or "牵头部门",
                         unit_id=_unit_id(s, c, unit), quantity=quantity, note=note)
    out.print(f"问题 {finding_id} 已报告整改完成，待复查")


@findings_app.command("reinspect")
@handles_errors
def reinspect_cmd(finding_id: IdArg, passed: Annotated[bool, typer.Option("--pass/--fail", help="复查是否通过")],
                  note: Annotated[str, typer.Option("--note", help="复查意见（不通过时必填）")] = "",
                  by: ByOpt = OFFICE_NAME, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """跟踪复查：通过则销号，不通过则返工并重新计时。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        f = reinspect(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), finding_id=finding_id, passed=passed, now=parse_now(now),
                      actor=by, note=note)
        rework = f.rework_count
    out.print(f"问题 {finding_id} 复查通过，已销号" if passed else f"问题 {finding_id} 复查不通过，返工（第 {rework} 次）")


@findings_app.command("merge")
@handles_errors
def merge_cmd(finding_id: IdArg, into: Annotated[int, typer.Option("--into", help="合并到的问题编号")],
              by: ByOpt = OFFICE_NAME, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """把重复的问题合并到另一条。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        merge_finding(s, campaign=get_campaign(s, campaign), finding_id=finding_id, into_id=into, now=parse_now(now),
                      actor=by)
    out.print(f"问题 {finding_id} 已合并到问题 {into}")


@findings_app.command("expose")
@handles_errors
def expose_cmd(finding_id: IdArg, by: ByOpt = OFFICE_NAME, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """曝光：列入本周简报的曝光台。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        expose_finding(s, campaign=get_campaign(s, campaign), finding_id=finding_id, now=parse_now(now), actor=by)
    out.print(f"问题 {finding_id} 已列入曝光台")


@complaints_app.command("import")
@handles_errors
def complaints_import_cmd(file: TableArg,
                          datum: Annotated[str, typer.Option("--datum", help="wgs84、gcj02 或 bd09")] = "wgs84",
                          sheet: Annotated[str | None, typer.Option("--sheet", help="工作表名称")] = None,
                          campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """导入 12345 工单（已登记的工单编号跳过）。"""
    from commands.data import _print_report

    ctx = context()
    with ctx.db.unit_of_work() as s:
        r = import_complaints(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), path=file, now=parse_now(now), datum=datum.lower(),
                              sheet=sheet)
    _print_report(f"导入工单 {file}", r)


@complaints_app.command("list")
@handles_errors
def complaints_list_cmd(unit: Annotated[str | None, typer.Option("--as-unit", help="以该单位身份查看（诉求人信息脱敏）")] = None,
                        campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """列出工单（诉求人姓名、电话只有创卫办可见）。"""
    ctx = context()
    with ctx.db.reader() as s:
        c = get_campaign(s, campaign)
        rows = list_complaints(s, campaign=c, principal=viewer(s, c, unit))
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table(title=f"12345 工单（共 {len(rows)} 件）")
    for col in ("编号", "工单编号", "类别", "路段", "诉求人", "电话", "期限", "状态"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r.id), r.order_no, r.category, r.segment or "—", r.complainant or "",
                      r.phone or "", (r.deadline or "")[:10], r.status_text)
    out.print(table)


@complaints_app.command("visit")
@handles_errors
def complaints_visit_cmd(complaint_id: Annotated[int, typer.Argument(help="工单序号（complaints list 中的编号）")],
                         result: Annotated[str, typer.Option("--result", help="满意、基本满意或不满意")],
                         note: Annotated[str, typer.Option("--note", help="回访记录")] = "",
                         by: ByOpt = OFFICE_NAME, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """回访：满意/基本满意则办结，不满意则重办。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        c = visit_complaint(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), complaint_id=complaint_id, result=result,
                            now=parse_now(now), actor=by, note=note)
        redo, reopened = c.redo_count, c.visit_result == VisitResult.DISSATISFIED
    out.print(f"工单回访：{result}" + (f"，已重办（第 {redo} 次）" if reopened else "，已办结"))


@complaints_app.command("close")
@handles_errors
def complaints_close_cmd(complaint_id: Annotated[int, typer.Argument(help="工单序号（complaints list 中的编号，即 Open311 的 service_request_id）")],
                         note: Annotated[str, typer.Option("--note", help="办结说明（告诉投诉人的处理结果）")],
                         by: ByOpt = OFFICE_NAME, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """创卫办办结工单：附办结说明，其问题随之销号（Open311 中显示为 closed）。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        c = close_complaint(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), complaint_id=complaint_id,
                            note=note, now=parse_now(now), actor=by)
        order_no = c.order_no
    out.print(f"工单 {order_no} 已办结")


@ledger_app.command("export")
@handles_errors
def ledger_export_cmd(xlsx: Annotated[Path, typer.Option("--xlsx", help="输出的 Excel 文件")],
                      campaign: CampaignOpt = None) -> None:
    """导出整改台账（明细，及按时段、路段、单位汇总）。"""
    ctx = context()
    with ctx.db.reader() as s:
        r = export_xlsx(s, campaign=get_campaign(s, campaign), path=xlsx)
    out.print(f"已导出整改台账 {r['entries']} 条到 {xlsx}")


@ledger_app.command("summary")
@handles_errors
def ledger_summary_cmd(by: Annotated[str, typer.Option("--by", help="phase、segment 或 unit")] = "phase",
                       campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """按时段、路段或单位汇总整改数量。"""
    ctx = context()
    with ctx.db.reader() as s:
        rows = totals(s, campaign=get_campaign(s, campaign), by=by)
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table(title="整改台账汇总")
    for col in ("分组", "问题类别", "数量", "单位", "条数"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.group, r.category, f"{r.quantity:g}", r.measure, str(r.entries))
    out.print(table)
