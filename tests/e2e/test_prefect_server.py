"""Production topology end to end: a real Prefect server on PostgreSQL, a process worker, the
deployments from prefect.yaml, and a triggered flow run whose effect lands in the app database
(also PostgreSQL). Slow (a cold Prefect server takes ~15 s on 2 cores); run by the test command.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from models import OutboxMessage, Phase, Task
from models.db import make_engine
from tests.conftest import EXAMPLE, ROOT
from tests.support.processes import running
from tests.support.scratch_db import scratch_postgres

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def databases():
    with scratch_postgres("cw_e2e_app") as app, scratch_postgres("cw_e2e_prefect", extensions=("pg_trgm",)) as pf:
        yield {"app": app, "prefect": pf.replace("+psycopg", "+asyncpg")}


def _run(args: list[str], env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args}: {proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return proc


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 240) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, "prefect server exited"
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail("prefect server did not become healthy")


def test_the_sweep_deployment_run_by_a_worker_changes_the_app_database(databases, tmp_path):
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "CW_DATABASE_URL": databases["app"], "CW_DATA_DIR": str(tmp_path / "var"),
           "CW_PROJECT_DIR": str(ROOT), "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_API_URL": api,
           "PREFECT_SERVER_DATABASE_CONNECTION_URL": databases["prefect"],
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_UI_ENABLED": "false"}
    _run([str(BIN / "cw"), "init", "--config", str(EXAMPLE)], env)
    with ExitStack() as ended:  # unwinds in reverse: the worker, the server, then their log files
        logs = ended.enter_context(open(tmp_path / "server.log", "wb"))
        worker_log = ended.enter_context(open(tmp_path / "worker.log", "wb"))
        server = ended.enter_context(running(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)], group=True,
            env=env, cwd=tmp_path, stdout=logs, stderr=subprocess.STDOUT))
        _wait_healthy(api, server)
        _run([str(BIN / "prefect"), "work-pool", "create", "chuangwei", "--type", "process"], env)
        yaml_path = tmp_path / "prefect.yaml"
        yaml_path.write_text(_run([str(BIN / "cw"), "deployments", "yaml", "--campaign", "demo-county"], env).stdout,
                             encoding="utf-8")
        _run([str(BIN / "prefect"), "--no-prompt", "deploy", "--all", "--prefect-file", str(yaml_path)], env)
        ended.enter_context(running(  # its own group: the flow-run processes it starts end with it
            [str(BIN / "prefect"), "worker", "start", "--pool", "chuangwei", "--limit", "2"], group=True,
            env=env, cwd=tmp_path, stdout=worker_log, stderr=subprocess.STDOUT))
        for deployment, now in (("advance-phases/advance-phases-demo-county", "2025-01-02T00:05:00+08:00"),
                                ("sweep/sweep-demo-county", "2025-03-20T10:00:00+08:00")):
            _run([str(BIN / "prefect"), "deployment", "run", deployment, "--param", f"now={now}",
                  "--watch", "--watch-timeout", "300"], env, timeout=360)
        engine = make_engine(databases["app"])
        with engine.connect() as c:
            opened = c.execute(select(Phase.name).where(Phase.opened_at.is_not(None))).scalars().all()
            tasks = c.execute(select(func.count()).select_from(Task)).scalar_one()
            chased = c.execute(select(func.count()).select_from(Task).where(Task.acc_stage > 0)).scalar_one()
            messages = c.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
        engine.dispose()
    assert opened == ["起步"] and tasks > 0
    assert chased > 0 and messages > 0  # the sweep run by the worker reminded and notified
