"""The phone API's request path after issue 22's changes: what it answers is unchanged."""

from __future__ import annotations


def test_web_task_detail_names_who_ticked_and_who_verified_each_tick(api_for, town):
    unit, office = api_for(town.unit_a), api_for(town.office)
    assert unit.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "完成"}).status_code == 201
    assert office.post(f"/api/tasks/{town.task_a}/verify", json={"verdict": "reject", "reason": "照片不清"}
                       ).status_code == 200
    assert office.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "创卫办代为打卡"}).status_code == 201
    ticks = unit.get(f"/api/tasks/{town.task_a}").json()["ticks"]
    assert [(t["by"], t["verifier"], t["verdict"]) for t in ticks] == [
        (town.office.name, None, None), (town.unit_a.name, town.office.name, "reject")]


def test_web_tick_far_from_its_segment_is_flagged_when_stored(api_for, town):
    unit = api_for(town.unit_a)
    tick = unit.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "完成", "lon": "100.0", "lat": "30.0"}).json()
    assert [f["code"] for f in tick["flags"]] == ["tick_far"]
    stored = unit.get(f"/api/tasks/{town.task_a}").json()["ticks"][0]
    assert stored["flags"] == tick["flags"]
    history = unit.get(f"/api/tasks/{town.task_a}").json()["history"]
    assert history[-1]["action"] == "tick" and history[-1]["detail"]["flags"] == ["tick_far"]
