"""Open311 GeoReport v2 under /open311/v2/: discovery, services, requests (GET and POST), tokens.

Reads need no key (a client that sends one is counted and audited under it); a POST needs the
``api_key`` of a client system. ``jurisdiction_id`` is the campaign's code, optional with one
campaign. Every error is the specification's list of ``{"code", "description"}`` in the
format the path asks for (``web.app`` sends errors under /open311/ to ``error_response``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from rules.errors import NotFound
from services.campaigns import load_context
from services.open311 import (
    BAD_FORMAT,
    CONTACT,
    DATUM_EXTENSION,
    FORM_ONLY,
    KEY_SERVICE,
    NO_ENDPOINT,
    NO_TOKENS,
    Attribute,
    KeyHolder,
    file_request,
    get_request,
    list_requests,
    list_services,
    resolve_campaign,
    service_definition,
    use_key,
)
from web.deps import AppServices, client_address, services
from web.open311.render import FORMATS, document, error_document

PREFIX = "/open311"
BASE = f"{PREFIX}/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: when this endpoint's interface last changed (discovery's ``changeset``)
CHANGESET = dt.datetime(2026, 12, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
#: the form and query fields a POST may carry (anything else, e.g. an uploaded file, is ignored)
POST_FIELDS = ("api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
               "description", "media_url", "email", "phone", "first_name", "last_name", "device_id", "account_id",
               "datum", "attribute[datum]")

router = APIRouter(include_in_schema=False)


def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFound(BAD_FORMAT)
    return fmt


def _utf8(value: str) -> str:
    """A value a client sent as raw UTF-8 without percent-encoding (read as Latin-1), decoded as meant."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:  # a real non-ASCII text, already decoded
        return value


def error_response(request: Request, status: int, message: str, details: list[str] | None = None) -> Response:
    """An error under /open311/ in the specification's format (XML when the path asks for .xml)."""
    fmt = "xml" if request.url.path.endswith(".xml") else "json"
    if status == 401:  # only web.guard says 401 here: it reads no multipart body without a signed-in user
        message, details = FORM_ONLY, None
    return error_document(fmt, status, message, details)


def _holder(app: AppServices, request: Request, raw: str | None) -> KeyHolder | None:
    """The key's holder, the request counted and audited under its name; None for an anonymous read."""
    if raw is None:
        return None
    with app.db.unit_of_work() as s:
        return use_key(s, raw=raw, now=app.clock(), method=request.method, path=request.url.path,
                       address=client_address(request))


def _attribute_out(a: Attribute) -> dict[str, Any]:
    out = asdict(a)
    out["values"] = [{"key": k, "name": n} for k, n in a.values]
    return {k: out[k] for k in ("variable", "code", "datatype", "required", "datatype_description", "order",
                                "description", "values")}


@router.get(PREFIX + "/discovery.{fmt}")
@router.get(BASE + "/discovery.{fmt}")
def discovery(request: Request, fmt: str, app: AppServices = Depends(services)) -> Response:
    fmt = _fmt(fmt)
    with app.db.reader() as s:
        campaign = resolve_campaign(s, jurisdiction_id=request.query_params.get("jurisdiction_id"))
        name = campaign.name
    url = str(request.base_url).rstrip("/") + BASE
    body = {"changeset": CHANGESET, "contact": CONTACT.format(campaign=name), "key_service": KEY_SERVICE,
            "endpoints": [{"specification": SPECIFICATION, "url": url, "changeset": CHANGESET, "type": "production",
                           "formats": ["text/xml", "application/json"]}],
            "extensions": [{"name": "datum", "description": DATUM_EXTENSION, "values": ["wgs84", "gcj02", "bd09"]}]}
    return document(fmt, "discovery", body)


@router.get(BASE + "/services.{fmt}")
def services_list(request: Request, fmt: str, app: AppServices = Depends(services)) -> Response:
    fmt = _fmt(fmt)
    holder = _holder(app, request, request.query_params.get("api_key"))
    with app.db.reader() as s:
        campaign = resolve_campaign(s, jurisdiction_id=request.query_params.get("jurisdiction_id"), holder=holder)
        rows = list_services(load_context(s, campaign=campaign, routers=app.routers))
    return document(fmt, "services", [{**asdict(r), "keywords": ",".join(r.keywords)} for r in rows])


@router.get(BASE + "/services/{code}.{fmt}")
def service_definition_page(request: Request, code: str, fmt: str, app: AppServices = Depends(services)) -> Response:
    fmt = _fmt(fmt)
    holder = _holder(app, request, request.query_params.get("api_key"))
    with app.db.reader() as s:
        campaign = resolve_campaign(s, jurisdiction_id=request.query_params.get("jurisdiction_id"), holder=holder)
        d = service_definition(load_context(s, campaign=campaign, routers=app.routers), code)
    return document(fmt, "service_definition",
                    {"service_code": d.service_code, "attributes": [_attribute_out(a) for a in d.attributes]})


@router.get(BASE + "/requests.{fmt}")
def requests_list(request: Request, fmt: str, app: AppServices = Depends(services)) -> Response:
    fmt = _fmt(fmt)
    q = request.query_params
    holder = _holder(app, request, q.get("api_key"))
    with app.db.reader() as s:
        campaign = resolve_campaign(s, jurisdiction_id=q.get("jurisdiction_id"), holder=holder)
        rows = list_requests(s, ctx=load_context(s, campaign=campaign, routers=app.routers), now=app.clock(),
                             service_request_id=q.get("service_request_id"), service_code=q.get("service_code"),
                             start_date=q.get("start_date"), end_date=q.get("end_date"), status=q.get("status"))
    return document(fmt, "service_requests", [asdict(r) for r in rows])


def _file(app: AppServices, request: Request, params: dict[str, str]) -> list[dict[str, Any]]:
    holder = _holder(app, request, params.get("api_key", ""))
    assert holder is not None  # a POST always names a key (a missing one is refused by use_key)
    with app.db.unit_of_work() as s:
        campaign = resolve_campaign(s, jurisdiction_id=params.get("jurisdiction_id"), holder=holder)
        filed = file_request(s, ctx=load_context(s, campaign=campaign, routers=app.routers), holder=holder,
                             params=params, now=app.clock())
    return [asdict(filed)]


@router.post(BASE + "/requests.{fmt}")
async def requests_post(request: Request, fmt: str, app: AppServices = Depends(services)) -> Response:
    fmt = _fmt(fmt)
    form = await request.form(max_files=0, max_fields=100)
    params = {k: _utf8(v) for k in POST_FIELDS if isinstance(v := form.get(k, request.query_params.get(k)), str)}
    body = await run_in_threadpool(_file, app, request, params)
    return document(fmt, "service_requests", body)


@router.get(BASE + "/requests/{request_id}.{fmt}")
def request_page(request: Request, request_id: str, fmt: str, app: AppServices = Depends(services)) -> Response:
    fmt = _fmt(fmt)
    holder = _holder(app, request, request.query_params.get("api_key"))
    with app.db.reader() as s:
        campaign = resolve_campaign(s, jurisdiction_id=request.query_params.get("jurisdiction_id"), holder=holder)
        row = get_request(s, ctx=load_context(s, campaign=campaign, routers=app.routers), request_id=request_id)
    return document(fmt, "service_requests", [asdict(row)])


@router.get(BASE + "/tokens/{token}.{fmt}")
def token_page(fmt: str) -> Response:
    _fmt(fmt)
    raise NotFound(NO_TOKENS)


@router.api_route(PREFIX + "/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str) -> Response:
    raise NotFound(NO_ENDPOINT)
