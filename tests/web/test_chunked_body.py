"""A stranger streaming a huge chunked body at the real server: memory and disk stay flat (issue 16).

The server runs as its own process (uvicorn, the app from the environment, as ``cw web`` runs
it), so its resident memory and the temporary folder it spools uploads to can be measured
from outside; the bodies go over a raw socket with ``Transfer-Encoding: chunked`` and no
``Content-Length``, so only counting bytes as they stream can stop them.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.processes import running

STREAM_MB = 192
CHUNK = b"\0" * (1 << 20)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_kb(pid: int) -> int:
    """The most memory the process has held at once (a body read whole shows even after it is freed)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _written_bytes(pid: int) -> int:
    """Bytes the process has written with write() calls: a spooled upload counts even once deleted."""
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise AssertionError("no wchar")


def _wait_ready(base: str, proc: subprocess.Popen) -> None:
    for _ in range(300):
        assert proc.poll() is None, "the web server exited"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the web server did not start")


def _stream(port: int, path: str, content_type: str, head: bytes) -> tuple[int, int]:
    """Send ``head`` then up to STREAM_MB of zeros chunked; (status of the answer, MB sent before it closed)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                     f"Transfer-Encoding: chunked\r\n\r\n".encode())
        try:
            sock.sendall(f"{len(head):x}\r\n".encode() + head + b"\r\n")
            for _ in range(STREAM_MB):
                sock.sendall(f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n")
                sent += 1
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed the connection: what it should do
        answer = b""
        try:
            while b"\r\n" not in answer:
                data = sock.recv(4096)
                if not data:
                    break
                answer += data
        except OSError:
            pass
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, sent


@pytest.fixture
def server(db_url, town, tmp_path):
    """The app under uvicorn in its own process: (port, process, its console log file)."""
    spool, log = tmp_path / "spool", tmp_path / "web.log"
    spool.mkdir()
    port = _free_port()
    env = {**os.environ, "CW_DATABASE_URL": db_url, "CW_DATA_DIR": str(tmp_path / "data"),
           "CW_OUTPUT_DIR": str(tmp_path / "out"), "TMPDIR": str(spool)}
    args = [sys.executable, "-m", "uvicorn", "--factory", "web.app:app_from_env", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "info"]
    with open(log, "wb") as out, running(args, env=env, stdout=out, stderr=subprocess.STDOUT) as proc:
        _wait_ready(f"http://127.0.0.1:{port}", proc)
        yield port, proc, log


def test_a_huge_chunked_body_without_a_token_leaves_memory_and_disk_flat(server, town, tmp_path):
    port, proc, _log = server
    rss_before, written_before = _peak_rss_kb(proc.pid), _written_bytes(proc.pid)
    multipart = (b'--x\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n'
                 b"Content-Type: image/jpeg\r\n\r\n")
    upload = _stream(port, f"/api/tasks/{town.task_a}/ticks", "multipart/form-data; boundary=x", multipart)
    page_upload = _stream(port, f"/tasks/{town.task_a}/tick", "multipart/form-data; boundary=x", multipart)
    sign_in = _stream(port, "/api/auth/token", "application/json", b'{"phone": "')
    rss_after, written_after = _peak_rss_kb(proc.pid), _written_bytes(proc.pid)
    left = [f for f in tmp_path.rglob("*") if f.is_file() and f.stat().st_size > 1 << 20]
    assert upload[0] == 401 and page_upload[0] == 303 and sign_in[0] == 413
    assert left == []
    assert rss_after - rss_before < 64 * 1024, f"server peak memory grew {(rss_after - rss_before) // 1024} MB"
    assert written_after - written_before < 1 << 20, f"server wrote {(written_after - written_before) >> 20} MB"


def test_sign_in_link_tokens_stay_out_of_the_access_log(server, db, town):
    from tests.web.conftest import link_token

    port, _proc, log = server
    token = link_token(db, town.unit_b, dt.datetime.now(dt.UTC))  # the server runs on the real clock
    base = f"http://127.0.0.1:{port}"
    assert httpx.get(f"{base}/l/{token}").status_code == 200
    assert httpx.post(f"{base}/l/{token}").status_code == 303
    assert httpx.post(f"{base}/l/{token}").status_code == 401  # used once already
    for _ in range(50):  # uvicorn writes its access line after the response
        text = log.read_text(encoding="utf-8", errors="replace")
        if text.count("/l/") >= 3:
            break
        time.sleep(0.1)
    assert text.count("/l/") >= 3 and "/l/…" in text
    assert token not in text and token[:12] not in text
