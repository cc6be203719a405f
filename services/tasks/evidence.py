"""Evidence checks on a tick: flagged for the verifier (核查), never refused.

The "拍照打卡" a campaign fights is a photo taken elsewhere, taken long ago, or reused. So:

* a photo whose EXIF time lies outside the task's window (from the task's creation to the
  tick, with a small allowance for phone clocks) is flagged;
* a photo whose EXIF position, or the tick's own browser position, is more than ``FAR_M``
  metres from the task's segment is flagged (distance measured in the segment's UTM zone);
* a picture (same SHA-256) already attached to another tick that was not undone is flagged;
* a photo with no EXIF time at all (screenshots, pictures forwarded through chat apps, which
  strip EXIF) gets an informational note.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from maps.routing import SegmentIndex
from models import Attachment, Photo, Segment, Task, Tick
from rules.times import page_time

FAR_M = 300.0
CLOCK_SLACK = dt.timedelta(minutes=10)
_SEARCH_M = 500_000.0  # beyond this a distance is reported as "far", without a number


@dataclass(frozen=True, slots=True)
class Flag:
    """One note for the verifier about a tick's evidence; ``photo_id`` when it is about one photo."""

    code: str
    text: str
    photo_id: int | None = None

    def stored(self) -> dict[str, Any]:
        """The JSON kept in ``Tick.flags`` (``photo_id`` only for a photo's flag)."""
        about = {} if self.photo_id is None else {"photo_id": self.photo_id}
        return {"code": self.code, **about, "text": self.text}

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Flag:
        """The flag kept in ``Tick.flags``."""
        return cls(code=stored["code"], text=stored["text"], photo_id=stored.get("photo_id"))


def _local(t: dt.datetime, tz: dt.tzinfo) -> str:
    return page_time(t.astimezone(tz))


@lru_cache(maxsize=512)
def _index(segment_id: int, geojson: str) -> SegmentIndex:
    """A one-segment index (projected to its UTM zone once, then reused for every tick on it)."""
    geom = shape(json.loads(geojson))
    return SegmentIndex([(segment_id, part) for part in getattr(geom, "geoms", [geom])])


def distance_to_segment_m(segment: Segment, lon: float, lat: float) -> float | None:
    """Metres from (lon, lat) to the segment, measured in its UTM zone; None if over 500 km."""
    index = _index(segment.id, json.dumps(segment.geometry, sort_keys=True))
    return index.route(lon, lat, buffer_m=_SEARCH_M)[1]


BEIJING = ZoneInfo("Asia/Shanghai")


def _far_text(d: float | None) -> str:
    return f"约 {d:.0f} 米" if d is not None else "超过 500 公里"


def evidence_flags(session: Session, *, task: Task, tick: Tick, photos: list[Photo], segment: Segment | None,
                   now: dt.datetime, tz: dt.tzinfo = BEIJING) -> list[Flag]:
    """Flags for the verifier about this tick's evidence."""
    flags: list[Flag] = []
    start, end = task.created_at - CLOCK_SLACK, now + CLOCK_SLACK
    for n, photo in enumerate(photos, start=1):
        label = f"照片{n}" if len(photos) > 1 else "照片"
        if photo.exif_time is None:
            flags.append(Flag(code="photo_no_exif", photo_id=photo.id,
                              text=f"{label}没有拍摄时间信息（可能是截图或转发的图片）"))
        elif not start <= photo.exif_time <= end:
            flags.append(Flag(code="photo_time", photo_id=photo.id,
                              text=f"{label}拍摄于 {_local(photo.exif_time, tz)}，不在任务期间"
                                   f"（{_local(task.created_at, tz)} 至打卡时）"))
        if segment is not None and photo.exif_lon is not None and photo.exif_lat is not None:
            d = distance_to_segment_m(segment, photo.exif_lon, photo.exif_lat)
            if d is None or d > FAR_M:
                flags.append(Flag(code="photo_far", photo_id=photo.id,
                                  text=f"{label}拍摄位置距路段 {segment.code} {_far_text(d)}"))
        for other in _other_ticks(session, photo.id, tick.id):
            flags.append(Flag(code="photo_reused", photo_id=photo.id,
                              text=f"{label}已用于任务 #{other.task_id} 的打卡（{_local(other.at, tz)}）"))
    if segment is not None and tick.lon is not None and tick.lat is not None:
        d = distance_to_segment_m(segment, tick.lon, tick.lat)
        if d is None or d > FAR_M:
            flags.append(Flag(code="tick_far", text=f"打卡位置距路段 {segment.code} {_far_text(d)}"))
    return flags


def _other_ticks(session: Session, photo_id: int, tick_id: int) -> list[Tick]:
    return list(session.scalars(
        select(Tick).join(Attachment, Attachment.owner_id == Tick.id)
        .where(Attachment.owner_type == "tick", Attachment.photo_id == photo_id, Tick.id != tick_id,
               Tick.undone_at.is_(None)).order_by(Tick.at)))


WARNING_CODES = frozenset({"photo_time", "photo_far", "photo_reused", "tick_far"})


def warnings(flags: list[dict[str, Any]] | None) -> list[Flag]:
    """Of the flags kept on a tick, those that need the verifier's attention (not the informational ones)."""
    return [Flag.of(f) for f in flags or [] if f.get("code") in WARNING_CODES]
