"""``cw run <flow>``, ``cw phase advance``, ``cw serve``: flows by hand and on schedule."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from commands.common import context, handles_errors, out, parse_now, print_json
from config.prefect_env import DEFAULT_PREFECT_PORT
from flows.registry import FLOWS, find
from rules.errors import InvalidInput
from rules.vocabulary import OFFICE_NAME

phase_app = typer.Typer(help="时段（转段）", no_args_is_help=True)

CampaignOpt = Annotated[str | None, typer.Option("--campaign", help="活动编号；省略时处理所有活动")]
NowOpt = Annotated[str | None, typer.Option("--now", help="当前时间（ISO 8601，带时区），默认真实时钟")]


def run_flow(name: str, *, direct: bool, **params: Any) -> Any:
    """Run one flow: a real Prefect flow run, or (``direct``) the same code without Prefect."""
    try:
        entry = find(name)
    except KeyError:
        raise InvalidInput(f"没有名为 {name} 的流程（可用：{'、'.join(f.name for f in FLOWS)}）") from None
    flow_obj = entry.load()
    if direct:
        return flow_obj.fn(**params)
    from config.prefect_env import heartbeats_off

    with heartbeats_off():
        return flow_obj(**params)


def _show(name: str, result: Any, as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    out.print(f"流程 {name} 已完成：")
    for item in result if isinstance(result, list) else [result]:
        out.print(f"  {item}", highlight=False)


@handles_errors
def run(name: Annotated[str, typer.Argument(help="流程名称，如 advance-phases")],
        now: NowOpt = None, campaign: CampaignOpt = None,
        direct: Annotated[bool, typer.Option("--direct", help="不经 Prefect，直接调用同一代码")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False) -> None:
    """手动运行一次流程（默认为真实的 Prefect 流程运行）。"""
    now_iso = parse_now(now).isoformat()
    _show(name, run_flow(name, direct=direct, campaign=campaign, now=now_iso), as_json)


@phase_app.command("advance")
@handles_errors
def phase_advance(confirm: Annotated[bool, typer.Option("--confirm", help="确认通过需要创卫办确认的转段")] = False,
                  actor: Annotated[str, typer.Option("--by", help="确认人")] = OFFICE_NAME,
                  now: NowOpt = None, campaign: CampaignOpt = None,
                  direct: Annotated[bool, typer.Option("--direct", help="不经 Prefect")] = True) -> None:
    """推进时段；遇到需确认的转段时显示未完成事项，加 --confirm 才转段。"""
    results = run_flow("advance-phases", direct=direct, campaign=campaign, now=parse_now(now).isoformat(),
                       confirm=confirm, actor=actor)
    for r in results:
        if r["opened"]:
            out.print(f"{r['campaign']}：开启时段 {'、'.join(r['opened'])}，新建任务 {r['tasks_created']} 项")
        if r["held"]:
            gate = r["gate"] or {}
            out.print(f"[yellow]{r['campaign']}：转入「{r['held']}」需要创卫办确认。[/]"
                      f"当前时段未完成任务 {gate.get('unfinished', 0)} 项（逾期 {gate.get('overdue', 0)} 项）")
            for u in (gate.get("by_unit") or [])[:20]:
                out.print(f"  {u['unit']}：未完成 {u['unfinished']}，逾期 {u['overdue']}")
            out.print("确认后请运行：cw phase advance --confirm")
        if not r["opened"] and not r["held"]:
            out.print(f"{r['campaign']}：当前时段 {r['phase'] or '（未开始）'}，无需转段")


@handles_errors
def serve(port: Annotated[int, typer.Option("--prefect-port", help="内置 Prefect 服务器端口")] = DEFAULT_PREFECT_PORT,
          web: Annotated[bool, typer.Option("--web/--no-web", help="同时启动网页服务")] = True) -> None:
    """单机运行：启动 Prefect 服务器（未设置 PREFECT_API_URL 时），按计划运行所有流程。"""
    from commands.serving import serve_all

    serve_all(context(), prefect_port=port, with_web=web)
