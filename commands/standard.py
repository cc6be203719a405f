"""``cw standard …``: load the national standard, list its items, 自评 with evidence, 病媒 records, archive."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from commands.common import (
    CampaignOpt,
    JsonOpt,
    NowOpt,
    context,
    handles_errors,
    json_ready,
    out,
    parse_now,
    print_json,
)
from commands.texts import (
    STD_ARCHIVED,
    STD_ASSESSED,
    STD_ITEMS_COLS,
    STD_ITEMS_TITLE,
    STD_LOADED,
    STD_NOT_LOADED,
    STD_RED,
    STD_STATUS_COLS,
    STD_STATUS_TITLE,
    STD_UNCHANGED,
    STD_UNOWNED,
    STD_VECTOR,
)
from config.settings import Settings
from rules.errors import InvalidInput
from services.campaigns import get_campaign, load_context
from services.standard import (
    assess_item,
    evidence_store,
    list_items,
    load_standard,
    read_evidence,
    record_vector,
    standard_status,
    write_archive,
)

standard_app = typer.Typer(help="国家卫生县城标准：载入、条目、自评与佐证材料、病媒监测、资料整理", no_args_is_help=True)


def evidence_dir(settings: Settings) -> Path:
    return evidence_store(settings.data_dir)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


@standard_app.command("load")
@handles_errors
def load(file: Annotated[Path | None, typer.Option("--file", help="标准文件（YAML）；默认为活动选定的标准")] = None,
         campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """载入（或更新）国家卫生县城标准；内容未变时不产生新版本。"""
    ctx = context()
    with ctx.db.unit_of_work() as s:
        r = load_standard(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), now=parse_now(now), file=file)
    if r.new_version:
        out.print(STD_LOADED.format(title=r.title, version=r.version, items=r.items, added=r.added,
                                    updated=r.updated, retired=r.retired), highlight=False)
    else:
        out.print(STD_UNCHANGED.format(title=r.title, version=r.version, items=r.items), highlight=False)
    if r.unowned:
        out.print(STD_UNOWNED.format(items="、".join(r.unowned)), highlight=False)


@standard_app.command("items")
@handles_errors
def items(json_out: JsonOpt = False, campaign: CampaignOpt = None) -> None:
    """列出标准条目（编号、方面、名称、责任单位、自评结果）。"""
    ctx = context()
    with ctx.db.reader() as s:
        rows = list_items(s, ctx=load_context(s, campaign=get_campaign(s, campaign)))
    if json_out:
        print_json([{"code": r.code, "area": r.area, "title": r.title, "owner": r.owner, "number": r.number,
                     "verified": r.verified, "result": r.result, "score": r.score, "evidence": r.evidence}
                    for r in rows])
        return
    table = Table(title=STD_ITEMS_TITLE.format(n=len(rows)))
    for col in STD_ITEMS_COLS:
        table.add_column(col)
    for r in rows:
        table.add_row(r.code, r.area, r.title, r.owner or "", r.result or "", str(r.evidence or ""))
    out.print(table)


@standard_app.command("status")
@handles_errors
def status(json_out: JsonOpt = False, campaign: CampaignOpt = None) -> None:
    """自评进度：各方面条目数、已自评、达标数和达标率，以及未达标或未自评的条目。"""
    ctx = context()
    with ctx.db.reader() as s:
        st = standard_status(s, ctx=load_context(s, campaign=get_campaign(s, campaign)))
    if json_out:
        data = json_ready(st)
        data["red"] = [{"code": r.code, "area": r.area, "title": r.title, "owner": r.owner, "result": r.result}
                       for r in st.red]
        print_json(data)
        return
    out.print(STD_STATUS_TITLE.format(title=st.standard or STD_NOT_LOADED, items=st.items, assessed=st.assessed,
                                      met=st.met, mostly=st.mostly_met, not_met=st.not_met), highlight=False)
    table = Table()
    for col in STD_STATUS_COLS:
        table.add_column(col)
    for a in st.by_area:
        table.add_row(a.area, str(a.items), str(a.assessed), str(a.met), _pct(a.rate))
    out.print(table)
    if st.red:
        out.print(STD_RED.format(n=len(st.red)), highlight=False)
        for r in st.red:
            out.print(f"  {r.code} {r.title}（{r.owner or '—'}）：{r.result or '未自评'}", highlight=False)


@standard_app.command("assess")
@handles_errors
def assess(code: Annotated[str, typer.Argument(help="条目编号，如 3.1")],
           result: Annotated[str, typer.Option("--result", help="达标、基本达标或未达标")],
           score: Annotated[float | None, typer.Option("--score", help="自评得分（0–100）")] = None,
           note: Annotated[str | None, typer.Option("--note", help="自评说明")] = None,
           evidence: Annotated[list[Path] | None, typer.Option("--evidence", help="佐证材料文件（可重复）")] = None,
           by: Annotated[str, typer.Option("--by", help="自评人")] = "创卫办",
           campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """记录一个条目的自评结果，并把佐证材料归档到该条目下。"""
    ctx = context()
    files = read_evidence(list(evidence or []))
    with ctx.db.unit_of_work() as s:
        a = assess_item(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), code=code, result=result.strip(),
                        score=score, note=note, files=files, evidence_dir=evidence_dir(ctx.settings),
                        now=parse_now(now), actor=by)
    out.print(STD_ASSESSED.format(code=a.code, title=a.title, result=a.result,
                                  score=f"（{a.score:g} 分）" if a.score is not None else "", n=len(a.files)),
              highlight=False)


@standard_app.command("vector")
@handles_errors
def vector(pest: Annotated[str, typer.Option("--pest", help="鼠、蚊、蝇或蟑")],
           metric: Annotated[str, typer.Option("--metric", help="指标，如 有蝇房间阳性率")],
           value: Annotated[float, typer.Option("--value", help="监测结果")],
           method: Annotated[str, typer.Option("--method", help="监测方法，如 目测法")],
           place: Annotated[str, typer.Option("--place", help="监测地点")],
           day: Annotated[str, typer.Option("--date", help="监测日期，如 2025-06-12")],
           campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """记录一次病媒生物密度监测，并按 C 级标准判定。"""
    try:
        surveyed = dt.date.fromisoformat(day)
    except ValueError:
        raise InvalidInput(f"--date 的日期格式不正确：{day}（示例：2025-06-12）") from None
    ctx = context()
    with ctx.db.unit_of_work() as s:
        r = record_vector(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), pest=pest.strip(),
                          metric=metric, method=method, place=place, surveyed_on=surveyed, value=value,
                          now=parse_now(now))
    verdict = ("无 C 级阈值" if r.passed is None else
               f"{'达到' if r.passed else '未达到'} C 级（≤{r.threshold:g}{r.unit}"
               f"{'' if r.threshold_verified else '，阈值未核对原文'}）")
    out.print(STD_VECTOR.format(pest=r.pest, metric=r.metric, value=f"{r.value:g}", unit=r.unit, verdict=verdict),
              highlight=False)


@standard_app.command("archive")
@handles_errors
def archive(target: Annotated[Path, typer.Option("--out", help="资料压缩包（.zip）")],
            campaign: CampaignOpt = None, now: NowOpt = None) -> None:
    """按标准条目顺序生成资料整理压缩包（目录.docx、index.xlsx、各条目佐证材料和系统记录摘录）。"""
    ctx = context()
    with ctx.db.reader() as s:
        r = write_archive(s, ctx=load_context(s, campaign=get_campaign(s, campaign)),
                          evidence_dir=evidence_dir(ctx.settings), out=target, now=parse_now(now))
    out.print(STD_ARCHIVED.format(path=r.path, items=r.items, files=r.files, extracts=r.extracts), highlight=False)
