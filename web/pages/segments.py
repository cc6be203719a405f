"""Segment pages for county leaders (and the units and office): map, 包联 units, tasks, problems."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.people import Principal
from services.tasks import my_segments, segment_page
from web.deps import AppServices, current_user, services
from web.templating import fields_of, render

router = APIRouter(include_in_schema=False)


@router.get("/segments")
def segments(request: Request, me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> Response:
    with app.db.reader() as s:
        rows = my_segments(s, principal=me)
    return render(request, "segments.html", {"segments": rows})


@router.get("/segments/{code}")
def segment(request: Request, code: str, me: Principal = Depends(current_user),
            app: AppServices = Depends(services)) -> Response:
    with app.db.reader() as s:
        page = segment_page(s, principal=me, code=code, now=app.clock())
    return render(request, "segment.html", {**fields_of(page), "map": asdict(page.map)})
