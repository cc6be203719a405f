"""The office's decisions: 处理建议 (/office/sanctions), 曝光台 (/office/exposure) and 协调事项 (/office/problems)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from rules.errors import InvalidInput, NotFound
from rules.vocabulary import FindingStatus, ProblemLevel, ProblemStatus, ProblemVerb, RequestState, SanctionState
from services.campaigns import unit_directory, unit_names
from services.escalation import confirm, decide, dismiss, list_problems, list_requests, list_sanctions, perform
from services.inspections import expose_finding, finding_cards, withdraw_exposure
from services.people import Principal
from web.deps import AppServices, PathId, campaign_context, services
from web.office.common import back, office_form, office_user, pager, render, with_total
from web.office.review import _picked

router = APIRouter(include_in_schema=False)
EXPOSABLE = (FindingStatus.OPEN, FindingStatus.RECTIFIED, FindingStatus.CLOSED)


# -- 处理建议 ---------------------------------------------------------------------------------

@router.get("/office/sanctions")
def sanctions_page(request: Request, me: Principal = Depends(office_user),
                   app: AppServices = Depends(services)) -> Response:
    pg = pager(request)
    with app.db.reader() as s:
        campaign = campaign_context(s, me, app).campaign
        proposed = list(reversed(list_sanctions(s, campaign=campaign, state=SanctionState.PROPOSED)))
        decided = [r for r in list_sanctions(s, campaign=campaign) if r.state != SanctionState.PROPOSED][:20]
    return render(request, "office/sanctions.html", {
        "proposed": proposed[pg.offset:pg.offset + pg.size], "pg": with_total(pg, len(proposed)),
        "decided": decided})


@router.post("/office/sanctions")
def decide_sanctions(request: Request, sanction: list[str] = Form(default=[]), decision: str = Form(...),
                     reason: str = Form(""), me: Principal = Depends(office_form),
                     app: AppServices = Depends(services)) -> Response:
    """确认 (published and sent) or 不予采纳 (reason required) every checked proposal, all or nothing."""
    picked = _picked(sanction, "处理建议")
    if decision not in ("confirm", "dismiss"):
        raise InvalidInput("请选择确认或不予采纳")
    with app.db.unit_of_work() as s:
        ctx = campaign_context(s, me, app)
        for sanction_id, _ in picked:
            if decision == "confirm":
                confirm(s, ctx=ctx, sanction_id=sanction_id, actor=me.name, now=app.clock(),
                        note=reason.strip() or None)
            else:
                dismiss(s, campaign=ctx.campaign, sanction_id=sanction_id, actor=me.name, reason=reason,
                        now=app.clock())
    return back("/office/sanctions", "sanctions")


# -- 曝光台 -----------------------------------------------------------------------------------

@router.get("/office/exposure")
def exposure_page(request: Request, q: str = "", me: Principal = Depends(office_user),
                  app: AppServices = Depends(services)) -> Response:
    pg = pager(request, size=30)
    with app.db.reader() as s:
        campaign = campaign_context(s, me, app).campaign
        chosen, _ = finding_cards(s, campaign=campaign, now=app.clock(), exposed=True, limit=100)
        cards, total = finding_cards(s, campaign=campaign, now=app.clock(), statuses=EXPOSABLE, exposed=False,
                                     query=q[:100], offset=pg.offset, limit=pg.size)
    return render(request, "office/exposure.html", {"chosen": chosen, "cards": cards, "q": q,
                                                    "pg": with_total(pg, total)})


@router.post("/office/exposure")
def expose(request: Request, finding: list[str] = Form(default=[]), action: str = Form("expose"),
           me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """曝光 the checked findings in the next brief, or withdraw them."""
    picked = _picked(finding, "问题")
    with app.db.unit_of_work() as s:
        campaign = campaign_context(s, me, app).campaign
        for finding_id, _ in picked:
            if action == "withdraw":
                withdraw_exposure(s, campaign=campaign, finding_id=finding_id, now=app.clock(), actor=me.name)
            else:
                expose_finding(s, campaign=campaign, finding_id=finding_id, now=app.clock(), actor=me.name)
    return back("/office/exposure", "withdrawn" if action == "withdraw" else "exposed")


# -- 协调事项 ---------------------------------------------------------------------------------

@router.get("/office/problems")
def problems_page(request: Request, level: str = "", segment: str = "", unit: str = "", status: str = "open",
                  category: str = "", me: Principal = Depends(office_user),
                  app: AppServices = Depends(services)) -> Response:
    pg = pager(request)
    now = app.clock()
    with app.db.reader() as s:
        ctx = campaign_context(s, me, app)
        unit_id = None
        if unit.strip():
            found = unit_directory(s, ctx.id).find(unit.strip())
            if found is None:
                raise NotFound(f"找不到单位「{unit.strip()}」")
            unit_id = found.id
        wanted = status if status in tuple(ProblemStatus) else None
        categories = [x.name for x in ctx.spec.inspections.taxonomy]
        rows = list_problems(s, campaign=ctx.campaign, now=now, status=wanted, level=level or None, unit_id=unit_id,
                             category=category.strip()[:40] or None)
        if segment.strip():
            rows = [r for r in rows if r.segment and segment.strip().upper() in r.segment.upper()]
        requests = list_requests(s, campaign=ctx.campaign, state=RequestState.PENDING)
        units = unit_names(s, ctx=ctx)
    return render(request, "office/problems.html", {
        "rows": rows[pg.offset:pg.offset + pg.size], "pg": with_total(pg, len(rows)), "requests": requests,
        "levels": list(ProblemLevel), "level": level, "segment": segment, "unit": unit, "status": status,
        "units": units, "categories": categories, "category": category})


VERB_NOTICE = {ProblemVerb.ASSIGN: "assigned", ProblemVerb.HOLD: "held", ProblemVerb.SUPERVISE: "supervised",
               ProblemVerb.VERIFY: "verified_problem"}


@router.post("/office/problems/{problem_id}")
def problem_action(request: Request, problem_id: PathId, verb: str = Form(...), text: str = Form(""),
                   unit: str = Form(""), days: str = Form(""), passed: str = Form("1"),
                   me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """改派, 挂账, 督办 or 核实 one problem, through the same ``perform`` as the phone pages and the API."""
    try:
        chosen = ProblemVerb(verb)
    except ValueError:
        raise InvalidInput("不支持的操作") from None
    if chosen not in VERB_NOTICE:
        raise InvalidInput("创卫办在此页可以改派、挂账、督办或核实")
    with app.db.unit_of_work() as s:
        ctx = campaign_context(s, me, app)
        unit_id = None
        if chosen == ProblemVerb.ASSIGN:
            found = unit_directory(s, ctx.id).find(unit.strip()) if unit.strip() else None
            if found is None:
                raise InvalidInput(f"请选择承办单位{f'（找不到「{unit.strip()}」）' if unit.strip() else ''}")
            unit_id = found.id
        n_days = int(days) if days.strip().isdigit() else None
        perform(s, ctx=ctx, problem_id=problem_id, verb=chosen, actor=me, now=app.clock(), text=text.strip(),
                days=n_days, unit_id=unit_id, passed=passed == "1")
    return back("/office/problems", VERB_NOTICE[chosen])


@router.post("/office/requests/{request_id}")
def decide_request(request: Request, request_id: PathId, approve: str = Form(...), reason: str = Form(""),
                   me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """批准延期/挂账 or refuse it (reason required)."""
    with app.db.unit_of_work() as s:
        decide(s, ctx=campaign_context(s, me, app), request_id=request_id, approve=approve == "1", actor=me,
               now=app.clock(), reason=reason.strip())
    return back("/office/problems", "decided")
