"""Problem pages on the phone: the problems I may act on, and one problem with a button for each thing I may do now.

The buttons and the 403s come from the same rule as the API and the CLI (``rules.problem_actions``);
messages link to ``/problems/{id}``, and a visitor who is not signed in is sent to sign in and back.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from rules import ladders as L
from rules.errors import InvalidInput
from rules.vocabulary import OpinionDecision, ProblemLevel, ProblemVerb
from services.escalation import actionable, perform, problem_path, problem_view, unit_named
from services.people import Principal
from services.tasks import MAX_BYTES, MAX_PHOTOS, PreparedPhoto, prepare_photo
from web.deps import AppServices, PathId, campaign_context, current_user, form_user, services
from web.templating import fields_of, render
from web.text import verb_label
from web.uploads import forget

router = APIRouter(include_in_schema=False)
V = ProblemVerb


@router.get("/problems")
def my_problems(request: Request, me: Principal = Depends(current_user),
                app: AppServices = Depends(services)) -> Response:
    with app.db.reader() as s:
        rows = actionable(s, ctx=campaign_context(s, me, app), actor=me, now=app.clock())
    by_level = {lvl: [r for r in rows if r.row.level == lvl] for lvl in ProblemLevel}
    return render(request, "problems.html", {"by_level": by_level, "total": len(rows), "verb_label": verb_label})


@router.get("/problems/{problem_id}")
def problem_page(request: Request, problem_id: PathId, me: Principal = Depends(current_user),
                 app: AppServices = Depends(services)) -> Response:
    with app.db.reader() as s:
        view = problem_view(s, ctx=campaign_context(s, me, app), problem_id=problem_id, actor=me, now=app.clock())
    return render(request, "problem.html", {**fields_of(view), "row": view.detail.row, "verb_label": verb_label})


def _int(text: str, what: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit() or len(text.strip()) > 4:
        raise InvalidInput(f"{what}应为不超过 4 位的整数")
    return int(text.strip())


def _photos(files: list[UploadFile], app: AppServices, me: Principal) -> list[PreparedPhoto]:
    """Decode and store a 办结's photos before its transaction (slow work outside it)."""
    files = [f for f in files or [] if f.filename or f.size]
    if len(files) > MAX_PHOTOS:
        raise InvalidInput(f"一次最多上传 {MAX_PHOTOS} 张照片")
    prepared: list[PreparedPhoto] = []
    try:
        for f in files:
            try:
                prepared.append(prepare_photo(f.file.read(MAX_BYTES + 1), photo_dir=app.photo_dir,
                                              tz=ZoneInfo(me.timezone)))
            except InvalidInput as e:
                raise InvalidInput(f"{f.filename or '照片'}：{e.message}") from None
    except BaseException:
        forget(app, prepared)
        raise
    return prepared


@router.post("/problems/{problem_id}/{verb}")
def act_on_problem(problem_id: PathId, verb: ProblemVerb, text: str = Form("", max_length=2000),
                   days: str = Form("", max_length=10), decision: str = Form("", max_length=20),
                   unit: str = Form("", max_length=40), passed: str = Form("1", max_length=2),
                   photos: list[UploadFile] = File(default=[]),
                   me: Principal = Depends(form_user), app: AppServices = Depends(services)) -> Response:
    n = _int(days, "天数")
    chosen = next((d for d in OpinionDecision if d.value == decision), None)
    if verb == V.OPINION and decision and chosen is None:
        raise InvalidInput("请选择意见：" + " 或 ".join(OpinionDecision))
    prepared = _photos(photos, app, me) if verb == V.RESOLVE else []
    try:
        with app.db.unit_of_work() as s:
            ctx = campaign_context(s, me, app)
            unit_id = unit_named(s, ctx=ctx, name_or_id=unit) if verb == V.ASSIGN else None
            perform(s, ctx=ctx, problem_id=problem_id, verb=verb, actor=me, now=app.clock(), text=text,
                    days=n, decision=chosen, unit_id=unit_id, passed=passed != "0", photos=prepared,
                    limit=L.Limit(n) if verb == V.ASSIGN and n else None)
    except BaseException:
        forget(app, prepared)  # a refused 办结 leaves no orphan file
        raise
    return RedirectResponse(f"{problem_path(problem_id)}?msg=problem_{verb}", status_code=303)
