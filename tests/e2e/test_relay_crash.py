"""Real relay processes (``cw run deliver-notifications --direct``) against a real webhook receiver.

A relay killed with SIGKILL in the middle of a batch loses nothing and repeats at most the one
message it had in flight (same idempotency key); two relays running at once never send one
message twice. Both databases.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from demo.sandbox import FakePlatforms, Received, Reply
from models.outbox import SENT
from tests.conftest import at
from tests.support import outbox_world as world
from tests.support.processes import running

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
NOW = at("2025-03-20 10:05")
LEASE = dt.timedelta(minutes=5)


class SlowReceiver(FakePlatforms):
    """Records each webhook post on arrival, answers after ``delay`` s; optionally holds the
    first two posts until both have arrived (proof that two relays really overlap)."""

    def __init__(self, delay: float, rendezvous: bool = False) -> None:
        super().__init__()
        self.delay = delay
        self.barrier = threading.Barrier(2, timeout=120) if rendezvous else None
        self._arrivals = 0
        self._count_lock = threading.Lock()

    def handle(self, received: Received) -> Reply:
        reply = super().handle(received)
        with self._count_lock:
            self._arrivals += 1
            first_two = self._arrivals <= 2
        if self.barrier is not None and first_two:
            self.barrier.wait()
        time.sleep(self.delay)
        return reply

    def keys(self) -> Counter[str]:
        return Counter(r.headers["idempotency-key"] for r in self.requests_for("webhook"))


def start_relay(db_url: str, tmp_path: Path, receiver: FakePlatforms,
                now: dt.datetime) -> AbstractContextManager[subprocess.Popen]:
    """A relay process for the length of a ``with`` block (ended and reaped when it closes)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CW_")}
    env |= {"CW_DATABASE_URL": db_url, "CW_DATA_DIR": str(tmp_path / "var"),
            "CW_NOTIFY_WEBHOOK_URL": receiver.webhook_url("platform")}
    return running([str(BIN / "cw"), "run", "deliver-notifications", "--direct", "--json", "--now", now.isoformat()],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def finish(proc: subprocess.Popen) -> dict:
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    return json.loads(stdout)


def test_relay_killed_mid_batch_loses_nothing_and_repeats_only_the_message_in_flight(db, db_url, example, tmp_path):
    world.configure(db, office_targets=["政务协同平台"])
    world.notify(db, 30, now=NOW)
    expected = {r.idempotency_key for r in world.outbox(db)}
    kills = 0
    with SlowReceiver(delay=0.25) as receiver:
        now = NOW
        for stop_at in (6, 15):  # kill twice, each time while post number `stop_at` awaits its reply
            with start_relay(db_url, tmp_path, receiver, now) as relay:
                wait_for(lambda n=stop_at: len(receiver.requests) >= n)
                relay.send_signal(signal.SIGKILL)
                relay.communicate(timeout=30)  # reaps it and closes its pipes
            kills += 1
            now += LEASE + dt.timedelta(minutes=1)  # the dead relay's claims have expired
        with start_relay(db_url, tmp_path, receiver, now) as relay:
            report = finish(relay)
        received = receiver.keys()
    assert report["recovered"] > 0
    assert set(received) == expected  # every message arrived …
    duplicates = sum(n - 1 for n in received.values())
    assert 1 <= duplicates <= kills and max(received.values()) <= 2  # … and only the one in flight twice
    assert {r.state for r in world.outbox(db)} == {SENT}


def test_two_relays_at_once_never_send_a_message_twice(db, db_url, example, tmp_path):
    world.configure(db, office_targets=["政务协同平台"])
    world.notify(db, 150, now=NOW)
    with SlowReceiver(delay=0.01, rendezvous=True) as receiver:
        with start_relay(db_url, tmp_path, receiver, NOW) as one, start_relay(db_url, tmp_path, receiver, NOW) as two:
            reports = [finish(one), finish(two)]
        received = receiver.keys()
    assert all(r["sent"] > 0 for r in reports)  # both worked (the receiver held them until both had come)
    assert sum(r["sent"] for r in reports) == 150
    assert len(received) == 150 and set(received.values()) == {1}
    assert {r.state for r in world.outbox(db)} == {SENT}
