"""Schedules fire by themselves: ``cw serve`` left alone creates and completes scheduled runs.

Nothing here triggers a run. ``cw serve`` starts Prefect's server (its embedded SQLite
database, or PostgreSQL), registers every flow on its cron, and the server's scheduler must
create the every-minute ``deliver-notifications`` runs, which the served process completes.
This is what broke with SQLAlchemy 2.1 while every hand-triggered run still worked.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.operations.schedule_health import read_schedules
from tests.conftest import EXAMPLE, ROOT
from tests.e2e.test_prefect_server import _free_port, _run
from tests.support.processes import stop
from tests.support.scratch_db import scratch_postgres

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
EVERY_MINUTE = "deliver-notifications"
WAIT_S = 240


@pytest.fixture(params=["embedded-sqlite", "postgresql"])
def prefect_database(request):
    """Environment for the Prefect server's own database: its default SQLite, or PostgreSQL."""
    if request.param == "embedded-sqlite":
        yield {}
        return
    with scratch_postgres("cw_e2e_sched", extensions=("pg_trgm",)) as url:
        yield {"PREFECT_SERVER_DATABASE_CONNECTION_URL": url.replace("+psycopg", "+asyncpg")}


def _completed_scheduled_runs(api: str) -> tuple[int, int]:
    """(scheduled runs the server made for the every-minute flow, how many completed)."""
    body = {"limit": 200, "deployments": {"name": {"any_": [EVERY_MINUTE]}}}
    runs = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=10).raise_for_status().json()
    made = [r for r in runs if r["auto_scheduled"]]
    return len(made), sum(1 for r in made if r["state_type"] == "COMPLETED")


def _all_runs_were_scheduled(api: str) -> bool:
    runs = httpx.post(f"{api}/flow_runs/filter", json={"limit": 200}, timeout=10).raise_for_status().json()
    return all(r["auto_scheduled"] for r in runs)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_cw_serve_left_alone_completes_runs_its_server_scheduled(prefect_database, tmp_path):
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"CW_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "CW_DATA_DIR": str(tmp_path / "var"),
                "CW_PROJECT_DIR": str(ROOT), "PREFECT_HOME": str(tmp_path / "prefect"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_UI_ENABLED": "false",
                **prefect_database})
    _run([str(BIN / "cw"), "init", "--config", str(EXAMPLE)], env)
    out = open(tmp_path / "serve.out", "wb")
    serve = subprocess.Popen([str(BIN / "cw"), "serve", "--no-web", "--prefect-port", str(port)], env=env, cwd=tmp_path,
                             stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    made = completed = 0
    try:
        deadline = time.monotonic() + WAIT_S + 120  # the server's cold start is part of it
        while time.monotonic() < deadline and completed == 0:
            assert serve.poll() is None, (tmp_path / "serve.out").read_text(errors="replace")[-3000:]
            time.sleep(5)
            try:
                made, completed = _completed_scheduled_runs(api)
            except httpx.HTTPError:
                continue  # the server is still starting
        log = (tmp_path / "var" / "logs" / "prefect-server.log").read_text(errors="replace")
        assert made > 0, f"the scheduler created no runs; server log:\n{log[-3000:]}"
        assert completed > 0, f"{made} scheduled runs, none completed; serve output:\n" \
                              f"{(tmp_path / 'serve.out').read_text(errors='replace')[-3000:]}"
        assert _all_runs_were_scheduled(api), "a run was created by hand, not by the scheduler"
        assert "bulk DML" not in log
        report = read_schedules(api, now=dt.datetime.now(dt.UTC))
        assert {d.name for d in report.deployments} >= {EVERY_MINUTE, "sweep", "advance-phases"}
        assert report.starved == []
        doctor = subprocess.run([str(BIN / "cw"), "doctor"], env={**env, "PREFECT_API_URL": api, "COLUMNS": "250"}, cwd=tmp_path,
                                capture_output=True, text=True, timeout=120)
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert "已排好计划运行" in doctor.stdout
        # a supervisor's SIGTERM to cw serve alone stops it and every process it started
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) is not None
        for _ in range(30):
            if not _group_alive(serve.pid):
                break
            time.sleep(1)
        assert not _group_alive(serve.pid), "cw serve left a child running after SIGTERM"
    finally:
        stop(serve, group=True)
        out.close()
