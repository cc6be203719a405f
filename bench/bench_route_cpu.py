"""Benchmark (for information): the CPU each phone API route costs the app itself, without HTTP.

``bench_web`` measures the whole machine: the app, PostgreSQL and the load generator share two
cores, so its figures say what fits, not where the app's own time goes. This one calls the app as
uvicorn would (ASGI ``scope``/``receive``/``send``, the same middleware, routes, thread hand-off
and database) from one process, one request at a time, and reports the process CPU and the
PostgreSQL CPU per request of each route. Its floor, in the same run, is ``/healthz``: routing,
middleware, the thread hand-off, a session and ``SELECT 1``, no sign-in. No ``bench:`` verdict:
the issue's target is ``bench_web``'s.

    .venv/bin/python -m bench.bench_route_cpu [--requests 1500] [--copies 40]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.bench_web import postgres_cpu, seed
from bench.scratch import scratch_postgres
from config.settings import Settings
from web.app import create_app

KINDS = ("health", "list", "detail", "tick")


async def call(app: Any, method: str, path: str, token: str, body: bytes = b"") -> int:
    """One request through the ASGI app; its status (the body is read and dropped)."""
    path, _, query = path.partition("?")
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode()),
               (b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"application/x-www-form-urlencoded"))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80)}
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop()
        await asyncio.Event().wait()  # no disconnect: the app never reads past the body
        return {}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(url: str, people: dict[int, tuple[str, list[int]]], n: int) -> None:
    app = create_app(Settings(database_url=url, data_dir=Path(tempfile.mkdtemp(prefix="cw-bench-"))))
    users = list(people.values())
    rng = random.Random(1)
    open_tasks = [list(tasks) for _, tasks in users]

    async def one(kind: str, i: int) -> None:
        token, tasks = users[i % len(users)]
        if kind == "health":
            status = await call(app, "GET", "/healthz", token)
        elif kind == "list":
            status = await call(app, "GET", "/api/tasks?limit=50", token)
        elif kind == "detail":
            status = await call(app, "GET", f"/api/tasks/{rng.choice(tasks)}", token)
        else:  # a tick with a position, on the unit with the most tasks still open
            j = max(range(len(users)), key=lambda k: len(open_tasks[k]))
            task = open_tasks[j].pop(rng.randrange(len(open_tasks[j])))
            body = urllib.parse.urlencode({"note": "已完成整治", "lon": "116.4620", "lat": "39.9890"}).encode()
            status = await call(app, "POST", f"/api/tasks/{task}/ticks", users[j][0], body)
        assert status < 300, f"{kind}: HTTP {status}"

    async with app.router.lifespan_context(app):
        for kind in KINDS:  # warm-up: statements compiled and prepared, the campaign file validated
            for i in range(200):
                await one(kind, i)
        best: dict[str, tuple[float, float]] = {}
        for _ in range(2):  # the better of two rounds of each: a shared machine only ever adds time
            for kind in KINDS:
                pg0, cpu0 = postgres_cpu(url), time.process_time()
                for i in range(n):
                    await one(kind, i)
                cpu, pg = (time.process_time() - cpu0) / n * 1e3, (postgres_cpu(url) - pg0) / n * 1e3
                best[kind] = min(best.get(kind, (cpu, pg)), (cpu, pg))
    floor = best["health"][0]
    for kind in KINDS:
        cpu, pg = best[kind]
        print(f"{kind:7s} app CPU {cpu:.2f} ms ({cpu / floor:.1f} × /healthz), PostgreSQL {pg:.2f} ms a request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="requests of each kind per round")
    parser.add_argument("--copies", type=int, default=40, help="extra copies of the example's tasks")
    args = parser.parse_args()
    with scratch_postgres("cw_bench_route_cpu") as url:
        people = seed(url, args.copies)
        asyncio.run(measure(url, people, args.requests))


if __name__ == "__main__":
    main()
