"""Sign-in pages: by personal link (one-time token → session cookie) or by phone and password."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from rules.errors import Throttled, Unauthenticated
from services.people import SESSION, TTL, Principal, sign_in_with_link, sign_out
from web.deps import (
    SESSION_COOKIE,
    AppServices,
    client_address,
    form_user,
    password_sign_in,
    services,
    signed_in_user,
)
from web.templating import render

router = APIRouter(include_in_schema=False)
log = logging.getLogger("chuangwei.web")


def safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target (no open redirects); "" = the user's home page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


def landing(principal: Principal) -> str:
    """Where a user lands when no page sent them: the office at its console, everyone else at their tasks."""
    return "/office" if principal.role == "office" else "/tasks"


def signed_in(request: Request, raw: str, target: str, principal: Principal) -> RedirectResponse:
    response = RedirectResponse(safe_next(target) or landing(principal), status_code=303)
    response.set_cookie(SESSION_COOKIE, raw, max_age=int(TTL[SESSION].total_seconds()), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    return response


@router.get("/")
def home(request: Request) -> Response:
    """Signed in → my tasks; otherwise → sign-in."""
    try:
        me = signed_in_user(request)
    except Unauthenticated:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(landing(me), status_code=303)


@router.get("/login")
def login_page(request: Request, next: str = "") -> Response:
    return render(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login")
def login(request: Request, phone: str = Form(""), password: str = Form(""), next: str = Form(""),
          app: AppServices = Depends(services)) -> Response:
    try:
        raw, me = password_sign_in(app, phone=phone, password=password, address=client_address(request))
    except (Unauthenticated, Throttled) as e:
        page = render(request, "login.html", {"next": safe_next(next), "error": e.message, "phone": phone},
                      status_code=e.http_status)
        if isinstance(e, Throttled):
            page.headers["Retry-After"] = str(e.retry_after)
        return page
    return signed_in(request, raw, next, me)


@router.get("/l/{token}")
def link_page(request: Request, token: str, next: str = "") -> Response:
    """Show a button instead of signing in at once: chat apps open links to preview them."""
    return render(request, "link.html", {"token": token, "next": safe_next(next)})


@router.post("/l/{token}")
def link_sign_in(request: Request, token: str, next: str = Form(""),
                 app: AppServices = Depends(services)) -> Response:
    try:
        with app.db.unit_of_work() as s:
            raw, me = sign_in_with_link(s, raw=token, now=app.clock(), address=client_address(request))
    except Unauthenticated as e:
        log.warning("sign-in link refused from %s", client_address(request))  # never the token itself
        return render(request, "link.html", {"token": None, "error": e.message}, status_code=401)
    return signed_in(request, raw, next, me)  # lands on the page the visitor was sent to sign in from


@router.post("/logout")
def logout(request: Request, me: Principal = Depends(form_user), app: AppServices = Depends(services)) -> Response:
    with app.db.unit_of_work() as s:
        sign_out(s, principal=me, now=app.clock(), address=client_address(request))
    app.principals.forget(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login?msg=signed_out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def login_redirect(request: Request) -> RedirectResponse:
    """Where an unauthenticated page request goes: sign-in, then back here."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
