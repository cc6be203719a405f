"""Several uvicorn processes on one port, each listening on a socket of its own (``SO_REUSEPORT``).

uvicorn's ``--workers`` shares one listening socket: whichever process wakes first takes the next
connection, and phones (or the proxy's upstream pool) keep their connections for the whole session,
so one worker can end up holding most of them — 43 of 50 in the phone API benchmark (issue 22) —
and serve most of the load on one core while the other idles. With a socket per process in one
``SO_REUSEPORT`` group, Linux hands each new connection to a process by a hash of its addresses:
an even split on average, whatever the processes are doing.

Elsewhere (no ``SO_REUSEPORT``, or not Linux, where the option does not balance) this falls back to
uvicorn's own workers. A worker that dies is started again; two quick deaths in a row end the
service with an error (a worker that cannot start will not start on the third try either).

    python -m web.workers web.app:app_from_env --host 127.0.0.1 --port 8000 --workers 2
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from typing import Any

log = logging.getLogger("chuangwei.web")

#: a worker that exits sooner than this after its start did not really start
QUICK_DEATH_S = 10.0
#: how long stopping workers may take before they are killed
STOP_GRACE_S = 10.0


def balanced() -> bool:
    """Whether the kernel balances connections over sockets of one ``SO_REUSEPORT`` group."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def serve(app: str, *, host: str, port: int, workers: int, **config: Any) -> int:
    """Run ``workers`` processes serving the factory ``app`` on ``host:port``; the exit status.

    ``config`` goes to ``uvicorn.Config`` (log_level, access_log, proxy_headers …)."""
    import uvicorn

    if workers < 2 or not balanced():
        uvicorn.run(app, factory=True, host=host, port=port, workers=workers, **config)
        return 0
    _listener(host, port).close()  # a port someone else holds fails here, with the address named
    spawn = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
    procs: list[BaseProcess] = []
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        started: dict[int, float] = {}
        quick_deaths = 0
        for _ in range(workers):
            procs.append(_start(spawn, app, host, port, config, started))
        while not stopping:
            multiprocessing.connection.wait([p.sentinel for p in procs], timeout=0.5)
            for i, p in enumerate(procs):
                if p.is_alive() or stopping:
                    continue
                lived = time.monotonic() - started.pop(id(p), 0.0)
                quick_deaths = quick_deaths + 1 if lived < QUICK_DEATH_S else 0
                log.error("web worker %s exited with %s after %.1f s", p.pid, p.exitcode, lived)
                if quick_deaths >= 2:
                    print(f"网页服务的工作进程无法启动（退出码 {p.exitcode}），服务已停止；详见日志",
                          file=sys.stderr)
                    return 1
                procs[i] = _start(spawn, app, host, port, config, started)
        return 0
    finally:
        _stop_all(procs)
        for s, handler in previous.items():
            signal.signal(s, handler)


def _start(spawn: Any, app: str, host: str, port: int, config: dict[str, Any],
           started: dict[int, float]) -> BaseProcess:
    proc = spawn.Process(target=_worker, args=(app, host, port, config), name="cw-web-worker")
    proc.start()
    started[id(proc)] = time.monotonic()
    return proc


def _stop_all(procs: list[BaseProcess]) -> None:
    """SIGTERM (uvicorn finishes the requests in flight), then SIGKILL after the grace period; always waited for."""
    for p in procs:
        if p.is_alive() and p.pid is not None:
            os.kill(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join()


def _listener(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` in the port's ``SO_REUSEPORT`` group (not yet listening)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(f"无法在 {host}:{port} 上监听：{exc.strerror or exc}（端口可能已被其他程序占用）") from exc
    return sock


def _worker(app: str, host: str, port: int, config: dict[str, Any]) -> None:
    """One process: its own socket in the group, one uvicorn server on it (its signals end it)."""
    import uvicorn

    sock = _listener(host, port)
    server = uvicorn.Server(uvicorn.Config(app, factory=True, **config))
    server.run(sockets=[sock])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="uvicorn workers on one port, balanced by the kernel")
    parser.add_argument("app", help="module:factory")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args(argv)
    return serve(args.app, host=args.host, port=args.port, workers=args.workers, log_level=args.log_level,
                 access_log=not args.no_access_log, proxy_headers=True)


if __name__ == "__main__":
    raise SystemExit(main())
