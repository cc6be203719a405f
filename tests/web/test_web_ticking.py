"""Ticking with evidence, undo within the grace period, 核查 pass/reject (返工), and the audit log."""

from __future__ import annotations

import re

from sqlalchemy import select

from models import OutboxMessage
from tests.conftest import at
from tests.web.conftest import csrf_of, jpeg


def vertex(api, code: str) -> tuple[float, float]:
    """A point on the segment (its first vertex), WGS-84."""
    geometry = api.get(f"/api/segments/{code}").json()["geometry"]
    coords = geometry["coordinates"] if geometry["type"] == "LineString" else geometry["coordinates"][0]
    return coords[0][0], coords[0][1]


def codes(tick: dict) -> set[str]:
    return {f["code"] for f in tick["flags"]}


def test_web_unit_ticks_on_the_phone_page_with_photos_a_note_and_a_point(browser_for, api_for, town, clock):
    a = browser_for(town.unit_a)
    lon, lat = vertex(api_for(town.office), town.segment_a)
    page = a.get(f"/tasks/{town.task_a}")
    assert page.status_code == 200 and "打卡销号" in page.text and "剩余" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    photo = jpeg(taken=at("2025-01-20 09:30"), lon=lon, lat=lat)
    r = a.post(f"/tasks/{town.task_a}/tick",
               data={"csrf": csrf_of(a), "version": version, "note": "已清理垃圾 3 处", "lon": str(lon), "lat": str(lat)},
               files=[("photos", ("现场1.jpg", photo, "image/jpeg")),
                      ("photos", ("现场2.png", jpeg(fmt="PNG", colour=(10, 20, 30)), "image/png"))])
    assert r.status_code == 303 and r.headers["location"] == f"/tasks/{town.task_a}?msg=ticked"
    after = a.get(r.headers["location"])
    assert "打卡成功" in after.text and "已打卡待核查" in after.text and "撤销打卡" in after.text
    assert after.text.count("/thumb") == 2
    task = api_for(town.office).get(f"/api/tasks/{town.task_a}").json()
    assert task["status"] == "done" and task["version"] == 2
    tick = task["ticks"][0]
    assert tick["note"] == "已清理垃圾 3 处" and (tick["lon"], tick["lat"]) == (lon, lat)
    jpg = next(p for p in tick["photos"] if p["content_type"] == "image/jpeg")
    assert abs(jpg["exif_lon"] - lon) < 1e-4 and abs(jpg["exif_lat"] - lat) < 1e-4
    assert codes(tick) == {"photo_no_exif"}  # the PNG has no camera time; the JPEG is clean


def test_web_tick_photos_are_stored_by_content_hash_outside_the_database_with_thumbnails(api_for, town, settings):
    import hashlib

    data = jpeg(size=(2000, 1500))
    tick = api_for(town.unit_a).post(f"/api/tasks/{town.task_a}/ticks", data={"note": "完成"},
                                     files=[("photos", ("a.jpg", data, "image/jpeg"))]).json()
    sha = hashlib.sha256(data).hexdigest()
    assert (settings.photo_dir / sha[:2] / f"{sha}.jpg").read_bytes() == data
    from PIL import Image

    with Image.open(settings.photo_dir / "thumbs" / sha[:2] / f"{sha}.jpg") as thumb:
        assert max(thumb.size) == 480
    assert tick["photos"][0]["width"] == 2000


def test_web_tick_accepts_heic_and_shows_it_as_jpeg(api_for, town):
    a = api_for(town.unit_a)
    tick = a.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "iPhone 照片"},
                  files=[("photos", ("IMG_0001.HEIC", jpeg(fmt="HEIF", taken=at("2025-01-20 09:00")),
                                     "image/heic"))])
    assert tick.status_code == 201, tick.text
    photo = tick.json()["photos"][0]
    assert photo["content_type"] == "image/heic" and photo["exif_time"].startswith("2025-01-20T01:00")
    shown = a.get(photo["url"])
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"


def test_web_tick_refuses_files_that_are_not_photos_and_photos_that_are_too_large(api_for, town):
    from services.tasks.photos import MAX_BYTES

    a = api_for(town.unit_a)
    r = a.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "x"},
               files=[("photos", ("report.pdf", b"%PDF-1.4 not a photo", "application/pdf"))])
    assert r.status_code == 422 and "无法识别的照片格式" in r.json()["detail"]
    r = a.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "x"},
               files=[("photos", ("big.jpg", b"\xff\xd8" + b"0" * MAX_BYTES, "image/jpeg"))])
    assert r.status_code == 422 and "照片过大" in r.json()["detail"]
    r = a.post(f"/api/tasks/{town.task_a}/ticks", data={"note": ""})
    assert r.status_code == 422 and "请填写完成情况说明或上传现场照片" in r.json()["detail"]
    assert a.get(f"/api/tasks/{town.task_a}").json()["status"] == "open"


