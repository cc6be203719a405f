"""A complete brief without a database: real 望京 roads, every optional section filled, photos.

Used by the render tests and the browser test to show what the brief looks like once the
findings, assessment and ledger modules provide their sections.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PIL import Image, ImageDraw

from services.briefs.data import BriefData, Counts, LevelRow, PhaseInfo, Progress, SegmentRow, UnitOverdue
from services.briefs.sections import (
    CategoryCount,
    Exposure,
    ExposuresSection,
    FindingExample,
    FindingsSection,
    LedgerRow,
    LedgerSection,
    OptionalSections,
    PhotoPair,
    RankingRow,
    RankingSection,
)
from services.briefs.view import Issue
from tests.unit.test_render_folium import WANGJING_BOX, wangjing_points, wangjing_segments

TZ = dt.timezone(dt.timedelta(hours=8))
ISSUE = Issue(number=12, special=False, title="2025年第18周", week="2025-W18")
EMPTY_SECTIONS = OptionalSections(findings=None, ranking=None, exposures=None, ledger=None, inspections=[])


def photo(path: Path, colour: str) -> Path:
    """A small JPEG standing in for a phone photo."""
    image = Image.new("RGB", (1600, 1200), colour)
    ImageDraw.Draw(image).rectangle((200, 200, 1400, 1000), outline="white", width=30)
    image.save(path, format="JPEG", quality=85)
    return path


def full_sections(folder: Path) -> OptionalSections:
    findings, _problems, inspections = wangjing_points()
    before = photo(folder / "before.jpg", "#795548")
    after = photo(folder / "after.jpg", "#4caf50")
    return OptionalSections(
        findings=FindingsSection(
            by_category=[CategoryCount("暴露垃圾", 6, 4, 2), CategoryCount("占道经营", 3, 1, 2),
                         CategoryCount("牛皮癣/小广告", 5, 5, 0)],
            examples=[FindingExample("暴露垃圾", "阜通东大街（望京街至阜安路段）", "区城市管理委员会",
                                     "路口垃圾堆放未清运", dt.date(2025, 5, 6), True, PhotoPair(before, after)),
                      FindingExample("占道经营", "望京街", "望京街道办事处", "早市摊点占用人行道",
                                     dt.date(2025, 5, 7), False, PhotoPair(before, None))],
            points=findings),
        ranking=RankingSection(
            period="2025年第18周",
            red=[RankingRow(1, "区卫生健康委员会", "职能部门", 96.5, "绿", "按期完成率100%"),
                 RankingRow(2, "望京街道办事处", "乡镇/街道", 93.0, "绿")],
            black=[RankingRow(27, "区城市管理委员会", "牵头部门", 61.2, "红", "逾期任务5项")]),
        exposures=ExposuresSection([Exposure("小区门口暴露垃圾", "区城市管理委员会", "阜通东大街", "连续两周未清运",
                                             dt.date(2025, 5, 8), before)]),
        ledger=LedgerSection([LedgerRow("拆除违章建筑", "平方米", 120, 860, 1430.5),
                              LedgerRow("清理小广告", "处", 340, 2210, 5012)]),
        inspections=inspections,
    )


def sample_data(sections: OptionalSections = EMPTY_SECTIONS) -> BriefData:
    """The week 2025-W18 of a 望京 campaign, as of Sunday 24:00."""
    segments = wangjing_segments()
    roads = [s for s in segments if s.kind == "路段"][:12]
    _findings, problems, _inspections = wangjing_points()
    return BriefData(
        campaign="望京街道创建国家卫生城市", county="望京街道", office="街道创卫办", timezone="Asia/Shanghai",
        start=dt.datetime(2025, 4, 28, tzinfo=TZ), as_of=dt.datetime(2025, 5, 5, tzinfo=TZ),
        phase=PhaseInfo("加速", dt.date(2025, 5, 1), dt.date(2025, 10, 31), 124, "加速"),
        progress=Progress(Counts(366, 120, 18, 40), verified_this_week=37, carried_open=12),
        segments=[SegmentRow(s.code, s.name, s.street, s.leader, s.lead_unit,
                             Counts(s.tasks_total, s.tasks_done, 0, 0)) for s in roads],
        overdue_by_unit=[UnitOverdue("区城市管理委员会", 14, 5, 12), UnitOverdue("望京街道办事处", 6, 2, 3)],
        problems_by_level=[LevelRow("牵头部门", 4, 1, 2, 1), LevelRow("县级领导", 2, 0, 1, 0),
                           LevelRow("创卫办", 1, 1, 0, 0)],
        sections=sections, map_segments=segments, map_problems=problems, boundary=WANGJING_BOX,
    )
