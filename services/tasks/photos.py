"""Photo store: files by SHA-256 under ``photo_dir`` (outside the database), thumbnails, EXIF.

``prepare_photo`` does the slow part (decode, hash, write files) outside any transaction;
``save_photo`` records the row inside the caller's unit of work. Files are content-addressed,
so a rolled-back transaction leaves at most a file that the next upload of the same picture
reuses. Accepted: JPEG, PNG and HEIC/HEIF (iPhones), checked by decoding, not by file name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Attachment, Photo, Task, Tick
from models.people import ROLE_INSPECTOR, ROLE_OFFICE
from rules.errors import InvalidInput, NotFound
from services.people.auth import Principal, visible_tasks

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 50_000_000
#: the most memory one decoded picture may take (a 48-megapixel HEIC in RGB; JPEGs decode reduced)
MAX_DECODE_BYTES = 160 * 1024 * 1024
#: pictures decoded at once per process, and how long an upload waits for a turn
DECODE_SLOTS, DECODE_WAIT_S = 2, 120.0
_DECODES = threading.BoundedSemaphore(DECODE_SLOTS)
#: EXIF times outside these years are a broken or forged clock, not a time the photo was taken
EXIF_YEARS = range(1990, 2100)
THUMB_PX = 480
VIEW_PX = 1600
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "HEIF": ("image/heic", "heic")}
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL, _OFFSET_ORIGINAL, _DATETIME = 36867, 36881, 306


@dataclass(frozen=True)
class PreparedPhoto:
    """A decoded, stored picture not yet recorded in the database."""

    sha256: str
    path: str  # relative to photo_dir
    thumb_path: str
    content_type: str
    size: int
    width: int
    height: int
    exif_time: dt.datetime | None
    exif_lon: float | None
    exif_lat: float | None
    #: the files this upload created (others were there already): removed if the upload fails
    written: tuple[str, ...] = ()


def _register_heif() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()


def _write_once(path: Path, write: Callable[[BinaryIO], object]) -> bool:
    """Write a file atomically unless it already exists (same name = same content); True if written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _exif_time(exif: Image.Exif, tz: dt.tzinfo) -> dt.datetime | None:
    sub = exif.get_ifd(_EXIF_IFD)
    text = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not isinstance(text, str):
        return None
    try:
        naive = dt.datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if naive.year not in EXIF_YEARS:
        return None
    offset = sub.get(_OFFSET_ORIGINAL)
    if isinstance(offset, str):
        try:
            return dt.datetime.fromisoformat(naive.isoformat() + offset.strip("\x00 ")).astimezone(dt.UTC)
        except (ValueError, OverflowError):
            pass
    return naive.replace(tzinfo=tz)  # cameras write local time without a zone


def _degrees(value: object, ref: object, negative: str) -> float | None:
    if not isinstance(value, Iterable):
        return None
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    return -deg if isinstance(ref, str) and ref.upper().startswith(negative) else deg


