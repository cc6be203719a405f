"""Write one issue's files: the HTML page, the Word file and the PNG map, each atomically.

Each file is rendered to a temporary file in the output folder and renamed into place, so
a reader (or a second run writing the same issue) never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from rules.weeks import week_label, week_monday
from services.briefs import texts as t
from services.briefs.data import BriefData
from services.briefs.docx import render_docx
from services.briefs.html_page import render_html
from services.briefs.view import Document, Issue, compose


@dataclass(frozen=True)
class BriefFiles:
    html: Path
    docx: Path
    png: Path | None  # None when there is nothing to draw (no segments, no boundary)


def file_stem(issue: Issue) -> str:
    """创卫简报第12期（2025年4月28日—5月4日） or 创卫简报第13期（专刊）: the week as people write it."""
    if issue.special or issue.week is None:
        return f"创卫简报第{issue.number}期（{t.SPECIAL_MARK}）"
    span = week_label(issue.week)
    year = "" if "年" in span else f"{week_monday(issue.week).year}年"
    return f"创卫简报第{issue.number}期（{year}{span}）"


def _temp(out_dir: Path, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(dir=out_dir, prefix=".brief-", suffix=suffix)
    os.close(fd)
    return Path(name)


def _replace(tmp: Path, final: Path) -> None:
    tmp.chmod(0o644)  # mkstemp makes it private; the brief is meant to be shared
    os.replace(tmp, final)  # atomic on one file system: a reader sees the old file or the new one


def _maps(data: BriefData, issue: Issue, png_tmp: Path) -> tuple[Path | None, str | None, str]:
    """The static PNG (written to ``png_tmp``), the folium page and the map title."""
    title = t.MAP_TITLE.format(county=data.county, number=t.number(issue.number, issue.special))
    if not data.map_segments and data.boundary is None:
        return None, None, title
    from config.settings import load_settings
    from maps.render_folium import progress_map
    from maps.render_static import static_progress_map

    findings = data.sections.findings.points if data.sections.findings else []
    date_text = t.MAP_DATE.format(as_of=t.moment(data.local(data.as_of)))
    static_progress_map(data.map_segments, title=title, date_text=date_text, boundary=data.boundary,
                        findings=findings, problems=data.map_problems, boundary_label=data.boundary_label,
                        out_path=png_tmp, fmt="png")
    key = load_settings().tianditu_key  # 天地图 tiles when the office has a key; offline otherwise
    page = progress_map(data.map_segments, title=f"{title} {date_text}", boundary=data.boundary,
                        findings=findings, problems=data.map_problems, inspections=data.sections.inspections,
                        boundary_label=data.boundary_label, basemap="tianditu" if key else "none",
                        tianditu_key=key or None)
    return png_tmp, page, title


def render_issue(data: BriefData, issue: Issue, out_dir: Path) -> BriefFiles:
    """Render the maps, the HTML and the Word file of ``issue`` into ``out_dir``.

    Inside ``rendering_in_background()`` the files are written by a separate process and this
    returns their names at once (they exist when the block ends)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(issue)
    final = {"html": out_dir / f"{stem}.html", "docx": out_dir / f"{stem}.docx", "png": out_dir / f"{stem}_进度图.png"}
    drawn = bool(data.map_segments) or data.boundary is not None
    files = BriefFiles(final["html"], final["docx"], final["png"] if drawn else None)
    if _background is not None:
        _background.pending.append(_background.pool.submit(_write_issue_files, data, issue, out_dir, final))
    else:
        _write_issue_files(data, issue, out_dir, final)
    return files


def _write_issue_files(data: BriefData, issue: Issue, out_dir: Path, final: dict[str, Path]) -> None:
    temps = {kind: _temp(out_dir, "." + kind) for kind in final}
    try:
        png, page, map_title = _maps(data, issue, temps["png"])
        doc = compose(data, issue, map_png=png)
        temps["html"].write_text(render_html(doc, map_html=page, map_title=map_title), encoding="utf-8")
        render_docx(doc, temps["docx"])
        for kind in ("png", "docx", "html") if png else ("docx", "html"):
            _replace(temps[kind], final[kind])
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


@dataclass
class _Background:
    pool: ProcessPoolExecutor
    pending: list[Future]


_background: _Background | None = None


@contextmanager
def rendering_in_background() -> Iterator[None]:
    """Write issue files in one separate process while the caller goes on (the demo's second core).

    What is rendered is decided before the hand-over (the gathered figures are plain data), so the
    files are the same as when written inline. Leaving the block waits for every file and raises
    the first failure; the process is always shut down. Not for the web or the flows' workers:
    there the issue's files must exist when its 签发 commits."""
    global _background
    if _background is not None:
        raise RuntimeError("rendering_in_background() is already active")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))  # no fork of a threaded process
    _background = _Background(pool, [])
    try:
        yield
        for future in _background.pending:
            future.result()
    finally:
        _background = None
        pool.shutdown(wait=True, cancel_futures=True)


def write_document(doc: Document, out_dir: Path, stem: str) -> BriefFiles:
    """Write a composed document without maps (a 专刊, a 督查通报, a 阶段总结) as HTML and Word;
    in the background inside ``rendering_in_background()``, like an issue."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = {"html": out_dir / f"{stem}.html", "docx": out_dir / f"{stem}.docx"}
    if _background is not None:
        _background.pending.append(_background.pool.submit(_write_document_files, doc, out_dir, final))
    else:
        _write_document_files(doc, out_dir, final)
    return BriefFiles(final["html"], final["docx"], None)


def _write_document_files(doc: Document, out_dir: Path, final: dict[str, Path]) -> None:
    temps = {kind: _temp(out_dir, "." + kind) for kind in final}
    try:
        temps["html"].write_text(render_html(doc, map_html=None, map_title=""), encoding="utf-8")
        render_docx(doc, temps["docx"])
        for kind in ("docx", "html"):
            _replace(temps[kind], final[kind])
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