def test_web_tick_flags_a_photo_taken_before_the_task_existed(api_for, town):
    tick = api_for(town.unit_a).post(
        f"/api/tasks/{town.task_a}/ticks", data={"note": "完成"},
        files=[("photos", ("old.jpg", jpeg(taken=at("2024-11-30 15:00")), "image/jpeg"))]).json()
    flag = next(f for f in tick["flags"] if f["code"] == "photo_time")
    assert "拍摄于 2024年11月30日 15:00" in flag["text"] and "不在任务期间" in flag["text"]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", flag["text"])  # written as people write it, never ISO


def test_web_tick_flags_a_photo_and_a_point_far_from_the_segment(api_for, town):
    a = api_for(town.unit_a)
    lon, lat = vertex(api_for(town.office), town.segment_a)
    far = (lon + 0.02, lat)  # about 1.7 km east
    tick = a.post(f"/api/tasks/{town.task_a}/ticks",
                  data={"note": "完成", "lon": str(far[0]), "lat": str(far[1])},
                  files=[("photos", ("far.jpg", jpeg(taken=at("2025-01-20 09:00"), lon=far[0], lat=far[1]),
                                     "image/jpeg"))]).json()
    assert {"photo_far", "tick_far"} <= codes(tick)
    metres = int(re.search(r"约 (\d+) 米", next(f["text"] for f in tick["flags"] if f["code"] == "photo_far")).group(1))
    assert 1200 < metres < 2000


def test_web_tick_near_the_segment_within_the_window_has_no_warnings(api_for, town):
    lon, lat = vertex(api_for(town.office), town.segment_a)
    tick = api_for(town.unit_a).post(
        f"/api/tasks/{town.task_a}/ticks", data={"note": "完成", "lon": str(lon + 0.0005), "lat": str(lat)},
        files=[("photos", ("ok.jpg", jpeg(taken=at("2025-01-20 09:00"), lon=lon, lat=lat), "image/jpeg"))]).json()
    assert codes(tick) == set()


def test_web_tick_flags_a_photo_reused_from_another_tick(api_for, browser_for, town):
    a = api_for(town.unit_a)
    same = jpeg(taken=at("2025-01-20 09:00"), colour=(1, 2, 3))
    first = a.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "完成"},
                   files=[("photos", ("a.jpg", same, "image/jpeg"))]).json()
    second = a.post(f"/api/tasks/{town.task_a2}/ticks", data={"note": "完成"},
                    files=[("photos", ("b.jpg", same, "image/jpeg"))]).json()
    assert "photo_reused" not in codes(first)
    reused = next(f for f in second["flags"] if f["code"] == "photo_reused")
    assert f"#{town.task_a}" in reused["text"]
    assert re.search(r"的打卡（\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}）", reused["text"]), reused["text"]
    assert first["photos"][0]["id"] == second["photos"][0]["id"]  # stored once
    queue = browser_for(town.office).get("/verify").text
    assert "照片重复使用" in queue and "flagged" in queue


def test_web_undo_within_the_grace_period_reopens_the_task_and_keeps_the_tick_in_history(browser_for, api_for,
                                                                                         town, clock):
    a = browser_for(town.unit_a)
    a.post(f"/tasks/{town.task_a}/tick", data={"csrf": csrf_of(a), "version": "1", "note": "误操作"})
    clock.advance(minutes=10)
    r = a.post(f"/tasks/{town.task_a}/undo", data={"csrf": csrf_of(a)})
    assert r.status_code == 303 and r.headers["location"].endswith("msg=undone")
    task = api_for(town.office).get(f"/api/tasks/{town.task_a}").json()
    assert task["status"] == "open" and task["ticks"][0]["undone_at"] is not None
    assert [e["action"] for e in task["history"]] == ["tick", "tick_undone"]


def test_web_undo_after_the_grace_period_or_by_someone_else_is_refused(api_for, town, clock):
    a = api_for(town.unit_a)
    a.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "完成"})
    inspector = api_for(town.inspector)
    assert inspector.post(f"/api/tasks/{town.task_a}/undo").status_code == 403
    clock.advance(minutes=16)
    r = a.post(f"/api/tasks/{town.task_a}/undo")
    assert r.status_code == 409 and "已超过撤销时限" in r.json()["detail"]
    assert a.get(f"/api/tasks/{town.task_a}").json()["can_undo"] is False


