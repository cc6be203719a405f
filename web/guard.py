"""What the app enforces on every request before a route runs, as one plain ASGI middleware.

* **Body size, counted as it streams.** A declared ``Content-Length`` over the limit is refused
  at once; a chunked body is counted chunk by chunk and refused (413) when it passes the limit,
  so neither memory nor the disk holds more than the limit. Uploads (multipart) may carry
  ``MAX_UPLOAD`` bytes, every other body (JSON, sign-in forms) ``MAX_FORM``.
* **Who is asking, before an upload is read.** A multipart body is read only for a valid
  bearer token (``/api/``) or session cookie (pages): a stranger's upload is refused with 401
  (or the sign-in redirect) before a byte of it is spooled to disk.
* **A request id** (``X-Request-ID``) on every response, in the log line of every server
  error (with the English traceback) and on the Chinese error page.
* **Security headers** on every response: a Content-Security-Policy that lets only the app's
  own scripts run (the vendored Leaflet included), no framing (the verify buttons cannot be
  clickjacked), no MIME sniffing, no referrer leaving the site.

TLS, connection limits and slow-client timeouts belong to the reverse proxy (docs/operations.md).
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notify.masking import hide_link_tokens
from rules.errors import Unauthenticated
from services.people import API, SESSION
from web import text
from web.deps import SESSION_COOKIE, AppServices, lookup

log = logging.getLogger("chuangwei.web")
#: request ids: 12 hex digits from a generator seeded once per process from the OS. An id names a request
#: in the log and on the error page, it guards nothing, so it need not cost a system call per request
_IDS = random.Random(secrets.randbits(128))

MAX_UPLOAD = 100 * 1024 * 1024
MAX_FORM = 1024 * 1024
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
#: the weekly brief as a web page (``/office/briefs/<n>.html``): a document the app generated, whose
#: offline folium map runs inline scripts in an iframe; it has no buttons, so the office may frame it
CSP_DOCUMENT = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'none'; object-src 'none'; "
                "base-uri 'self'; form-action 'none'; frame-src 'self' data: blob: about:; frame-ancestors 'self'")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
DOCUMENT_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP_DOCUMENT.encode()),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


def security_headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """The security headers for a response to ``path`` (the app's pages, or a generated document)."""
    if path.startswith("/office/briefs/") and path.endswith(".html"):
        return DOCUMENT_HEADERS
    return SECURITY_HEADERS
ErrorResponder = Callable[[Request, int, str], Response]


class BodyTooLarge(StarletteHTTPException):
    """Raised from ``receive`` when a streamed body passes its limit (FastAPI lets HTTP errors through)."""

    def __init__(self, limit: int):
        super().__init__(413, text.TOO_LARGE.format(mb=max(1, limit // 1048576)))


#: paths whose forms are posted without a bearer token or session: sign-in itself (``/login``, a link's
#: ``/l/<token>``), the public questionnaire (``/s/<code>``) and Open311 clients (an ``api_key`` field).
#: Sent as multipart or not, they are not asked to sign in first and may carry only a form's size.
PUBLIC_FORMS = ("/login", "/l/", "/s/", "/open311/")


def body_limit(scope: Scope) -> int:
    """How many body bytes this request may send: uploads more, everything else a little."""
    content_type = _header(scope, b"content-type").lower()
    if not content_type.startswith("multipart/form-data") or scope["path"].startswith(PUBLIC_FORMS):
        return MAX_FORM
    return MAX_UPLOAD


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


def _credentials(scope: Scope) -> tuple[str | None, tuple[str, ...]]:
    """The raw token a request carries, and which token kinds count (as ``web.deps`` reads them)."""
    if scope["path"].startswith("/api/"):
        scheme, _, value = _header(scope, b"authorization").partition(" ")
        return (value.strip() if scheme.lower() == "bearer" and value.strip() else None), (API, SESSION)
    request = Request(scope)
    return request.cookies.get(SESSION_COOKIE), (SESSION,)


class Guard:
    """Request id, security headers, streamed body limit and sign-in before uploads (see the module doc)."""

    def __init__(self, app: ASGIApp, error: ErrorResponder):
        self.app, self.error = app, error
        # sign-in link tokens (/l/<token>) stay out of the access log and ours: a log is not a key ring
        hide_link_tokens("uvicorn.access", "uvicorn.error", "chuangwei.web")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"{_IDS.getrandbits(48):012x}"
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in security_headers(scope["path"]) if k not in present]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            refusal = await self._refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send_with_headers)
                return
            await self.app(scope, _counting(receive, body_limit(scope)), send_with_headers)
        except Exception as exc:
            log.error("unhandled error %s on %s %s", request_id, scope.get("method"), scope.get("path"),
                      exc_info=exc)
            if started:
                raise
            message = f"{text.INTERNAL}（错误编号 {request_id}）"
            await self.error(Request(scope), 500, message)(scope, receive, send_with_headers)

    async def _refusal(self, scope: Scope) -> Response | None:
        """A response that ends the request before its body is read, or None to go on."""
        limit = body_limit(scope)
        length = _header(scope, b"content-length")
        if length.isdigit() and int(length) > limit:
            return self.error(Request(scope), 413, text.TOO_LARGE.format(mb=max(1, limit // 1048576)))
        if limit == MAX_UPLOAD and scope.get("method") not in ("GET", "HEAD"):
            return await self._signed_in(scope)
        return None

    async def _signed_in(self, scope: Scope) -> Response | None:
        """None if the request carries a valid token (remembered for the route), else the 401 answer."""
        app: AppServices = scope["app"].state.services
        raw, kinds = _credentials(scope)
        now = app.clock()
        try:
            principal = app.principals.get(raw, kinds, now) if raw else None
            if principal is None:
                principal = await run_in_threadpool(lookup, app, raw, kinds, now)
        except Unauthenticated as e:
            return self.error(Request(scope), 401, e.message)
        state: dict[str, Any] = scope["state"]
        state["principal"], state["raw_token"] = principal, raw
        return None


def _counting(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises ``BodyTooLarge`` as soon as the body passes ``limit`` bytes."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return wrapped
