"""达标准备情况专刊: a monthly special issue of the 创卫简报 whose body is the national standard's
readiness view (per area % met, the red 未达标 items with their owners, the items not yet assessed).

It shares the brief's numbering: ``reserve_readiness`` claims the issue keyed ``readiness:2025-03``
(a rerun for the same month keeps its number), ``write_readiness`` writes the HTML and Word files
and announces them like any issue. ``write_issue`` sends a readiness issue here, so the office's
console and ``cw brief`` treat it as one more issue.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from models import Brief
from models.briefs import SPECIAL
from notify.templates import brief_summary
from rules.errors import InvalidInput
from rules.vocabulary import BriefState, SelfResult
from services.briefs import texts as t
from services.briefs.data import office_full_name
from services.briefs.issues import TEMPLATE, IssueRef, WrittenBrief, claim
from services.briefs.render import write_document
from services.briefs.view import Block, Document, Empty, Heading, Para, Table
from services.campaigns.context import CampaignContext
from services.notifications.outbox import enqueue
from services.people.audit import record
from services.standard import ItemRow, StandardStatus, list_items, standard_status

PREFIX = "readiness:"
_MONTH = re.compile(r"\s*(\d{4})\s*(?:-|年)\s*(\d{1,2})\s*月?\s*")


def is_readiness(key: str) -> bool:
    """Whether a brief's key is a 达标准备情况专刊's."""
    return key.startswith(PREFIX)


def parse_month(text: str) -> tuple[int, int]:
    """(year, month) of 2025-03, 2025-3 or 2025年3月."""
    m = _MONTH.fullmatch(text or "")
    if m is None or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise InvalidInput(f"月份「{(text or '')[:20]}」无法识别，请按 2025-03 的格式填写")
    return int(m.group(1)), int(m.group(2))


def due_month(now: dt.datetime, tz: ZoneInfo) -> tuple[int, int]:
    """The month a readiness issue written at ``now`` reports on: the month of the day before
    (on the 1st the month just ended, later in a month that month)."""
    day = (now.astimezone(tz) - dt.timedelta(days=1)).date()
    return day.year, day.month


def _bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def due_readiness(ctx: CampaignContext, *, now: dt.datetime) -> str | None:
    """The month (2025-03) the scheduled readiness issue reports on, or None outside the campaign."""
    year, month = due_month(now, ZoneInfo(ctx.campaign.timezone))
    first, last = _bounds(year, month)
    stages = ctx.spec.stages
    if last < stages[0].start or first > stages[-1].end:
        return None
    return f"{year:04d}-{month:02d}"


def reserve_readiness(session: Session, *, ctx: CampaignContext, month: str | None, now: dt.datetime) -> IssueRef:
    """The readiness issue of ``month`` (default: ``due_month``): its old number on a rerun, else the next."""
    tz = ZoneInfo(ctx.campaign.timezone)
    year, mon = parse_month(month) if month else due_month(now, tz)
    if _bounds(year, mon)[0] > now.astimezone(tz).date():
        raise InvalidInput(f"{t.month_text(year, mon)}尚未开始，无法编发该月的达标准备情况专刊")
    if not list_items(session, ctx=ctx):
        raise InvalidInput(t.READY_NOT_LOADED)
    return claim(session, campaign=ctx.campaign, kind=SPECIAL, key=f"{PREFIX}{year:04d}-{mon:02d}", week=None,
                 title=t.READINESS_TITLE.format(month=t.month_text(year, mon)), as_of=now, now=now)


def _month_of(issue: Brief) -> str:
    year, month = parse_month(issue.key.removeprefix(PREFIX))
    return t.month_text(year, month)


def _owners(rows: Iterable[ItemRow]) -> str:
    names = list(dict.fromkeys(r.owner or t.NO_OWNER for r in rows))
    return "、".join(names[:8]) + ("等单位" if len(names) > 8 else "")


def _score(r: ItemRow) -> str:
    return "—" if r.score is None else f"{r.score:g}"


def compose_readiness(status: StandardStatus, rows: list[ItemRow], *, number: int, month: str, office: str,
                      as_of: dt.datetime) -> Document:
    """The readiness issue as blocks: overview, areas, red items, items not assessed, owners, next steps."""
    standard = status.standard or t.READINESS_STANDARD
    unassessed = [r for r in rows if r.result is None]
    red = [r for r in rows if r.result == SelfResult.NOT_MET]
    mostly = [r for r in rows if r.result == SelfResult.MOSTLY_MET]
    share = t.share(status.met / status.items if status.items else None)
    blocks: list[Block] = [Heading(t.H_READY_OVERVIEW), Para(t.READY_LINE.format(
        standard=standard, areas=status.areas, items=status.items, as_of=t.moment(as_of), assessed=status.assessed,
        met=status.met, mostly=status.mostly_met, not_met=status.not_met, unassessed=len(unassessed), share=share))]

    def counts(group: list[ItemRow]) -> tuple[str, ...]:
        return tuple(str(n) for n in (
            len(group), sum(r.result == SelfResult.MET for r in group),
            sum(r.result == SelfResult.MOSTLY_MET for r in group), sum(r.result == SelfResult.NOT_MET for r in group),
            sum(r.result is None for r in group)))

    by_area: dict[str, list[ItemRow]] = {}
    for r in rows:
        by_area.setdefault(r.area, []).append(r)
    area_rows = []
    for area, group in by_area.items():
        n, met, most, bad, none = counts(group)
        area_rows.append((area, n, str(len(group) - int(none)), met, most, bad, none,
                          t.share(int(met) / len(group))))
    n, met, most, bad, none = counts(rows)
    blocks += [Heading(t.H_READY_AREAS),
               Table(t.COLS_READY_AREAS, area_rows,
                     (t.TOTAL, n, str(len(rows) - int(none)), met, most, bad, none, share),
                     numeric=(1, 2, 3, 4, 5, 6, 7)),
               Para(t.READY_RATE_NOTE, note=True)]
    blocks.append(Heading(t.H_READY_RED))
    blocks.append(Table(t.COLS_READY_RED, [(str(i), r.code, r.title, r.area, r.owner or t.NO_OWNER, _score(r))
                                           for i, r in enumerate(red, 1)], numeric=(5,))
                  if red else Empty(t.READY_NO_RED))
    blocks.append(Heading(t.H_READY_UNASSESSED))
    blocks.append(Table(t.COLS_READY_UNASSESSED, [(str(i), r.code, r.title, r.area, r.owner or t.NO_OWNER)
                                                  for i, r in enumerate(unassessed, 1)])
                  if unassessed else Empty(t.READY_NO_UNASSESSED))
    by_owner: dict[str, list[ItemRow]] = {}
    for r in rows:
        by_owner.setdefault(r.owner or t.NO_OWNER, []).append(r)
    owner_rows = sorted(((owner, *counts(group)) for owner, group in by_owner.items()),
                        key=lambda x: (-int(x[4]) - int(x[5]), x[0]))  # most 未达标 and 未自评 first
    blocks += [Heading(t.H_READY_OWNERS), Table(t.COLS_READY_OWNERS, owner_rows, (t.TOTAL, *counts(rows)),
                                                numeric=(1, 2, 3, 4, 5))]
    steps = [*([t.READY_NEXT_RED.format(n=len(red), owners=_owners(red))] if red else []),
             *([t.READY_NEXT_UNASSESSED.format(n=len(unassessed), owners=_owners(unassessed))] if unassessed else []),
             *([t.READY_NEXT_MOSTLY.format(n=len(mostly))] if mostly else []), t.READY_NEXT_ROUTINE]
    blocks += [Heading(t.H_READY_NEXT), *(Para(t.NEXT_ITEM.format(n=i, text=x)) for i, x in enumerate(steps, 1))]
    return Document(masthead=t.MASTHEAD, number=t.number(number, True), editor=t.EDITED_BY.format(office=office),
                    date=t.day(as_of.date()), headline=t.READINESS_HEADLINE.format(standard=standard),
                    period=t.READINESS_PERIOD.format(month=month, as_of=t.moment(as_of)), blocks=blocks)


def write_readiness(session: Session, *, ctx: CampaignContext, issue: Brief, out_dir: Path,
                    now: dt.datetime) -> WrittenBrief:
    """签发 a reserved readiness issue: the standard's status as of ``now`` written as HTML and Word,
    recorded on the issue and announced to 创卫办's targets (once per issue)."""
    rows = list_items(session, ctx=ctx)
    if not rows:
        raise InvalidInput(t.READY_NOT_LOADED)
    status = standard_status(session, ctx=ctx)
    month = _month_of(issue)
    as_of = now.astimezone(ZoneInfo(ctx.campaign.timezone))
    doc = compose_readiness(status, rows, number=issue.number, month=month,
                            office=office_full_name(session, ctx), as_of=as_of)
    files = write_document(doc, out_dir, t.READINESS_STEM.format(number=issue.number, month=month))
    issue.as_of, issue.written_at = now, now
    issue.state, issue.issued_at = BriefState.ISSUED, issue.issued_at or now
    issue.html_path, issue.docx_path, issue.map_path = str(files.html), str(files.docx), None
    unassessed = sum(r.result is None for r in rows)
    highlights = [t.READY_SUMMARY_RATE.format(met=status.met, items=status.items,
                                              share=t.share(status.met / status.items)),
                  t.READY_SUMMARY_RED.format(n=status.not_met), t.READY_SUMMARY_UNASSESSED.format(n=unassessed)]
    title, body = brief_summary(issue.number, issue.title, highlights)
    notified = enqueue(session, ctx=ctx, recipients=[("office", None)], template=TEMPLATE,
                       payload={"title": title, "body": body, "files": [issue.html_path, issue.docx_path]},
                       key_parts=("brief", issue.number), now=now)
    record(session, campaign_id=ctx.id, action="brief.write", object_type="brief", object_id=issue.id, now=now,
           detail={"number": issue.number, "files": [files.html.name, files.docx.name], "readiness": issue.key})
    session.flush()
    return WrittenBrief(issue.number, issue.kind, issue.key, issue.title, now, files, notified)
