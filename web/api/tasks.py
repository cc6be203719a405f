"""JSON API: sign-in, tasks, ticks, 核查, segments, photos — the pages' operations for scripts."""

from __future__ import annotations

from typing import Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from models.tasks import DONE, OPEN, VERIFIED
from rules.errors import InvalidInput
from services.people import API, Principal, sign_in_with_link, sign_out
from services.tasks import (
    TaskDetail,
    card_of,
    list_cards,
    my_segments,
    photos_of,
    segment_page,
    task_detail,
    tick_task,
    undo_tick,
    verification_queue,
    verify_task,
)
from web.api.schemas import (
    CARDS,
    CONFLICT,
    ERRORS,
    TASK,
    THROTTLED,
    TICK,
    QueueItemOut,
    SegmentBrief,
    SegmentOut,
    SegmentProblemOut,
    TaskCardOut,
    TaskOut,
    TickOut,
    TokenIn,
    TokenOut,
    UserOut,
    VerifyIn,
    answer,
    audit_dict,
    card_dict,
    tick_dict,
)
from web.deps import (
    MAX_ID,
    AppServices,
    PathId,
    campaign_context,
    client_address,
    current_user,
    password_sign_in,
    require_role,
    services,
)
from web.pages.files import photo_response
from web.uploads import parse_point, uploaded

router = APIRouter(prefix="/api", responses=ERRORS)
STATUSES = {"active": (OPEN, DONE), OPEN: (OPEN,), DONE: (DONE,), VERIFIED: (VERIFIED,),
            "all": (OPEN, DONE, VERIFIED)}


@router.post("/auth/token", response_model=TokenOut, tags=["登录"], summary="换取 API 令牌（手机号+密码，或登录链接）",
             responses=THROTTLED)
def token(body: TokenIn, request: Request, app: AppServices = Depends(services)) -> TokenOut:
    address = client_address(request)
    if body.link_token:
        with app.db.unit_of_work() as s:
            raw, who = sign_in_with_link(s, raw=body.link_token, now=app.clock(), address=address, kind=API)
    elif body.phone and body.password:
        raw, who = password_sign_in(app, phone=body.phone, password=body.password, address=address, kind=API)
    else:
        raise InvalidInput("请提供手机号和密码，或登录链接中的 token")
    return TokenOut(access_token=raw, user=UserOut.of(who))


