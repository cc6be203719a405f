"""核查 (/office/verify: ticked tasks, several at once) and 复查 (/office/reinspect: rectified findings)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from rules.errors import InvalidInput
from rules.vocabulary import FindingStatus
from services.campaigns import office_desk
from services.inspections import finding_cards, reinspect
from services.people import Principal
from services.tasks import PASS, verification_queue, verify_task
from web.deps import AppServices, campaign_context, client_address, services
from web.office.common import back, office_form, office_user, pager, render, with_total

router = APIRouter(include_in_schema=False)
#: 核查 shows this many ticks a page (each with its photos)
VERIFY_PAGE = 30


def _picked(values: list[str], what: str) -> list[tuple[int, int | None]]:
    """Checked rows as (id, version) from ``id`` or ``id:version`` values."""
    out = []
    for v in values:
        head, _, version = v.partition(":")
        if not head.isdigit() or (version and not version.isdigit()):
            raise InvalidInput(f"所选{what}编号不正确：{v[:20]}")
        out.append((int(head), int(version) if version else None))
    if not out:
        raise InvalidInput(f"请先勾选要办理的{what}")
    return out


@router.get("/office/verify")
def verify_page(request: Request, me: Principal = Depends(office_user),
                app: AppServices = Depends(services)) -> Response:
    pg = pager(request, size=VERIFY_PAGE)
    with app.db.reader() as s:
        total = office_desk(s, ctx=campaign_context(s, me, app), now=app.clock()).waiting.verify
        items = verification_queue(s, principal=me, limit=pg.offset + pg.size)[pg.offset:]
    return render(request, "office/verify.html", {"items": items, "pg": with_total(pg, total)})


@router.post("/office/verify")
def verify_many(request: Request, task: list[str] = Form(default=[]), verdict: str = Form(...),
                reason: str = Form(""), me: Principal = Depends(office_form),
                app: AppServices = Depends(services)) -> Response:
    """Pass or send back every checked tick in one transaction (all or nothing)."""
    picked = _picked(task, "打卡")
    with app.db.unit_of_work() as s:
        ctx = campaign_context(s, me, app)
        for task_id, version in picked:
            verify_task(s, ctx=ctx, principal=me, task_id=task_id, verdict=verdict, reason=reason,
                        expected_version=version, now=app.clock(), address=client_address(request))
    return back("/office/verify", "verified", n=len(picked), v="pass" if verdict == PASS else "reject")


@router.get("/office/reinspect")
def reinspect_page(request: Request, q: str = "", me: Principal = Depends(office_user),
                   app: AppServices = Depends(services)) -> Response:
    pg = pager(request)
    with app.db.reader() as s:
        cards, total = finding_cards(s, campaign=campaign_context(s, me, app).campaign, now=app.clock(),
                                     statuses=(FindingStatus.RECTIFIED,), query=q[:100], offset=pg.offset,
                                     limit=pg.size)
    return render(request, "office/reinspect.html", {"cards": cards, "pg": with_total(pg, total), "q": q})


@router.post("/office/reinspect")
def reinspect_many(request: Request, finding: list[str] = Form(default=[]), result: str = Form(...),
                   note: str = Form(""), me: Principal = Depends(office_form),
                   app: AppServices = Depends(services)) -> Response:
    """复查 every checked finding: 通过 closes it, 退回返工 reopens its rectification (note required)."""
    picked = _picked(finding, "问题")
    if result not in ("pass", "rework"):
        raise InvalidInput("复查结论只能是通过或退回返工")
    if result == "rework" and not note.strip():
        raise InvalidInput("退回返工时请填写复查意见，单位将看到这一意见")
    with app.db.unit_of_work() as s:
        ctx = campaign_context(s, me, app)
        for finding_id, _ in picked:
            reinspect(s, ctx=ctx, finding_id=finding_id, passed=result == "pass", now=app.clock(), actor=me.name,
                      note=note.strip())
    return back("/office/reinspect", "reinspected")
