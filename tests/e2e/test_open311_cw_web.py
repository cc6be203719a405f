"""A fresh install of the example behind a real ``cw web``, driven by a GeoReport client from PyPI.

``cw init`` loads the example, ``cw open311 keys add`` issues a key, ``cw web`` serves on a
loopback port (a subprocess, ended and waited for), civicbot's ``Open311Client`` lists the
services, is refused without the key, files a request inside the town with it and reads it back
with the segment's lead department; after ``cw complaints close`` it reads ``closed`` with the
office's note. On the real clock: the example's first phase is not opened by ``cw init``, so the
request waits on its segment for 创卫办, answered for by the segment's lead department.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint

from models.db import make_engine
from services.uow import Database
from tests.conftest import EXAMPLE
from tests.support.inspections import WANGJING_BUS_STOP, lead_of, lonlat
from tests.support.processes import running

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ready(url: str, web: subprocess.Popen, attempts: int = 600) -> None:
    """Wait until ``cw web`` answers (or fail when it exits)."""
    for _ in range(attempts):
        if web.poll() is not None:
            raise AssertionError(f"cw web exited: {web.stderr.read() if web.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError("cw web did not answer")


@pytest.mark.slow
def test_a_georeport_client_against_a_fresh_install_behind_cw_web(db_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CW_")}
    env |= {"CW_DATABASE_URL": db_url, "CW_DATA_DIR": str(tmp_path / "var")}

    def cw(*args: str) -> str:
        done = subprocess.run([str(BIN / "cw"), *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    cw("init", "--config", str(EXAMPLE))
    key = cw("open311", "keys", "add", "--name", "志愿者App").strip().splitlines()[-1]
    port = _free_port()
    root = f"http://127.0.0.1:{port}/open311/v2"
    with running([str(BIN / "cw"), "web", "--host", "127.0.0.1", "--port", str(port)], env=env,
                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as web:
        _ready(root + "/discovery.json", web)
        client = Open311Client(Endpoint(id="town", name="示范县", base_url=root, write=True,
                                        api_key_required_for_write=False),
                               HttpTransport(rate_limiter=RateLimiter(min_interval=0)))
        code = next(s["service_code"] for s in client.list_services() if s["service_name"] == "暴露垃圾")
        lon, lat = lonlat(WANGJING_BUS_STOP)
        with pytest.raises(HttpError) as refused:
            client.create_request(code, dry_run=False, confirm="SEND", lat=lat, lng=lon, description="垃圾")
        assert refused.value.status == 403
        filed = client.create_request(code, dry_run=False, confirm="SEND", api_key=key, lat=lat, lng=lon,
                                      description="公交站旁垃圾堆放").response
        rid = filed[0]["service_request_id"]
        database = Database(make_engine(db_url))
        try:
            with database.reader() as s:
                lead = lead_of(s, "LD-21").name
        finally:
            database.dispose()
        shown = client.get_request(rid)
        assert (shown["status"], shown["agency_responsible"], shown["service_name"]) == ("open", lead, "暴露垃圾")
        cw("complaints", "close", rid, "--note", "已清运")
        shown = client.get_request(rid)
        assert (shown["status"], shown["status_notes"]) == ("closed", "已清运")
