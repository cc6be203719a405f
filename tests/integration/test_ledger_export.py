"""整改台账: quantities in each category's unit, summed by phase, segment and unit; the Excel export."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from rules.errors import InvalidInput
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.campaigns.phases import advance_phases
from services.inspections.checks import report_rectified
from services.inspections.findings import record_finding
from services.inspections.ledger import totals
from tests.support.inspections import (
    GRID_OFFICE,
    HOUZHUANG_STOP,
    WANGJING_BUS_STOP,
    at,
    lead_of,
    lonlat,
    open_first_phase,
    unit,
)


def _finding(s, osm_id: str, category: str, when: str) -> int:
    lon, lat = lonlat(osm_id)
    return record_finding(s, ctx=load_context(s, campaign=get_campaign(s)), category=category, lon=lon, lat=lat, now=at(when),
                          allow_duplicate=True).id


@pytest.fixture
def ledger_db(db, example):
    """Four rectifications over two phases, two segments and three units."""
    open_first_phase(db)
    with db.unit_of_work() as s:
        c = get_campaign(s)
        a = _finding(s, WANGJING_BUS_STOP, "占道经营", "2025-03-10 09:00")  # LD-21: 户
        b = _finding(s, GRID_OFFICE, "牛皮癣/小广告", "2025-03-10 09:30")  # LD-27: 块
        report_rectified(s, ctx=load_context(s, campaign=c), finding_id=a, now=at("2025-03-11 10:00"), actor="牵头部门", quantity=3)
        report_rectified(s, ctx=load_context(s, campaign=c), finding_id=a, now=at("2025-03-11 11:00"), actor="市场监管",
                         unit_id=unit(s, "县市场监督管理局").id, quantity=2)
        report_rectified(s, ctx=load_context(s, campaign=c), finding_id=b, now=at("2025-03-12 10:00"), actor="牵头部门", quantity=40)
    with db.unit_of_work() as s:
        advance_phases(s, ctx=load_context(s, campaign=get_campaign(s)), now=at("2025-05-01 00:05"))  # 加速 opens
    with db.unit_of_work() as s:
        d = _finding(s, HOUZHUANG_STOP, "牛皮癣/小广告", "2025-05-06 09:00")  # LD-11, in 加速
        report_rectified(s, ctx=load_context(s, campaign=get_campaign(s)), finding_id=d, now=at("2025-05-07 10:00"), actor="牵头部门",
                         quantity=12.5)
    return db


def test_ledger_totals_sum_quantities_by_phase_segment_and_unit(ledger_db):
    with ledger_db.reader() as s:
        c = get_campaign(s)
        by_phase = {(t.group, t.category): (t.quantity, t.measure)
                    for t in totals(s, campaign=c, by="phase")}
        assert by_phase == {("起步", "占道经营"): (5.0, "户"), ("起步", "牛皮癣/小广告"): (40.0, "条"),
                            ("加速", "牛皮癣/小广告"): (12.5, "条")}
        by_unit = {(t.group, t.category): t.quantity for t in totals(s, campaign=c, by="unit")}
        assert by_unit[(lead_of(s, "LD-21").name, "占道经营")] == 3.0
        assert by_unit[("县市场监督管理局", "占道经营")] == 2.0
        by_segment = {t.group: t.quantity for t in totals(s, campaign=c, by="segment")}
        assert sorted(by_segment.values()) == [5.0, 12.5, 40.0]


def test_ledger_export_opens_in_a_spreadsheet_with_the_right_sums(ledger_db, tmp_path):
    from services.inspections.ledger import export_xlsx

    path = tmp_path / "台账" / "整改台账.xlsx"
    with ledger_db.reader() as s:
        assert export_xlsx(s, campaign=get_campaign(s), path=path) == {"entries": 4}
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["台账明细", "按时段汇总", "按路段汇总", "按单位汇总"]
    detail = list(wb["台账明细"].iter_rows(values_only=True))
    assert detail[0][:9] == ("登记时间", "时段", "路段编号", "路段", "责任单位", "问题编号", "问题类别", "数量", "单位")
    assert sum(r[7] for r in detail[1:]) == pytest.approx(57.5)
    phases = {(r[0], r[1]): (r[2], r[3], r[4]) for r in list(wb["按时段汇总"].iter_rows(values_only=True))[1:]}
    assert phases == {("起步", "占道经营"): (5, "户", 2), ("起步", "牛皮癣/小广告"): (40, "条", 1),
                      ("加速", "牛皮癣/小广告"): (12.5, "条", 1)}
    for sheet in ("按路段汇总", "按单位汇总"):
        assert sum(r[2] for r in list(wb[sheet].iter_rows(values_only=True))[1:]) == pytest.approx(57.5)
    wb.close()


def test_ledger_refuses_a_quantity_that_is_not_positive(ledger_db):
    with ledger_db.unit_of_work() as s:
        fid = _finding(s, WANGJING_BUS_STOP, "卫生死角", "2025-05-08 09:00")
        with pytest.raises(InvalidInput):
            report_rectified(s, ctx=load_context(s, campaign=get_campaign(s)), finding_id=fid, now=at("2025-05-08 10:00"), actor="x",
                             quantity=-1)
