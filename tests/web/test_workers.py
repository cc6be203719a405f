"""``cw web --workers N`` (web.workers): a listening socket per process, so connections spread over
all of them, and stopping the service ends every worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.support.processes import running
from web.workers import balanced

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not balanced(), reason="SO_REUSEPORT balancing is Linux-only")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launcher(port: int) -> list[str]:
    return [sys.executable, "-m", "web.workers", "tests.support.pid_app:app_from_env", "--port", str(port),
            "--workers", "2"]


def _answers(port: int, connections: int) -> Counter:
    """The worker pid behind each of ``connections`` new connections (retrying while the workers start)."""
    seen: Counter = Counter()
    deadline = time.monotonic() + 60
    while sum(seen.values()) < connections:
        assert time.monotonic() < deadline, f"the workers did not answer: {seen}"
        try:
            with httpx.Client(timeout=5) as client:  # a new connection each time
                seen[int(client.get(f"http://127.0.0.1:{port}/").text)] += 1
        except httpx.TransportError:
            time.sleep(0.2)
    return seen


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_new_connections_reach_both_workers_and_sigterm_ends_them_all():
    port = _free_port()
    with running(_launcher(port), cwd=ROOT, group=True) as proc:
        seen = _answers(port, 60)
        assert len(seen) == 2, seen  # 60 connections by address hash: both get some (chance of not: 2⁻⁵⁹)
        assert min(seen.values()) >= 10, seen
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in seen), "a worker outlived the service"


def test_a_port_held_by_another_program_is_named_in_a_chinese_error():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(_launcher(port), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f"无法在 127.0.0.1:{port} 上监听" in result.stderr
    assert "Traceback" not in result.stderr


def test_workers_that_cannot_start_end_the_service_with_an_error():
    port = _free_port()
    result = subprocess.run([sys.executable, "-m", "web.workers", "tests.support.no_such_module:app", "--port",
                             str(port), "--workers", "2"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "网页服务的工作进程无法启动" in result.stderr
