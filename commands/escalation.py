"""``cw problem …`` (协调事项), ``cw extension …`` (延期/挂账) and ``cw sanctions …`` (督办与处理建议)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from commands.common import JsonOpt, NowOpt, context, handles_errors, json_ready, out, parse_now, print_json
from commands.labels import PROBLEM_STATUS
from models import Segment
from models.accountability import PROBLEM, TASK
from rules import ladders as L
from rules.calendar import ClockType
from rules.errors import InvalidInput, NotFound
from rules.vocabulary import OFFICE_NAME, OpinionDecision, ProblemVerb, SanctionState, surface_table
from services.briefs import moment
from services.campaigns import CampaignContext, get_campaign, load_context, unit_directory
from services.escalation import (
    ProblemDetail,
    act,
    confirm,
    decide,
    dismiss,
    list_notices,
    list_problems,
    list_requests,
    list_sanctions,
    perform,
    principal_for,
    problem_detail,
    raise_problem,
    request,
)

problem_app = typer.Typer(help="问题与协调事项：上报、退回、退单、改派、办结、核实", no_args_is_help=True)
extension_app = typer.Typer(help="延期与挂账申请", no_args_is_help=True)
sanctions_app = typer.Typer(help="督办单与处理建议（通报批评、黄牌警告、约谈）", no_args_is_help=True)

CampaignOpt = Annotated[str | None, typer.Option("--campaign", help="活动编号")]
ByOpt = Annotated[str | None, typer.Option("--by", help="操作单位或县级领导（默认创卫办）")]
COMMAND_TEXT = {L.C_RETURN: "退回"}
VERB_TEXT = surface_table(ProblemVerb)
SANCTION_STATE_TEXT = surface_table(SanctionState)


def _unit_id(s, campaign, name: str) -> int:
    unit = unit_directory(s, campaign.id).find(name)
    if unit is None:
        raise NotFound(f"找不到单位「{name}」")
    return unit.id


def _until(ctx: CampaignContext, text: str) -> dt.datetime:
    """A date means close of business that day; a time is taken as given (Beijing time if naive)."""
    cal = ctx.calendar
    try:
        return cal.close_of_business(dt.date.fromisoformat(text)) if len(text) == 10 else parse_now(text)
    except ValueError:
        raise InvalidInput(f"日期格式不正确：{text}（示例：2025-04-30）") from None


def _act(problem_id: int, kind: str, by: str | None, now: str | None, campaign: str | None, **kw) -> None:
    """A ladder command with no phone action of its own (退回下一级)."""
    with context().db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        p = act(s, ctx=load_context(s, campaign=c), problem_id=problem_id, kind=kind, actor=principal_for(s, campaign=c, name=by),
                         now=parse_now(now), **kw)
        out.print(f"问题 {p.id}：{COMMAND_TEXT[kind]}完成。当前层级 {p.level}，状态 {PROBLEM_STATUS[p.status]}",
                  highlight=False)


def _perform(problem_id: int, verb: ProblemVerb, by: str | None, now: str | None, campaign: str | None,
             **kw) -> None:
    """The phone's action, under the same rule (rules.problem_actions) as the pages and the API."""
    with context().db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        if "unit" in kw:
            kw["unit_id"] = _unit_id(s, c, kw.pop("unit"))
        p = perform(s, ctx=load_context(s, campaign=c), problem_id=problem_id, verb=verb,
                    actor=principal_for(s, campaign=c, name=by), now=parse_now(now), **kw)
        out.print(f"问题 {p.id}：{VERB_TEXT[verb]}完成。当前层级 {p.level}，状态 {PROBLEM_STATUS[p.status]}",
                  highlight=False)


