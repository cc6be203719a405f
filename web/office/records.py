"""简报 (/office/briefs: issues and their files), 台账与考核 (/office/ledger: the rectification ledger,
the week's ratings and the phase's 表彰 to confirm, xlsx exports) and 用户 (/office/users)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from rules.errors import DomainError, InvalidInput, NotFound
from rules.weeks import previous_week, week_key, week_label, week_monday
from services.assessment import (
    confirm_commendations,
    confirm_ratings,
    list_commendations,
    list_ratings,
    propose_commendations,
    propose_ratings,
    write_workbook,
)
from services.briefs import (
    NARRATIVE_SECTIONS,
    draft_brief,
    due_week,
    edit_brief,
    list_briefs,
    pending_draft,
    reserve,
    write_issue,
)
from services.campaigns import office_desk, phase_list
from services.inspections import export_xlsx, totals
from services.people import Principal, add_user, list_users, revoke_user, sign_in_link
from web.deps import AppServices, PathId, campaign_context, services
from web.office import texts
from web.office.common import back, office_form, office_user, render

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- 简报 ------------------------------------------------------------------------------------

def _brief_week(ctx: Any, day: str, now: dt.datetime, me: Principal) -> str | None:
    """The week whose issue the office works on: the one the date falls in, else the one due now."""
    if day:
        return _week(day, now, me)
    return due_week(ctx, now=now)


@router.get("/office/briefs")
def briefs_page(request: Request, day: str = "", me: Principal = Depends(office_user),
                app: AppServices = Depends(services)) -> Response:
    now = app.clock()
    draft = None
    with app.db.reader() as s:
        ctx = campaign_context(s, me, app)
        rows = list_briefs(s, campaign=ctx.campaign)
        week = _brief_week(ctx, day, now, me)
        has_draft = week is not None and pending_draft(s, campaign=ctx.campaign, week=week) is not None
    if has_draft and week is not None:
        with app.db.unit_of_work() as s:  # the draft exists: this only reads it back with its generated text
            draft = draft_brief(s, ctx=campaign_context(s, me, app), week=week, now=now, photo_dir=app.photo_dir)
    return render(request, "office/briefs.html", {
        "rows": rows, "week_label": week_label, "week": week, "draft": draft,
        "monday": week_monday(week).isoformat() if week else "", "sections": NARRATIVE_SECTIONS})


@router.post("/office/briefs/draft")
def brief_draft(request: Request, day: str = Form(""), me: Principal = Depends(office_form),
                app: AppServices = Depends(services)) -> Response:
    """草稿: reserve the week's issue as a draft (its number is kept when it is 签发)."""
    with app.db.unit_of_work() as s:
        ctx = campaign_context(s, me, app)
        week = _brief_week(ctx, day, app.clock(), me)
        if week is None:
            raise InvalidInput("这一周不在活动期内，没有简报")
        draft_brief(s, ctx=ctx, week=week, now=app.clock(), photo_dir=app.photo_dir)
    return back("/office/briefs", "brief_drafted", day=week_monday(week).isoformat())


