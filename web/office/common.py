"""What every office console page shares: the office-only dependencies, the navigation, rendering,
paging, uploaded files and the few date formats the console shows.

Pages are server-rendered Jinja (``web/templates/office``); a form that changes something posts
with the session's CSRF token (``office_form``) and redirects back with ``?ok=<key>`` (a notice
from ``web.office.texts.NOTICES``), so a reload never repeats an action.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from rules.errors import DomainError, Forbidden, InvalidInput
from rules.vocabulary import UserRole
from services.people import Principal
from web.deps import form_user, page_csrf, require_role
from web.office import texts
from web.templating import build_templates

office_user = require_role(UserRole.OFFICE)
PAGE_SIZE = 50
#: an uploaded table or geometry file may be this large (the app refuses bodies over 100 MB anyway)
MAX_UPLOAD = 50 * 1024 * 1024
WEEKDAYS = "一二三四五六日"


async def office_form(principal: Principal = Depends(form_user)) -> Principal:
    """A console form: the session's CSRF token and the office role."""
    if principal.role != UserRole.OFFICE:
        raise Forbidden("此功能仅限创卫办使用")
    return principal


def cn_day(value: dt.date | dt.datetime | None, tz: str = "Asia/Shanghai") -> str:
    """2025年1月8日 (a date as people write it)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(ZoneInfo(tz)).date()
    return f"{value.year}年{value.month}月{value.day}日"


def cn_time(value: dt.datetime | None, tz: str = "Asia/Shanghai") -> str:
    """1月8日（周三）18:00: a moment in the campaign's zone."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(tz))
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def md(value: dt.date | str | None) -> str:
    """1月24日（周五）: a day of this campaign week (an ISO date text is read first)."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def iso_time(value: str | None, tz: str = "Asia/Shanghai") -> str:
    """An ISO 8601 text a read service gives (``received_at``) as ``cn_time`` shows it."""
    if not value:
        return ""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is None:
        return cn_day(parsed.date()) if len(value) <= 10 else cn_time(parsed.replace(tzinfo=ZoneInfo(tz)), tz)
    return cn_time(parsed, tz)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@functools.cache
def templates() -> Jinja2Templates:
    """The app's templates with the console's filters (built once; the same template folder)."""
    t = build_templates()
    t.env.filters.update(cn_day=cn_day, cn_time=cn_time, iso_time=iso_time, md=md, pct=pct)
    t.env.globals.update(office_text=texts, NAV=texts.NAV)
    return t


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A console page with the signed-in person, the CSRF token, the navigation and any ``?ok=`` notice."""
    ok = request.query_params.get("ok", "")
    base = {"me": getattr(request.state, "principal", None), "csrf": page_csrf(request), "path": request.url.path,
            "notice": texts.NOTICES.get(ok), "now": request.app.state.services.clock()}
    return templates().TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def back(path: str, ok: str, **params: Any) -> RedirectResponse:
    """303 back to a console page with a notice (and the filters the form carried)."""
    query = urlencode({"ok": ok, **{k: v for k, v in params.items() if v not in (None, "")}})
    return RedirectResponse(f"{path}?{query}", status_code=303)


@dataclass(frozen=True)
class Pager:
    """Page ``number`` (1-based) of ``total`` rows, ``size`` a page; links keep the other query parameters."""

    number: int
    size: int
    total: int
    params: dict[str, str]

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def link(self, number: int) -> str:
        return "?" + urlencode({**self.params, "page": number})


def pager(request: Request, total: int = 0, size: int = PAGE_SIZE, name: str = "page") -> Pager:
    raw = request.query_params.get(name, "1")
    number = int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1
    params = {k: v for k, v in request.query_params.items() if k not in (name, "ok")}
    return Pager(number=number, size=size, total=total, params=params)


def with_total(p: Pager, total: int) -> Pager:
    return Pager(number=p.number, size=p.size, total=total, params=p.params)


_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


@contextmanager
def uploaded(file: UploadFile | None, allowed: tuple[str, ...]) -> Iterator[Path]:
    """The upload saved under its own (cleaned) name in a private temporary folder, removed afterwards.

    The import services read files by path and name the file in their messages; keeping the
    user's file name makes those messages read as they do at the command line.
    """
    if file is None or not file.filename:
        raise InvalidInput("请选择要上传的文件")
    name = _UNSAFE.sub("_", Path(file.filename).name).strip("._") or "upload"
    if not name.lower().endswith(allowed):
        raise InvalidInput(f"不支持的文件类型：{Path(file.filename).name}（可上传 {'、'.join(allowed)}）")
    folder = Path(tempfile.mkdtemp(prefix="cw-upload-"))
    try:
        path = folder / name
        with path.open("wb") as out:
            copied = 0
            while chunk := file.file.read(1024 * 1024):
                copied += len(chunk)
                if copied > MAX_UPLOAD:
                    raise InvalidInput(f"文件过大（不超过 {MAX_UPLOAD // 1048576} MB）")
                out.write(chunk)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def problem_lines(error: DomainError, path: Path) -> tuple[str, list[str]]:
    """The error's message and detail lines with the temporary folder taken out of the file's name."""
    folder = str(path.parent) + "/"
    return error.message.replace(folder, ""), [d.replace(folder, "") for d in error.details]
