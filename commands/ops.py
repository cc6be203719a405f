"""Operations: ``cw doctor`` and ``cw db copy``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from commands.common import context, handles_errors, out, parse_now
from models.db import make_engine
from services.operations import ERROR, NOTE, copy_campaigns, run_doctor

db_app = typer.Typer(help="数据库运维", no_args_is_help=True)
_STYLE = {ERROR: "red", NOTE: "yellow"}


@handles_errors
def doctor(now: Annotated[str | None, typer.Option("--now")] = None) -> None:
    """检查数据库、工作日历、通知目标（不发送）和 Prefect 连接；只有配置中真正的故障才返回非零。"""
    ctx = context()
    s = ctx.settings
    report = run_doctor(ctx.db.engine, now=parse_now(now),
                        writable=[("数据目录", s.data_dir), ("照片目录", s.photo_dir), ("输出目录", s.output_dir)])
    table = Table(title="cw doctor")
    for col in ("结果", "项目", "说明"):
        table.add_column(col)
    for f in report.findings:
        style = _STYLE.get(f.level, "green")
        table.add_row(f"[{style}]{f.level}[/]", f.subject, f.message)
    out.print(table)
    if report.broken:
        raise typer.Exit(1)


@db_app.command("copy")
@handles_errors
def db_copy(source: Annotated[str, typer.Option("--from", help="源数据库 URL，如 sqlite:///var/chuangwei.db")],
            target: Annotated[str, typer.Option("--to", help="目标数据库 URL，如 postgresql://…/cw")],
            campaign: Annotated[list[str] | None, typer.Option("--campaign", help="只复制这些活动（可多次）")] = None) -> None:
    """把活动从一个数据库整体复制到另一个（全部成功或全部撤销，并核对行数）。"""
    src, dst = make_engine(source), make_engine(target)
    try:
        report = copy_campaigns(src, dst, campaign or None)
    finally:
        src.dispose()
        dst.dispose()
    out.print(f"已复制活动 {'、'.join(report.campaigns)}：{sum(report.rows.values())} 行，逐表行数核对一致")
    for name, n in report.rows.items():
        if n:
            out.print(f"  {name:<24} {n}")
