"""``cw demo``: the whole example campaign on a virtual clock, with a progress bar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from commands.common import context, handles_errors, out
from rules.errors import InvalidInput

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "examples" / "demo_county"


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--until 的日期格式不正确：{value}（示例：2025-04-30）") from None


@handles_errors
def demo(config: Annotated[Path, typer.Option("--config", help="活动配置（默认：内置示例县）")] = EXAMPLE,
         out_dir: Annotated[Path | None, typer.Option("--out", help="输出文件夹（默认：CW_OUTPUT_DIR/demo）")] = None,
         seed: Annotated[int, typer.Option("--seed", help="随机种子：相同种子得到相同结果")] = 7,
         until: Annotated[str | None, typer.Option("--until", help="只演练到这一天（YYYY-MM-DD）")] = None) -> None:
    """在虚拟时钟上演练整个创卫活动：转段、任务、打卡、督查、督办、通知、简报、考核。"""
    import logging
    import os

    # the progress bar is the console; flow-run and receiver chatter goes to the log only
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    for name in ("prefect", "prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from demo.driver import Demo, DemoOptions

    ctx = context()
    target = (out_dir or ctx.settings.output_dir / "demo").resolve()
    options = DemoOptions(config=config, out=target, seed=seed, until=_date(until))
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[info]}"),
                  TimeElapsedColumn(), console=out, transient=False) as bar:
        job = bar.add_task("演练", total=None, info="启动中…")

        def progress(now: dt.datetime, info: dict) -> None:
            t = info["tally"]
            state = info["state"]
            text = (f"{now.astimezone().strftime('%Y-%m-%d')} 打卡 {t.ticks} 核查 {t.verified} 督查问题 {t.findings} "
                    f"投诉 {t.complaints} 流程运行 {state.flow_runs}") if t else now.strftime("%Y-%m-%d")
            bar.update(job, description=f"虚拟日期 {now.strftime('%Y-%m-%d')}", info=text)

        summary = Demo(options, progress).run()
    if summary.get("interrupted"):
        out.print("[yellow]已按 Ctrl-C 停止：数据库保持一致，已写出到目前为止的结果。[/]")
    levels = summary["problems_by_final_level"]
    out.print(f"\n演练完成：{summary['virtual_days']} 个虚拟日，用时 {summary['wall_seconds']} 秒")
    out.print(f"  时段：{'→'.join(p['name'] for p in summary['phases'])}；任务 {summary['tasks_total']} 项，"
              f"打卡 {summary['ticks']} 次，核查退回 {summary['verifications_rejected']} 次")
    out.print(f"  督查发现问题 {summary['findings_total']} 个，群众投诉 {summary['complaints_total']} 件；"
              f"协调事项办结层级：{'，'.join(f'{k} {v}' for k, v in levels.items())}；超时自动上报 {summary['escalations_auto']} 次")
    out.print(f"  通知送达 {summary['notifications_sent']} 条，死信 {summary['notifications_dead']} 条；"
              f"督办单 {summary['sanctions']['督办']} 份，黄牌警告 {summary['sanctions']['黄牌警告']} 次；"
              f"简报 {summary['briefs']} 期")
    out.print(f"\n输出：{target}\n  summary.json、briefs/（HTML 与 Word）、maps/、考核记录.xlsx、receivers/（通知接收日志）、demo.db")
