"""How ``cw doctor`` and ``cw serve`` tell a scheduler that makes no runs."""

from __future__ import annotations

import datetime as dt
import threading

from services.operations.schedule_health import DeploymentSchedule, ScheduleReport, scheduler_error_lines

NOW = dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC)
TRACE = '''14:13:20.500 | ERROR   | docket.dependencies - schedule_deployments(){schedule_deployments}
Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/prefect/server/services/scheduler.py", line 273, in schedule_deployments
sqlalchemy.exc.InvalidRequestError: Can't evaluate bulk DML statement; please supply a bulk_dml decorated function
'''


def test_the_scheduler_traceback_in_the_server_log_is_recognised():
    lines = scheduler_error_lines(TRACE.splitlines(keepends=True))
    assert len(lines) == 1 and "services/scheduler.py" in lines[0]


def test_an_ordinary_server_log_has_no_scheduler_errors():
    ok = "14:00:01.000 | INFO    | uvicorn.error - Application startup complete.\n"
    assert scheduler_error_lines([ok, "GET /api/health 200\n"]) == []


def test_a_deployment_without_coming_runs_is_starved_once_past_its_grace():
    old = DeploymentSchedule("sweep", NOW - dt.timedelta(minutes=5), upcoming=0, completed=0)
    new = DeploymentSchedule("advance-phases", NOW - dt.timedelta(seconds=30), upcoming=0, completed=0)
    fed = DeploymentSchedule("deliver-notifications", NOW - dt.timedelta(hours=2), upcoming=58, completed=61)
    assert ScheduleReport([old, new, fed], NOW).starved == [old]


def test_cw_serve_warns_in_chinese_when_its_server_logs_scheduler_errors(tmp_path, capsys):
    from commands.serving import watch_scheduler

    log = tmp_path / "prefect-server.log"
    log.write_text("an old line about services/scheduler.py from yesterday's run\n", encoding="utf-8")
    offset = log.stat().st_size
    stop = threading.Event()
    watcher = threading.Thread(target=watch_scheduler, args=("http://127.0.0.1:9/api", log, offset, stop, 3600))
    watcher.start()
    try:
        with open(log, "a", encoding="utf-8") as f:
            f.write(TRACE)
        for _ in range(50):
            if "调度服务报错" in capsys.readouterr().out:
                break
            stop.wait(0.2)
        else:
            raise AssertionError("no warning printed")
    finally:
        stop.set()
        watcher.join(10)
    assert not watcher.is_alive()
