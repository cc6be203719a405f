"""The office's 国家卫生县城标准 page: readiness (per area % met, red items, owners) and 自评 with evidence files."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from rules.errors import Forbidden, InvalidInput
from rules.vocabulary import SelfResult
from services.people import Principal
from services.standard import assess_item, evidence_store, list_items, standard_status
from web.deps import AppServices, campaign_context, form_user, require_role, services
from web.templating import render

router = APIRouter(include_in_schema=False)
MAX_FILES = 10
MAX_FILE_BYTES = 50 * 1024 * 1024


@router.get("/standard")
def readiness(request: Request, me: Principal = Depends(require_role("office", "inspector")),
              app: AppServices = Depends(services)) -> Response:
    with app.db.reader() as s:
        ctx = campaign_context(s, me, app)
        status = standard_status(s, ctx=ctx)
        items = list_items(s, ctx=ctx)
    return render(request, "standard.html", {"status": status, "items": items, "results": list(SelfResult),
                                             "can_assess": me.role == "office"})


@router.post("/standard/assess")
def assess(request: Request, code: str = Form(..., max_length=20), result: str = Form(..., max_length=8),
           score: str = Form(""), note: str = Form("", max_length=2000), files: list[UploadFile] = File(default=[]),
           me: Principal = Depends(form_user), app: AppServices = Depends(services)) -> Response:
    if me.role != "office":
        raise Forbidden("只有创卫办可以填写自评")
    try:
        points = float(score) if score.strip() else None
    except ValueError:
        raise InvalidInput(f"自评得分应为数字：{score[:20]}") from None
    given = [f for f in files or [] if f.filename]
    if len(given) > MAX_FILES:
        raise InvalidInput(f"一次最多上传 {MAX_FILES} 个佐证材料")
    read: list[tuple[str, bytes]] = []
    for f in given:
        data = f.file.read(MAX_FILE_BYTES + 1)
        if not data or len(data) > MAX_FILE_BYTES:
            raise InvalidInput(f"{f.filename}：文件为空或超过 {MAX_FILE_BYTES // 1048576} MB")
        read.append((f.filename or "材料", data))
    with app.db.unit_of_work() as s:
        assess_item(s, ctx=campaign_context(s, me, app), code=code, result=result.strip(), score=points, note=note,
                    files=read, evidence_dir=evidence_store(app.settings.data_dir), now=app.clock(), actor=me.name)
    return RedirectResponse(f"/standard?msg=assessed#item-{code}", status_code=303)