@problem_app.command("raise")
@handles_errors
def problem_raise(title: Annotated[str, typer.Option("--title", help="问题标题")],
                  unit: Annotated[str | None, typer.Option("--unit", help="提出问题的单位（从任务提出时可省略）")] = None,
                  task: Annotated[int | None, typer.Option("--task", help="从该任务提出（取其单位和路段）")] = None,
                  segment: Annotated[str | None, typer.Option("--segment", help="路段编号，如 LD-03")] = None,
                  description: Annotated[str, typer.Option("--description", help="情况说明")] = "",
                  category: Annotated[str | None, typer.Option("--category")] = None,
                  now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """提出需要协调解决的问题（从本单位所在层级开始）。"""
    with context().db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        seg_id = None
        if segment:
            seg_id = s.scalar(select(Segment.id).where(Segment.campaign_id == c.id, Segment.code == segment))
            if seg_id is None:
                raise NotFound(f"找不到路段 {segment}")
        if unit is None and task is None:
            raise InvalidInput("请用 --unit 指定提出问题的单位，或用 --task 指定任务")
        p = raise_problem(s, ctx=load_context(s, campaign=c), unit_id=_unit_id(s, c, unit) if unit else None, title=title,
                                   segment_id=seg_id, task_id=task, description=description, category=category,
                                   now=parse_now(now), actor=principal_for(s, campaign=c, name=unit))
        out.print(f"已提出问题 {p.id}，当前层级：{p.level}", highlight=False)


@problem_app.command("list")
@handles_errors
def problem_list(status: Annotated[str | None, typer.Option("--status", help="open、resolved 或 closed")] = None,
                 level: Annotated[str | None, typer.Option("--level", help="参与单位、牵头部门、县级领导或创卫办")] = None,
                 unit: Annotated[str | None, typer.Option("--unit", help="提出或承办单位")] = None,
                 as_json: JsonOpt = False, now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """列出问题。"""
    with context().db.reader() as s:
        c = get_campaign(s, campaign)
        rows = list_problems(s, campaign=c, now=parse_now(now), status=status, level=level,
                             unit_id=_unit_id(s, c, unit) if unit else None)
    if as_json:
        print_json(json_ready(rows))
        return
    table = Table(title=f"问题（共 {len(rows)} 项）")
    for col in ("编号", "路段", "问题", "层级", "承办", "期限", "状态"):
        table.add_column(col)
    for r in rows:
        flag = "（挂账）" if r.on_hold_until else "（逾期）" if r.overdue else ""
        table.add_row(str(r.id), r.segment or "", r.title, r.level, r.holder,
                      moment(r.deadline) if r.deadline else "", r.status_text + flag)
    out.print(table)


@problem_app.command("show")
@handles_errors
def problem_show(problem_id: int, as_json: JsonOpt = False, now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """显示问题及其全部办理记录。"""
    with context().db.reader() as s:
        d = problem_detail(s, campaign=get_campaign(s, campaign), problem_id=problem_id, now=parse_now(now))
    if as_json:
        print_json(_problem_json(d))
        return
    p = d.row
    out.print(f"问题 {p.id}：{p.title}（{p.segment or '未定位'}）", highlight=False)
    out.print(f"状态 {p.status_text}，层级 {p.level}，承办 {p.holder}，"
              f"期限 {moment(p.deadline) if p.deadline else '无'}", highlight=False)
    for e in d.history:
        extra = "".join(f"；{k}：{v}" for k, v in (("理由", e.reason), ("意见", e.opinion),
                                                 ("决定", (e.detail or {}).get("decision"))) if v)
        move = f" {e.from_level or ''}→{e.to_level}" if e.to_level else ""
        out.print(f"  {moment(e.at)} {e.actor} {e.action_text}{move}{extra}", highlight=False)
    for a in d.accountability:
        out.print(f"  {moment(a.at)} 系统 {a.stage_text}", highlight=False)


def _problem_json(d: ProblemDetail) -> dict[str, Any]:
    """``cw problem show --json``: the list row's keys, then the history (levels as ``from``/``to``) and the rest."""
    data = json_ready(d)
    renamed = {"from_level": "from", "to_level": "to"}
    history = [{renamed.get(k, k): v for k, v in e.items()} for e in data["history"]]
    return {**data.pop("row"), **data, "history": history}


@problem_app.command("resolve")
@handles_errors
def problem_resolve(problem_id: int, note: Annotated[str, typer.Option("--note", help="处理情况")],
                    by: ByOpt = None, now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """办结（填写处理情况，待创卫办核实）。"""
    _perform(problem_id, ProblemVerb.RESOLVE, by, now, campaign, text=note)


@problem_app.command("return")
@handles_errors
def problem_return(problem_id: int, reason: Annotated[str, typer.Option("--reason", help="退回理由")],
                   by: ByOpt = None, now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """退回下一级（须说明理由）。"""
    _act(problem_id, L.C_RETURN, by, now, campaign, reason=reason)


@problem_app.command("escalate")
@handles_errors
def problem_escalate(problem_id: int, reason: Annotated[str, typer.Option("--reason", help="上报理由")],
                     by: ByOpt = None, now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """上报上一级（须说明理由；县级领导层级由牵头部门连同领导意见上报）。"""
    _perform(problem_id, ProblemVerb.ESCALATE, by, now, campaign, text=reason)


@problem_app.command("opinion")
@handles_errors
def problem_opinion(problem_id: int, text: Annotated[str, typer.Option("--text", help="意见")],
                    decision: Annotated[str | None, typer.Option("--decision", help="协调解决 或 转创卫办（县级领导层级默认转创卫办）")] = None,
                    by: ByOpt = None, now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """签署意见（包段县级领导）：意见与处理决定。"""
    chosen = next((d for d in OpinionDecision if d.value == decision), None)
    if decision and chosen is None:
        raise InvalidInput(f"--decision 应为 {' 或 '.join(OpinionDecision)}")
    _perform(problem_id, ProblemVerb.OPINION, by, now, campaign, text=text, decision=chosen)


@problem_app.command("withdraw")
@handles_errors
def problem_withdraw(problem_id: int, reason: Annotated[str, typer.Option("--reason", help="退单理由")],
                     by: ByOpt = None, now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """退单：非本单位职责的，收到后2个工作日内退回创卫办改派。"""
    _perform(problem_id, ProblemVerb.RETURN, by, now, campaign, text=reason)


@problem_app.command("assign")
@handles_errors
def problem_assign(problem_id: int, unit: Annotated[str, typer.Option("--unit", help="承办单位")],
                   limit: Annotated[float | None, typer.Option("--limit", help="办理时限（默认创卫办层级时限）")] = None,
                   clock: Annotated[str, typer.Option("--clock", help="工作日、工作时或紧急时")] = "工作日",
                   reason: Annotated[str, typer.Option("--reason", help="交办说明")] = "",
                   now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """创卫办改派（交办）给任一单位，并给出新的办理时限。"""
    try:
        new_limit = L.Limit(limit, ClockType(clock)) if limit else None
    except ValueError:
        raise InvalidInput(f"时限类型应为 工作日、工作时 或 紧急时：{clock}") from None
    _perform(problem_id, ProblemVerb.ASSIGN, None, now, campaign, unit=unit, limit=new_limit, text=reason)


@problem_app.command("verify")
@handles_errors
def problem_verify(problem_id: int, passed: Annotated[bool, typer.Option("--pass/--fail", help="核实结果")] = True,
                   note: Annotated[str, typer.Option("--note", help="核实说明（不通过时必填）")] = "",
                   now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """创卫办核实办结情况：通过则销号，不通过则退回办结层级返工。"""
    _perform(problem_id, ProblemVerb.VERIFY, None, now, campaign, text=note, passed=passed)


@extension_app.command("request")
@handles_errors
def extension_request(until: Annotated[str, typer.Option("--until", help="延至日期，如 2025-04-30")],
                      reason: Annotated[str, typer.Option("--reason", help="理由")],
                      task: Annotated[int | None, typer.Option("--task", help="任务编号")] = None,
                      problem: Annotated[int | None, typer.Option("--problem", help="问题编号")] = None,
                      kind: Annotated[str, typer.Option("--kind", help="延期 或 挂账")] = L.EXTENSION,
                      by: ByOpt = None, now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """申请延期或挂账（由上一级审批；挂账由创卫办审批）。"""
    named = [(t, i) for t, i in ((TASK, task), (PROBLEM, problem)) if i is not None]
    if len(named) != 1:
        raise InvalidInput("请用 --task 或 --problem 指定一项")
    object_type, object_id = named[0]
    with context().db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        ctx = load_context(s, campaign=c)
        req = request(s, ctx=ctx, object_type=object_type, object_id=object_id,
                      kind=kind, until=_until(ctx, until), reason=reason,
                      actor=principal_for(s, campaign=c, name=by), now=parse_now(now))
        out.print(f"已提交{kind}申请 {req.id}，待{req.approver}审批" if req else f"已{kind}", highlight=False)


@extension_app.command("list")
@handles_errors
def extension_list(state: Annotated[str | None, typer.Option("--state", help="pending、approved 或 rejected")] = None,
                   campaign: CampaignOpt = None) -> None:
    """列出延期、挂账申请。"""
    with context().db.reader() as s:
        print_json(json_ready(list_requests(s, campaign=get_campaign(s, campaign), state=state)))


def _decide(request_id: int, approve: bool, reason: str, by: str | None, now: str | None, campaign: str | None) -> None:
    with context().db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        decide(s, ctx=load_context(s, campaign=c), request_id=request_id, approve=approve, reason=reason,
                          actor=principal_for(s, campaign=c, name=by), now=parse_now(now))
    out.print(f"申请 {request_id} {'已批准' if approve else '未予批准'}")


@extension_app.command("approve")
@handles_errors
def extension_approve(request_id: int, by: ByOpt = None, now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """批准申请。"""
    _decide(request_id, True, "", by, now, campaign)


@extension_app.command("reject")
@handles_errors
def extension_reject(request_id: int, reason: Annotated[str, typer.Option("--reason", help="理由")],
                     by: ByOpt = None, now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """不予批准（须说明理由）。"""
    _decide(request_id, False, reason, by, now, campaign)


@sanctions_app.command("list")
@handles_errors
def sanctions_list(state: Annotated[str | None, typer.Option("--state", help="proposed、confirmed 或 dismissed")] = None,
                   as_json: JsonOpt = False, campaign: CampaignOpt = None) -> None:
    """列出处理建议（拟通报批评、拟黄牌警告、建议约谈）及其确认情况。"""
    with context().db.reader() as s:
        rows = list_sanctions(s, campaign=get_campaign(s, campaign), state=state)
    if as_json:
        print_json(json_ready(rows))
        return
    table = Table(title=f"处理建议（共 {len(rows)} 项）")
    for col in ("编号", "类别", "单位", "时段", "事由", "状态"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r.id), r.kind, r.unit, r.phase or "", r.reason, SANCTION_STATE_TEXT.get(r.state, r.state))
    out.print(table)


@sanctions_app.command("confirm")
@handles_errors
def sanctions_confirm(sanction_id: int, note: Annotated[str | None, typer.Option("--note")] = None,
                      by: Annotated[str, typer.Option("--by", help="确认人")] = OFFICE_NAME,
                      now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """确认处理建议：发布并通知被处理单位。"""
    with context().db.unit_of_work() as s:
        x = confirm(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), sanction_id=sanction_id, actor=by,
                    now=parse_now(now), note=note)
        out.print(f"已确认{x.kind}（处理建议 {x.id}），已发布并通知", highlight=False)


@sanctions_app.command("dismiss")
@handles_errors
def sanctions_dismiss(sanction_id: int, reason: Annotated[str, typer.Option("--reason", help="撤销理由")],
                      by: Annotated[str, typer.Option("--by", help="确认人")] = OFFICE_NAME,
                      now: NowOpt = None, campaign: CampaignOpt = None) -> None:
    """撤销处理建议（不发布）。"""
    with context().db.unit_of_work() as s:
        dismiss(s, campaign=get_campaign(s, campaign), sanction_id=sanction_id, actor=by, reason=reason,
                          now=parse_now(now))
    out.print(f"处理建议 {sanction_id} 已撤销")


@sanctions_app.command("notices")
@handles_errors
def sanctions_notices(as_json: JsonOpt = False, campaign: CampaignOpt = None) -> None:
    """列出督办单。"""
    with context().db.reader() as s:
        rows = list_notices(s, campaign=get_campaign(s, campaign))
    if as_json:
        print_json(json_ready(rows))
        return
    for r in rows:
        out.print(f"{r.doc_no}  {r.unit}  {len(r.items)} 项  限 {moment(r.deadline)}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``cw problem``, ``cw extension`` and ``cw sanctions`` to the ``cw`` command."""
    app.add_typer(problem_app, name="problem")
    app.add_typer(extension_app, name="extension")
    app.add_typer(sanctions_app, name="sanctions")
