"""Service requests: a POST becomes a complaint like a 12345 order; a GET shows complaints as requests.

Filing goes through the complaint intake (``create_complaint``): placed by its point (WGS-84,
or the ``datum`` the client names) or by its address against the segment names, routed to the
segment's lead department and the category's functional departments, on the coordination
ladder with 12345's time limit. The complainant's name and phone are the complaint's (seen
only by 创卫办); the e-mail stays in the request row. Only requests filed through Open311 are
listed: a 12345 order's text may carry what its caller said on the phone, and is not published.

Mapping (GeoReport v2 → here): ``service_request_id`` = the complaint's number (``complaint.id``,
which ``cw complaints close`` takes); ``status`` = the complaint's (open/closed);
``status_notes`` = the office's closing note, the 回访 result, or the finding's state;
``agency_responsible`` = the lead department the finding was dispatched to (创卫办 while it
waits for triage); ``expected_datetime`` = the rectification deadline.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import Complaint, Finding, Open311Request, Segment, Unit
from models.inspections import C_CLOSED
from rules.errors import InvalidInput, NotFound
from rules.vocabulary import OFFICE_NAME, ComplaintStatus
from services.campaigns.context import CampaignContext
from services.imports.segments import DATUMS
from services.inspections.complaints import complaint_finding, create_complaint
from services.inspections.routing import responsibility
from services.open311 import texts
from services.open311.catalogue import DATUM, category_of, service_code
from services.open311.keys import KeyHolder
from services.people.audit import record

MAX_DESCRIPTION = 4000
MAX_RESULTS = 1000
SPAN = dt.timedelta(days=90)
_LIMITS = {"address_string": 300, "email": 200, "phone": 40, "first_name": 50, "last_name": 50, "media_url": 1000}


@dataclass(frozen=True, slots=True)
class Filed:
    """The answer to a POST: the new request's id and what to tell the citizen."""

    service_request_id: str
    service_notice: str
    account_id: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    """One request as GeoReport v2 shows it; times in the campaign's time zone."""

    service_request_id: str
    status: str  # open | closed
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: dt.datetime
    updated_datetime: dt.datetime
    expected_datetime: dt.datetime | None
    address: str
    address_id: str
    zipcode: str
    lat: float | None
    long: float | None
    media_url: str | None


def _text(params: Mapping[str, str], name: str) -> str:
    value = (params.get(name) or "").strip()
    limit = MAX_DESCRIPTION if name == "description" else _LIMITS.get(name)
    if limit and len(value) > limit:
        raise InvalidInput(texts.TOO_LONG.format(field=name, limit=limit))
    return value


def _point(params: Mapping[str, str]) -> tuple[float | None, float | None]:
    lat_t, lon_t = _text(params, "lat"), _text(params, "long")
    if bool(lat_t) != bool(lon_t):
        raise InvalidInput(texts.HALF_POINT)
    if not lat_t:
        return None, None
    try:
        lat, lon = float(lat_t), float(lon_t)
    except ValueError:
        raise InvalidInput(texts.BAD_POINT.format(lat=lat_t[:40], lon=lon_t[:40])) from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InvalidInput(texts.BAD_POINT.format(lat=lat_t[:40], lon=lon_t[:40]))
    return lon, lat


def _datum(params: Mapping[str, str]) -> str:
    datum = (_text(params, DATUM) or _text(params, f"attribute[{DATUM}]") or "wgs84").lower()
    if datum not in DATUMS:
        raise InvalidInput(texts.BAD_DATUM.format(datum=datum[:20]))
    return datum


