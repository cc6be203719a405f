"""路段与包联 (/office/segments): segments on a map and in a table with their 包联 and its history; upload a
segment file or a 包联 table, validated exactly like ``cw import segments`` / ``cw import assignments``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from rules.errors import DomainError, InvalidInput
from services.campaigns import segment_table
from services.imports import ImportReport, import_assignments, import_segments
from services.people import Principal
from web.deps import AppServices, campaign_context, services
from web.office import texts
from web.office.common import office_form, office_user, pager, problem_lines, render, uploaded, with_total

router = APIRouter(include_in_schema=False)
SEGMENT_FILES = (".geojson", ".json", ".gpkg", ".zip", ".shp")
TABLE_FILES = (".xlsx", ".xlsm", ".csv")


def _page(request: Request, me: Principal, app: AppServices, *, error: DomainError | None = None,
          report: ImportReport | None = None, what: str = "", status_code: int = 200) -> Response:
    q = request.query_params.get("q", "").strip()[:100]
    unassigned = request.query_params.get("unassigned") == "1"
    pg = pager(request)
    with app.db.reader() as s:
        rows, total = segment_table(s, ctx=campaign_context(s, me, app), query=q, unassigned=unassigned,
                                    offset=pg.offset, limit=pg.size)
    context: dict[str, Any] = {"rows": rows, "pg": with_total(pg, total), "q": q, "unassigned": unassigned,
                               "error": error, "report": report, "what": what, "datums": texts.DATUMS}
    return render(request, "office/segments.html", context, status_code=status_code)


@router.get("/office/segments")
def segments_page(request: Request, me: Principal = Depends(office_user),
                  app: AppServices = Depends(services)) -> Response:
    return _page(request, me, app)


def _import(request: Request, me: Principal, app: AppServices, file: UploadFile | None, allowed: tuple[str, ...],
            what: str, run: Any) -> Response:
    """Save the upload, run the import in one unit of work; show every problem, or what it created."""
    try:
        with uploaded(file, allowed) as path:
            try:
                with app.db.unit_of_work() as s:
                    report = run(s, campaign_context(s, me, app).campaign, path)
            except DomainError as e:
                message, details = problem_lines(e, path)
                raise InvalidInput(message, details) from None
    except DomainError as e:
        return _page(request, me, app, error=e, what=what, status_code=e.http_status)
    return _page(request, me, app, report=report, what=what)


@router.post("/office/segments/upload")
def upload_segments(request: Request, file: UploadFile | None = File(None), datum: str = Form("wgs84"),
                    me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """路段文件 (GeoJSON, GeoPackage, zipped Shapefile) in the datum the office names."""
    return _import(request, me, app, file, SEGMENT_FILES, "路段",
                   lambda s, campaign, path: import_segments(s, campaign=campaign, path=path,
                                                             datum=datum.lower(), now=app.clock()))


@router.post("/office/assignments/upload")
def upload_assignments(request: Request, file: UploadFile | None = File(None), create_missing: str = Form(""),
                       me: Principal = Depends(office_form), app: AppServices = Depends(services)) -> Response:
    """包联表 (.xlsx or .csv in UTF-8/GBK); 自动新建 = the CLI's --create-missing."""
    return _import(request, me, app, file, TABLE_FILES, "包联",
                   lambda s, campaign, path: import_assignments(s, campaign=campaign, path=path,
                                                                create_missing=bool(create_missing),
                                                                now=app.clock()))
