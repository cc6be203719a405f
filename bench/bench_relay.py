"""Benchmark: relay 10,000 queued messages to a local webhook receiver, on SQLite and PostgreSQL.

The example campaign is loaded, its office notices go to the generic webhook target, and
10,000 outbox rows are queued. Relay processes (the same ``deliver_due`` the flow runs: one
claim per batch, one HTTP POST and one committed outcome per message) deliver them to a
receiver in its own process (HTTP/1.1 keep-alive), which records every Idempotency-Key.
Prints messages per second and checks that none was lost or sent twice. The floor, measured first
in the same run, is the same receiver fed by bare POSTs of the same messages from the same
keep-alive client with no database; the verdict is the relay's share of it (target ≥ 0.5).

With ``--pass-size N`` the messages fall due N at a time, a minute apart, and one relay makes one
pass per minute (on the campaign, as the scheduled flow does): the cost of many small passes (the
demo's ~6 messages a pass), printed with its share of the same floor for information: the issue's
target (and the ``bench:`` line) is for one pass over everything due.

    .venv/bin/python -m bench.bench_relay [--messages 10000] [--relays 1] [--db sqlite|postgresql|both]
                                          [--pass-size N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import socket
import tempfile
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.scratch import scratch_postgres
from bench.verdict import verdict
from config.loader import load_campaign
from models import OutboxMessage
from models.db import make_engine
from models.outbox import PENDING
from notify import make_client
from services import schema
from services.campaigns.loading import get_campaign, init_campaign
from services.notifications.outbox import idempotency_key
from services.notifications.relay import deliver_due
from services.uow import Database

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "examples" / "demo_county"
NOW = dt.datetime(2025, 3, 20, 10, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TARGET = "政务协同平台"


def _receiver(port_out: mp.Queue, keys_out: mp.Queue) -> None:
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # headers and body go out in two writes: without this, Nagle + delayed ACK cost 40 ms a reply
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(self.headers["Idempotency-Key"])
            self._reply(b'{"ok":true}')

        def do_GET(self) -> None:  # the benchmark asks for what arrived (and the receiver starts afresh)
            keys_out.put(list(received))
            received.clear()
            self._reply(b"{}")

        def _reply(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_out.put(server.server_address[1])
    server.serve_forever()


def _relay(url: str, sink: str, out: mp.Queue, passes: int) -> None:
    """One pass over everything due (``passes`` 0), or one pass a minute for ``passes`` minutes."""
    db = Database(make_engine(url))
    environ = {"CW_NOTIFY_WEBHOOK_URL": sink}
    with make_client() as client:
        if not passes:
            t0 = time.perf_counter()
            report = deliver_due(db, now=NOW, client=client, environ=environ).as_dict()
            elapsed = time.perf_counter() - t0
        else:
            with db.reader() as s:
                cid = get_campaign(s).id
            totals: Counter[str] = Counter()
            t0 = time.perf_counter()
            for minute in range(passes):
                now = NOW + dt.timedelta(minutes=minute)
                totals.update(deliver_due(db, now=now, client=client, environ=environ, campaign_id=cid).as_dict())
            elapsed = time.perf_counter() - t0
            report = dict(totals)
    db.dispose()
    out.put({**report, "elapsed": elapsed})


def _prepare(url: str, messages: int, pass_size: int) -> None:
    engine = make_engine(url)
    schema.upgrade(engine)
    db = Database(engine)
    with db.unit_of_work() as s:
        init_campaign(s, loaded=load_campaign(EXAMPLE), now=NOW)
    with db.unit_of_work() as s:
        c = get_campaign(s)
        c.spec = {**c.spec, "notifications": {**c.spec["notifications"], "office_targets": [TARGET]}}
        rows = [dict(campaign_id=c.id, idempotency_key=idempotency_key(c.code, "bench", i, TARGET), target=TARGET,
                     template="overdue", payload={"title": f"【督办】第{i}号问题逾期未整改", "body": "请立即整改。" * 10,
                                                  "recipient": "office:"},
                     state=PENDING, due_at=due, next_attempt_at=due, attempts=0, created_at=NOW)
                for i in range(messages)
                for due in [NOW + dt.timedelta(minutes=i // pass_size) if pass_size else NOW]]
        s.execute(insert(OutboxMessage), rows)
    if engine.dialect.name == "postgresql":  # the statistics autovacuum keeps on a live outbox
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE outbox")
    db.dispose()


def _floor(sink: str, messages: int) -> float:
    """Seconds for bare POSTs of the same messages to the same receiver, same keep-alive client, no database."""
    body = json.dumps({"title": "【督办】第1号问题逾期未整改", "body": "请立即整改。" * 10}, ensure_ascii=False)
    with make_client() as client:
        t0 = time.perf_counter()
        for i in range(messages):
            client.post(sink, content=body, headers={"Content-Type": "application/json", "Idempotency-Key": f"floor-{i}"})
        elapsed = time.perf_counter() - t0
        client.get(sink)  # the receiver hands over (and forgets) what it got
    return elapsed


def run(url: str, messages: int, relays: int, pass_size: int = 0) -> bool:
    _prepare(url, messages, pass_size)
    passes = -(-messages // pass_size) if pass_size else 0
    ctx = mp.get_context("spawn")
    ports, keys_q, reports = ctx.Queue(), ctx.Queue(), ctx.Queue()
    receiver = ctx.Process(target=_receiver, args=(ports, keys_q), daemon=True)
    receiver.start()
    sink = f"http://127.0.0.1:{ports.get(timeout=60)}/webhook/bench"
    floor_s = _floor(sink, messages)
    floor_keys = keys_q.get(timeout=60)
    assert len(floor_keys) == messages, f"floor: {len(floor_keys)} of {messages} arrived"
    workers = [ctx.Process(target=_relay, args=(url, sink, reports, passes)) for _ in range(relays)]
    for w in workers:
        w.start()
    results = [reports.get(timeout=3600) for _ in workers]
    elapsed = max(r["elapsed"] for r in results)  # the relay passes themselves, not process start-up
    for w in workers:
        w.join()
    with make_client() as client:
        client.get(sink)
    received = Counter(keys_q.get(timeout=60))
    receiver.terminate()
    receiver.join(10)
    engine = make_engine(url)
    with engine.connect() as c:
        states = {state: n for state, n in c.execute(select(OutboxMessage.state, func.count())
                                                     .group_by(OutboxMessage.state))}
        expected = set(c.scalars(select(OutboxMessage.idempotency_key)))
    engine.dispose()
    lost = len(expected - set(received))
    twice = sum(n - 1 for n in received.values())
    sent = sum(r["sent"] for r in results)
    kind = url.split(":", 1)[0]
    print(f"{kind:<22} relays={relays} messages={messages} sent={sent} in {elapsed:.1f}s "
          f"= {messages / elapsed:,.0f} msg/s | per relay sent={[r['sent'] for r in results]} | states={json.dumps(states)} "
          f"lost={lost} duplicates={twice} -> {'OK' if lost == 0 and twice == 0 else 'FAIL'}")
    print(f"{'':<22} floor (bare POSTs, same client and receiver, no database): {messages / floor_s:,.0f} msg/s")
    detail = f"{messages / elapsed:,.0f} against {messages / floor_s:,.0f} msg/s; lost={lost} duplicated={twice}"
    if passes:
        print(f"{'':<22} {passes} passes of {pass_size}: {elapsed / passes * 1000:.1f} ms a pass, "
              f"{elapsed / messages * 1000:.2f} ms a message (bare POST {floor_s / messages * 1000:.2f} ms), "
              f"{floor_s / elapsed:.2f} of the floor")
        ok = True
    else:
        ok = verdict(f"relay-{kind.split('+')[0]}", floor_s / elapsed, 0.5, at_least=True, detail=detail)
    return ok and lost == 0 and twice == 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--relays", type=int, default=1)
    ap.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--pass-size", type=int, default=0, metavar="N",
                    help="messages due a minute apart, N at a time, one pass a minute (0: all due at once)")
    args = ap.parse_args()
    if args.pass_size < 0 or (args.pass_size and args.relays != 1):
        ap.error("--pass-size takes a positive N and one relay")
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench.db", args.messages, args.relays, args.pass_size)
    if args.db in ("postgresql", "both"):
        with scratch_postgres() as url:
            run(url, args.messages, args.relays, args.pass_size)


if __name__ == "__main__":
    main()
