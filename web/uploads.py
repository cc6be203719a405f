"""Tick form input shared by the pages and the API: uploaded photos and a browser position.

Photos are decoded and stored before the tick's transaction (slow work outside it); if that
transaction fails, ``uploaded`` deletes the files the request wrote for pictures no photo row
records, so a refused tick leaves no orphan file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from fastapi import UploadFile

from rules.errors import InvalidInput
from services.people import Principal
from services.tasks import (
    MAX_BYTES,
    MAX_PHOTOS,
    PreparedPhoto,
    discard_unsaved,
    precheck_tick,
    prepare_photo,
)
from web.deps import AppServices


def read_uploads(files: list[UploadFile], app: AppServices, me: Principal, task_id: int,
                 version: int | None = None) -> list[PreparedPhoto]:
    """Check the person may tick (and that ``version`` is current), then decode and store the photos."""
    files = [f for f in files or [] if f.filename or f.size]
    if not files:
        return []
    with app.db.reader() as s:
        precheck_tick(s, principal=me, task_id=task_id, expected_version=version)
    return decode_photos(files, app, me)


def decode_photos(files: list[UploadFile], app: AppServices, me: Principal) -> list[PreparedPhoto]:
    """Decode and store the non-empty uploaded photos (at most MAX_PHOTOS); if one is refused, the
    files already written for the others are removed before the error goes up."""
    files = [f for f in files or [] if f.filename or f.size]
    if len(files) > MAX_PHOTOS:
        raise InvalidInput(f"一次最多上传 {MAX_PHOTOS} 张照片")
    prepared: list[PreparedPhoto] = []
    try:
        for f in files:
            data = f.file.read(MAX_BYTES + 1)
            try:
                prepared.append(prepare_photo(data, photo_dir=app.photo_dir, tz=ZoneInfo(me.timezone)))
            except InvalidInput as e:
                raise InvalidInput(f"{f.filename or '照片'}：{e.message}") from None
            del data
    except BaseException:
        forget(app, prepared)
        raise
    return prepared


def forget(app: AppServices, prepared: list[PreparedPhoto]) -> None:
    """Delete the files of ``prepared`` photos that no photo row records."""
    if not any(p.written for p in prepared):
        return  # nothing written (a refused tick without photos): no connection to take (issue 22)
    with app.db.reader() as s:
        discard_unsaved(s, prepared=prepared, photo_dir=app.photo_dir)


@contextmanager
def uploaded(files: list[UploadFile], app: AppServices, me: Principal, task_id: int,
             version: int | None = None) -> Iterator[list[PreparedPhoto]]:
    """``read_uploads`` for the length of the block; their files are removed if the block fails."""
    prepared = read_uploads(files, app, me, task_id, version)
    try:
        yield prepared
    except BaseException:
        forget(app, prepared)
        raise


def parse_point(lon: str, lat: str) -> tuple[float | None, float | None]:
    """Browser geolocation fields (empty when the person did not share a position)."""
    if not lon.strip() and not lat.strip():
        return None, None
    try:
        return float(lon), float(lat)
    except ValueError:
        raise InvalidInput("位置坐标格式不正确") from None
