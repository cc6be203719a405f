"""Benchmark: the weekly brief with its maps for a 5,000-segment synthetic city (not a test).

Loads the synthetic city, opens 起步 (its tasks), verifies a share of them, then times the
brief exactly as ``cw brief --week`` builds it (reserve the number, gather, draw the PNG and
the folium map, write HTML and DOCX). Prints the time of each part, the total (target under
15 s) and the sizes of the HTML brief and of its embedded folium map (target under 5 MB).

    .venv/bin/python -m bench.bench_brief [--segments 5000] [--postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml
from sqlalchemy import func, select, update

import bench.synthetic_city as synthetic_city
from bench.scratch import scratch_postgres
from bench.synthetic_city import load
from bench.verdict import verdict
from models import Task
from models.db import make_engine
from models.tasks import VERIFIED
from services.briefs import render as brief_render
from services.briefs.issues import reserve, write_issue
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.campaigns.phases import advance_phases
from services.uow import Database

TZ = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2025, 1, 2, 0, 5, tzinfo=TZ)
VERIFIED_AT = dt.datetime(2025, 3, 20, 10, 0, tzinfo=TZ)
NOW = dt.datetime(2025, 3, 24, 6, 0, tzinfo=TZ)  # Monday: the brief of 2025-W12
WEEK = "2025-W12"
NEXT_NOW, NEXT_WEEK = NOW + dt.timedelta(days=7), "2025-W13"
TARGET_S, TARGET_MB = 15.0, 5.0
EXAMPLE = synthetic_city.EXAMPLE


class Timer:
    """Wall time per named part, accumulated."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = {}

    @contextlib.contextmanager
    def part(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.parts[name] = self.parts.get(name, 0.0) + time.perf_counter() - t0


def _instrument(timer: Timer) -> None:
    """Wrap the brief's stages so their time is reported (same code paths, only measured)."""
    import services.briefs.issues as briefs

    for module, name, label in ((briefs, "gather", "gather (SQL)"),
                                (brief_render, "render_html", "HTML"),
                                (brief_render, "render_docx", "DOCX"),
                                (brief_render, "compose", "compose")):
        original = getattr(module, name)

        def timed(*args, _original=original, _label=label, **kwargs):
            with timer.part(_label):
                return _original(*args, **kwargs)

        setattr(module, name, timed)
    import maps.render_folium as folium_map
    import maps.render_static as static_map

    for module, name, label in ((static_map, "static_progress_map", "static PNG map"),
                                (folium_map, "progress_map", "folium map")):
        original = getattr(module, name)

        def timed(*args, _original=original, _label=label, **kwargs):
            with timer.part(_label):
                result = _original(*args, **kwargs)
            if _label == "folium map":
                timer.parts["folium map size MB"] = len(result.encode("utf-8")) / 1e6
            return result

        setattr(module, name, timed)


def _example_without_unit_sections(folder: Path) -> None:
    """Point the synthetic city at the example's policy minus the sections that name the
    example's own units (the finding taxonomy's departments): the city brings other units."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for section in ("inspections", "notifications"):
        data.pop(section, None)
    path = folder / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    synthetic_city.EXAMPLE = path


def run(url: str, segments: int, out: Path) -> None:
    t0 = time.perf_counter()
    city = load(url, segments)
    db = Database(make_engine(url))
    with db.unit_of_work() as s:
        advance_phases(s, ctx=load_context(s, campaign=get_campaign(s, city.code)), now=OPENED)
        ids = select(Task.id).where(Task.campaign_id == city.campaign_id, Task.id % 3 == 0).scalar_subquery()
        s.execute(update(Task).where(Task.id.in_(ids)).values(status=VERIFIED, done_at=VERIFIED_AT,
                                                                verified_at=VERIFIED_AT))
    with db.reader() as s:
        tasks = s.scalar(select(func.count()).select_from(Task))
    setup_s = time.perf_counter() - t0

    timer = Timer()
    _instrument(timer)
    t1 = time.perf_counter()
    with db.unit_of_work() as s:
        ref = reserve(s, campaign=get_campaign(s, city.code), week=WEEK, now=NOW)
    with db.unit_of_work() as s:
        written = write_issue(s, ctx=load_context(s, campaign=get_campaign(s, city.code)), issue_id=ref.id, out_dir=out, now=NOW)
    total = time.perf_counter() - t1
    # the next week's issue: the map's names, codes and furniture are drawn once per layout, then reused
    parts = dict(timer.parts)  # the first issue's parts
    t2 = time.perf_counter()
    with db.unit_of_work() as s:
        ref = reserve(s, campaign=get_campaign(s, city.code), week=NEXT_WEEK, now=NEXT_NOW)
    with db.unit_of_work() as s:
        write_issue(s, ctx=load_context(s, campaign=get_campaign(s, city.code)), issue_id=ref.id, out_dir=out,
                    now=NEXT_NOW)
    next_total = time.perf_counter() - t2
    next_static = timer.parts.get("static PNG map", 0.0) - parts.get("static PNG map", 0.0)
    db.dispose()

    html_mb = written.files.html.stat().st_size / 1e6
    docx_mb = written.files.docx.stat().st_size / 1e6
    png_mb = written.files.png.stat().st_size / 1e6 if written.files.png else 0.0
    kind = url.split(":", 1)[0]
    print(f"{kind}: {city.segments} segments + {city.alleys} alleys, {tasks} tasks (setup {setup_s:.1f} s)")
    for name, value in parts.items():
        unit = "" if name.endswith("MB") else " s"
        print(f"  {name:<20} {value:6.2f}{unit}")
    print(f"  {'brief total':<20} {total:6.2f} s   (target < {TARGET_S:.0f} s: {'ok' if total < TARGET_S else 'MISSED'})")
    print(f"  {'next week total':<20} {next_total:6.2f} s   (static PNG map {next_static:.2f} s, layers cached)")
    map_mb = parts.get("folium map size MB", 0.0)
    print(f"  files: HTML {html_mb:.2f} MB (map inside {map_mb:.2f} MB, target < {TARGET_MB:.0f} MB: "
          f"{'ok' if map_mb < TARGET_MB else 'MISSED'}), DOCX {docx_mb:.2f} MB, PNG {png_mb:.2f} MB")
    # absolute targets, so each ratio is to its target
    verdict("brief-time", total / TARGET_S, 1, detail=f"{total:.2f} s against {TARGET_S:g} s")
    verdict("brief-map-size", map_mb / TARGET_MB, 1, detail=f"{map_mb:.2f} MB against {TARGET_MB:g} MB")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--segments", type=int, default=5000)
    p.add_argument("--postgres", action="store_true", help="also run on a scratch PostgreSQL database")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _example_without_unit_sections(Path(tmp))
        run(f"sqlite:///{tmp}/bench.db", a.segments, Path(tmp) / "briefs")
    if a.postgres:
        with scratch_postgres() as url, tempfile.TemporaryDirectory() as tmp:
            _example_without_unit_sections(Path(tmp))
            run(url, a.segments, Path(tmp) / "briefs")


if __name__ == "__main__":
    main()
