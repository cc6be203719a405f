"""``cw task …``: the office's view of tasks."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from commands.common import context, handles_errors, out, parse_now, print_json
from services.campaigns import get_campaign
from services.task_queries import list_tasks

task_app = typer.Typer(help="任务", no_args_is_help=True)


@task_app.command("list")
@handles_errors
def task_list(
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位名称（或别名）")] = None,
    segment: Annotated[Optional[str], typer.Option("--segment", help="路段编号")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="open、done、verified 或 overdue")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    limit: Annotated[int, typer.Option("--limit", help="最多显示条数（JSON 不限）")] = 200,
    campaign: Annotated[Optional[str], typer.Option("--campaign")] = None,
    now: Annotated[Optional[str], typer.Option("--now")] = None,
) -> None:
    """列出任务（可按单位、路段、状态筛选）。"""
    ctx = context()
    with ctx.db.reader() as s:
        rows = list_tasks(s, campaign=get_campaign(s, campaign), unit=unit, segment=segment, status=status,
                          now=parse_now(now))
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"任务（共 {len(rows)} 项）")
    for col in ("编号", "时段", "路段", "责任单位", "任务", "期限", "状态"):
        table.add_column(col)
    for r in rows[:limit]:
        table.add_row(str(r["id"]), r["phase"], r["segment"] or "", r["unit"], r["title"],
                      r["deadline"][:16].replace("T", " "), r["status_text"])
    out.print(table)
