"""The FastAPI app: mobile pages and the JSON API, built from the list of routers below.

Another part of the program adds its pages or API by appending its router to ``ROUTERS``
(one line) and using the dependencies in ``web.deps``. Domain errors become HTTP statuses
here and nowhere else: JSON ``{"detail", "details"}`` under /api/, a Chinese page elsewhere
(401 on a page is a redirect to sign-in).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from config.settings import Settings, load_settings
from models.db import make_engine
from rules.errors import DomainError, Unauthenticated
from services.uow import Database
from web import docs, routes_inspections, text
from web.api import tasks as api_tasks
from web.deps import AppServices, PrincipalCache, is_api
from web.pages import auth as auth_pages
from web.pages import files, segments, tasks
from web.templating import build_templates, render

log = logging.getLogger("chuangwei.web")
STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 100 * 1024 * 1024
#: how long a worker trusts a token it has checked (revocation elsewhere takes effect within this)
AUTH_CACHE_SECONDS = 10.0
#: connections per worker: as many as requests in flight (FastAPI runs sync routes in ≤ 40 threads)
WEB_POOL = 20

#: every router of the app, in one place (order matters only for overlapping paths)
ROUTERS = [
    files.router,
    auth_pages.router,
    tasks.router,
    segments.router,
    docs.router,
    api_tasks.router,
    *routes_inspections.ROUTERS,
]


def _error(request: Request, status: int, message: str, details: list[str] | None = None) -> Response:
    if is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": message, "details": details or []}, status_code=status, headers=headers)
    if status == 401:
        return auth_pages.login_redirect(request)
    return render(request, "error.html", {"status": status, "title": text.ERROR_TITLES.get(status, "出错了"),
                                          "message": message, "details": details or []}, status_code=status)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    def domain_error(request: Request, exc: DomainError) -> Response:
        if not isinstance(exc, Unauthenticated):
            log.info("%s %s: %s", request.method, request.url.path, exc.log_detail or exc.message)
        return _error(request, exc.http_status, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        details = [f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()]
        if not is_api(request) and any(e.get("loc", ("",))[0] == "path" for e in exc.errors()):
            return _error(request, 404, text.NOT_FOUND)
        return _error(request, 422, text.BAD_REQUEST, details)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = text.NOT_FOUND if exc.status_code == 404 else str(exc.detail)
        return _error(request, exc.status_code, message)

    @app.exception_handler(Exception)
    def internal(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(request, 500, text.INTERNAL)



class LimitBody:
    """Refuse a request whose declared body exceeds MAX_BODY before reading it (plain ASGI: no overhead)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length", b"")
            if length.isdigit() and int(length) > MAX_BODY:
                request = Request(scope, receive)
                response = _error(request, 413, text.TOO_LARGE.format(mb=MAX_BODY // 1048576))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(settings: Settings, *, db: Database | None = None, clock: Callable[[], dt.datetime] | None = None,
               auth_cache_seconds: float = AUTH_CACHE_SECONDS) -> FastAPI:
    """The web app for ``settings`` (its own engine unless ``db`` is given; the real clock unless ``clock``)."""
    database = db or Database(make_engine(settings.resolved_database_url(), pool_size=WEB_POOL, max_overflow=WEB_POOL))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if db is None:  # an engine the app built is the app's to close
            database.dispose()

    app = FastAPI(title="创卫任务 API", version="1", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="创卫活动引擎的 JSON 接口：登录、任务、打卡、核查、路段。除登录外均需 Bearer 令牌。")
    app.state.services = AppServices(settings=settings, db=database,
                                     clock=clock or (lambda: dt.datetime.now(dt.UTC)),
                                     principals=PrincipalCache(auth_cache_seconds))
    app.state.templates = build_templates()
    settings.photo_dir.mkdir(parents=True, exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _install_handlers(app)
    app.add_middleware(LimitBody)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory web.app:app_from_env`` (each worker builds its own app)."""
    return create_app(load_settings())
