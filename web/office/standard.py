"""标准与自评 (/office/standard): the national standard's readiness view (per area % met, the 未达标 items
with their owners, the items not yet assessed), a link to the 自评 form at /standard, and the monthly
达标准备情况专刊 of the brief issued by hand (as ``cw brief readiness``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from rules.vocabulary import SelfResult
from services.briefs import reserve_readiness, write_issue
from services.people import Principal
from services.standard import list_items, standard_status
from web.deps import AppServices, campaign_context, services
from web.office.common import back, office_form, office_user, render

router = APIRouter(include_in_schema=False)


@router.get("/office/standard")
def standard_page(request: Request, me: Principal = Depends(office_user),
                  app: AppServices = Depends(services)) -> Response:
    with app.db.reader() as s:
        ctx = campaign_context(s, me, app)
        status = standard_status(s, ctx=ctx)
        items = list_items(s, ctx=ctx)
    by_owner: dict[str, dict[str, int]] = {}
    for i in items:
        row = by_owner.setdefault(i.owner or "", {"total": 0, "met": 0, "not_met": 0, "unassessed": 0})
        row["total"] += 1
        row["met"] += i.result == SelfResult.MET
        row["not_met"] += i.result == SelfResult.NOT_MET
        row["unassessed"] += i.result is None
    owners = sorted(by_owner.items(), key=lambda kv: (-kv[1]["not_met"] - kv[1]["unassessed"], kv[0]))
    return render(request, "office/standard.html", {
        "status": status, "red": [i for i in items if i.result == SelfResult.NOT_MET],
        "unassessed": [i for i in items if i.result is None], "owners": owners})


@router.post("/office/standard/brief")
def readiness_brief(request: Request, month: str = Form("", max_length=20), me: Principal = Depends(office_form),
                    app: AppServices = Depends(services)) -> Response:
    """编发达标准备情况专刊 of ``month`` (default: the month of the day before), as ``cw brief readiness``."""
    with app.db.unit_of_work() as s:  # the number is recorded (committed) before any file shows it
        ref = reserve_readiness(s, ctx=campaign_context(s, me, app), month=month.strip() or None, now=app.clock())
    with app.db.unit_of_work() as s:
        write_issue(s, ctx=campaign_context(s, me, app), issue_id=ref.id, out_dir=app.settings.output_dir / "briefs",
                    now=app.clock(), photo_dir=app.photo_dir)
    return back("/office/standard", "readiness_issued")
