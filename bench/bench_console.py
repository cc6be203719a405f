"""Benchmark: the office console's map pages on the 5,000-segment synthetic city, SQLite and PostgreSQL.

Loads the synthetic city, opens 起步 (≈ 50,000 tasks), adds an office user and times, in the
app itself (FastAPI's TestClient, the same routes, templates and services as ``cw web``):
``/office`` (总览: counts, both progress tables' first page, this week's rounds), ``/office/segments``
(the 包联 table's first page), a filtered and a deep page of it, and ``/office/map.json`` (every
segment's line and completion, which the pages' maps fetch). Prints median and worst of
``--repeat`` requests after one warm-up, and the response sizes. Target: each page under 0.5 s.

    .venv/bin/python -m bench.bench_console [--segments 5000] [--repeat 10] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
import warnings

from bench.scratch import scratch_postgres
from bench.synthetic_city import load
from config.settings import Settings
from models.db import make_engine
from services.campaigns import advance_phases, get_campaign, load_context
from services.people import add_user, sign_in_link
from services.uow import Database
from web.app import create_app

NOW = dt.datetime(2025, 1, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PATHS = ["/office", "/office/segments", "/office/segments?q=东西&page=3", "/office/segments?page=100",
         "/office/map.json"]
TARGET_S = 0.5


def _prepare(url: str, segments: int) -> tuple[str, int]:
    city = load(url, segments)
    db = Database(make_engine(url))
    with db.unit_of_work() as s:
        campaign = get_campaign(s, city.code)
        report = advance_phases(s, ctx=load_context(s, campaign=campaign), now=NOW)
        add_user(s, campaign=campaign, name="基准创卫办", phone="13800009999", role="office", now=NOW)
        token = sign_in_link(s, campaign=campaign, phone="13800009999", now=NOW)[1]
    db.dispose()
    return token, report.tasks_created


def run(url: str, segments: int, repeat: int, data_dir: str) -> bool:
    t0 = time.perf_counter()
    token, tasks = _prepare(url, segments)
    print(f"{url.split(':', 1)[0]}: segments={segments} tasks={tasks} prepared in {time.perf_counter() - t0:.1f}s")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    app = create_app(Settings(database_url=url, data_dir=data_dir, output_dir=data_dir), clock=lambda: NOW)
    ok = True
    with TestClient(app, follow_redirects=False) as client:
        assert client.post(f"/l/{token}").status_code == 303
        for path in PATHS:
            first = client.get(path)
            assert first.status_code == 200, (path, first.status_code, first.text[:300])
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                r = client.get(path)
                times.append(time.perf_counter() - t)
                assert r.status_code == 200
            median, worst = statistics.median(times), max(times)
            ok &= median < TARGET_S
            print(f"  {path:<34} median={median * 1000:7.1f} ms  worst={worst * 1000:7.1f} ms  "
                  f"size={len(first.content) / 1024:7.1f} KiB  {'ok' if median < TARGET_S else 'SLOW'}")
    app.state.services.db.dispose()
    return ok


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--segments", type=int, default=5000)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--sqlite-only", action="store_true")
    a = p.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="cw-bench-console-") as tmp:
        results.append(run(f"sqlite:///{tmp}/city.db", a.segments, a.repeat, tmp))
        if not a.sqlite_only:
            with scratch_postgres("cw_bench_console") as url:
                results.append(run(url, a.segments, a.repeat, tmp))
    print(f"target: every page's median under {TARGET_S * 1000:.0f} ms — {'met' if all(results) else 'NOT met'}")


if __name__ == "__main__":
    main()