def file_request(session: Session, *, ctx: CampaignContext, holder: KeyHolder, params: Mapping[str, str],
                 now: dt.datetime) -> Filed:
    """POST requests: check the form, take the request in as a complaint, say where it went."""
    code = _text(params, "service_code")
    if not code:
        raise InvalidInput(texts.NO_SERVICE)
    category = category_of(ctx, code)
    if category is None:
        raise InvalidInput(texts.UNKNOWN_SERVICE.format(code=code[:40]))
    lon, lat = _point(params)
    address = _text(params, "address_string")
    if lon is None and not address:
        raise InvalidInput(texts.NO_LOCATION)
    datum = _datum(params)
    media = _text(params, "media_url")
    if media and not media.lower().startswith(("http://", "https://")):
        raise InvalidInput(texts.BAD_MEDIA)
    description = _text(params, "description") or texts.NO_DESCRIPTION.format(category=category)
    name = (_text(params, "last_name") + _text(params, "first_name")) or None  # 姓 then 名
    request = Open311Request(campaign_id=ctx.id, key_id=holder.key_id, service_code=service_code(category),
                             email=_text(params, "email") or None, media_url=media or None, datum=datum,
                             requested_at=now)
    session.add(request)
    session.flush()
    actor = texts.ACTOR.format(name=holder.name)
    complaint = create_complaint(session, ctx=ctx, order_no=f"OPEN311-{request.id:06d}", content=description,
                                 received_at=now, now=now, actor=actor, category=category, address=address or None,
                                 lon=lon, lat=lat, datum=datum, complainant_name=name,
                                 complainant_phone=_text(params, "phone") or None, channel=texts.CHANNEL)
    request.complaint_id = complaint.id
    finding = complaint_finding(session, complaint)
    agency = _agencies(session, ctx, [finding]).get(finding.id)
    tz = ZoneInfo(ctx.campaign.timezone)
    if agency is not None and finding.deadline is not None:
        notice = texts.NOTICE_ROUTED.format(unit=agency, deadline=texts.local_text(finding.deadline, tz))
    else:
        notice = texts.NOTICE_HELD.format(unit=agency) if agency is not None else texts.NOTICE_TRIAGE
    record(session, campaign_id=ctx.id, action="open311.request.create", object_type="complaint",
           object_id=complaint.id, now=now, actor=actor,
           detail={"key": holder.name, "service_code": request.service_code, "datum": datum,
                   "finding_id": finding.id, "located_by": complaint.located_by})
    session.flush()
    return Filed(service_request_id=str(complaint.id), service_notice=notice)


def _query(ctx: CampaignContext) -> Select:
    return (select(Complaint, Finding, Open311Request, Segment.name)
            .join(Open311Request, Open311Request.complaint_id == Complaint.id)
            .join(Finding, Finding.complaint_id == Complaint.id)
            .outerjoin(Segment, Segment.id == Finding.segment_id)
            .where(Complaint.campaign_id == ctx.id))


def _agencies(session: Session, ctx: CampaignContext, findings: list[Finding]) -> dict[int, str]:
    """finding id → the unit answering for it: the lead department it was dispatched to or, while it
    waits on a segment for 创卫办 (before 起步 opens), the segment's lead department by 包联."""
    waiting = {f.segment_id for f in findings if f.lead_unit_id is None and f.segment_id is not None}
    held = {seg: r.lead_unit_id for seg, r in responsibility(session, ctx.id, sorted(waiting)).items()} \
        if waiting else {}
    unit_of = {f.id: f.lead_unit_id or held.get(f.segment_id or -1) for f in findings}
    ids = {u for u in unit_of.values() if u is not None}
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).tuples().all()) if ids else {}
    return {fid: names[u] for fid, u in unit_of.items() if u is not None and u in names}


def _status_notes(c: Complaint, f: Finding, tz: ZoneInfo) -> str:
    if c.status == C_CLOSED:
        if c.close_note:
            return c.close_note
        return texts.VISIT_NOTE.format(result=c.visit_result) if c.visit_result else texts.OPEN_NOTES[f.status]
    status = texts.OPEN_NOTES.get(f.status, f.status)
    if f.deadline is not None and f.status in ("open", "rectified"):
        return texts.DEADLINE_NOTE.format(status=status, deadline=texts.local_text(f.deadline, tz))
    return status


