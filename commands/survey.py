"""``cw survey …``: open a 群众满意度测评 (public link and QR code), close it, read its results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commands.common import CampaignOpt, NowOpt, context, handles_errors, json_ready, out, parse_now, print_json
from commands.texts import SURVEY_CREATED, SURVEY_NO_QR, SURVEY_NONE, SURVEY_QR, SURVEY_RESULT
from services.campaigns import get_campaign, load_context
from services.surveys import PER_ADDRESS, close_survey, create_survey, qr_png, survey_page, survey_results

survey_app = typer.Typer(help="群众满意度测评：创建（公开链接和二维码）、结果", no_args_is_help=True)
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="网页服务的外部地址，如 https://cw.example.gov.cn")]


def _base_url(given: str | None) -> str:
    settings = context().settings
    return (given or f"http://{settings.web_host}:{settings.web_port}").rstrip("/")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


@survey_app.command("create")
@handles_errors
def create(title: Annotated[str, typer.Option("--title", help="测评标题")],
           period: Annotated[str, typer.Option("--period", help="时段，如 2025Q1、2025-03 或 2025")],
           per_address: Annotated[int, typer.Option("--per-address", help="同一网络地址最多答卷数")] = PER_ADDRESS,
           qr: Annotated[Path | None, typer.Option("--qr", help="二维码图片保存位置（PNG）")] = None,
           base_url: BaseUrlOpt = None, campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """创建一次满意度测评，打印公开链接，并生成海报用二维码。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        info = create_survey(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), title=title, period=period,
                             per_address=per_address, now=parse_now(now))
    url = f"{_base_url(base_url)}{info.path}"
    out.print(SURVEY_CREATED.format(title=info.title, period=info.period_label, url=url), highlight=False,
              soft_wrap=True)
    png = qr_png(url)
    if png is None:
        out.print(SURVEY_NO_QR, highlight=False)
        return
    target = qr or ctx.settings.output_dir / "surveys" / f"测评二维码_{info.period}_{info.code}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(png)
    out.print(SURVEY_QR.format(path=target), highlight=False)


@survey_app.command("qr")
@handles_errors
def qr_cmd(code: Annotated[str, typer.Argument(help="测评编号（链接 /s/ 后的部分）")],
           target: Annotated[Path, typer.Option("--out", help="二维码图片（PNG）")],
           base_url: BaseUrlOpt = None) -> None:
    """重新生成测评海报用的二维码图片。"""
    ctx = context()
    with ctx.db.reader() as s:
        info = survey_page(s, code=code).survey
    png = qr_png(f"{_base_url(base_url)}{info.path}")
    if png is None:
        out.print(SURVEY_NO_QR, highlight=False)
        raise typer.Exit(1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(png)
    out.print(SURVEY_QR.format(path=target), highlight=False)


@survey_app.command("close")
@handles_errors
def close(code: Annotated[str, typer.Argument(help="测评编号（链接 /s/ 后的部分）")],
          campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """结束一次测评（之后不再接受答卷）。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        info = close_survey(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), code=code, now=parse_now(now))
    out.print(f"已结束测评「{info.title}」（{info.period_label}）", highlight=False)


@survey_app.command("results")
@handles_errors
def results(code: Annotated[str | None, typer.Option("--code", help="只看这次测评")] = None,
            period: Annotated[str | None, typer.Option("--period", help="只看这个时段")] = None,
            json_out: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
            campaign: CampaignOpt = None) -> None:
    """答卷数和满意率（满意 + 基本满意），有路段的按路段列出；最新的测评在前。"""
    ctx = context()
    with ctx.db.reader() as s:
        rows = survey_results(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), code=code, period=period)
    if json_out:
        data = json_ready(rows)
        print_json(data[0] if code and data else data)
        return
    if not rows:
        out.print(SURVEY_NONE, highlight=False)
    for r in rows:
        out.print(SURVEY_RESULT.format(title=r.title, period=r.period_label, responses=r.responses,
                                       satisfied=r.satisfied, fairly=r.fairly_satisfied, dissatisfied=r.dissatisfied,
                                       rate=_pct(r.satisfied_rate)), highlight=False)
        for seg in r.by_segment:
            out.print(f"  {seg.name}：{seg.responses} 份，满意率 {_pct(seg.satisfied_rate)}", highlight=False)
