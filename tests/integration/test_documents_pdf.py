"""The Word files lay out in a real word processor: LibreOffice (headless, its own profile) turns
a full brief and a stage summary into PDF; the pages and the text survive."""

from __future__ import annotations

import re
import shutil
import subprocess

from services.briefs.render import render_issue
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.reports import write_stage_summary
from tests.support.brief_sample import ISSUE, full_sections, sample_data
from tests.support.inspections import at, open_first_phase

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _pdf_pages_and_text(pdf) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1]), re.sub(r"\s+", "", text)


def test_libreoffice_lays_out_the_brief_and_the_stage_summary(db, example, tmp_path):
    assert SOFFICE, "LibreOffice is missing: bash scripts/setup.sh installs libreoffice-writer-nogui"
    assert shutil.which("pdfinfo"), "poppler-utils is missing: bash scripts/setup.sh installs it"
    brief = render_issue(sample_data(full_sections(tmp_path)), ISSUE, tmp_path / "brief").docx
    open_first_phase(db)
    with db.reader() as s:
        stage = write_stage_summary(s, ctx=load_context(s, campaign=get_campaign(s)), phase="起步",
                                    out_dir=tmp_path / "stage", now=at("2025-03-01 09:00")).docx
    out = tmp_path / "pdf"
    # run() waits for soffice and kills it on timeout; a private profile keeps runs independent
    done = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(out), str(brief), str(stage)],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-500:]
    pages, text = _pdf_pages_and_text(out / f"{brief.stem}.pdf")
    assert pages >= 2
    for words in ("创卫简报", "第12期", "工作动态", "总体进展", "督查通报", "红榜", "曝光台", "整改台账", "下步工作",
                  "区卫生健康委员会"):
        assert words in text, words
    pages, text = _pdf_pages_and_text(out / f"{stage.stem}.pdf")
    assert pages >= 1
    for words in ("创卫工作阶段总结", "起步", "总体情况", "分类工作量", "工作领导小组办公室"):
        assert words in text, words
