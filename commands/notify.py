"""``cw notify …``: dead letters, re-queueing, the outbox at a glance, and a test message per target."""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from commands.common import CampaignOpt, JsonOpt, context, handles_errors, out, parse_now, print_json
from commands.labels import OUTBOX_STATE
from notify import make_client
from rules.times import page_time
from rules.vocabulary import OFFICE_NAME
from services.campaigns import get_campaign, load_context
from services.notifications import list_dead, list_messages, requeue, send_test, summary

notify_app = typer.Typer(help="通知：失败通知（死信）、重新发送、测试通知渠道", no_args_is_help=True)

NowOpt = Annotated[str | None, typer.Option("--now", help="当前时间（ISO 8601，带时区），默认真实时钟")]
LimitOpt = Annotated[int, typer.Option("--limit", help="最多显示条数")]


def _when(value: object) -> str:
    return str(value)[:16].replace("T", " ") if value else ""


@notify_app.command("dead")
@handles_errors
def dead(campaign: CampaignOpt = None, as_json: JsonOpt = False, limit: LimitOpt = 200) -> None:
    """列出发送失败的通知（死信）及失败原因。"""
    with context().db.reader() as s:
        c = get_campaign(s, campaign)
        rows = list_dead(s, campaign_id=c.id, limit=limit)
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    if not rows:
        out.print("没有发送失败的通知。")
        return
    tz = ZoneInfo(c.timezone)
    out.print(f"发送失败的通知（{len(rows)} 条）：")
    for r in rows:
        when = page_time(r.last_attempt_at.astimezone(tz)) if r.last_attempt_at else ""
        out.print(f"  [{r.id}] {r.target} · {r.title} · 尝试 {r.attempts} 次 · {when}", highlight=False)
        out.print(f"       原因：{r.last_error or ''}", highlight=False)
    out.print("排除原因后，可用 cw notify retry 编号 重新发送。")


@notify_app.command("retry")
@handles_errors
def retry(message_id: Annotated[int, typer.Argument(help="通知编号（见 cw notify dead）")],
          by: Annotated[str, typer.Option("--by", help="操作人（记入操作日志）")] = OFFICE_NAME,
          campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """将一条发送失败的通知重新排队，下次投递时发送。"""
    with context().db.unit_of_work() as s:
        row = requeue(s, campaign_id=get_campaign(s, campaign).id, message_id=message_id, now=parse_now(now),
                      actor=by)
    out.print(f"通知 {row.id}（{row.target}：{row.title}）已重新排队，将在下一次投递时发送。",
              highlight=False)


@notify_app.command("list")
@handles_errors
def list_(state: Annotated[str | None, typer.Option("--state", help="pending、sending、sent、dead 或 merged")] = None,
          campaign: CampaignOpt = None, as_json: JsonOpt = False, limit: LimitOpt = 50) -> None:
    """按通知目标统计各状态的通知数，并列出最近的通知。"""
    with context().db.reader() as s:
        campaign_id = get_campaign(s, campaign).id
        counts = summary(s, campaign_id=campaign_id)
        rows = list_messages(s, campaign_id=campaign_id, state=state, limit=limit)
    if as_json:
        print_json({"summary": [asdict(c) for c in counts], "messages": [asdict(r) for r in rows]})
        return
    table = Table(title="通知统计")
    for col in ("通知目标", "状态", "条数"):
        table.add_column(col)
    for c in counts:
        table.add_row(c.target, OUTBOX_STATE[c.state], str(c.count))
    out.print(table)
    recent = Table(title=f"最近的通知（{OUTBOX_STATE.get(state, '全部') if state else '全部'}，{len(rows)} 条）")
    for col in ("编号", "通知目标", "标题", "状态", "尝试次数", "创建时间"):
        recent.add_column(col)
    for r in rows:
        recent.add_row(str(r.id), r.target, r.title, OUTBOX_STATE[r.state], str(r.attempts), _when(r.created_at))
    out.print(recent)


@notify_app.command("test")
@handles_errors
def test(target: Annotated[str, typer.Argument(help="通知目标名称（campaign.yaml 中 notifications.targets）")],
         campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """立即向一个通知目标发送测试消息（不经发件箱，不重试）。"""
    with context().db.reader() as s:
        spec = load_context(s, campaign=get_campaign(s, campaign)).spec.notifications
    with make_client() as client:
        resolved, outcome = send_test(spec, target, environ=os.environ, client=client, now=parse_now(now))
    if outcome.ok:
        out.print(f"测试消息已发送到「{target}」（{resolved.channel}）。", highlight=False)
        return
    verdict = "平台要求稍后重试" if outcome.kind == "retry" else "发送失败"
    out.print(f"[bold red]{verdict}：[/]「{target}」（{resolved.channel}）：{outcome.msg}", highlight=False)
    raise typer.Exit(1)
