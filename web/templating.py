"""Jinja2 templates for the pages, with the filters and context every page uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from rules.times import clock_time, page_time
from web import text
from web.deps import page_csrf

TEMPLATES = Path(__file__).resolve().parent / "templates"
WEEKDAYS = "一二三四五六日"


def when(value: dt.datetime | None, tz: str = "Asia/Shanghai", fmt: str | None = None, *,
         date_only: bool = False) -> str:
    """An aware datetime as people write it, in local time: 2025年4月30日 18:00 (``date_only``:
    2025年4月30日); ``fmt`` for a strftime pattern of its own (``%H:%M``)."""
    if not value:
        return ""
    local = value.astimezone(ZoneInfo(tz))
    if fmt:
        return local.strftime(fmt)
    return f"{local.year}年{local.month}月{local.day}日" if date_only else page_time(local)


def day(value: dt.datetime | None, tz: str = "Asia/Shanghai") -> str:
    """A deadline as 1月27日（周一）."""
    if not value:
        return ""
    local = value.astimezone(ZoneInfo(tz))
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）"


def moment(value: dt.datetime | None, tz: str | None = None) -> str:
    """A time as people write it: 2025年1月8日18时 (18时30分), in ``tz`` or the value's own zone."""
    if not value:
        return ""
    return clock_time(value.astimezone(ZoneInfo(tz)) if tz else value)


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters.update(when=when, day=day, moment=moment)
    templates.env.globals.update(text=text)
    return templates


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A page with the signed-in person, the CSRF token and any notice from ``?msg=``."""
    base = {"me": getattr(request.state, "principal", None), "csrf": page_csrf(request),
            "notice": text.NOTICES.get(request.query_params.get("msg", "")), "path": request.url.path}
    return request.app.state.templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def fields_of(view: Any) -> dict[str, Any]:
    """A read service's dataclass as a template context: its fields by name, values as they are (not copied)."""
    return {f.name: getattr(view, f.name) for f in fields(view)}
