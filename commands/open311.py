"""``cw open311 keys add|list|revoke``: the API keys of the systems that file problems through Open311."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from commands.common import CampaignOpt, NowOpt, context, handles_errors, json_ready, out, parse_now, print_json
from rules.vocabulary import OFFICE_NAME
from services.campaigns import get_campaign
from services.open311 import add_key, list_keys, revoke_key

open311_app = typer.Typer(help="Open311 GeoReport v2 接口（/open311/v2/）：接入系统的 API 密钥", no_args_is_help=True)
keys_app = typer.Typer(help="接入系统的 API 密钥：签发、列表、吊销", no_args_is_help=True)
open311_app.add_typer(keys_app, name="keys")

NameOpt = Annotated[str, typer.Option("--name", help="接入系统的名称（审计日志中记为此名）")]
ByOpt = Annotated[str, typer.Option("--by", help="操作人")]


def _when(t: dt.datetime | None, tz: ZoneInfo) -> str:
    if t is None:
        return "—"
    local = t.astimezone(tz)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


@keys_app.command("add")
@handles_errors
def keys_add(name: NameOpt, rate: Annotated[int, typer.Option("--rate", help="每分钟请求上限")] = 60,
             by: ByOpt = OFFICE_NAME, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """签发一个 API 密钥（只显示这一次，数据库中只保存其摘要）。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        row, raw = add_key(s, campaign=get_campaign(s, campaign), name=name, now=parse_now(now), actor=by,
                           rate_per_minute=rate)
    out.print(f"已为「{row.name}」签发 Open311 密钥（每分钟最多 {row.rate_per_minute} 次请求）。")
    out.print("密钥只显示这一次，请立即交给接入系统妥善保存：")
    print(raw)


@keys_app.command("list")
@handles_errors
def keys_list(campaign: CampaignOpt = None,
              as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False) -> None:
    """列出 API 密钥（不显示密钥本身）。"""
    ctx = context()
    with ctx.db.reader() as s:
        c = get_campaign(s, campaign)
        rows, tz = list_keys(s, campaign=c), ZoneInfo(c.timezone)
    if as_json:
        print_json(json_ready(rows))
        return
    table = Table(title=f"Open311 密钥（共 {len(rows)} 个）")
    for col in ("名称", "密钥开头", "每分钟上限", "签发时间", "最近使用", "请求数", "状态"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.name, r.prefix + "…", str(r.rate_per_minute), _when(r.created_at, tz),
                      _when(r.last_used_at, tz), str(r.requests_total),
                      f"已吊销（{_when(r.revoked_at, tz)}）" if r.revoked_at else "有效")
    out.print(table)


@keys_app.command("revoke")
@handles_errors
def keys_revoke(name: NameOpt, by: ByOpt = OFFICE_NAME, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """吊销一个 API 密钥：之后用它提交的请求一律拒绝。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        row = revoke_key(s, campaign=get_campaign(s, campaign), name=name, now=parse_now(now), actor=by)
    out.print(f"已吊销「{row.name}」的 Open311 密钥")


def register(app: typer.Typer) -> None:
    """Add ``cw open311`` to the ``cw`` command."""
    app.add_typer(open311_app, name="open311")