@router.post("/auth/logout", status_code=204, tags=["登录"], summary="注销当前令牌")
def logout(request: Request, me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> Response:
    with app.db.unit_of_work() as s:
        sign_out(s, principal=me, now=app.clock(), address=client_address(request))
    app.principals.forget(request.state.raw_token or "")
    return Response(status_code=204)


@router.get("/me", response_model=UserOut, tags=["登录"], summary="当前用户")
def me_(me: Principal = Depends(current_user)) -> UserOut:
    return UserOut.of(me)


@router.get("/tasks", response_model=list[TaskCardOut], tags=["任务"], summary="我能看到的任务")
def tasks(status: Literal["active", "open", "done", "verified", "all"] = "active", segment: str | None = None,
          limit: int = Query(200, ge=1, le=1000, description="最多返回条数（按截止时间先后）"),
          me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> Response:
    with app.db.reader(autocommit=True) as s:
        cards = list_cards(s, principal=me, now=app.clock(), statuses=STATUSES[status], segment=segment,
                           limit=limit)
    return answer(CARDS, [card_dict(c) for c in cards])


def task_out(detail: TaskDetail) -> dict[str, Any]:
    return {**card_dict(detail.card), "description": detail.task.description, "phase": detail.phase.name,
            "deadline_text": detail.deadline_text,
            "rejected_reason": detail.rejected.reason if detail.rejected else None,
            "can_tick": detail.can_tick, "can_undo": detail.can_undo, "can_verify": detail.can_verify,
            "undo_until": detail.undo_until,
            "ticks": [tick_dict(t.tick, t.photos, t.by, t.verifier) for t in detail.ticks],
            "history": [audit_dict(e) for e in detail.history]}


@router.get("/tasks/{task_id}", response_model=TaskOut, tags=["任务"], summary="任务详情（打卡记录与操作日志）")
def task(task_id: PathId, me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> Response:
    with app.db.reader(autocommit=True) as s:
        out = task_out(task_detail(s, ctx=campaign_context(s, me, app), principal=me, task_id=task_id,
                                   now=app.clock()))
    return answer(TASK, out)


@router.post("/tasks/{task_id}/ticks", response_model=TickOut, status_code=201, tags=["任务"],
             summary="打卡（说明、照片、可选位置）", responses=CONFLICT)
def tick(request: Request, task_id: PathId, note: str = Form(""), version: int | None = Form(None, ge=0, le=MAX_ID),
         lon: str = Form(""), lat: str = Form(""), photos: list[UploadFile] = File(default=[]),
         me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> Response:
    point = parse_point(lon, lat)
    with uploaded(photos, app, me, task_id, version) as prepared, app.db.unit_of_work() as s:
        done = tick_task(s, principal=me, task_id=task_id, note=note, photos=prepared, lon=point[0],
                         lat=point[1], expected_version=version, now=app.clock(), address=client_address(request))
        saved = photos_of(s, [done.id]).get(done.id, []) if prepared else []
        out = tick_dict(done, saved, me.name)
    return answer(TICK, out, status_code=201)


@router.post("/tasks/{task_id}/undo", response_model=TickOut, tags=["任务"], summary="撤销打卡（宽限期内）",
             responses=CONFLICT)
def undo(request: Request, task_id: PathId, me: Principal = Depends(current_user),
         app: AppServices = Depends(services)) -> dict[str, Any]:
    with app.db.unit_of_work() as s:
        return tick_dict(undo_tick(s, principal=me, task_id=task_id, now=app.clock(),
                                            address=client_address(request)))


@router.post("/tasks/{task_id}/verify", response_model=TickOut, tags=["核查"], summary="核查：通过或退回返工",
             responses=CONFLICT)
def verify(request: Request, task_id: PathId, body: VerifyIn, me: Principal = Depends(current_user),
           app: AppServices = Depends(services)) -> dict[str, Any]:
    with app.db.unit_of_work() as s:
        return tick_dict(verify_task(
            s, ctx=campaign_context(s, me, app), principal=me, task_id=task_id, verdict=body.verdict, reason=body.reason,
            expected_version=body.version, now=app.clock(), address=client_address(request)))


@router.get("/verification/queue", response_model=list[QueueItemOut], tags=["核查"], summary="待核查的打卡")
def queue(me: Principal = Depends(require_role("office", "inspector")),
          app: AppServices = Depends(services)) -> list[dict[str, Any]]:
    now, tz = app.clock(), ZoneInfo(me.timezone)
    with app.db.reader(autocommit=True) as s:
        items = verification_queue(s, principal=me)
    return [{"task": card_dict(card_of(i.task, i.segment_code, i.segment_name, i.unit, now, tz)),
             "tick": tick_dict(i.tick, i.photos, i.by)} for i in items]


@router.get("/segments", response_model=list[SegmentBrief], tags=["路段"], summary="我包联或参与的路段")
def segments(me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> list[SegmentBrief]:
    with app.db.reader(autocommit=True) as s:
        return [SegmentBrief(code=x.code, name=x.name) for x in my_segments(s, principal=me)]


@router.get("/segments/{code}", response_model=SegmentOut, tags=["路段"], summary="路段：包联单位、任务、问题")
def segment(code: str, me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> SegmentOut:
    with app.db.reader(autocommit=True) as s:
        page = segment_page(s, principal=me, code=code, now=app.clock())
    seg = page.segment
    return SegmentOut(code=seg.code, name=seg.name, kind=seg.kind, geometry=seg.geometry,
                      leader=page.leader.name if page.leader else None,
                      lead_unit=page.lead.name if page.lead else None,
                      members=[u.name for u in page.members], alleys=[a.code for a in page.alleys],
                      tasks=[TaskCardOut(**card_dict(c)) for c in page.cards],
                      problems=[SegmentProblemOut(id=p.id, title=p.title, level=p.level, status=p.status,
                                           opened_at=p.opened_at) for p in page.problems])


@router.get("/photos/{photo_id}", tags=["照片"], summary="照片原图（HEIC 转为 JPEG）",
            response_class=Response, responses={200: {"content": {"image/jpeg": {}}}})
def photo(photo_id: PathId, me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> Response:
    return photo_response(app, me, photo_id, thumb=False)


@router.get("/photos/{photo_id}/thumb", tags=["照片"], summary="照片缩略图",
            response_class=Response, responses={200: {"content": {"image/jpeg": {}}}})
def photo_thumb(photo_id: PathId, me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> Response:
    return photo_response(app, me, photo_id, thumb=True)