@router.post("/office/briefs/edit")
def brief_edit(request: Request, day: str = Form(...), section: str = Form(...), text: str = Form(""),
               me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """The office's own text for a section of the draft (empty: back to the generated text)."""
    week = _week(day, app.clock(), me)
    with app.db.unit_of_work() as s:
        edit_brief(s, campaign=campaign_context(s, me, app).campaign, week=week, section=section, text=text,
                   now=app.clock(), actor=me.name)
    return back("/office/briefs", "brief_saved", day=week_monday(week).isoformat())


@router.post("/office/briefs/issue")
def brief_issue(request: Request, day: str = Form(...), me: Principal = Depends(office_form),
                app: AppServices = Depends(services)) -> Response:
    """签发: write the draft's HTML and Word files and tell the office (as ``cw brief issue``)."""
    week = _week(day, app.clock(), me)
    with app.db.unit_of_work() as s:  # the number is recorded (committed) before any file shows it
        ref = reserve(s, campaign=campaign_context(s, me, app).campaign, week=week, now=app.clock())
    with app.db.unit_of_work() as s:
        write_issue(s, ctx=campaign_context(s, me, app), issue_id=ref.id, out_dir=app.settings.output_dir / "briefs",
                    now=app.clock(), photo_dir=app.photo_dir)
    return back("/office/briefs", "brief_issued")


@router.get("/office/briefs/{number}.{kind}")
def brief_file(number: PathId, kind: str, me: Principal = Depends(office_user),
               app: AppServices = Depends(services)) -> Response:
    """An issue's HTML or Word file, as the brief service recorded it (never a path the request names)."""
    if kind not in ("html", "docx"):
        raise NotFound("找不到文件")
    with app.db.reader() as s:
        row = next((r for r in list_briefs(s, campaign=campaign_context(s, me, app).campaign) if r.number == number),
                   None)
    stored = (row.html if kind == "html" else row.docx) if row else None
    path = Path(stored) if stored else None
    if path is None or not path.is_file():
        raise NotFound(f"第{number}期简报的{'网页' if kind == 'html' else 'Word'}文件不存在")
    media = "text/html; charset=utf-8" if kind == "html" else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if kind == "html":
        return FileResponse(path, media_type=media)
    return FileResponse(path, media_type=media, filename=f"创卫简报第{number}期.docx")


# -- 台账与考核 --------------------------------------------------------------------------------

def _week(value: str, now: dt.datetime, me: Principal) -> str:
    """The week a date (or nothing: last week) falls in, as the services key it."""
    if not value:
        return previous_week(week_key(now.astimezone(ZoneInfo(me.timezone)).date()))
    try:
        return week_key(dt.date.fromisoformat(value))
    except ValueError:
        raise InvalidInput(f"日期格式不正确：{value[:20]}") from None


@router.get("/office/ledger")
def ledger_page(request: Request, day: str = "", phase: str = "", by: str = "unit",
                me: Principal = Depends(office_user), app: AppServices = Depends(services)) -> Response:
    now = app.clock()
    week = _week(day, now, me)
    with app.db.reader() as s:
        ctx = campaign_context(s, me, app)
        all_phases = phase_list(s, ctx=ctx)
        desk = office_desk(s, ctx=ctx, now=now)
        chosen = phase or desk.phase or (all_phases[0].name if all_phases else "")
        ratings = list_ratings(s, campaign=ctx.campaign, week=week)
        commendations = list_commendations(s, campaign=ctx.campaign, phase=chosen) if chosen else []
        ledger = totals(s, campaign=ctx.campaign, by=by if by in ("phase", "segment", "unit") else "unit")
    return render(request, "office/ledger.html", {
        "week": week, "week_label": week_label(week), "monday": week_monday(week).isoformat(), "ratings": ratings,
        "proposed": sum(1 for r in ratings if r.status == "proposed"), "phases": all_phases, "phase": chosen,
        "commendations": commendations, "ledger": ledger, "by": by})


@router.post("/office/ledger/ratings")
def ratings_action(request: Request, day: str = Form(""), action: str = Form("confirm"),
                   me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """确认 the week's proposed ratings (published and sent), or compute them first (生成)."""
    week = _week(day, app.clock(), me)
    with app.db.unit_of_work() as s:
        ctx = campaign_context(s, me, app)
        if action == "propose":
            propose_ratings(s, campaign=ctx.campaign, week=week, now=app.clock(), actor=me.name)
        else:
            confirm_ratings(s, ctx=ctx, week=week, now=app.clock(), actor=me.name)
    return back("/office/ledger", "ratings" if action != "propose" else "ratings_proposed",
                day=week_monday(week).isoformat())


@router.post("/office/ledger/commendations")
def commendations_action(request: Request, phase: str = Form(...), action: str = Form("confirm"),
                         me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """确认 the phase's 表彰 candidates, or propose them first."""
    with app.db.unit_of_work() as s:
        ctx = campaign_context(s, me, app)
        if action == "propose":
            propose_commendations(s, campaign=ctx.campaign, phase=phase, now=app.clock(), actor=me.name)
        else:
            confirm_commendations(s, ctx=ctx, phase=phase, now=app.clock(), actor=me.name)
    return back("/office/ledger", "commendations" if action != "propose" else "commendations_proposed",
                phase=phase)


def _xlsx(name: str, write: Any) -> FileResponse:
    folder = Path(tempfile.mkdtemp(prefix="cw-export-"))
    path = folder / "export.xlsx"
    write(path)

    def cleanup() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(path, media_type=XLSX, filename=name, background=BackgroundTask(cleanup))


@router.get("/office/ledger/ledger.xlsx")
def ledger_xlsx(me: Principal = Depends(office_user), app: AppServices = Depends(services)) -> Response:
    """整改台账 as a workbook (the same file as ``cw ledger export``)."""
    with app.db.reader() as s:
        campaign = campaign_context(s, me, app).campaign
        return _xlsx("整改台账.xlsx", lambda path: export_xlsx(s, campaign=campaign, path=path))


@router.get("/office/ledger/assessment.xlsx")
def assessment_xlsx(me: Principal = Depends(office_user), app: AppServices = Depends(services)) -> Response:
    """考核 workbook (the same file as ``cw assess export``)."""
    with app.db.reader() as s:
        campaign = campaign_context(s, me, app).campaign
        return _xlsx("考核.xlsx", lambda path: write_workbook(s, campaign=campaign, path=path, now=app.clock()))


# -- 用户 ------------------------------------------------------------------------------------

def _users(request: Request, me: Principal, app: AppServices, *, link: dict[str, str] | None = None,
           error: DomainError | None = None, values: dict[str, str] | None = None,
           status_code: int = 200) -> Response:
    with app.db.reader() as s:
        rows = list_users(s, campaign=campaign_context(s, me, app).campaign)
    return render(request, "office/users.html", {"rows": rows, "link": link, "error": error, "values": values or {},
                                                 "roles": texts.ROLE}, status_code=status_code)


@router.get("/office/users")
def users_page(request: Request, me: Principal = Depends(office_user),
               app: AppServices = Depends(services)) -> Response:
    return _users(request, me, app)


def _link(request: Request, name: str, raw: str) -> dict[str, str]:
    return {"name": name, "url": f"{str(request.base_url).rstrip('/')}/l/{raw}"}


@router.post("/office/users")
def create_user(request: Request, name: str = Form(""), phone: str = Form(""), role: str = Form(""),
                unit: str = Form(""), leader: str = Form(""), me: Principal = Depends(office_form),
                app: AppServices = Depends(services)) -> Response:
    """新增用户 and give them a sign-in link (shown once, like ``cw users add --link``)."""
    values = {"name": name, "phone": phone, "role": role, "unit": unit, "leader": leader}
    try:
        with app.db.unit_of_work() as s:
            campaign = campaign_context(s, me, app).campaign
            user = add_user(s, campaign=campaign, name=name.strip(), phone=phone.strip(), role=role,
                            unit=unit.strip() or None, leader=leader.strip() or None, now=app.clock(), actor=me.name)
            raw = sign_in_link(s, campaign=campaign, phone=user.phone, now=app.clock(), actor=me.name)[1]
            created = user.name
    except DomainError as e:
        return _users(request, me, app, error=e, values=values, status_code=e.http_status)
    return _users(request, me, app, link=_link(request, created, raw))


@router.post("/office/users/{phone}/link")
def new_link(request: Request, phone: str, me: Principal = Depends(office_form),
             app: AppServices = Depends(services)) -> Response:
    """A new one-time sign-in link for the user (7 days)."""
    with app.db.unit_of_work() as s:
        user, raw = sign_in_link(s, campaign=campaign_context(s, me, app).campaign, phone=phone, now=app.clock(),
                                 actor=me.name)
        name = user.name
    return _users(request, me, app, link=_link(request, name, raw))


@router.post("/office/users/{phone}/revoke")
def revoke(request: Request, phone: str, me: Principal = Depends(office_form),
           app: AppServices = Depends(services)) -> Response:
    """停用: deactivate the user and end every link, session and token they hold."""
    with app.db.unit_of_work() as s:
        revoke_user(s, campaign=campaign_context(s, me, app).campaign, phone=phone, now=app.clock(), actor=me.name)
    return back("/office/users", "revoked")
