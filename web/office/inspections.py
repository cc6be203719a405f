"""督查 (/office/inspections: plan a round, its route on a map, publish an unannounced round, register a
finding by clicking the map) and 投诉 (/office/complaints: 12345 export upload, 来信/来访/来电, 回访/重办)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from rules.errors import DomainError, InvalidInput
from rules.vocabulary import FindingStatus
from rules.weeks import week_key, week_label
from services.inspections import (
    assign_finding,
    close_complaint,
    create_complaint,
    finding_cards,
    import_complaints,
    list_complaints,
    list_plans,
    plan_week,
    publish_inspection,
    record_finding,
    route_points,
    visit_complaint,
)
from services.people import Principal
from services.tasks import save_photo
from web.deps import AppServices, PathId, campaign_context, services
from web.finding_photos import finding_photos, form_id
from web.office import texts
from web.office.common import back, office_form, office_user, pager, problem_lines, render, uploaded, with_total

router = APIRouter(include_in_schema=False)


def _local_day(now: dt.datetime, me: Principal) -> dt.date:
    return now.astimezone(ZoneInfo(me.timezone)).date()


def _inspections(request: Request, me: Principal, app: AppServices, *, values: dict[str, Any] | None = None,
                 error: DomainError | None = None, status_code: int = 200) -> Response:
    pg = pager(request, size=10)
    now = app.clock()
    with app.db.reader() as s:
        ctx = campaign_context(s, me, app)
        plans = list(reversed(list_plans(s, principal=me)))
        categories = [x.name for x in ctx.spec.inspections.taxonomy]
        triage, n_triage = finding_cards(s, campaign=ctx.campaign, now=now, statuses=(FindingStatus.TRIAGE,),
                                         limit=50)
        wanted = request.query_params.get("plan", "")
        shown = next((p for p in plans if str(p.id) == wanted), plans[0] if plans else None)
        route = [{"seq": x.seq, "label": x.label, "day": x.day.isoformat(), "lon": x.lon, "lat": x.lat}
                 for x in route_points(s, campaign=ctx.campaign, inspection_id=shown.id)] if shown else []
    return render(request, "office/inspections.html", {
        "plans": plans[pg.offset:pg.offset + pg.size], "pg": with_total(pg, len(plans)), "shown": shown,
        "route": route, "categories": categories, "kinds": texts.INSPECTION_KINDS, "values": values or {},
        "error": error, "today": _local_day(now, me).isoformat(), "triage": triage, "n_triage": n_triage,
        "week_label": week_label}, status_code=status_code)


@router.get("/office/inspections")
def inspections_page(request: Request, me: Principal = Depends(office_user),
                     app: AppServices = Depends(services)) -> Response:
    return _inspections(request, me, app)


@router.post("/office/inspections/plan")
def plan_round(request: Request, kind: str = Form(...), day: str = Form(""), seed: str = Form(""),
               me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """Plan one round of ``kind`` for the week that holds ``day`` (the planner's sampling; a seed repeats a draw)."""
    try:
        chosen = dt.date.fromisoformat(day) if day else _local_day(app.clock(), me)
    except ValueError:
        raise InvalidInput(f"日期格式不正确：{day[:20]}") from None
    if seed.strip() and not seed.strip().isdigit():
        raise InvalidInput("随机种子应为非负整数（留空则随机抽取）")
    with app.db.unit_of_work() as s:
        rounds = plan_week(s, ctx=campaign_context(s, me, app), week=week_key(chosen), now=app.clock(),
                           kinds=[kind], seed=int(seed) if seed.strip() else None, actor=me.name)
    if not rounds:
        return back("/office/inspections", "planned_none")
    return back("/office/inspections", "planned", plan=rounds[0].id)


@router.post("/office/inspections/{inspection_id}/publish")
def publish(request: Request, inspection_id: PathId, me: Principal = Depends(office_form),
            app: AppServices = Depends(services)) -> Response:
    with app.db.unit_of_work() as s:
        publish_inspection(s, ctx=campaign_context(s, me, app), inspection_id=inspection_id, now=app.clock(),
                           actor=me.name)
    return back("/office/inspections", "published", plan=inspection_id)


@router.post("/office/findings")
def register_finding(request: Request, category: str = Form(...), lon: str = Form(""), lat: str = Form(""),
                     description: str = Form(""), inspection: str = Form(""), allow_duplicate: str = Form(""),
                     photos: list[UploadFile] = File(default=[]), me: Principal = Depends(office_form),
                     app: AppServices = Depends(services)) -> Response:
    """登记问题 at the clicked point (WGS-84), routed to its segment like every other finding."""
    values = {"category": category, "lon": lon, "lat": lat, "description": description, "inspection": inspection}
    try:
        try:
            x, y = float(lon), float(lat)
        except ValueError:
            raise InvalidInput("请在地图上点击问题所在位置（或使用当前位置）") from None
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise InvalidInput("位置坐标超出范围")
        inspection_id = form_id(inspection, "所属督查计划")
        with finding_photos(photos, app, me) as prepared, app.db.unit_of_work() as s:
            ids = [save_photo(s, campaign_id=me.campaign_id, prepared=p, now=app.clock()).id for p in prepared]
            s.flush()
            record_finding(s, ctx=campaign_context(s, me, app), category=category, lon=x, lat=y, now=app.clock(),
                           actor=me.name, description=description, user_id=me.user_id, photo_ids=ids,
                           inspection_id=inspection_id, inspector_unit_id=me.unit_id,
                           allow_duplicate=bool(allow_duplicate))
    except DomainError as e:
        return _inspections(request, me, app, values=values, error=e, status_code=e.http_status)
    return back("/office/inspections", "finding")


@router.post("/office/findings/{finding_id}/assign")
def assign(request: Request, finding_id: PathId, segment: str = Form(...), reason: str = Form(""),
           me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """分派 a triaged finding to the segment the office names."""
    with app.db.unit_of_work() as s:
        assign_finding(s, ctx=campaign_context(s, me, app), finding_id=finding_id, segment_code=segment.strip(),
                       now=app.clock(), actor=me.name, reason=reason)
    return back("/office/inspections", "assigned")


# -- 投诉 ------------------------------------------------------------------------------------

def _complaints(request: Request, me: Principal, app: AppServices, *, error: DomainError | None = None,
                report: Any = None, values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    pg = pager(request)
    q = request.query_params.get("q", "").strip()[:100]
    with app.db.reader() as s:
        ctx = campaign_context(s, me, app)
        rows = list(reversed(list_complaints(s, campaign=ctx.campaign, principal=me)))
        categories = [x.name for x in ctx.spec.inspections.taxonomy]
    if q:
        rows = [r for r in rows if q in r.order_no or q in r.content or q in (r.address or "") or q in (r.segment or "")]
    return render(request, "office/complaints.html", {
        "rows": rows[pg.offset:pg.offset + pg.size], "pg": with_total(pg, len(rows)), "q": q, "error": error,
        "report": report, "values": values or {}, "categories": categories, "datums": texts.DATUMS,
        "channels": texts.CHANNELS[:3], "results": texts.VISIT_RESULTS,
        "now_local": app.clock().astimezone(ZoneInfo(me.timezone)).strftime("%Y-%m-%dT%H:%M")},
        status_code=status_code)


@router.get("/office/complaints")
def complaints_page(request: Request, me: Principal = Depends(office_user),
                    app: AppServices = Depends(services)) -> Response:
    return _complaints(request, me, app)


@router.post("/office/complaints/import")
def upload_complaints(request: Request, file: UploadFile | None = File(None), datum: str = Form("wgs84"),
                      me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """12345 export (.xlsx/.csv): every bad row named, nothing taken in; new orders routed by point or address."""
    try:
        with uploaded(file, (".xlsx", ".xlsm", ".csv")) as path:
            try:
                with app.db.unit_of_work() as s:
                    report = import_complaints(s, ctx=campaign_context(s, me, app), path=path, now=app.clock(),
                                               datum=datum)
            except DomainError as e:
                message, details = problem_lines(e, path)
                raise InvalidInput(message, details) from None
    except DomainError as e:
        return _complaints(request, me, app, error=e, status_code=e.http_status)
    return _complaints(request, me, app, report=report)


@router.post("/office/complaints")
def register_complaint(request: Request, channel: str = Form(...), content: str = Form(""),
                       received: str = Form(""), address: str = Form(""), category: str = Form(""),
                       name: str = Form(""), phone: str = Form(""), order_no: str = Form(""),
                       me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """来信/来访/来电 registered by hand, routed by its address like a 12345 order."""
    values = {"channel": channel, "content": content, "received": received, "address": address,
              "category": category, "name": name, "phone": phone, "order_no": order_no}
    try:
        if channel not in texts.CHANNELS:
            raise InvalidInput(f"来源应为 {'、'.join(texts.CHANNELS)} 之一")
        if not content.strip():
            raise InvalidInput("请填写诉求内容")
        try:
            at = dt.datetime.fromisoformat(received).replace(tzinfo=ZoneInfo(me.timezone)) if received else app.clock()
        except ValueError:
            raise InvalidInput("受理时间格式不正确") from None
        now = app.clock()
        number = order_no.strip() or f"{channel}{now.astimezone(ZoneInfo(me.timezone)):%Y%m%d%H%M%S}"
        with app.db.unit_of_work() as s:
            create_complaint(s, ctx=campaign_context(s, me, app), order_no=number, content=content.strip(),
                             received_at=at, now=now, actor=me.name, category=category or None,
                             address=address.strip() or None, complainant_name=name.strip() or None,
                             complainant_phone=phone.strip() or None, channel=channel)
    except DomainError as e:
        return _complaints(request, me, app, error=e, values=values, status_code=e.http_status)
    return back("/office/complaints", "complaint")


@router.post("/office/complaints/{complaint_id}/visit")
def visit(request: Request, complaint_id: PathId, result: str = Form(...), note: str = Form(""),
          me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """回访: 满意/基本满意 closes the order, 不满意 sends it back (重办)."""
    with app.db.unit_of_work() as s:
        visit_complaint(s, ctx=campaign_context(s, me, app), complaint_id=complaint_id, result=result,
                        now=app.clock(), actor=me.name, note=note.strip())
    return back("/office/complaints", "visited")


@router.post("/office/complaints/{complaint_id}/close")
def close(request: Request, complaint_id: PathId, note: str = Form("", max_length=4000),
          me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """办结 by 创卫办 with a note for the complainant; its problem is closed too (as ``cw complaints close``)."""
    with app.db.unit_of_work() as s:
        close_complaint(s, ctx=campaign_context(s, me, app), complaint_id=complaint_id, note=note,
                        now=app.clock(), actor=me.name)
    return back("/office/complaints", "complaint_closed")
