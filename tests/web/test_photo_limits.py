"""Hostile photos (issue 16): bounded decoding, version checked first, absurd EXIF dates, no orphan files."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib

from PIL import Image
from sqlalchemy import select

from models import Photo
from tests.web.conftest import jpeg


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def big_png(width: int, height: int) -> bytes:
    """A real RGBA PNG of ``width`` × ``height`` transparent pixels, built row by row (small on disk and here)."""
    packer, parts, row = zlib.compressobj(9), [], b"\0" + b"\0" * (width * 4)
    for _ in range(height):
        parts.append(packer.compress(row))
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def _files(settings) -> list:
    return sorted(p for p in settings.photo_dir.rglob("*") if p.is_file()) if settings.photo_dir.exists() else []


def _exif_jpeg(original: str, offset: str) -> bytes:
    exif = Image.Exif()
    sub = exif.get_ifd(0x8769)
    sub[36867], sub[36881] = original, offset
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_a_picture_that_would_decode_past_the_memory_bound_is_refused_from_its_header(api_for, town, settings):
    png = big_png(7000, 7000)
    assert len(png) < 1 << 20  # small on disk, ~190 MB decoded
    r = api_for(town.unit_a).post(f"/api/tasks/{town.task_a}/ticks", data={"note": "x"},
                                  files=[("photos", ("big.png", png, "image/png"))])
    assert r.status_code == 422 and "像素过多" in r.json()["detail"]
    assert _files(settings) == []


def test_a_stale_version_answers_409_before_any_photo_is_decoded_or_stored(api_for, town, settings, clock):
    unit = api_for(town.unit_a)
    version = unit.get(f"/api/tasks/{town.task_a}").json()["version"]
    r = unit.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "x", "version": str(version + 5)},
                  files=[("photos", ("a.jpg", jpeg(taken=clock.now), "image/jpeg"))])
    assert r.status_code == 409
    assert _files(settings) == []


def test_extreme_exif_dates_are_read_as_no_time_not_a_500(api_for, town, db):
    unit = api_for(town.unit_a)
    for n, (when, offset) in enumerate([("9999:12:31 23:59:59", "-12:00"), ("0001:01:01 00:00:00", "+14:00")]):
        task = (town.task_a, town.task_a2)[n]
        r = unit.post(f"/api/tasks/{task}/ticks", data={"note": "x"},
                      files=[("photos", ("a.jpg", _exif_jpeg(when, offset), "image/jpeg"))])
        assert r.status_code == 201, r.text
        assert r.json()["photos"][0]["exif_time"] is None


def test_a_tick_refused_after_its_photos_were_stored_leaves_no_orphan_file(api_for, town, settings, db, clock):
    r = api_for(town.unit_a).post(f"/api/tasks/{town.task_a}/ticks", data={"note": "长" * 5000},
                                  files=[("photos", ("a.jpg", jpeg(taken=clock.now, colour=(1, 2, 3)), "image/jpeg"))])
    assert r.status_code == 422
    assert _files(settings) == []
    with db.reader() as s:
        assert s.scalars(select(Photo)).all() == []


def test_a_bad_second_photo_removes_the_first_ones_files(api_for, town, settings, clock):
    r = api_for(town.unit_a).post(f"/api/tasks/{town.task_a}/ticks", data={"note": "x"},
                                  files=[("photos", ("a.jpg", jpeg(taken=clock.now, colour=(9, 9, 9)), "image/jpeg")),
                                         ("photos", ("b.jpg", b"not a picture", "image/jpeg"))])
    assert r.status_code == 422 and "b.jpg" in r.json()["detail"]
    assert _files(settings) == []


def test_a_large_phone_photo_is_still_accepted_with_its_full_size_recorded(api_for, town, clock):
    photo = jpeg(taken=clock.now - dt.timedelta(minutes=5), size=(4000, 3000))
    r = api_for(town.unit_a).post(f"/api/tasks/{town.task_a}/ticks", data={"note": "x"},
                                  files=[("photos", ("big.jpg", photo, "image/jpeg"))])
    assert r.status_code == 201, r.text
    saved = r.json()["photos"][0]
    assert (saved["width"], saved["height"]) == (4000, 3000)
