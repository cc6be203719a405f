"""The ``deliver-notifications`` flow: a plain call (``--direct``) and a real Prefect flow run."""

from __future__ import annotations

from demo.sandbox import FakePlatforms
from flows.notifications import deliver_notifications
from models.outbox import SENT
from tests.conftest import at
from tests.support import outbox_world as world

NOW = at("2025-03-20 10:05")


def test_the_notifications_flow_called_directly_delivers_the_due_outbox(db, example, app_db_env, monkeypatch):
    world.configure(db, office_targets=["政务协同平台"])
    world.notify(db, 3, now=NOW)
    with FakePlatforms() as fake:
        monkeypatch.setenv("CW_NOTIFY_WEBHOOK_URL", fake.webhook_url("platform"))
        report = deliver_notifications.fn(campaign=example, now=NOW.isoformat())
    assert (report["campaign"], report["sent"]) == (example, 3) and len(fake.requests) == 3


def test_a_real_notifications_flow_run_delivers_in_one_task(db, example, app_db_env, prefect_harness, monkeypatch):
    world.configure(db, office_targets=["政务协同平台"])
    world.notify(db, 5, now=NOW)
    with FakePlatforms() as fake:
        monkeypatch.setenv("CW_NOTIFY_WEBHOOK_URL", fake.webhook_url("platform"))
        report = deliver_notifications(now=NOW.isoformat())
        again = deliver_notifications(now=NOW.isoformat())
    assert (report["sent"], again["claimed"]) == (5, 0)
    assert {r.state for r in world.outbox(db)} == {SENT} and len(fake.requests) == 5
