"""督查 pages and API: plans, findings (record on the phone, duplicates offered), 12345 intake.

Every list goes through the services' secrecy filter (``services.inspections.rounds.visible_*``):
a unit never sees an unannounced round, or what it found, before it is published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from models import Campaign
from models.people import ROLE_INSPECTOR, ROLE_OFFICE
from rules.errors import NotFound
from rules.vocabulary import InspectionKind
from rules.weeks import week_label
from services.inspections import (
    Plan,
    create_complaint,
    describe,
    find_duplicates,
    list_complaints,
    list_findings,
    list_plans,
    record_finding,
    reinspect,
)
from services.people import Principal
from services.tasks import save_photo
from web.api.schemas import ERRORS
from web.deps import MAX_ID, AppServices, PathId, campaign_context, current_user, form_user, require_role, services
from web.finding_photos import finding_photos, form_id
from web.templating import render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", responses=ERRORS)
ROUTERS = [pages, api]
RECORDERS = (ROLE_OFFICE, ROLE_INSPECTOR)


def _campaign(s: Session, me: Principal) -> Campaign:
    campaign = s.get(Campaign, me.campaign_id)
    if campaign is None:  # the user's campaign was removed after they signed in
        raise NotFound(f"找不到活动（编号 {me.campaign_id}）")
    return campaign


def _plan_out(plan: Plan) -> dict[str, Any]:
    """A round as the API shows it: ``seed`` only to those who may know the draw (创卫办)."""
    out = asdict(plan)
    if plan.seed is None:
        del out["seed"]
    return out


# -- pages ---------------------------------------------------------------------------------

@pages.get("/inspections")
def plans_page(request: Request, week: str | None = None, me: Principal = Depends(current_user),
               app: AppServices = Depends(services)) -> Response:
    label = week_label(week) if week else None  # a key that is no week is refused, naming it, in Chinese
    with app.db.reader() as s:
        plans = list_plans(s, principal=me, week=week or None)
    return render(request, "inspections/plans.html", {"plans": plans, "week": label})


@pages.get("/findings")
def findings_page(request: Request, status: str | None = None, me: Principal = Depends(current_user),
                  app: AppServices = Depends(services)) -> Response:
    with app.db.reader() as s:
        rows = list_findings(s, campaign=_campaign(s, me), principal=me, now=app.clock(), status=status or None)
    return render(request, "inspections/findings.html", {"findings": rows, "status": status})


def _form(request: Request, me: Principal, app: AppServices, values: dict[str, Any],
          duplicates: list[str] | None = None, status_code: int = 200) -> Response:
    with app.db.reader() as s:
        categories = [x.name for x in campaign_context(s, me, app).spec.inspections.taxonomy]
        plans = [p for p in list_plans(s, principal=me) if p.kind != InspectionKind.RECHECK][-8:]
    return render(request, "inspections/finding_new.html", {"categories": categories, "plans": plans,
                                                            "values": values, "duplicates": duplicates or []},
                  status_code=status_code)


@pages.get("/findings/new")
def new_finding_page(request: Request, me: Principal = Depends(require_role(*RECORDERS)),
                     app: AppServices = Depends(services)) -> Response:
    return _form(request, me, app, {})


@pages.post("/findings")
def record_finding_form(request: Request, category: str = Form(...), lon: str = Form(""), lat: str = Form(""),
                        description: str = Form(""), inspection: str = Form(""), merge_into: str = Form(""),
                        new: str = Form(""), photos: list[UploadFile] = File(default=[]),
                        me: Principal = Depends(form_user),
                        app: AppServices = Depends(services)) -> Response:
    if me.role not in RECORDERS:
        return render(request, "error.html", {"status": 403, "title": "无权操作", "message": "只有创卫办和督查员可以登记问题",
                                              "details": []}, status_code=403)
    values: dict[str, Any] = {"category": category, "lon": lon, "lat": lat, "description": description,
                              "inspection": inspection}
    try:
        point = (float(lon), float(lat))
    except ValueError:
        return _form(request, me, app, values, ["请附上当前位置，或填写经纬度"], status_code=422)
    if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):  # also refuses nan
        return _form(request, me, app, values, ["位置坐标超出范围"], status_code=422)
    if not merge_into and not new:
        with app.db.reader() as s:
            dups = find_duplicates(s, ctx=campaign_context(s, me, app), category=category, lon=point[0], lat=point[1])
        if dups:
            values["dup_ids"] = [i for i, _ in dups]
            return _form(request, me, app, values, [f"问题 {i}（相距 {d:.0f} 米）" for i, d in dups], status_code=409)
    inspection_id, merge_id = form_id(inspection, "所属督查计划"), form_id(merge_into, "合并到的问题")
    with finding_photos(photos, app, me) as prepared, app.db.unit_of_work() as s:
        ids = [save_photo(s, campaign_id=me.campaign_id, prepared=p, now=app.clock()).id for p in prepared]
        s.flush()
        fid = record_finding(s, ctx=campaign_context(s, me, app), category=category, lon=point[0], lat=point[1],
                             now=app.clock(), actor=me.name, description=description, user_id=me.user_id,
                             photo_ids=ids, inspection_id=inspection_id, inspector_unit_id=me.unit_id,
                             merge_into=merge_id, allow_duplicate=bool(new)).id
    return RedirectResponse(f"/findings?created={fid}", status_code=303)


# -- API -----------------------------------------------------------------------------------

class FindingIn(BaseModel):
    category: str = Field(description="问题类别（taxonomy 中的名称）")
    lon: float
    lat: float
    datum: str = Field("wgs84", description="wgs84、gcj02 或 bd09")
    description: str = ""
    severity: str = "一般"
    inspection_id: int | None = Field(None, ge=1, le=MAX_ID)
    merge_into: int | None = Field(None, ge=1, le=MAX_ID, description="合并到 50 米内的同类问题")
    allow_duplicate: bool = Field(False, description="附近有同类问题时仍另立新问题")


class ReinspectIn(BaseModel):
    passed: bool
    note: str = ""


class ComplaintIn(BaseModel):
    order_no: str
    content: str
    received_at: dt.datetime
    category: str | None = None
    address: str | None = None
    lon: float | None = None
    lat: float | None = None
    datum: str = "wgs84"
    complainant_name: str | None = None
    complainant_phone: str | None = None
    channel: str = "12345"


@api.get("/inspections", tags=["督查"], summary="我能看到的督查计划（暗访计划发布前对被检查单位不可见）")
def api_plans(week: str | None = None, me: Principal = Depends(current_user),
              app: AppServices = Depends(services)) -> list[dict[str, Any]]:
    with app.db.reader() as s:
        return [_plan_out(p) for p in list_plans(s, principal=me, week=week)]


@api.get("/findings", tags=["督查"], summary="我能看到的问题")
def api_findings(status: str | None = None, me: Principal = Depends(current_user),
                 app: AppServices = Depends(services)) -> list[dict[str, Any]]:
    with app.db.reader() as s:
        return [asdict(f) for f in list_findings(s, campaign=_campaign(s, me), principal=me, now=app.clock(),
                                                 status=status)]


@api.post("/findings", status_code=201, tags=["督查"], summary="登记问题（按位置分派；50 米内同类问题返回 409）")
def api_record(body: FindingIn, me: Principal = Depends(require_role(*RECORDERS)),
               app: AppServices = Depends(services)) -> dict[str, Any]:
    with app.db.unit_of_work() as s:
        f = record_finding(s, ctx=campaign_context(s, me, app), category=body.category, lon=body.lon, lat=body.lat,
                           datum=body.datum, now=app.clock(), actor=me.name, user_id=me.user_id,
                           description=body.description, severity=body.severity, inspection_id=body.inspection_id,
                           inspector_unit_id=me.unit_id, merge_into=body.merge_into,
                           allow_duplicate=body.allow_duplicate)
        return asdict(describe(f))


@api.post("/findings/{finding_id}/reinspect", tags=["督查"], summary="跟踪复查：通过销号，不通过返工")
def api_reinspect(finding_id: PathId, body: ReinspectIn, me: Principal = Depends(require_role(*RECORDERS)),
                  app: AppServices = Depends(services)) -> dict[str, Any]:
    with app.db.unit_of_work() as s:
        return asdict(describe(reinspect(s, ctx=campaign_context(s, me, app), finding_id=finding_id, passed=body.passed,
                                         now=app.clock(), actor=me.name, note=body.note)))


@api.get("/complaints", tags=["12345"], summary="工单（诉求人信息仅创卫办可见）")
def api_complaints(me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> list[dict[str, Any]]:
    with app.db.reader() as s:
        return [asdict(c) for c in list_complaints(s, campaign=_campaign(s, me), principal=me)]


@api.post("/complaints", status_code=201, tags=["12345"], summary="受理 12345 工单（按位置或地址分派）")
def api_complaint(body: ComplaintIn, me: Principal = Depends(require_role(ROLE_OFFICE)),
                  app: AppServices = Depends(services)) -> dict[str, Any]:
    with app.db.unit_of_work() as s:
        c = create_complaint(s, ctx=campaign_context(s, me, app), now=app.clock(), actor=me.name, **body.model_dump())
        return {"id": c.id, "order_no": c.order_no, "located_by": c.located_by}

