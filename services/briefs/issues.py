"""创卫简报 issues: numbering (第N期), writing the HTML, Word and PNG files, announcing them.

Numbering happens in its own unit of work before anything is written (``reserve``), so a
number printed on a file is always one the database already holds: it survives restarts
and never repeats. A weekly issue is keyed by its ISO week and a special issue (专刊) by its
title, both unique per campaign, so a rerun takes the issue's old number. Two runs at once
are safe on both databases: the insert is conditional (``ON CONFLICT DO NOTHING``) and a
run that loses the race reads again and takes the winner's row or the next number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import Brief, Campaign
from models.briefs import SPECIAL, WEEKLY
from notify.templates import brief_summary
from rules.errors import InvalidInput, NotFound
from rules.weeks import week_key, week_monday, week_number
from services.briefs import texts as t
from services.briefs.data import BriefData, gather
from services.briefs.render import BriefFiles, render_issue
from services.briefs.view import Issue
from services.campaigns.context import CampaignContext
from services.notifications.outbox import enqueue
from services.people.audit import record

_RESERVE_ATTEMPTS = 20
TEMPLATE = "brief_summary"


@dataclass(frozen=True)
class IssueRef:
    """A reserved issue: its row id and number, and whether this run created it."""

    id: int
    number: int
    kind: str
    key: str
    title: str
    created: bool


@dataclass(frozen=True)
class WrittenBrief:
    number: int
    kind: str
    key: str
    title: str
    as_of: dt.datetime
    files: BriefFiles
    notified: int  # outbox rows written (0 on a rerun: the issue was announced already)


@dataclass(frozen=True, slots=True)
class BriefRow:
    """An issue as ``cw brief list`` shows it; times ISO 8601 in the campaign's zone, files as stored."""

    number: int
    kind: str  # weekly | special
    week: str | None
    title: str
    as_of: str
    html: str | None
    docx: str | None
    map: str | None
    written_at: str | None


def week_window(week: str, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """(Monday 00:00, the next Monday 00:00 = Sunday 24:00) of an ISO week, local time."""
    monday = week_monday(week)
    start = dt.datetime.combine(monday, dt.time(0), tzinfo=tz)
    return start, dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0), tzinfo=tz)


def last_week(now: dt.datetime, tz: ZoneInfo) -> str:
    """The ISO week that ended most recently before ``now`` (what Monday's brief reports)."""
    return week_key(now.astimezone(tz).date() - dt.timedelta(days=7))


