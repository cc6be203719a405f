"""The ``deliver-notifications`` flow: a plain call (``--direct``) and a real Prefect flow run."""

from __future__ import annotations

from demo.sandbox import FakePlatforms
from flows.notifications import deliver_notifications, morning_digest
from models.outbox import SENT
from tests.conftest import at
from tests.support import outbox_world as world
from tests.support.escalation_world import open_first_phase

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


def test_the_morning_digest_flow_writes_one_list_per_recipient_once_a_working_day(db, example, app_db_env):
    open_first_phase(db)
    [first] = morning_digest.fn(campaign=example, now=at("2025-03-31 08:00").isoformat())
    [again] = morning_digest.fn(campaign=example, now=at("2025-03-31 08:00").isoformat())
    [sunday] = morning_digest.fn(campaign=example, now=at("2025-03-30 08:00").isoformat())
    assert first["campaign"] == example and first["recipients"] > 0 and first["by_kind"].get("unit", 0) > 0
    assert again["messages"] == 0 and sunday["recipients"] == 0
    mornings = [m for m in world.outbox(db) if m.template == "morning_digest"]
    assert len({m.payload["recipient"] for m in mornings}) == first["recipients"]