def _view(row: tuple, tz: ZoneInfo, agencies: dict[int, str]) -> ServiceRequest:
    c, f, r, segment = row
    times = [t for t in (c.created_at, c.closed_at, c.visited_at, f.dispatched_at, f.rectified_at, f.checked_at,
                         f.closed_at) if t is not None]
    closed = c.status == C_CLOSED
    lon, lat = (c.lon, c.lat) if c.lon is not None else (f.lon, f.lat)
    return ServiceRequest(
        service_request_id=str(c.id), status=c.status, status_notes=_status_notes(c, f, tz),
        service_name=c.category, service_code=r.service_code, description=c.content,
        agency_responsible=agencies.get(f.id, OFFICE_NAME), service_notice="",
        requested_datetime=c.received_at.astimezone(tz), updated_datetime=max(times).astimezone(tz),
        expected_datetime=f.deadline.astimezone(tz) if f.deadline is not None and not closed else None,
        address=c.address or segment or "", address_id="", zipcode="",
        lat=lat, long=lon, media_url=r.media_url)


def _when(value: str | None, name: str, tz: ZoneInfo) -> dt.datetime | None:
    if not value or not value.strip():
        return None
    try:
        t = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(texts.BAD_DATE.format(field=name, value=value.strip()[:40])) from None
    return t if t.tzinfo else t.replace(tzinfo=tz)


def _span(start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The searched span of ``requested_datetime``: at most 90 days, the last 90 by default."""
    try:
        if start is not None and end is not None:
            if end < start:
                raise InvalidInput(texts.DATE_ORDER)
            if end - start > SPAN:
                raise InvalidInput(texts.DATE_SPAN)
            return start, end
        if start is not None:
            return start, start + SPAN
        if end is not None:
            return end - SPAN, end
    except OverflowError:  # a date at the end of the calendar (year 1 or 9999)
        raise InvalidInput(texts.BAD_DATE.format(field="start_date/end_date", value=start or end)) from None
    return now - SPAN, now


def _listed(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def list_requests(session: Session, *, ctx: CampaignContext, now: dt.datetime, service_request_id: str | None = None,
                  service_code: str | None = None, start_date: str | None = None, end_date: str | None = None,
                  status: str | None = None) -> list[ServiceRequest]:
    """GET requests: by id (a comma list, which overrides the rest) or by service, time span and status.

    The span is of ``requested_datetime``, at most 90 days, the most recent 90 days by default;
    at most 1000 requests, newest first.
    """
    tz = ZoneInfo(ctx.campaign.timezone)
    q = _query(ctx)
    ids = _listed(service_request_id)
    if ids:
        numbers = [int(i) for i in ids if i.isdigit() and len(i) < 12][:MAX_RESULTS]
        q = q.where(Complaint.id.in_(numbers))
    else:
        start, end = _span(_when(start_date, "start_date", tz), _when(end_date, "end_date", tz), now)
        q = q.where(Complaint.received_at >= start, Complaint.received_at <= end)
        codes = _listed(service_code)
        if codes:
            q = q.where(Complaint.category.in_([c for c in (category_of(ctx, x) for x in codes) if c]))
        statuses = _listed(status)
        if statuses:
            bad = [s for s in statuses if s not in tuple(ComplaintStatus)]
            if bad:
                raise InvalidInput(texts.BAD_STATUS.format(value=bad[0][:20]))
            q = q.where(Complaint.status.in_(statuses))
    rows = [tuple(r) for r in
            session.execute(q.order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(MAX_RESULTS))]
    agencies = _agencies(session, ctx, [r[1] for r in rows])
    return [_view(r, tz, agencies) for r in rows]


def get_request(session: Session, *, ctx: CampaignContext, request_id: str) -> ServiceRequest:
    """GET requests/{id}: one request filed through Open311; NotFound for anything else."""
    rid = (request_id or "").strip()
    row = (session.execute(_query(ctx).where(Complaint.id == int(rid))).first()
           if rid.isdigit() and len(rid) < 12 else None)
    if row is None:
        raise NotFound(texts.NO_REQUEST.format(id=rid[:20]))
    return _view(tuple(row), ZoneInfo(ctx.campaign.timezone), _agencies(session, ctx, [row[1]]))
