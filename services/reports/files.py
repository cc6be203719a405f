"""Writing a document as HTML and Word, each atomically (a reader never sees half a file)."""

from __future__ import annotations

from pathlib import Path

from services.briefs.render import write_document as _write
from services.briefs.view import Document


def write_document(doc: Document, out_dir: Path, stem: str) -> tuple[Path, Path]:
    """``stem``.html and ``stem``.docx in ``out_dir``, laid out like the 创卫简报."""
    files = _write(doc, out_dir, stem)
    return files.html, files.docx
