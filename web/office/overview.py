"""总览 (/office): the phase and days left, progress by segment and unit, problems per level, this week's
rounds and every queue waiting for 创卫办; and the segment map data the console's maps draw."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from rules.weeks import week_key, week_label
from services.campaigns import office_desk, progress_by_segment, progress_by_unit, segment_map
from services.inspections import list_plans
from services.people import Principal
from web.deps import AppServices, campaign_context, services
from web.office.common import office_user, pager, render, with_total

router = APIRouter(include_in_schema=False)


@router.get("/office")
def overview(request: Request, sq: str = "", uq: str = "", me: Principal = Depends(office_user),
             app: AppServices = Depends(services)) -> Response:
    now = app.clock()
    seg_pg, unit_pg = pager(request, name="spage", size=20), pager(request, name="upage", size=20)
    with app.db.reader() as s:
        ctx = campaign_context(s, me, app)
        desk = office_desk(s, ctx=ctx, now=now)
        segs = progress_by_segment(s, ctx=ctx, now=now, query=sq[:100], offset=seg_pg.offset, limit=seg_pg.size)
        units = progress_by_unit(s, ctx=ctx, now=now, query=uq[:100], offset=unit_pg.offset, limit=unit_pg.size)
        week = week_key(now.astimezone(ZoneInfo(me.timezone)).date())
        rounds = list_plans(s, principal=me, week=week)
    return render(request, "office/overview.html", {
        "desk": desk, "segs": segs, "units": units, "seg_pg": with_total(seg_pg, segs.total),
        "unit_pg": with_total(unit_pg, units.total), "sq": sq, "uq": uq, "rounds": rounds,
        "week_label": week_label(week)})


@router.get("/office/map.json")
def map_data(me: Principal = Depends(office_user), app: AppServices = Depends(services)) -> Response:
    """Every segment's line with its completion rate (the console's maps fetch it once a page)."""
    with app.db.reader() as s:
        body = segment_map(s, ctx=campaign_context(s, me, app), now=app.clock())
    return Response(body, media_type="application/json", headers={"Cache-Control": "private, no-cache"})