def window(campaign: Campaign, *, week: str | None, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(start, as_of): a week ends Sunday 24:00, or at ``now`` while it is still running; a
    special issue covers the seven days before ``now``."""
    tz = ZoneInfo(campaign.timezone)
    if week is None:
        return now - dt.timedelta(days=7), now
    start, end = week_window(week, tz)
    if now <= start:
        raise InvalidInput(f"{week} 尚未开始，无法生成该周简报")
    return start, min(end, now)


def due_week(ctx: CampaignContext, *, now: dt.datetime) -> str | None:
    """The week Monday's scheduled brief reports on, or None when it lies outside the campaign."""
    tz = ZoneInfo(ctx.campaign.timezone)
    week = last_week(now, tz)
    start, end = week_window(week, tz)
    stages = ctx.spec.stages
    if end.date() <= stages[0].start or start.date() > stages[-1].end:
        return None
    return week


def _insert(session: Session) -> postgresql.Insert | sqlite.Insert:
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(Brief)


def reserve(session: Session, *, campaign: Campaign, week: str | None = None, special: str | None = None,
            now: dt.datetime) -> IssueRef:
    """The issue for ``week`` (or the special issue titled ``special``): its old number on a
    rerun, else the next number of the campaign."""
    if (week is None) == (special is None):
        raise InvalidInput("请指定 --week 周次 或 --special 专刊标题（二者选一）")
    if special is not None and not special.strip():
        raise InvalidInput("专刊标题不能为空")
    kind = WEEKLY if week else SPECIAL
    if week:
        year, week_no = week_number(week)
        week = week_key(week_monday(week))
        key, title = week, t.WEEK_TITLE.format(year=year, week=week_no)
    else:
        if special is None:  # --week was given but empty
            raise InvalidInput("周次不能为空，请按 2025-W03 的格式填写")
        title = special.strip()
        key = f"special:{title}"
    _start, as_of = window(campaign, week=week, now=now)
    for _ in range(_RESERVE_ATTEMPTS):
        row = session.execute(select(Brief.id, Brief.number).where(
            Brief.campaign_id == campaign.id, Brief.key == key)).first()
        if row is not None:
            return IssueRef(row.id, row.number, kind, key, title, created=False)
        number = session.execute(select(func.coalesce(func.max(Brief.number), 0) + 1)
                                 .where(Brief.campaign_id == campaign.id)).scalar_one()
        inserted = session.execute(_insert(session).values(
            campaign_id=campaign.id, number=number, kind=kind, key=key, week=week, title=title,
            as_of=as_of, created_at=now).on_conflict_do_nothing().returning(Brief.id)).scalar()
        if inserted is not None:
            record(session, campaign_id=campaign.id, action="brief.reserve", object_type="brief",
                   object_id=inserted, now=now, detail={"number": number, "key": key})
            return IssueRef(inserted, number, kind, key, title, created=True)
    raise RuntimeError(f"could not reserve a brief number for {key} after {_RESERVE_ATTEMPTS} attempts")


def _highlights(data: BriefData) -> list[str]:
    lines = []
    if data.phase:
        lines.append(t.SUMMARY_PHASE.format(name=data.phase.name, left=t.days_left(data.phase.working_days_left)))
    c = data.progress.phase
    lines.append(t.SUMMARY_PROGRESS.format(share=t.share(c.share), verified=c.verified, total=c.total))
    overdue = data.overdue_by_unit
    lines.append(t.SUMMARY_OVERDUE.format(n=sum(u.overdue for u in overdue), units=len(overdue)))
    lines.append(t.SUMMARY_PROBLEMS.format(n=sum(x.open for x in data.problems_by_level)))
    return lines


def write_issue(session: Session, *, ctx: CampaignContext, issue_id: int, out_dir: Path, now: dt.datetime,
                photo_dir: Path | None = None) -> WrittenBrief:
    """Gather, render and write a reserved issue into ``out_dir``; record the files; announce
    the issue to 创卫办's targets through the outbox (once per issue)."""
    campaign = ctx.campaign
    issue = session.get(Brief, issue_id)
    if issue is None or issue.campaign_id != campaign.id:
        raise NotFound(f"找不到简报（编号 {issue_id}）")
    start, as_of = window(campaign, week=issue.week, now=now)
    data = gather(session, ctx=ctx, start=start, as_of=as_of, photo_dir=photo_dir)
    files = render_issue(data, Issue(issue.number, issue.kind == SPECIAL, issue.title, issue.week), out_dir)
    issue.as_of, issue.written_at = as_of, now
    issue.html_path, issue.docx_path = str(files.html), str(files.docx)
    issue.map_path = str(files.png) if files.png else None
    title, body = brief_summary(issue.number, issue.week or issue.title, _highlights(data))
    names = [files.html.name, files.docx.name]
    notified = enqueue(session, ctx=ctx, recipients=[("office", None)], template=TEMPLATE,
                       payload={"title": title, "body": body + "\n" + t.SUMMARY_FILES.format(files="、".join(names)),
                                "files": [issue.html_path, issue.docx_path]},
                       key_parts=("brief", issue.number), now=now)
    record(session, campaign_id=campaign.id, action="brief.write", object_type="brief", object_id=issue.id,
           now=now, detail={"number": issue.number, "files": names})
    session.flush()
    return WrittenBrief(issue.number, issue.kind, issue.key, issue.title, as_of, files, notified)


def list_briefs(session: Session, *, campaign: Campaign) -> list[BriefRow]:
    """Every issue of the campaign, newest first."""
    tz = ZoneInfo(campaign.timezone)
    rows = session.scalars(select(Brief).where(Brief.campaign_id == campaign.id).order_by(Brief.number.desc()))
    return [BriefRow(number=b.number, kind=b.kind, week=b.week, title=b.title,
                     as_of=b.as_of.astimezone(tz).isoformat(), html=b.html_path, docx=b.docx_path, map=b.map_path,
                     written_at=b.written_at.astimezone(tz).isoformat() if b.written_at else None)
            for b in rows]
