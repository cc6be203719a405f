"""Links in messages: the page where the reader acts, under ``CW_PUBLIC_URL``.

A message names the thing it is about in its payload (``problem_id``, ``task_id`` …) or gives a
path itself (``link: "/problems/12"``); the outbox turns that into an absolute URL for each
recipient when it writes the row. 创卫办's messages open its console pages (``/office/…``).
A link never carries a sign-in secret: opening it on a phone that is not signed in asks for
sign-in and then lands on the page (``/login?next=…``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from config.settings import Settings, load_settings

log = logging.getLogger("chuangwei.notify")

#: what an office message is about → the console page where 创卫办 acts on it
OFFICE_PAGES: Mapping[str, str] = {
    "sanction": "/office/sanctions",
    "assessment_proposed": "/office/ledger",
    "interview_proposed": "/office/sanctions",
    "commendation": "/office/ledger",
    "assessment_rating": "/office/ledger",
    "triage": "/office/problems",
    "request": "/office/problems",
    "verification": "/office/verify",
    "brief": "/office/briefs",
    "brief_summary": "/office/briefs",
    "circular": "/office/inspections",
    "inspection_plan": "/office/inspections",
    "inspection": "/office/inspections",
    "morning_digest": "/office/problems",
}
#: the page a unit or leader lands on when a message is about nothing more specific
HOME = {"unit": "/tasks", "leader": "/problems", "office": "/office"}
#: path segments that would carry a reusable secret (sign-in links); never put in a message
FORBIDDEN_PREFIXES = ("/l/",)


def public_base(settings: Settings | None = None) -> str:
    """``CW_PUBLIC_URL`` without its trailing slash; the local web address when it is not set."""
    settings = settings or load_settings()
    base = (settings.public_url or f"http://{settings.web_host}:{settings.web_port}").strip()
    return base.rstrip("/")


def path_for(template: str, payload: Mapping[str, Any], recipient_kind: str) -> str:
    """The page a recipient acts on: the payload's own path, its item's page, or its home page."""
    given = payload.get("link")
    if isinstance(given, str) and given.startswith("/"):
        return given
    if payload.get("problem_id"):
        return f"/problems/{int(payload['problem_id'])}"
    if payload.get("task_id") and recipient_kind != "office":
        return f"/tasks/{int(payload['task_id'])}"
    if recipient_kind == "office":
        return OFFICE_PAGES.get(template, HOME["office"])
    return HOME.get(recipient_kind, "/tasks")


def absolute(base: str, path: str) -> str | None:
    """``base`` + ``path``; None for a path that would carry a sign-in secret."""
    if not path.startswith("/") or path.startswith(FORBIDDEN_PREFIXES):
        log.warning("message link %r refused: not a page path", path[:40])
        return None
    return base + path


def stamp(payload: Mapping[str, Any], *, template: str, recipient_kind: str, base: str) -> dict[str, Any]:
    """``payload`` with an absolute ``link`` for this recipient (an absolute link given is kept).

    Extra ``links`` given as paths (``[{"title": …, "url": "/tasks/3"}]``) are made absolute too.
    """
    out = dict(payload)
    given = out.get("link")
    if isinstance(given, str) and urlsplit(given).scheme in ("http", "https"):
        link: str | None = given if "/l/" not in urlsplit(given).path else None
    else:
        link = absolute(base, path_for(template, out, recipient_kind))
    out["link"] = link
    if out.get("links"):
        out["links"] = [{"title": x.get("title", ""), "url": u} for x in out["links"]
                        if (u := _absolute_or_none(base, str(x.get("url", ""))))]
    return out


def _absolute_or_none(base: str, url: str) -> str | None:
    if urlsplit(url).scheme in ("http", "https"):
        return url if "/l/" not in urlsplit(url).path else None
    return absolute(base, url)
