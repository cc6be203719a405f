"""The monthly 达标准备情况专刊: a special issue of the brief whose body is the standard's readiness view
(per area % met, the 未达标 items with their owners, the items not yet assessed), issued on the first of
each month by the readiness-brief flow and by hand with ``cw brief readiness``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from sqlalchemy import select

from flows.briefs import readiness_brief
from flows.registry import find
from models import Brief, OutboxMessage
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.standard import assess_item, list_items, load_standard
from tests.conftest import at

BIN = Path(sys.executable).parent


def _load_and_assess(db, tmp_path: Path) -> tuple[str, str, str]:
    """The standard loaded; one item 达标, one 未达标; returns (met code, red code, red owner)."""
    with db.unit_of_work() as s:
        ctx = load_context(s, campaign=get_campaign(s))
        load_standard(s, ctx=ctx, now=at("2025-02-10 09:00"))
        items = list_items(s, ctx=ctx)
        red = next(i for i in items if i.owner and i.area != items[0].area)
        assess_item(s, ctx=ctx, code=items[0].code, result="达标", score=None, note=None, files=[],
                    evidence_dir=tmp_path / "evidence", now=at("2025-03-10 09:00"),
                    actor="创卫办")
        assess_item(s, ctx=ctx, code=red.code, result="未达标", score=55, note="垃圾分类覆盖不足", files=[],
                    evidence_dir=tmp_path / "evidence", now=at("2025-03-11 09:00"),
                    actor="创卫办")
        return items[0].code, red.code, red.owner or ""


def _docx_text(path: Path) -> str:
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    return re.sub(r"<[^>]+>", "", xml)


def test_the_flow_is_scheduled_on_the_first_of_each_month():
    entry = find("readiness-brief")
    assert entry.cron == "0 9 1 * *" and entry.load() is readiness_brief


def test_without_a_loaded_standard_the_flow_skips_and_writes_nothing(db, example, app_db_env, tmp_path):
    (result,) = readiness_brief.fn(now=at("2025-04-01 09:00").isoformat(), out_dir=str(tmp_path / "briefs"))
    assert "skipped" in result and not (tmp_path / "briefs").exists()
    with db.reader() as s:
        assert s.scalar(select(Brief)) is None


def test_the_first_of_the_month_issues_last_months_readiness_view_once(db, example, app_db_env, tmp_path):
    met, red, owner = _load_and_assess(db, tmp_path)
    out = str(tmp_path / "briefs")
    (first,) = readiness_brief.fn(now=at("2025-04-01 09:00").isoformat(), out_dir=out)
    (rerun,) = readiness_brief.fn(now=at("2025-04-01 10:00").isoformat(), out_dir=out)
    (may,) = readiness_brief.fn(now=at("2025-05-01 09:00").isoformat(), out_dir=out)
    assert [(r["number"], r["new"]) for r in (first, rerun, may)] == [(1, True), (1, False), (2, True)]
    html = Path(first["html"]).read_text(encoding="utf-8")
    assert Path(first["docx"]).is_file() and "2025年3月" in Path(first["html"]).name
    for text in ("创卫简报", "第1期（专刊）", "2025年3月", "各方面达标情况", "未达标条目", red, owner,
                 "尚未自评的条目", "2025年4月1日10时"):
        assert text in html, text
    assert not re.search(r"\d{4}-W\d{2}|\d{4}-\d{2}-\d{2}T", html)  # dates as people write them
    doc = _docx_text(Path(first["docx"]))
    assert "创卫简报" in doc and red in doc and owner in doc and "达标准备情况" in doc
    with db.reader() as s:
        rows = s.scalars(select(Brief).order_by(Brief.number)).all()
        assert [(b.kind, b.key, b.state) for b in rows] == [("special", "readiness:2025-03", "issued"),
                                                            ("special", "readiness:2025-04", "issued")]
        notices = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "brief_summary")).all()
        assert any("未达标1项" in json.dumps(n.payload, ensure_ascii=False) for n in notices)
    assert first["notified"] >= 1 and rerun["notified"] == 0  # announced once per issue


def test_months_outside_the_campaign_are_skipped(db, example, app_db_env, tmp_path):
    _load_and_assess(db, tmp_path)
    (result,) = readiness_brief.fn(now=at("2024-11-01 09:00").isoformat(), out_dir=str(tmp_path))
    assert "skipped" in result


def _cw(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CW_")}
    return subprocess.run([str(BIN / "cw"), *args], capture_output=True, text=True, timeout=180, cwd=tmp_path,
                          env={**base, "CW_DATABASE_URL": db_url, "CW_DATA_DIR": str(tmp_path / "var"),
                               "CW_OUTPUT_DIR": str(tmp_path / "out")})


def test_the_office_issues_one_by_hand_and_bad_months_are_refused(db_url, example, tmp_path):
    unloaded = _cw(db_url, tmp_path, "brief", "readiness", "--now", "2025-03-20T10:00:00+08:00")
    assert unloaded.returncode == 2 and "cw standard load" in unloaded.stderr
    assert _cw(db_url, tmp_path, "standard", "load").returncode == 0
    done = _cw(db_url, tmp_path, "brief", "readiness", "--month", "2025年3月", "--now", "2025-03-20T10:00:00+08:00",
               "--json")
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert (made["number"], made["kind"], made["key"]) == (1, "special", "readiness:2025-03")
    assert all(Path(f).is_file() for f in made["files"])
    for bad, why in (("2025-13", "无法识别"), ("2025-05", "尚未开始")):
        r = _cw(db_url, tmp_path, "brief", "readiness", "--month", bad, "--now", "2025-03-20T10:00:00+08:00")
        assert r.returncode == 2 and why in r.stderr, r.stderr
    listed = _cw(db_url, tmp_path, "brief", "list", "--json")
    assert [b["title"] for b in json.loads(listed.stdout)] == ["国家卫生县城标准达标准备情况（2025年3月）"]
