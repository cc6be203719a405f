"""Photos uploaded with a finding (the phone's 登记问题 and the console's map), decoded and stored before
the finding's transaction like a tick's; if anything refuses the finding afterwards, the files this
request wrote for pictures no photo row records are removed (``web.uploads.forget``), so a refused
finding leaves no orphan file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import UploadFile

from rules.errors import InvalidInput
from services.people import Principal
from services.tasks import PreparedPhoto
from web.deps import AppServices
from web.uploads import decode_photos, forget


@contextmanager
def finding_photos(files: list[UploadFile], app: AppServices, me: Principal) -> Iterator[list[PreparedPhoto]]:
    """The decoded, stored photos for the length of the block; their files are removed if the block fails."""
    prepared = decode_photos(files, app, me)
    try:
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