def test_office_verify_queue_passes_one_and_rejects_another_with_a_reason(browser_for, api_for, town, db):
    a = browser_for(town.unit_a)
    for task in (town.task_a, town.task_a2):
        a.post(f"/tasks/{task}/tick", data={"csrf": csrf_of(a), "version": "1", "note": f"任务{task}完成"})
    office = browser_for(town.office)
    queue = office.get("/verify")
    assert queue.status_code == 200 and f"任务{town.task_a}完成" in queue.text and "退回返工" in queue.text
    r = office.post(f"/tasks/{town.task_a}/verify",
                    data={"csrf": csrf_of(office), "verdict": "pass", "version": "2", "next": "/verify"})
    assert r.status_code == 303 and r.headers["location"] == "/verify?msg=passed"
    empty_reason = office.post(f"/tasks/{town.task_a2}/verify",
                               data={"csrf": csrf_of(office), "verdict": "reject", "version": "2"})
    assert empty_reason.status_code == 422 and "退回返工时请填写原因" in empty_reason.text
    r = office.post(f"/tasks/{town.task_a2}/verify", data={"csrf": csrf_of(office), "verdict": "reject",
                                                           "version": "2", "reason": "照片不是本路段", "next": "/verify"})
    assert r.status_code == 303 and r.headers["location"] == "/verify?msg=rejected"
    assert "没有待核查的打卡" in office.get("/verify").text
    passed = api_for(town.office).get(f"/api/tasks/{town.task_a}").json()
    assert passed["status"] == "verified" and passed["ticks"][0]["verdict"] == "pass"
    reopened = a.get(f"/tasks/{town.task_a2}").text
    assert "核查未通过" in reopened and "照片不是本路段" in reopened and "返工 1 次" in reopened
    assert "打卡销号" in reopened  # the unit can tick again
    with db.reader() as s:
        notices = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "task_rejected")).all()
    assert all("照片不是本路段" in n.payload["body"] for n in notices)


def test_web_verify_nobody_verifies_their_own_tick(api_for, town):
    office = api_for(town.office)
    office.post(f"/api/tasks/{town.task_b}/ticks", data={"note": "创卫办代打卡"})
    r = office.post(f"/api/tasks/{town.task_b}/verify", json={"verdict": "pass"})
    assert r.status_code == 403 and "不能核查本人" in r.json()["detail"]
    assert api_for(town.inspector).post(f"/api/tasks/{town.task_b}/verify", json={"verdict": "pass"}).status_code == 200


def test_web_task_page_shows_the_whole_audit_log_with_who_when_and_from_where(browser_for, town, clock):
    a = browser_for(town.unit_a)
    a.post(f"/tasks/{town.task_a}/tick", data={"csrf": csrf_of(a), "version": "1", "note": "第一次"})
    office = browser_for(town.office)
    office.post(f"/tasks/{town.task_a}/verify", data={"csrf": csrf_of(office), "verdict": "reject",
                                                      "version": "2", "reason": "横幅未悬挂"})
    clock.advance(hours=2)
    a.post(f"/tasks/{town.task_a}/tick", data={"csrf": csrf_of(a), "version": "3", "note": "第二次"})
    office.post(f"/tasks/{town.task_a}/verify", data={"csrf": csrf_of(office), "verdict": "pass", "version": "4"})
    page = a.get(f"/tasks/{town.task_a}").text
    log = page[page.index("操作日志"):]
    steps = re.findall(r"<b>(.+?)</b> (打卡|退回返工|核查通过)", log)
    assert steps == [(town.unit_a.name, "打卡"), (town.office.name, "退回返工"),
                     (town.unit_a.name, "打卡"), (town.office.name, "核查通过")]
    assert "横幅未悬挂" in log and "2025年1月20日 10:00" in log and "2025年1月20日 12:00" in log
    assert "testclient" in log  # the peer address
    assert "已核查销号" in page


def test_web_board_groups_tasks_by_urgency_and_segment_with_traffic_lights(browser_for, api_for, town, clock):
    a = browser_for(town.unit_a)
    cards = api_for(town.unit_a).get("/api/tasks").json()
    assert {c["light"] for c in cards} >= {"red", "green"}
    page = a.get("/tasks").text
    sections = re.findall(r'<section class="sec sec-(\w+)">', page)
    assert sections[0] == "overdue" and "later" in sections
    assert f"{town.segment_a} " in page and "light-red" in page and "light-green" in page
    api_for(town.unit_a).post(f"/api/tasks/{town.task_a}/ticks", data={"note": "完成"})
    assert re.findall(r'<section class="sec sec-(\w+)">', a.get("/tasks").text)[-1] == "pending"
    clock.now = at("2025-06-01 10:00")  # everything of 起步 is overdue now (and the session has expired)
    assert a.get("/tasks").status_code == 303
    late = browser_for(town.unit_a).get("/tasks").text
    assert "已逾期" in late and "light-red" in late and "light-green" not in late


def test_web_tick_upload_larger_than_the_body_limit_is_refused_before_reading(api_for, browser_for, town):
    from web.app import MAX_BODY

    huge = {"content-length": str(MAX_BODY + 1), "content-type": "multipart/form-data; boundary=x"}
    r = api_for(town.unit_a).post(f"/api/tasks/{town.task_a}/ticks", content=b"--x--\r\n", headers=huge)
    assert r.status_code == 413 and "上传内容过大" in r.json()["detail"]
    page = browser_for(town.unit_a).post(f"/tasks/{town.task_a}/tick", content=b"--x--\r\n", headers=huge)
    assert page.status_code == 413 and "上传内容过大" in page.text
