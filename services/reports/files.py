"""Writing a document as HTML and Word, each atomically (a reader never sees half a file)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from services.briefs.docx import render_docx
from services.briefs.html_page import render_html
from services.briefs.view import Document


def _temp(out_dir: Path, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(dir=out_dir, prefix=".doc-", suffix=suffix)
    os.close(fd)
    return Path(name)


def write_document(doc: Document, out_dir: Path, stem: str) -> tuple[Path, Path]:
    """``stem``.html and ``stem``.docx in ``out_dir``, laid out like the 创卫简报."""
    out_dir.mkdir(parents=True, exist_ok=True)
    final = (out_dir / f"{stem}.html", out_dir / f"{stem}.docx")
    temps = (_temp(out_dir, ".html"), _temp(out_dir, ".docx"))
    try:
        temps[0].write_text(render_html(doc, map_html=None, map_title=""), encoding="utf-8")
        render_docx(doc, temps[1])
        for tmp, path in zip(temps, final, strict=True):
            tmp.chmod(0o644)  # mkstemp makes it private; the document is meant to be shared
            os.replace(tmp, path)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return final
