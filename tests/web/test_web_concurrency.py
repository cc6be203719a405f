"""Two people ticking or verifying the same task at once: one wins, the other gets a clear 409."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from models import Task, Tick
from rules.errors import Conflict
from services.campaigns.loading import get_campaign
from services.people.auth import Principal
from services.tasks import ticking
from tests.conftest import at
from tests.web.conftest import csrf_of


def _all_at_once(calls):
    """Run the calls in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_web_concurrent_ticks_of_one_task_one_wins_the_others_get_409(api_for, town, db):
    clients = [api_for(town.unit_a), api_for(town.office)] * 3
    responses = _all_at_once([lambda c=c: c.post(f"/api/tasks/{town.task_a}/ticks",
                                                 data={"note": "完成", "version": "1"}) for c in clients])
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409, 409, 409, 409, 409], [r.text for r in responses]
    for r in responses:
        if r.status_code == 409:
            assert "请刷新页面" in r.json()["detail"]
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Tick).where(Tick.task_id == town.task_a)) == 1
        task = s.get(Task, town.task_a)
    assert (task.status, task.version) == ("done", 2)


def test_tick_race_inside_open_transactions_loses_no_update(db, town):
    """A holds its transaction open after its UPDATE; B's tick must wait and then fail, on both databases."""
    with db.reader() as s:
        campaign = get_campaign(s)
    a = Principal(campaign_id=campaign.id, role="office", name="甲")
    b = Principal(campaign_id=campaign.id, role="office", name="乙")
    a_updated, results = threading.Event(), {}

    def tick_a():
        with db.unit_of_work() as s:
            ticking.tick_task(s, principal=a, task_id=town.task_a, note="甲", photos=[], lon=None, lat=None,
                              expected_version=None, now=at("2025-01-20 10:00"))
            a_updated.set()
            time.sleep(0.5)  # B runs now, against an uncommitted update
        results["a"] = "ok"

    def tick_b():
        a_updated.wait(5)
        try:
            with db.unit_of_work() as s:
                ticking.tick_task(s, principal=b, task_id=town.task_a, note="乙", photos=[], lon=None, lat=None,
                                  expected_version=None, now=at("2025-01-20 10:00"))
            results["b"] = "ok"
        except Conflict as e:
            results["b"] = e.message

    threads = [threading.Thread(target=tick_a), threading.Thread(target=tick_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results["a"] == "ok"
    assert "甲刚刚打卡" in results["b"]
    with db.reader() as s:
        ticks = s.scalars(select(Tick).where(Tick.task_id == town.task_a)).all()
    assert [t.note for t in ticks] == ["甲"]


def test_web_concurrent_verify_pass_and_reject_one_wins(api_for, town, db):
    api_for(town.unit_a).post(f"/api/tasks/{town.task_a}/ticks", data={"note": "完成"})
    office, inspector = api_for(town.office), api_for(town.inspector)
    passed, rejected = _all_at_once([
        lambda: office.post(f"/api/tasks/{town.task_a}/verify", json={"verdict": "pass", "version": 2}),
        lambda: inspector.post(f"/api/tasks/{town.task_a}/verify",
                               json={"verdict": "reject", "reason": "不合格", "version": 2}),
    ])
    assert sorted([passed.status_code, rejected.status_code]) == [200, 409]
    loser = passed if passed.status_code == 409 else rejected
    assert "刷新页面" in loser.json()["detail"]
    with db.reader() as s:
        task = s.get(Task, town.task_a)
    if passed.status_code == 200:
        assert (task.status, task.rework_count) == ("verified", 0)
    else:
        assert (task.status, task.rework_count) == ("open", 1)
    assert task.version == 3


def test_web_tick_from_a_stale_page_gets_a_clear_409_naming_who_acted(browser_for, api_for, town):
    page = browser_for(town.unit_a)
    page.get(f"/tasks/{town.task_a}")  # the form carries version 1
    api_for(town.office).post(f"/api/tasks/{town.task_a}/ticks", data={"note": "创卫办已代为打卡"})
    r = page.post(f"/tasks/{town.task_a}/tick", data={"csrf": csrf_of(page), "version": "1", "note": "完成"})
    assert r.status_code == 409
    assert "操作冲突" in r.text and f"{town.office.name}刚刚打卡" in r.text and "刷新页面" in r.text
