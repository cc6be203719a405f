"""What every route depends on: the app's services, the clock, and who is asking.

Other routers use these extension points::

    from web.deps import AppServices, current_user, require_role, services

    @router.get("/api/findings")
    def findings(me: Principal = Depends(require_role("office", "inspector")),
                 app: AppServices = Depends(services)): ...

``current_user`` reads a bearer token on ``/api/`` paths (declared in OpenAPI as the
``bearer`` security scheme) and the session cookie on pages; a missing or invalid one raises
``Unauthenticated``, which the app turns into 401 (API) or a redirect to sign-in (pages).
Page forms that change something depend on ``form_user``, which also checks the CSRF token.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Form, Path, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from rules.errors import Forbidden, Throttled, Unauthenticated
from rules.vocabulary import TokenKind
from services.campaigns import CampaignContext, SpecCache, load_context
from services.inspections import RouterCache
from services.people import (
    API,
    SESSION,
    Principal,
    authenticate,
    csrf_token,
    hash_token,
    record_sign_in_failure,
    sign_in_with_password,
)
from services.uow import Database
from web.text import ROLE

SESSION_COOKIE = "cw_session"
#: the largest id a path or query parameter may carry: a database integer (beyond it: 422, not a 500)
MAX_ID = 2**31 - 1
#: an id in a path (``/api/tasks/{task_id}``): 1 … MAX_ID, anything else is refused with 422
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
bearer = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description="POST /api/auth/token 换取的令牌：Authorization: Bearer <token>")


class PrincipalCache:
    """Who a token belongs to, remembered for a few seconds: most requests then need no sign-in query.

    A token revoked elsewhere (another worker, ``cw users revoke``) stops working within
    ``seconds``; signing out through this process forgets it at once. Time is the app's clock.
    """

    def __init__(self, seconds: float, size: int = 10_000):
        self.ttl, self.size = dt.timedelta(seconds=seconds), size
        self._entries: dict[tuple[str, tuple[str, ...]], tuple[Principal, dt.datetime]] = {}

    def get(self, raw: str, kinds: tuple[str, ...], now: dt.datetime) -> Principal | None:
        hit = self._entries.get((hash_token(raw), kinds))
        return hit[0] if hit is not None and now < hit[1] else None

    def put(self, raw: str, kinds: tuple[str, ...], principal: Principal, now: dt.datetime) -> None:
        if not self.ttl:
            return
        if len(self._entries) >= self.size:
            self._entries.clear()  # simple bound; entries are cheap to re-learn
        until = min(now + self.ttl, principal.expires_at or now + self.ttl)
        self._entries[(hash_token(raw), kinds)] = (principal, until)

    def forget(self, raw: str) -> None:
        key = hash_token(raw)
        for entry in [k for k in self._entries if k[0] == key]:
            self._entries.pop(entry, None)


@dataclass
class AppServices:
    """Built once per app: settings, the database, the clock every use case is given, the sign-in cache,
    the spatial routers (rebuilt when a campaign's segments change, not on every finding filed) and the
    validated campaign files (validated again when the stored file changes, not on every request)."""

    settings: Settings
    db: Database
    clock: Callable[[], dt.datetime]
    principals: PrincipalCache
    routers: RouterCache = field(default_factory=RouterCache)
    specs: SpecCache = field(default_factory=SpecCache)

    @property
    def photo_dir(self) -> pathlib.Path:
        return self.settings.photo_dir


def campaign_context(s: Session, me: Principal, app: AppServices) -> CampaignContext:
    """The signed-in user's campaign for the route's unit of work, through the app's router and spec caches."""
    return load_context(s, campaign_id=me.campaign_id, routers=app.routers, specs=app.specs)


async def services(request: Request) -> AppServices:
    """The app's services (async: trivial dependencies stay on the event loop, not the thread pool)."""
    return request.app.state.services


def now(request: Request) -> dt.datetime:
    """The current time from the app's clock (a virtual clock in tests and demos)."""
    return request.app.state.services.clock()


def client_address(request: Request) -> str | None:
    """The peer address recorded in the audit log."""
    return request.client.host if request.client else None


def is_api(request: Request) -> bool:
    # the scope's path, not ``request.url.path``: building the URL cost more than the rest of sign-in (issue 22)
    return request.scope["path"].startswith("/api/")


def _credentials(request: Request, credentials: HTTPAuthorizationCredentials | None) -> tuple[str | None, tuple]:
    if is_api(request):
        return (credentials.credentials if credentials else None), (API, SESSION)
    return request.cookies.get(SESSION_COOKIE), (SESSION,)


def lookup(app: AppServices, raw: str | None, kinds: tuple[str, ...], now: dt.datetime) -> Principal:
    """Check a raw token against the database (blocking) and remember the answer for a few seconds."""
    with app.db.reader(autocommit=True) as s:
        principal = authenticate(s, raw=raw, kinds=kinds, now=now)
    app.principals.put(raw or "", kinds, principal, now)
    return principal


def _remember(request: Request, principal: Principal, raw: str | None) -> Principal:
    request.state.principal, request.state.raw_token = principal, raw
    return principal


async def current_user(request: Request,
                       credentials: HTTPAuthorizationCredentials | None = Security(bearer)) -> Principal:
    """The signed-in principal: bearer token on /api/, session cookie on pages.

    Async so that the common case (a token this worker checked seconds ago) costs no thread
    hop; only a cache miss goes to the database, in the thread pool.
    """
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    raw, kinds = _credentials(request, credentials)
    app: AppServices = request.app.state.services
    now = app.clock()
    principal = app.principals.get(raw, kinds, now) if raw else None
    if principal is None:
        principal = await run_in_threadpool(lookup, app, raw, kinds, now)
    return _remember(request, principal, raw)


def password_sign_in(app: AppServices, *, phone: str, password: str, address: str | None,
                     kind: TokenKind = SESSION) -> tuple[str, Principal]:
    """Sign in with phone and password; a wrong password or a throttled attempt is recorded (and audited)
    in a transaction of its own, since the sign-in's rolls back, then raised."""
    now = app.clock()
    try:
        with app.db.unit_of_work() as s:
            return sign_in_with_password(s, phone=phone, password=password, now=now, address=address, kind=kind)
    except (Unauthenticated, Throttled) as e:
        with app.db.unit_of_work() as s:
            record_sign_in_failure(s, phone=phone, address=address, now=now,
                                   refused=e if isinstance(e, Throttled) else None)
        raise


def signed_in_user(request: Request) -> Principal:
    """``current_user`` for code that is not a dependency (a page deciding where to send a visitor)."""
    raw, kinds = _credentials(request, None)
    app = request.app.state.services
    now = app.clock()
    principal = app.principals.get(raw, kinds, now) if raw else None
    return _remember(request, principal or lookup(app, raw, kinds, now), raw)


def require_role(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets only the given roles through (403 for the others)."""

    async def dependency(principal: Principal = Depends(current_user)) -> Principal:
        if principal.role not in roles:
            allowed = "、".join(ROLE.get(r, r) for r in roles)
            raise Forbidden(f"此功能仅限{allowed}使用")
        return principal

    return dependency


def page_csrf(request: Request) -> str:
    """The CSRF token for forms on the current page (empty when not signed in)."""
    raw = getattr(request.state, "raw_token", None)
    return csrf_token(raw) if raw else ""


async def form_user(request: Request, csrf: str = Form(""), principal: Principal = Depends(current_user)) -> Principal:
    """``current_user`` for page forms, which must carry the session's CSRF token."""
    if not csrf or csrf != page_csrf(request):
        raise Forbidden("表单已过期，请返回上一页刷新后重新提交")
    return principal
