"""12345 work orders: import, placing by point or address, triage, 5-工作日 limit, 回访 and 重办, privacy."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from models import Complaint, Finding, Task
from rules.errors import Conflict, InvalidInput
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections.checks import report_rectified
from services.inspections.complaint_import import import_complaints
from services.inspections.complaints import (
    complaint_finding,
    create_complaint,
    list_complaints,
    mask_name,
    mask_phone,
    visit_complaint,
)
from services.inspections.rounds import office_principal, unit_principal
from tests.support.inspections import GRID_OFFICE, WANGJING_BUS_STOP, at, lead_of, lonlat, open_first_phase, segment

HEADER = ["工单编号", "受理时间", "问题类别", "诉求内容", "诉求地址", "经度", "纬度", "诉求人", "联系电话"]


def _orders() -> list[list[str]]:
    bus, grid = lonlat(WANGJING_BUS_STOP), lonlat(GRID_OFFICE)
    return [
        ["GD202503100001", "2025-03-10 08:30", "占道经营", "公交站旁早点摊占道", "", str(bus[0]), str(bus[1]), "张三",
         "13812341234"],
        ["GD202503100002", "2025-03-10 08:45", "暴露垃圾", "营业厅后面垃圾堆了好几天", "", str(grid[0]), str(grid[1]),
         "欧阳娜娜", "13900001111"],
        ["GD202503100003", "2025/3/10 9:05", "乱停乱放", "车辆乱停堵住人行道", "阜通东大街望京街至阜安路段 便利店门口", "", "",
         "李四", "13700002222"],
        ["GD202503100004", "2025-03-10 09:20", "", "小区门口噪音扰民", "花家地北里小区", "", "", "王五", "13600003333"],
    ]


def _csv(tmp_path, rows) -> object:
    path = tmp_path / "12345.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


@pytest.fixture
def campaign_db(db, example):
    open_first_phase(db)
    return db


def test_complaint_import_places_orders_by_point_or_address_and_sends_the_rest_to_triage(campaign_db, tmp_path):
    with campaign_db.unit_of_work() as s:
        report = import_complaints(s, ctx=load_context(s, campaign=get_campaign(s)), path=_csv(tmp_path, _orders()),
                                   now=at("2025-03-10 10:00"))
    assert (report.created, report.unchanged) == (4, 0)
    assert len(report.warnings) == 1 and "GD202503100004" in report.warnings[0]
    with campaign_db.reader() as s:
        placed = {c.order_no: (c.located_by, complaint_finding(s, c)) for c in s.scalars(select(Complaint))}
        by_point, by_alley, by_address, lost = (placed[f"GD20250310000{i}"] for i in range(1, 5))
        assert by_point[0] == "point" and by_point[1].segment_id == segment(s, "LD-21").id
        assert by_alley[1].segment_id == segment(s, "LD-27").id and by_alley[1].alley_id == segment(s, "XD-53").id
        assert by_address[0] == "address" and by_address[1].segment_id == segment(s, "LD-17").id
        assert lost[0] == "none" and lost[1].status == "triage" and lost[1].category == "其他"
        f = by_point[1]
        assert (f.source, f.status, f.lead_unit_id) == ("投诉", "open", lead_of(s, "LD-21").id)
        assert f.deadline == at("2025-03-17 18:00")  # 5 工作日 from 2025-03-10, not 占道经营's 1 工作日
    with campaign_db.unit_of_work() as s:  # the same file again: nothing new
        again = import_complaints(s, ctx=load_context(s, campaign=get_campaign(s)), path=_csv(tmp_path, _orders()),
                                  now=at("2025-03-11 10:00"))
    assert (again.created, again.unchanged) == (0, 4)


def test_complaint_import_reports_every_bad_row_and_takes_none(campaign_db, tmp_path):
    rows = _orders()
    rows[1][6] = ""  # longitude without latitude
    rows[2][1] = "三月十日"  # unreadable time
    rows.append(list(rows[0]))  # a repeated order number
    with campaign_db.unit_of_work() as s, pytest.raises(InvalidInput) as bad:
        import_complaints(s, ctx=load_context(s, campaign=get_campaign(s)), path=_csv(tmp_path, rows), now=at("2025-03-10 10:00"))
    assert len(bad.value.details) == 3
    assert any("第3行" in d and "经度" in d for d in bad.value.details)
    with campaign_db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Complaint)) == 0


def test_complaint_import_reads_excel_too(campaign_db, tmp_path):
    wb = Workbook()
    wb.active.append(HEADER)
    for row in _orders()[:2]:
        wb.active.append(row)
    wb.save(tmp_path / "12345.xlsx")
    with campaign_db.unit_of_work() as s:
        report = import_complaints(s, ctx=load_context(s, campaign=get_campaign(s)), path=tmp_path / "12345.xlsx",
                                   now=at("2025-03-10 10:00"))
    assert report.created == 2


def test_a_complaint_visited_unsatisfied_is_redone_and_satisfied_closes_it(campaign_db):
    lon, lat = lonlat(WANGJING_BUS_STOP)
    with campaign_db.unit_of_work() as s:
        c = get_campaign(s)
        order = create_complaint(s, ctx=load_context(s, campaign=c), order_no="GD1", content="占道经营", category="占道经营", lon=lon, lat=lat,
                                 received_at=at("2025-03-10 08:00"), now=at("2025-03-10 09:00"))
        cid, fid = order.id, complaint_finding(s, order).id
        with pytest.raises(Conflict):  # not yet 办结
            visit_complaint(s, ctx=load_context(s, campaign=c), complaint_id=cid, result="满意", now=at("2025-03-10 10:00"))
        report_rectified(s, ctx=load_context(s, campaign=c), finding_id=fid, now=at("2025-03-12 10:00"), actor="牵头部门")
        visit_complaint(s, ctx=load_context(s, campaign=c), complaint_id=cid, result="不满意", note="摊贩第二天又来了", now=at("2025-03-13 10:00"))
    with campaign_db.reader() as s:
        f, order = s.get(Finding, fid), s.get(Complaint, cid)
        assert (order.status, order.redo_count, f.status, f.rework_count) == ("open", 1, "open", 1)
        assert f.deadline == at("2025-03-20 18:00")  # a fresh 5 工作日
        assert {t.status for t in s.scalars(select(Task).where(Task.finding_id == fid))} == {"open"}
    with campaign_db.unit_of_work() as s:
        c = get_campaign(s)
        report_rectified(s, ctx=load_context(s, campaign=c), finding_id=fid, now=at("2025-03-18 10:00"), actor="牵头部门")
        visit_complaint(s, ctx=load_context(s, campaign=c), complaint_id=cid, result="基本满意", now=at("2025-03-19 10:00"))
    with campaign_db.reader() as s:
        assert (s.get(Complaint, cid).status, s.get(Finding, fid).status) == ("closed", "closed")


def test_complainants_are_seen_only_by_the_office_and_masked_for_everyone_else(campaign_db, tmp_path):
    with campaign_db.unit_of_work() as s:
        import_complaints(s, ctx=load_context(s, campaign=get_campaign(s)), path=_csv(tmp_path, _orders()), now=at("2025-03-10 10:00"))
    with campaign_db.reader() as s:
        c = get_campaign(s)
        office = {r.order_no: r for r in list_complaints(s, campaign=c, principal=office_principal(c))}
        assert (office["GD202503100001"].complainant, office["GD202503100001"].phone) == ("张三", "13812341234")
        lead = lead_of(s, "LD-21")
        mine = list_complaints(s, campaign=c, principal=unit_principal(c, lead.id))
        assert [r.order_no for r in mine] == ["GD202503100001"]
        assert (mine[0].complainant, mine[0].phone) == ("张*", "138****1234")


def test_complaint_masking_helpers_hide_all_but_the_surname_and_the_ends_of_the_number():
    assert [mask_name(n) for n in ("张三", "欧阳娜娜", "李", "", None)] == ["张*", "欧***", "*", "", ""]
    assert [mask_phone(p) for p in ("13812341234", "010 6512 3456", "12345", None)] == [
        "138****1234", "010****3456", "***45", ""]
