"""Photos (checked against who may see them), the offline map library, and /healthz."""

from __future__ import annotations

import functools

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from sqlalchemy import text

from maps.offline_assets import leaflet_assets
from rules.errors import NotFound
from services.people import Principal
from services.tasks import view_path, visible_photo
from web.deps import AppServices, PathId, current_user, services

router = APIRouter(include_in_schema=False)
PRIVATE = {"Cache-Control": "private, max-age=86400"}


def photo_response(app: AppServices, me: Principal, photo_id: int, thumb: bool) -> FileResponse:
    """The stored file of a photo the principal may see (a JPEG rendition for HEIC)."""
    with app.db.reader() as s:
        photo = visible_photo(s, me, photo_id)
    rel = photo.thumb_path if thumb and photo.thumb_path else view_path(photo)
    path = app.photo_dir / rel
    if not path.is_file():
        raise NotFound("照片文件缺失，请联系创卫办")
    media = "image/jpeg" if rel.endswith(".jpg") else photo.content_type
    return FileResponse(path, media_type=media, headers=PRIVATE)


@router.get("/photos/{photo_id}")
def photo(photo_id: PathId, me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> Response:
    return photo_response(app, me, photo_id, thumb=False)


@router.get("/photos/{photo_id}/thumb")
def thumb(photo_id: PathId, me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> Response:
    return photo_response(app, me, photo_id, thumb=True)


@functools.cache
def _leaflet() -> dict[str, str]:
    return {a.kind: a.text for a in leaflet_assets()}


@router.get("/vendor/leaflet.{kind}")
def leaflet(kind: str) -> Response:
    """Leaflet from the Debian package (libjs-leaflet): no CDN, works offline."""
    if kind not in ("js", "css"):
        raise NotFound("找不到文件")
    media = "application/javascript" if kind == "js" else "text/css"
    return PlainTextResponse(_leaflet()[kind], media_type=media,
                             headers={"Cache-Control": "public, max-age=604800"})


@router.get("/healthz")
def healthz(request: Request) -> Response:
    """Liveness without signing in: the app answers and can reach its database."""
    with request.app.state.services.db.reader() as s:
        s.execute(text("SELECT 1"))
    return PlainTextResponse("ok")


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """Readiness without signing in: 200 when the database answers and its schema is current."""
    from services import schema

    engine = request.app.state.services.db.engine
    try:
        current, head = schema.current_revision(engine), schema.head_revision(engine)
    except Exception:  # noqa: BLE001 — any database error means not ready
        return PlainTextResponse("数据库不可用", status_code=503)
    if current != head:
        return PlainTextResponse(f"数据库结构版本 {current}，需要 {head}：请运行 cw init", status_code=503)
    return PlainTextResponse("ready")