def _exif_point(exif: Image.Exif) -> tuple[float | None, float | None]:
    """EXIF GPS as WGS-84 (lon, lat); phones record the GNSS fix, which is WGS-84."""
    gps = exif.get_ifd(_GPS_IFD)
    lat = _degrees(gps.get(2), gps.get(1), "S")
    lon = _degrees(gps.get(4), gps.get(3), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    return lon, lat


def _jpeg(image: Image.Image, max_px: int) -> Callable[[BinaryIO], None]:
    scale = min(1.0, max_px / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # resize first (a new small image), then turn it upright: no second full-size copy in memory
    small = ImageOps.exif_transpose(image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0))
    if small.mode not in ("RGB", "L"):
        small = small.convert("RGB")
    return lambda f: small.save(f, "JPEG", quality=82, optimize=True)


def view_path(photo: Photo) -> str:
    """The browser-viewable file of a photo: the original, or a JPEG rendition of a HEIC."""
    return photo.path if photo.content_type != "image/heic" else f"views/{photo.sha256[:2]}/{photo.sha256}.jpg"


def _decoded_bytes(image: Image.Image) -> int:
    """What decoding ``image`` at its current (drafted) size takes in memory."""
    return image.width * image.height * max(1, len(image.getbands()))


def prepare_photo(data: bytes, *, photo_dir: Path, tz: dt.tzinfo) -> PreparedPhoto:
    """Check, hash and store one uploaded picture with its thumbnail; read its EXIF time and GPS.

    Memory is bounded before anything is decoded: the size comes from the file's header, a
    JPEG is decoded reduced (``draft``, 1/2 … 1/8 scale: only renditions are made from it), a
    picture that would still take more than ``MAX_DECODE_BYTES`` is refused, and at most
    ``DECODE_SLOTS`` pictures are decoded at once in a process.
    """
    if not data:
        raise InvalidInput("照片文件为空")
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"照片过大（{len(data) / 1048576:.1f} MB），单张不能超过 {MAX_BYTES // 1048576} MB")
    _register_heif()
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise InvalidInput("无法识别的照片格式，请上传 JPEG、PNG 或 HEIC 照片") from None
    if image.format not in FORMATS:
        raise InvalidInput(f"不支持的照片格式 {image.format}，请上传 JPEG、PNG 或 HEIC 照片")
    width, height = image.size
    if width * height > MAX_PIXELS or width <= 0 or height <= 0:
        raise InvalidInput("照片像素过多，请压缩后再上传")
    content_type, ext = FORMATS[image.format]
    if image.format == "JPEG":
        image.draft("RGB", (THUMB_PX, THUMB_PX))
    if _decoded_bytes(image) > MAX_DECODE_BYTES:
        raise InvalidInput("照片像素过多，请压缩后再上传")
    exif = image.getexif()
    lon, lat = _exif_point(exif)
    taken = _exif_time(exif, tz)
    sha = hashlib.sha256(data).hexdigest()
    rel, thumb = f"{sha[:2]}/{sha}.{ext}", f"thumbs/{sha[:2]}/{sha}.jpg"
    view = f"views/{sha[:2]}/{sha}.jpg" if content_type == "image/heic" else None
    written: list[str] = []
    if not _DECODES.acquire(timeout=DECODE_WAIT_S):
        raise InvalidInput("服务器正忙于处理其他照片，请稍后重试")
    try:
        image.load()
        for name, write in ((rel, lambda f: f.write(data)), (thumb, _jpeg(image, THUMB_PX)),
                            *(((view, _jpeg(image, VIEW_PX)),) if view else ())):
            if _write_once(photo_dir / name, write):
                written.append(name)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        remove_files(photo_dir, written)
        raise InvalidInput("照片文件已损坏，无法读取") from None
    finally:
        _DECODES.release()
        image.close()
    return PreparedPhoto(sha256=sha, path=rel, thumb_path=thumb, content_type=content_type, size=len(data),
                         width=width, height=height, exif_time=taken, exif_lon=lon, exif_lat=lat,
                         written=tuple(written))


def remove_files(photo_dir: Path, names: Iterable[str]) -> None:
    """Delete files this process wrote for photos that were never recorded."""
    for name in names:
        (photo_dir / name).unlink(missing_ok=True)


def discard_unsaved(session: Session, *, prepared: Iterable[PreparedPhoto], photo_dir: Path) -> None:
    """After a failed upload: delete the files it wrote for pictures no photo row records (no orphan files)."""
    mine = [p for p in prepared if p.written]
    if not mine:
        return
    recorded = set(session.scalars(select(Photo.sha256).where(Photo.sha256.in_({p.sha256 for p in mine}))))
    for p in mine:
        if p.sha256 not in recorded:
            remove_files(photo_dir, p.written)


def save_photo(session: Session, *, campaign_id: int, prepared: PreparedPhoto, now: dt.datetime) -> Photo:
    """The photo row for this content (reused if the same picture was uploaded before)."""
    query = select(Photo).where(Photo.campaign_id == campaign_id, Photo.sha256 == prepared.sha256)
    found = session.scalars(query).first()
    if found is not None:
        return found
    row = Photo(campaign_id=campaign_id, sha256=prepared.sha256, path=prepared.path, thumb_path=prepared.thumb_path,
                content_type=prepared.content_type, size=prepared.size, width=prepared.width,
                height=prepared.height, exif_time=prepared.exif_time, exif_lon=prepared.exif_lon,
                exif_lat=prepared.exif_lat, created_at=now)
    try:
        with session.begin_nested():  # a concurrent upload of the same picture may win the insert
            session.add(row)
    except IntegrityError:
        return session.scalars(query).one()
    return row


def visible_photo(session: Session, principal: Principal, photo_id: int) -> Photo:
    """A photo the principal may see: the office and inspectors any; others via a tick they can see."""
    q = select(Photo).where(Photo.id == photo_id, Photo.campaign_id == principal.campaign_id)
    if principal.role not in (ROLE_OFFICE, ROLE_INSPECTOR):
        q = q.where(exists().where(
            Attachment.photo_id == Photo.id, Attachment.owner_type == "tick", Tick.id == Attachment.owner_id,
            Task.id == Tick.task_id, visible_tasks(principal)))
    photo = session.scalars(q).first()
    if photo is None:
        raise NotFound(f"找不到照片 {photo_id}")
    return photo
