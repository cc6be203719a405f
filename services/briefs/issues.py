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
from rules.errors import Conflict, InvalidInput, NotFound
from rules.vocabulary import BriefState
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
            now: dt.datetime, state: str = BriefState.ISSUED) -> IssueRef:
    """The issue for ``week`` (or the special issue titled ``special``): its old number on a
    rerun, else the next number of the campaign; a new row starts in ``state`` (草稿 for a draft)."""
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
    return claim(session, campaign=campaign, kind=kind, key=key, week=week, title=title, as_of=as_of, now=now,
                 state=state)


def claim(session: Session, *, campaign: Campaign, kind: str, key: str, week: str | None, title: str,
          as_of: dt.datetime, now: dt.datetime, state: str = BriefState.ISSUED) -> IssueRef:
    """The row keyed ``key``: its old number on a rerun, else a new row with the campaign's next number."""
    for _ in range(_RESERVE_ATTEMPTS):
        row = session.execute(select(Brief.id, Brief.number).where(
            Brief.campaign_id == campaign.id, Brief.key == key)).first()
        if row is not None:
            return IssueRef(row.id, row.number, kind, key, title, created=False)
        number = session.execute(select(func.coalesce(func.max(Brief.number), 0) + 1)
                                 .where(Brief.campaign_id == campaign.id)).scalar_one()
        inserted = session.execute(_insert(session).values(
            campaign_id=campaign.id, number=number, kind=kind, key=key, week=week, title=title,
            as_of=as_of, created_at=now, state=state, narrative={}).on_conflict_do_nothing()
            .returning(Brief.id)).scalar()
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
    """签发: gather, render and write a reserved issue (draft or not) into ``out_dir``; record the
    files; announce the issue to 创卫办's targets through the outbox (once per issue)."""
    campaign = ctx.campaign
    issue = session.get(Brief, issue_id)
    if issue is None or issue.campaign_id != campaign.id:
        raise NotFound(f"找不到简报（编号 {issue_id}）")
    from services.briefs.readiness import is_readiness, write_readiness

    if is_readiness(issue.key):  # a 达标准备情况专刊 has its own body: the standard's readiness view
        return write_readiness(session, ctx=ctx, issue=issue, out_dir=out_dir, now=now)
    start, as_of = window(campaign, week=issue.week, now=now)
    data = gather(session, ctx=ctx, start=start, as_of=as_of, photo_dir=photo_dir)
    files = render_issue(data, Issue(issue.number, issue.kind == SPECIAL, issue.title, issue.week,
                                     dict(issue.narrative or {})), out_dir)
    issue.as_of, issue.written_at = as_of, now
    issue.state, issue.issued_at = BriefState.ISSUED, issue.issued_at or now
    issue.html_path, issue.docx_path = str(files.html), str(files.docx)
    issue.map_path = str(files.png) if files.png else None
    period = t.span(data.local(start).date(), (data.local(as_of) - dt.timedelta(microseconds=1)).date())
    title, body = brief_summary(issue.number, period if issue.week else issue.title, _highlights(data))
    names = [files.html.name, files.docx.name]
    notified = enqueue(session, ctx=ctx, recipients=[("office", None)], template=TEMPLATE,
                       payload={"title": title, "body": body,  # the link opens /office/briefs; file names carry week codes
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


NARRATIVE_SECTIONS = ("工作动态", "下步工作", "按语")
MAX_NARRATIVE = 20000


def get_weekly(session: Session, *, campaign: Campaign, week: str) -> Brief:
    """The issue of ``week`` (draft or issued)."""
    try:
        key = week_key(week_monday(week))
    except ValueError as e:
        raise InvalidInput(f"周次「{week}」无法识别，请按 2025-W03 的格式填写") from e
    issue = session.scalars(select(Brief).where(Brief.campaign_id == campaign.id, Brief.key == key)).first()
    if issue is None:
        raise NotFound(f"{key} 的简报还没有草稿，请先运行 cw brief draft --week {key}")
    return issue


def draft_brief(session: Session, *, ctx: CampaignContext, week: str, now: dt.datetime,
                photo_dir: Path | None = None) -> DraftBrief:
    """草稿: reserve the week's issue as a draft (once) and return the narrative it would print:
    the office's own text where it wrote some, the generated text elsewhere."""
    ref = reserve(session, campaign=ctx.campaign, week=week, now=now, state=BriefState.DRAFT)
    issue = session.get(Brief, ref.id)
    assert issue is not None  # reserved just now
    start, as_of = window(ctx.campaign, week=issue.week, now=now)
    data = gather(session, ctx=ctx, start=start, as_of=as_of, photo_dir=photo_dir)
    from services.briefs.narrative import news, next_steps

    own = dict(issue.narrative or {})
    generated = {"工作动态": news(data), "下步工作": next_steps(data)}
    texts = {k: own.get(k) or "\n".join(getattr(b, "text", "") for b in generated.get(k, []))
             for k in NARRATIVE_SECTIONS}
    return DraftBrief(number=issue.number, week=issue.week or week, state=issue.state, created=ref.created,
                      sections=texts, edited=tuple(k for k in NARRATIVE_SECTIONS if own.get(k)))


def edit_brief(session: Session, *, campaign: Campaign, week: str, section: str, text: str, now: dt.datetime,
               actor: str) -> Brief:
    """The office writes a narrative section of a draft (an empty text goes back to the generated one)."""
    if section not in NARRATIVE_SECTIONS:
        raise InvalidInput(f"只能修改{'、'.join(NARRATIVE_SECTIONS)}，不能修改「{section}」")
    if len(text) > MAX_NARRATIVE:
        raise InvalidInput(f"「{section}」过长（{len(text)} 字），请控制在 {MAX_NARRATIVE} 字以内")
    issue = get_weekly(session, campaign=campaign, week=week)
    if issue.state != BriefState.DRAFT:
        raise Conflict(f"第{issue.number}期简报已签发，不能再修改")
    narrative = dict(issue.narrative or {})
    if text.strip():
        narrative[section] = text.strip()
    else:
        narrative.pop(section, None)
    issue.narrative = narrative
    record(session, campaign_id=campaign.id, action="brief.edit", object_type="brief", object_id=issue.id, now=now,
           actor=actor, detail={"section": section, "chars": len(text.strip())})
    session.flush()
    return issue


def pending_draft(session: Session, *, campaign: Campaign, week: str) -> int | None:
    """The id of ``week``'s issue while it is a draft (what the automatic 签发 issues), else None."""
    return session.scalar(select(Brief.id).where(Brief.campaign_id == campaign.id, Brief.week == week,
                                                 Brief.state == BriefState.DRAFT))


@dataclass(frozen=True)
class DraftBrief:
    number: int
    week: str
    state: str
    created: bool
    sections: dict[str, str]  # section → the text 签发 would print
    edited: tuple[str, ...]  # the sections the office wrote itself
