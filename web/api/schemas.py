"""JSON shapes of the API (they are also its OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

from fastapi.responses import Response
from pydantic import BaseModel, Field, TypeAdapter
from typing_extensions import TypedDict

from models import Photo, Tick
from services.people import HistoryEntry, Principal
from services.tasks import Card
from web.text import ROLE, TASK_STATUS


class ErrorOut(BaseModel):
    detail: str = Field(description="给用户看的中文说明")
    details: list[str] = Field(default_factory=list, description="逐行/逐项的错误")


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "未登录或令牌无效"},
    403: {"model": ErrorOut, "description": "角色无权进行此操作"},
    404: {"model": ErrorOut, "description": "不存在，或无权查看"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": ErrorOut, "description": "他人已先行操作（乐观锁版本不符）"},
                                               422: {"model": ErrorOut, "description": "填写有误"}}

THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorOut, "description": "密码错误次数过多：按 Retry-After 秒数等待后再试（账号可能已临时锁定）"}}


class TokenIn(BaseModel):
    """Either phone + password, or a one-time sign-in link token."""

    phone: str | None = None
    password: str | None = None
    link_token: str | None = Field(default=None, description="登录链接 /l/<token> 中的 token（一次有效）")


class UserOut(BaseModel):
    id: int | None
    name: str
    role: str
    role_text: str
    unit_id: int | None
    leader_id: int | None

    @classmethod
    def of(cls, p: Principal) -> UserOut:
        return cls(id=p.user_id, name=p.name, role=p.role, role_text=ROLE.get(p.role, p.role),
                   unit_id=p.unit_id, leader_id=p.leader_id)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    user: UserOut


class TaskCardOut(BaseModel):
    id: int
    title: str
    category: str
    status: str
    status_text: str
    light: str = Field(description="green / yellow（已用时限 80% 以上）/ red（逾期）/ grey（已打卡）")
    deadline: dt.datetime
    segment: str | None
    segment_name: str | None
    unit: str
    rework_count: int
    carried_over: bool
    version: int = Field(description="乐观锁版本：打卡、核查时带上，过期则返回 409")


class PhotoOut(BaseModel):
    id: int
    url: str
    thumb_url: str
    content_type: str
    width: int | None
    height: int | None
    exif_time: dt.datetime | None
    exif_lon: float | None
    exif_lat: float | None


class FlagOut(BaseModel):
    code: str = Field(description="photo_time / photo_far / photo_reused / tick_far / photo_no_exif")
    text: str
    photo_id: int | None = None


class TickOut(BaseModel):
    id: int
    task_id: int
    at: dt.datetime
    by: str | None = None
    note: str
    lon: float | None
    lat: float | None
    flags: list[FlagOut]
    undone_at: dt.datetime | None
    verdict: str | None
    verified_at: dt.datetime | None
    verifier: str | None = None
    reason: str | None
    photos: list[PhotoOut] = Field(default_factory=list)


class AuditOut(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    address: str | None
    detail: dict[str, Any]


class TaskOut(TaskCardOut):
    description: str
    phase: str
    deadline_text: str
    rejected_reason: str | None
    can_tick: bool
    can_undo: bool
    can_verify: bool
    undo_until: dt.datetime | None
    ticks: list[TickOut]
    history: list[AuditOut]


class VerifyIn(BaseModel):
    verdict: Literal["pass", "reject"]
    reason: str = Field(default="", description="退回时必填，单位可见")
    version: int | None = Field(default=None, ge=0, le=2**31 - 1, description="看到的任务版本；与当前不符返回 409")


class QueueItemOut(BaseModel):
    task: TaskCardOut
    tick: TickOut


class SegmentProblemOut(BaseModel):
    id: int
    title: str
    level: str
    status: str
    opened_at: dt.datetime


class SegmentOut(BaseModel):
    code: str
    name: str
    kind: str
    geometry: dict[str, Any] = Field(description="GeoJSON，WGS-84")
    leader: str | None
    lead_unit: str | None
    members: list[str]
    alleys: list[str]
    tasks: list[TaskCardOut]
    problems: list[SegmentProblemOut]


class SegmentBrief(BaseModel):
    code: str
    name: str


# Routes return plain dicts shaped like the models above: FastAPI validates and serialises them
# in pydantic's Rust core, several times cheaper than building the models in Python first.

def card_dict(card: Card) -> dict[str, Any]:
    return {"id": card.id, "title": card.title, "category": card.category, "status": card.status,
            "status_text": TASK_STATUS[card.status], "light": card.light, "deadline": card.deadline,
            "segment": card.segment_code, "segment_name": card.segment_name, "unit": card.unit,
            "rework_count": card.rework_count, "carried_over": card.carried_over, "version": card.version}


def photo_dict(p: Photo) -> dict[str, Any]:
    return {"id": p.id, "url": f"/api/photos/{p.id}", "thumb_url": f"/api/photos/{p.id}/thumb",
            "content_type": p.content_type, "width": p.width, "height": p.height, "exif_time": p.exif_time,
            "exif_lon": p.exif_lon, "exif_lat": p.exif_lat}


def tick_dict(t: Tick, photos: Sequence[Photo] = (), by: str | None = None, verifier: str | None = None) -> dict[str, Any]:
    return {"id": t.id, "task_id": t.task_id, "at": t.at, "by": by, "note": t.note, "lon": t.lon, "lat": t.lat,
            "flags": list(t.flags or []), "undone_at": t.undone_at, "verdict": t.verdict,
            "verified_at": t.verified_at, "verifier": verifier, "reason": t.reason,
            "photos": [photo_dict(p) for p in photos]}


def audit_dict(e: HistoryEntry) -> dict[str, Any]:
    return {"at": e.at, "actor": e.actor, "action": e.action, "address": e.address, "detail": e.detail or {}}


def answer(shape: TypeAdapter[Any], content: Any, status_code: int = 200) -> Response:
    """``content`` checked against its documented shape and serialised as FastAPI would for a
    ``response_model``, but in the route's own thread: for a sync route FastAPI validates in a second
    trip through the thread pool, which under load queues behind other requests (issue 22). The
    route keeps its ``response_model`` for the OpenAPI document."""
    body = shape.dump_json(shape.validate_python(content, from_attributes=True), by_alias=True)
    return Response(body, status_code=status_code, media_type="application/json")


#: ``TaskCardOut``'s fields as a TypedDict: the task list (50-1000 cards) is checked dict to dict, without
#: building a model per card first (issue 22: about a third cheaper); the same JSON, the same checks
TaskCardDict = TypedDict("TaskCardDict", {name: f.annotation for name, f in TaskCardOut.model_fields.items()})  # type: ignore[misc]
CARDS: TypeAdapter[list[Any]] = TypeAdapter(list[TaskCardDict])
TASK: TypeAdapter[TaskOut] = TypeAdapter(TaskOut)
TICK: TypeAdapter[TickOut] = TypeAdapter(TickOut)
