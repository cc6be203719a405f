"""Photos uploaded with a finding (the phone's 登记问题 and the console's map), decoded and stored before
the finding's transaction like a tick's; if anything refuses the finding afterwards, the files this
request wrote for pictures no photo row records are removed (``web.uploads.forget``), so a refused
finding leaves no orphan file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from fastapi import UploadFile

from rules.errors import InvalidInput
from services.people import Principal
from services.tasks import MAX_BYTES, MAX_PHOTOS, PreparedPhoto, prepare_photo
from web.deps import AppServices
from web.uploads import forget


@contextmanager
def finding_photos(files: list[UploadFile], app: AppServices, me: Principal) -> Iterator[list[PreparedPhoto]]:
    """The decoded, stored photos for the length of the block; their files are removed if the block fails."""
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
        yield prepared
    except BaseException:
        forget(app, prepared)
        raise


def form_id(value: str, what: str) -> int | None:
    """An optional id from a form field: empty → None; anything but 1 … 2³¹−1 is refused in Chinese."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 2**31 - 1:
        raise InvalidInput(f"{what}不正确：{value[:20]}")
    return int(value)
