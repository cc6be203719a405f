"""Tick form input shared by the pages and the API: uploaded photos and a browser position."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import UploadFile

from rules.errors import InvalidInput
from services.people import Principal
from services.tasks import MAX_BYTES, MAX_PHOTOS, PreparedPhoto, precheck_tick, prepare_photo
from web.deps import AppServices


def read_uploads(files: list[UploadFile], app: AppServices, me: Principal, task_id: int) -> list[PreparedPhoto]:
    """Check the person may tick, then decode and store the photos (outside the tick's transaction)."""
    files = [f for f in files or [] if f.filename or f.size]
    if not files:
        return []
    with app.db.reader() as s:
        precheck_tick(s, principal=me, task_id=task_id)
    if len(files) > MAX_PHOTOS:
        raise InvalidInput(f"一次最多上传 {MAX_PHOTOS} 张照片")
    prepared = []
    for f in files:
        data = f.file.read(MAX_BYTES + 1)
        try:
            prepared.append(prepare_photo(data, photo_dir=app.photo_dir, tz=ZoneInfo(me.timezone)))
        except InvalidInput as e:
            raise InvalidInput(f"{f.filename or '照片'}：{e.message}") from None
    return prepared


def parse_point(lon: str, lat: str) -> tuple[float | None, float | None]:
    """Browser geolocation fields (empty when the person did not share a position)."""
    if not lon.strip() and not lat.strip():
        return None, None
    try:
        return float(lon), float(lat)
    except ValueError:
        raise InvalidInput("位置坐标格式不正确") from None
