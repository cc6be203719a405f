"""``cw serve``: the single-machine default — Prefect's own server as a child process (cron
schedules do not fire on the temporary in-process server), every flow served on its schedule
with one concurrent run per flow, and the web app beside it.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from commands.common import Context, out
from flows.registry import FLOWS
from rules.errors import DomainError
from services.operations import read_schedules, scheduler_error_lines

TIMEZONE = "Asia/Shanghai"


class ServeError(DomainError):
    """The Prefect server could not be started."""


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServeError(f"Prefect 服务器启动失败（退出码 {proc.returncode}），详见日志")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise ServeError(f"Prefect 服务器 {timeout_s:.0f} 秒内未就绪")


def start_prefect_server(ctx: Context, port: int, stack: ExitStack) -> str:
    """Start ``prefect server start`` on loopback; return its API URL."""
    log_path = ctx.settings.log_dir / "prefect-server.log"
    log = stack.enter_context(open(log_path, "ab"))
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy(),
                            preexec_fn=_die_with_parent)
    stack.callback(_stop, proc)
    url = f"http://127.0.0.1:{port}/api"
    out.print(f"正在启动 Prefect 服务器 {url}（日志：{log_path}）…")
    _wait_healthy(url, proc, float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")))
    return url


#: how long after start-up ``cw serve`` checks that the scheduler has made runs
SCHEDULE_CHECK_AFTER_S = 150.0


def watch_scheduler(api_url: str, log_path: Path | None, offset: int, stop: threading.Event,
                    check_after_s: float = SCHEDULE_CHECK_AFTER_S) -> None:
    """Warn (in Chinese, once) when the Prefect server's scheduler fails.

    Reads new lines of the server's log for scheduler errors, and once, after
    ``check_after_s``, asks the API whether every scheduled deployment has runs coming.
    """
    started = time.monotonic()
    warned = checked = False
    while not stop.wait(2.0):
        if log_path is not None and not warned and log_path.exists():
            with open(log_path, encoding="utf-8", errors="replace") as f:
                f.seek(offset)
                lines = f.readlines()
                offset = f.tell()
            if scheduler_error_lines(lines):
                warned = True
                out.print(f"[bold red]警告：Prefect 服务器的调度服务报错，计划流程不会自动运行。"
                          f"详见 {log_path}；运行 cw doctor 检查。[/]")
        if not checked and time.monotonic() - started >= check_after_s:
            checked = True
            try:
                starved = read_schedules(api_url, now=dt.datetime.now(dt.UTC)).starved
            except httpx.HTTPError:
                continue
            if starved and not warned:
                warned = True
                names = "、".join(d.name for d in starved)
                out.print(f"[bold red]警告：Prefect 服务器没有为 {names} 创建计划运行，计划流程不会自动运行；"
                          "运行 cw doctor 检查。[/]")


def _die_with_parent() -> None:
    """In the child, before exec: be sent SIGTERM when ``cw serve`` dies, even by SIGKILL (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _terminate_gracefully(signum: int, frame: object) -> None:
    """SIGTERM (a supervisor, ``kill``) stops ``cw serve`` like Ctrl+C: children are stopped and waited for."""
    raise KeyboardInterrupt


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def deployments() -> list:
    """Every flow as a deployment on its cron schedule, never two runs of one flow at once."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    one = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
    return [entry.load().to_deployment(name=entry.name, schedules=[Cron(entry.cron, timezone=TIMEZONE)],
                                       concurrency_limit=one, description=entry.description)
            for entry in FLOWS]


def serve_all(ctx: Context, *, prefect_port: int, with_web: bool) -> None:
    signal.signal(signal.SIGTERM, _terminate_gracefully)
    with ExitStack() as stack:
        server_log, offset = None, 0
        if not os.environ.get("PREFECT_API_URL"):
            server_log = ctx.settings.log_dir / "prefect-server.log"
            offset = server_log.stat().st_size if server_log.exists() else 0
            os.environ["PREFECT_API_URL"] = start_prefect_server(ctx, prefect_port, stack)
        if with_web:
            log = stack.enter_context(open(ctx.settings.log_dir / "web.log", "ab"))
            web = subprocess.Popen([sys.executable, "-m", "cli", "web"], stdout=log, stderr=subprocess.STDOUT,
                                   cwd=Path(__file__).resolve().parent.parent, env=os.environ.copy(),
                                   preexec_fn=_die_with_parent)
            stack.callback(_stop, web)
            out.print(f"网页服务：http://{ctx.settings.web_host}:{ctx.settings.web_port}/")
        stop = threading.Event()
        watcher = threading.Thread(target=watch_scheduler, args=(os.environ["PREFECT_API_URL"], server_log, offset, stop),
                                   name="scheduler-watch", daemon=True)
        watcher.start()
        stack.callback(watcher.join, 5)
        stack.callback(stop.set)
        from prefect import serve

        deps = deployments()
        out.print("已注册的计划流程：")
        for entry in FLOWS:
            out.print(f"  {entry.name:<32} {entry.cron:<14} {entry.description}")
        serve(*deps, limit=2, pause_on_shutdown=False, print_starting_message=True)
