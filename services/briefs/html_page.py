"""The brief as one self-contained HTML page: maps and photos inlined, nothing fetched."""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from services.briefs import texts as t
from services.briefs.images import data_uri, photo_jpeg
from services.briefs.view import Document

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _png_uri(path: Path) -> str:
    return data_uri(Path(path).read_bytes(), "image/png")


def _photo_uri(path: Path | None) -> str | None:
    content = photo_jpeg(path)
    return None if content is None else data_uri(content, "image/jpeg")


@functools.cache
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["png_uri"] = _png_uri
    env.filters["photo_uri"] = _photo_uri
    return env


def srcdoc(page: str) -> Markup:
    """A whole HTML page as the value of a single-quoted ``srcdoc`` attribute.

    Only ``&`` and ``'`` need escaping there; the map's JSON is full of double quotes,
    which therefore stay as they are and the page keeps its size.
    """
    return Markup(page.replace("&", "&amp;").replace("'", "&#39;"))


def render_html(doc: Document, *, map_html: str | None, map_title: str) -> str:
    """The issue as HTML; ``map_html`` (a folium page) is embedded in an iframe's srcdoc."""
    return _environment().get_template("brief.html").render(
        doc=doc, blocks=[(type(b).__name__, b) for b in doc.blocks],
        map_srcdoc=srcdoc(map_html) if map_html else None, map_title=map_title,
        missing=t.PHOTO_MISSING)
