"""Task pages: my tasks, one task (tick, undo, history), the 核查 queue and its verdicts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from services.people import Principal
from services.tasks import (
    PASS,
    board,
    my_segments,
    task_detail,
    tick_task,
    undo_tick,
    verification_queue,
    verify_task,
    warnings,
)
from web.deps import (
    MAX_ID,
    AppServices,
    PathId,
    campaign_context,
    client_address,
    current_user,
    form_user,
    require_role,
    services,
)
from web.pages.auth import safe_next
from web.templating import fields_of, render
from web.uploads import parse_point, uploaded

router = APIRouter(include_in_schema=False)


@router.get("/tasks")
def my_tasks(request: Request, view: str = "active", segment: str | None = None,
             me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> Response:
    now = app.clock()
    with app.db.reader() as s:
        data = board(s, principal=me, now=now, verified=view == "verified", segment=segment or None)
        segments = my_segments(s, principal=me) if me.role in ("leader", "unit") else []
    return render(request, "tasks.html", {"board": data, "view": view, "segment": segment, "segments": segments,
                                          "now": now})


@router.get("/tasks/{task_id}")
def task_page(request: Request, task_id: PathId, me: Principal = Depends(current_user),
              app: AppServices = Depends(services)) -> Response:
    with app.db.reader() as s:
        detail = task_detail(s, ctx=campaign_context(s, me, app), principal=me, task_id=task_id, now=app.clock())
    return render(request, "task.html", fields_of(detail))


@router.post("/tasks/{task_id}/tick")
def tick(request: Request, task_id: PathId, note: str = Form(""), version: int | None = Form(None, ge=0, le=MAX_ID),
         lon: str = Form(""), lat: str = Form(""), photos: list[UploadFile] = File(default=[]),
         me: Principal = Depends(form_user), app: AppServices = Depends(services)) -> Response:
    point = parse_point(lon, lat)
    with uploaded(photos, app, me, task_id, version) as prepared, app.db.unit_of_work() as s:
        done = tick_task(s, principal=me, task_id=task_id, note=note, photos=prepared, lon=point[0],
                                 lat=point[1], expected_version=version, now=app.clock(),
                                 address=client_address(request))
        flagged = bool(warnings(done.flags))
    return RedirectResponse(f"/tasks/{task_id}?msg={'ticked_flagged' if flagged else 'ticked'}", status_code=303)


@router.post("/tasks/{task_id}/undo")
def undo(request: Request, task_id: PathId, me: Principal = Depends(form_user),
         app: AppServices = Depends(services)) -> Response:
    with app.db.unit_of_work() as s:
        undo_tick(s, principal=me, task_id=task_id, now=app.clock(), address=client_address(request))
    return RedirectResponse(f"/tasks/{task_id}?msg=undone", status_code=303)


@router.get("/verify")
def queue(request: Request, me: Principal = Depends(require_role("office", "inspector")),
          app: AppServices = Depends(services)) -> Response:
    with app.db.reader() as s:
        items = verification_queue(s, principal=me)
    return render(request, "queue.html", {"items": items})


@router.post("/tasks/{task_id}/verify")
def verify(request: Request, task_id: PathId, verdict: str = Form(...), reason: str = Form(""),
           version: int | None = Form(None, ge=0, le=MAX_ID), next: str = Form(""),
           me: Principal = Depends(form_user),
           app: AppServices = Depends(services)) -> Response:
    with app.db.unit_of_work() as s:
        verify_task(s, ctx=campaign_context(s, me, app), principal=me, task_id=task_id, verdict=verdict, reason=reason,
                                 expected_version=version, now=app.clock(), address=client_address(request))
    msg = "passed" if verdict == PASS else "rejected"
    return RedirectResponse(f"{safe_next(next) or f'/tasks/{task_id}'}?msg={msg}", status_code=303)
