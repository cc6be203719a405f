"""The public 群众满意度测评 page at /s/<code>: residents answer from a phone without signing in.

One answer per device: the first visit sets a random device cookie, and the form carries a token
derived from it (a page from another site cannot know it, so a cross-site post is refused; the
cookie is SameSite=Lax as well). The network address is capped by the service (generous, so an
office network can answer) and, here, by a per-minute limit on posts from one address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from rules.errors import DomainError, Forbidden
from services.surveys import answer_survey, survey_page
from web.deps import AppServices, client_address, services
from web.templating import render

router = APIRouter(include_in_schema=False)
DEVICE_COOKIE = "cw_device"
DEVICE_DAYS = 400
#: posts one address may make per minute (a burst of a whole office answering is well under this)
POSTS_PER_MINUTE = 60
EXPIRED = "页面已过期，请刷新页面后重新提交"
TOO_FAST = "提交过于频繁，请稍后再试"


class PostLimiter:
    """Sliding one-minute window of posts per address, in this worker's memory."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, address: str) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(address, deque())
            while hits and now - hits[0] > 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle addresses
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]
            return True


def _limiter(request: Request) -> PostLimiter:
    state = request.app.state
    if getattr(state, "survey_limiter", None) is None:
        state.survey_limiter = PostLimiter(POSTS_PER_MINUTE)
    return state.survey_limiter


def _token(device: str, code: str) -> str:
    return hashlib.sha256(f"survey:{code}:{device}".encode()).hexdigest()[:32]


def _page(request: Request, app: AppServices, code: str, device: str, *, error: str | None = None,
          done: bool = False, status: int = 200) -> Response:
    with app.db.reader() as s:
        page = survey_page(s, code=code)
    response = render(request, "survey.html", {"page": page, "token": _token(device, code), "error": error,
                                               "done": done}, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    if request.cookies.get(DEVICE_COOKIE) != device:
        response.set_cookie(DEVICE_COOKIE, device, max_age=DEVICE_DAYS * 86400, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/s/")
    return response


def _device(request: Request) -> str:
    raw = request.cookies.get(DEVICE_COOKIE, "")
    return raw if 16 <= len(raw) <= 64 and raw.replace("-", "").replace("_", "").isalnum() else ""


@router.get("/s/{code}")
def survey_form(request: Request, code: str, app: AppServices = Depends(services)) -> Response:
    return _page(request, app, code[:40], _device(request) or secrets.token_urlsafe(18))


@router.post("/s/{code}")
def survey_answer(request: Request, code: str, answer: str = Form(""), token: str = Form(""),
                  segment: str = Form(""), comment: str = Form(""), app: AppServices = Depends(services)) -> Response:
    code = code[:40]
    device = _device(request)
    address = client_address(request) or "unknown"
    if not _limiter(request).allow(address):
        return _page(request, app, code, device or secrets.token_urlsafe(18), error=TOO_FAST, status=429)
    if not device or not hmac.compare_digest(token[:64], _token(device, code)):
        return _page(request, app, code, device or secrets.token_urlsafe(18), error=EXPIRED,
                     status=Forbidden.http_status)
    try:
        with app.db.unit_of_work() as s:
            answer_survey(s, code=code, device=device, address=address, answer=answer.strip(), now=app.clock(),
                          segment=segment.strip() or None, comment=comment[:2000])
    except DomainError as e:
        if e.http_status == 404:
            raise
        return _page(request, app, code, device, error=e.message, done=e.http_status == 409, status=e.http_status)
    return _page(request, app, code, device, done=True)
