"""The web benchmark's floor: a bare Starlette app that answers every request with one primary-key
``SELECT`` on the task table over psycopg, from a small per-worker connection pool.

It runs under the same uvicorn settings as the real app (``bench.bench_web`` starts both) and is
driven by the same clients, so the ratio of the two throughputs says what the app's own work costs
(authentication, visibility, the ORM, the audit row) above the bare minimum of HTTP + one query.

    uvicorn bench.floor_web:app_from_env --factory   (reads CW_DATABASE_URL)
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

POOL_SIZE = 8
_ID = re.compile(r"/(\d+)")


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def app_from_env() -> Starlette:
    dsn = _dsn(os.environ["CW_DATABASE_URL"])
    pool: asyncio.Queue[psycopg.AsyncConnection] = asyncio.Queue()

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        conns = [await psycopg.AsyncConnection.connect(dsn, autocommit=True) for _ in range(POOL_SIZE)]
        for c in conns:
            pool.put_nowait(c)
        yield
        for c in conns:
            await c.close()

    async def answer(request: Request) -> JSONResponse:
        await request.body()
        m = _ID.search(request.url.path)
        task_id = int(m.group(1)) if m else 1
        conn = await pool.get()
        try:
            cur = await conn.execute("SELECT id, title, status, deadline FROM task WHERE id = %s", (task_id,))
            row = await cur.fetchone()
        finally:
            pool.put_nowait(conn)
        body = {"id": row[0], "title": row[1], "status": row[2], "deadline": str(row[3])} if row else {}
        return JSONResponse(body, status_code=200)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    routes = [Route("/healthz", healthz), Route("/{path:path}", answer, methods=["GET", "POST"])]
    return Starlette(routes=routes, lifespan=lifespan)
