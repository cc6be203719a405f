"""The FastAPI app: mobile pages and the JSON API, built from the list of routers below.

Another part of the program adds its pages or API by appending its router to ``ROUTERS``
(one line) and using the dependencies in ``web.deps``. Domain errors become HTTP statuses
here and nowhere else: JSON ``{"detail", "details"}`` under /api/, a Chinese page elsewhere
(401 on a page is a redirect to sign-in).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from config.settings import Settings, load_settings
from models.db import make_engine
from rules.errors import DomainError, Throttled, Unauthenticated
from services.uow import Database
from web import docs, error_docs, office, routes_inspections, text
from web.api import problems as api_problems
from web.api import tasks as api_tasks
from web.deps import AppServices, PrincipalCache, is_api
from web.guard import MAX_UPLOAD, Guard
from web.open311 import PREFIX as OPEN311
from web.open311 import error_response as open311_error
from web.open311 import router as open311_router
from web.pages import auth as auth_pages
from web.pages import files, segments, tasks
from web.pages import problems as problem_pages
from web.pages import standard as standard_page
from web.pages import survey as survey_page
from web.templating import build_templates, render

log = logging.getLogger("chuangwei.web")
STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = MAX_UPLOAD  # the largest upload (web.guard counts every body as it streams)
#: how long a worker trusts a token it has checked (revocation elsewhere takes effect within this)
AUTH_CACHE_SECONDS = 10.0
#: connections per worker: as many as requests in flight (FastAPI runs sync routes in ≤ 40 threads)
WEB_POOL = 20
#: threads per worker for sync routes (anyio's default is 40): a few, fewer than the pool's connections,
#: so requests queue in order for a thread instead of dozens of threads contending for one GIL (issue 22)
WEB_THREADS = 8
#: a pooled connection idle longer than this is checked before use (one used moments ago is not: issue 22)
PING_IDLE_AFTER = 10.0
#: a server worker's collector thresholds (CPython's default is 700, 10, 10). A request leaves little
#: cyclic garbage, but at 700 a young collection ran ~25 times a second and a full one (20-30 ms, every
#: request on the worker stalled) every few seconds: 3-4 % of the worker's CPU and a step in the tail.
#: At 20 000 the young generation holds at most a few MB of garbage between collections (issue 22).
GC_THRESHOLDS = (20_000, 10, 10)

#: every router of the app, in one place (order matters only for overlapping paths). The phone API
#: comes first: a request is matched against the routers in turn, and the API is most of the traffic
#: (issue 22: ~0.15 ms of matching per request when it came eighth, behind 24 page routes)
ROUTERS = [
    api_tasks.router,
    files.router,
    survey_page.router,
    standard_page.router,
    auth_pages.router,
    tasks.router,
    segments.router,
    docs.router,
    *routes_inspections.ROUTERS,
    api_problems.router,
    problem_pages.router,
    open311_router,  # Open311 GeoReport v2 under /open311/ (issue 23)
    *office.ROUTERS,  # 创卫办工作台 under /office (issue 19)
]


def _error(request: Request, status: int, message: str, details: list[str] | None = None) -> Response:
    if request.url.path.startswith(OPEN311 + "/"):  # the GeoReport v2 error format
        return open311_error(request, status, message, details)
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
        response = _error(request, exc.http_status, exc.message, exc.details)
        if isinstance(exc, Throttled):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        details = [f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()]
        if not is_api(request) and any(e.get("loc", ("",))[0] == "path" for e in exc.errors()):
            return _error(request, 404, text.NOT_FOUND)
        return _error(request, 422, text.BAD_REQUEST, details)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    def out_of_range(request: Request, exc: Exception) -> Response:
        # a number no database column holds (an id past 2^63 in a path or query): bad input, not a 500
        log.info("%s %s: value out of range: %s", request.method, request.url.path, exc)
        return _error(request, 422, text.BAD_REQUEST)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = text.NOT_FOUND if exc.status_code == 404 else str(exc.detail)
        return _error(request, exc.status_code, message)

    @app.exception_handler(Exception)
    def internal(request: Request, exc: Exception) -> Response:
        # reached only if web.guard did not answer first (it logs the traceback with the request id)
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _error(request, 500, text.INTERNAL)



def create_app(settings: Settings, *, db: Database | None = None, clock: Callable[[], dt.datetime] | None = None,
               auth_cache_seconds: float = AUTH_CACHE_SECONDS, freeze_gc: bool = False) -> FastAPI:
    """The web app for ``settings`` (its own engine unless ``db`` is given; the real clock unless ``clock``).

    ``freeze_gc`` (a server worker, whose app lives as long as the process): at start-up the objects
    made so far (routes, models, mappers, templates: some 10⁵) are moved out of the collector's
    reach. Left in, every full collection walks them all, ~0.1 s holding the GIL, and every request in
    flight on the worker stalls at once (issue 22); and collections run less often (``GC_THRESHOLDS``).
    Not for tests, which build many apps in one process.
    """
    database = db or Database(make_engine(settings.resolved_database_url(), pool_size=WEB_POOL, max_overflow=WEB_POOL,
                                          ping_idle_after=PING_IDLE_AFTER))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = WEB_THREADS
        if freeze_gc:
            gc.freeze()
            gc.set_threshold(*GC_THRESHOLDS)
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
    error_docs.install(app)
    app.add_middleware(Guard, error=_error)  # outermost of ours: ids, headers, body limits, uploads after sign-in
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory web.app:app_from_env`` (each worker builds its own app)."""
    return create_app(load_settings(), freeze_gc=True)
