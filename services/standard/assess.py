"""``cw standard assess``: an item's 自评 (result, score, note) with evidence files, in one unit of work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import EvidenceFile, SelfAssessment
from rules.errors import InvalidInput
from rules.vocabulary import OFFICE_NAME, SelfResult
from services.campaigns.context import CampaignContext
from services.standard.evidence import MAX_BYTES, safe_name, store
from services.standard.items import get_item


@dataclass(frozen=True)
class Assessed:
    code: str
    area: str
    title: str
    result: str
    score: float | None
    files: tuple[str, ...]  # names as filed


def read_evidence(paths: list[Path]) -> list[tuple[str, bytes]]:
    """Each file's (name, bytes), every problem listed before anything is stored."""
    problems, out = [], []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            problems.append(f"{path}: 找不到文件")
            continue
        size = path.stat().st_size
        if size == 0 or size > MAX_BYTES:
            problems.append(f"{path}: 文件为空或超过 {MAX_BYTES // 1048576} MB")
            continue
        out.append((path.name, path.read_bytes()))
    if problems:
        raise InvalidInput("佐证材料有问题，未保存任何内容：", problems)
    return out


def assess_item(session: Session, *, ctx: CampaignContext, code: str, result: str, now: dt.datetime,
                evidence_dir: Path, files: list[tuple[str, bytes]] | None = None, score: float | None = None,
                note: str | None = None, actor: str = OFFICE_NAME) -> Assessed:
    """Record a 自评 of item ``code`` and file ``files`` (name, bytes) under it."""
    if result not in set(SelfResult):
        raise InvalidInput(f"自评结果「{result}」无效（可选：{'、'.join(SelfResult)}）")
    if score is not None and not 0 <= score <= 100:
        raise InvalidInput(f"自评得分应在 0 到 100 之间（实际 {score}）")
    item = get_item(session, ctx.id, code)
    row = SelfAssessment(item_id=item.id, result=result, score=score, note=(note or "").strip() or None,
                         assessed_by=actor, assessed_at=now)
    session.add(row)
    session.flush()
    known = set(session.scalars(select(EvidenceFile.sha256).where(EvidenceFile.item_id == item.id)))
    filed = []
    for name, data in files or []:
        sha, rel = store(data, evidence_dir=evidence_dir, filename=name)
        filed.append(safe_name(name))
        if sha in known:
            continue
        known.add(sha)
        session.add(EvidenceFile(campaign_id=ctx.id, item_id=item.id, assessment_id=row.id, sha256=sha, path=rel,
                                 filename=safe_name(name), size=len(data), created_by=actor, created_at=now))
    session.flush()
    return Assessed(code=item.code, area=item.area, title=item.title, result=result, score=score, files=tuple(filed))
