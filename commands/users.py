"""``cw users …``: the people who sign in, their links and the office's contact list import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from commands.common import CampaignOpt, NowOpt, context, handles_errors, out, parse_now, print_json
from commands.labels import ROLE
from services.campaigns import get_campaign
from services.people import add_user, import_users, list_users, revoke_user, set_password, sign_in_link

users_app = typer.Typer(help="用户与登录链接", no_args_is_help=True)
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="网页服务的外部地址，如 https://cw.example.gov.cn")]


def _base_url(given: str | None) -> str:
    settings = context().settings
    return (given or f"http://{settings.web_host}:{settings.web_port}").rstrip("/")


def _print_link(name: str, base_url: str, raw: str, days: int) -> None:
    out.print(f"{name} 的个人登录链接（{days} 天内有效，只能使用一次）：")
    out.print(f"{base_url}/l/{raw}", highlight=False, soft_wrap=True)


@users_app.command("add")
@handles_errors
def add(name: Annotated[str, typer.Option("--name", help="姓名")],
        phone: Annotated[str, typer.Option("--phone", help="手机号")],
        role: Annotated[str, typer.Option("--role", help="创卫办、督查员、单位联络员、县级领导（或 office/inspector/unit/leader）")],
        unit: Annotated[str | None, typer.Option("--unit", help="所在单位（单位联络员必填）")] = None,
        leader: Annotated[str | None, typer.Option("--leader", help="县级领导姓名（默认同 --name）")] = None,
        password: Annotated[bool, typer.Option("--password", help="交互设置密码（不设置则只能用登录链接）")] = False,
        link: Annotated[bool, typer.Option("--link", help="同时生成登录链接")] = False,
        base_url: BaseUrlOpt = None, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """新增用户。"""
    secret = typer.prompt("密码", hide_input=True, confirmation_prompt=True) if password else None
    when = parse_now(now)
    with context().db.unit_of_work() as s:
        c = get_campaign(s, campaign)
        user = add_user(s, campaign=c, name=name, phone=phone, role=role, unit=unit, leader=leader,
                        password=secret, now=when)
        raw = sign_in_link(s, campaign=c, phone=user.phone, now=when)[1] if link else None
    out.print(f"已新增用户 {user.name}（{ROLE[user.role]}，手机 {user.phone}）")
    if raw:
        _print_link(user.name, _base_url(base_url), raw, 7)


@users_app.command("link")
@handles_errors
def link(phone: Annotated[str, typer.Argument(help="手机号")],
         days: Annotated[int, typer.Option("--days", help="有效天数")] = 7,
         base_url: BaseUrlOpt = None, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """生成一次性个人登录链接（发给本人，点击后在手机上保持登录）。"""
    with context().db.unit_of_work() as s:
        user, raw = sign_in_link(s, campaign=get_campaign(s, campaign), phone=phone, now=parse_now(now), days=days)
    _print_link(user.name, _base_url(base_url), raw, days)


@users_app.command("password")
@handles_errors
def password(phone: Annotated[str, typer.Argument(help="手机号")], campaign: CampaignOpt = None,
             now: NowOpt = None) -> None:
    """设置或重设用户的登录密码（交互输入，不回显）。"""
    secret = typer.prompt("新密码", hide_input=True, confirmation_prompt=True)
    with context().db.unit_of_work() as s:
        user = set_password(s, campaign=get_campaign(s, campaign), phone=phone, password=secret, now=parse_now(now))
    out.print(f"已为 {user.name} 设置密码")


@users_app.command("revoke")
@handles_errors
def revoke(phone: Annotated[str, typer.Argument(help="手机号")], campaign: CampaignOpt = None,
           now: NowOpt = None) -> None:
    """停用用户，并作废其全部登录链接、会话和 API 令牌。"""
    with context().db.unit_of_work() as s:
        user, count = revoke_user(s, campaign=get_campaign(s, campaign), phone=phone, now=parse_now(now))
    out.print(f"已停用 {user.name}，作废登录凭据 {count} 个")


@users_app.command("import")
@handles_errors
def import_(path: Annotated[Path, typer.Argument(help="通讯录 .xlsx 或 .csv（列：姓名、单位、手机、角色）")],
            campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """导入创卫办的联络员通讯录：逐行检查，有错误则一行也不导入。"""
    with context().db.unit_of_work() as s:
        report = import_users(s, campaign=get_campaign(s, campaign), path=path, now=parse_now(now))
    out.print(f"用户：新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}")
    out.print("请用 cw users link 手机号 为每位同志生成登录链接。")


@users_app.command("list")
@handles_errors
def list_(as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
          campaign: CampaignOpt = None) -> None:
    """列出用户。"""
    with context().db.reader() as s:
        rows = list_users(s, campaign=get_campaign(s, campaign))
    data = [{"id": u.id, "name": u.name, "phone": u.phone, "role": u.role, "unit": unit, "leader": leader,
             "active": u.active, "password": u.password_hash is not None} for u, unit, leader in rows]
    if as_json:
        print_json(data)
        return
    table = Table(title=f"用户（共 {len(rows)} 人）")
    for col in ("编号", "姓名", "手机", "角色", "单位/领导", "状态"):
        table.add_column(col)
    for u, unit, leader in rows:
        table.add_row(str(u.id), u.name, u.phone, ROLE.get(u.role, u.role),
                      unit or leader or "", "正常" if u.active else "已停用")
    out.print(table)
