"""``cw task …``: the office's view of tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from commands.common import context, handles_errors, json_ready, out, parse_now, print_json
from models.people import ROLE_OFFICE
from rules.errors import InvalidInput
from rules.times import page_time
from rules.vocabulary import OFFICE_NAME
from services.campaigns import get_campaign
from services.people import Principal
from services.tasks import list_tasks, prepare_photo, tick_task

task_app = typer.Typer(help="任务", no_args_is_help=True)


@task_app.command("list")
@handles_errors
def task_list(
    unit: Annotated[str | None, typer.Option("--unit", help="单位名称（或别名）")] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="路段编号")] = None,
    status: Annotated[str | None, typer.Option("--status", help="open、done、verified 或 overdue")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    limit: Annotated[int, typer.Option("--limit", help="最多显示条数（JSON 不限）")] = 200,
    campaign: Annotated[str | None, typer.Option("--campaign")] = None,
    now: Annotated[str | None, typer.Option("--now")] = None,
) -> None:
    """列出任务（可按单位、路段、状态筛选）。"""
    ctx = context()
    with ctx.db.reader() as s:
        rows = list_tasks(s, campaign=get_campaign(s, campaign), unit=unit, segment=segment, status=status,
                          now=parse_now(now))
    if as_json:
        print_json(json_ready(rows))
        return
    table = Table(title=f"任务（共 {len(rows)} 项）")
    for col in ("编号", "时段", "路段", "责任单位", "任务", "期限", "状态"):
        table.add_column(col)
    for r in rows[:limit]:
        table.add_row(str(r.id), r.phase, r.segment or "", r.unit, r.title, page_time(r.deadline),
                      r.status_text)
    out.print(table)


@task_app.command("tick")
@handles_errors
def task_tick(
    task_id: Annotated[int, typer.Argument(help="任务编号")],
    note: Annotated[str, typer.Option("--note", help="完成情况说明")] = "",
    photo: Annotated[list[Path] | None, typer.Option("--photo", help="现场照片（可重复）")] = None,
    by: Annotated[str, typer.Option("--by", help="操作人（记入操作日志）")] = OFFICE_NAME,
    campaign: Annotated[str | None, typer.Option("--campaign")] = None,
    now: Annotated[str | None, typer.Option("--now")] = None,
) -> None:
    """创卫办代为打卡（照片与网页打卡一样存档并检查）。"""
    ctx = context()
    when = parse_now(now)
    with ctx.db.reader() as s:
        c = get_campaign(s, campaign)
    office = Principal(campaign_id=c.id, role=ROLE_OFFICE, name=by, timezone=c.timezone)
    prepared = []
    for p in photo or []:
        if not p.is_file():
            raise InvalidInput(f"找不到照片文件 {p}")
        prepared.append(prepare_photo(p.read_bytes(), photo_dir=ctx.settings.photo_dir, tz=ZoneInfo(c.timezone)))
    with ctx.db.unit_of_work() as s:
        tick = tick_task(s, principal=office, task_id=task_id, note=note, photos=prepared, lon=None, lat=None,
                         expected_version=None, now=when, address="cli")
        flags = list(tick.flags)
    out.print(f"任务 {task_id} 已打卡（打卡记录 {tick.id}，照片 {len(prepared)} 张），等待核查")
    for f in flags:
        out.print(f"  [yellow]提示：[/]{f['text']}", highlight=False)
