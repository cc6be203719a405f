"""``cw complaints import FILE``: 12345 work orders from .xlsx/.csv, all rows checked before any is taken."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Complaint
from rules.errors import InvalidInput
from services.campaigns.context import CampaignContext
from services.imports.segments import DATUMS, ImportReport
from services.imports.tables import TableRow, read_table
from services.inspections.complaints import complaint_finding, create_complaint, named_segments
from services.inspections.places import to_wgs84_lonlat

ORDER, CONTENT = "工单编号", "诉求内容"
#: optional columns and the other headers offices use for them
OPTIONAL = {"受理时间": ("受理时间", "来电时间"), "问题类别": ("问题类别", "类别"), "地址": ("诉求地址", "地址", "事发地址"),
            "经度": ("经度",), "纬度": ("纬度",), "诉求人": ("诉求人", "姓名", "来电人"),
            "电话": ("联系电话", "电话", "来电号码"), "渠道": ("渠道", "来源")}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


class _Order(NamedTuple):
    """A checked work order row, ready to be taken in."""

    row: TableRow
    order: str
    content: str
    received: dt.datetime
    lon: float | None
    lat: float | None
    category: str | None


def _get(row: TableRow, key: str) -> str:
    return next((row.values[h] for h in OPTIONAL[key] if row.values.get(h)), "")


def _time(text: str, tz: ZoneInfo) -> dt.datetime | None:
    for fmt in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    return None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def import_complaints(session: Session, *, ctx: CampaignContext, path: Path, now: dt.datetime, datum: str = "wgs84",
                      sheet: str | None = None) -> ImportReport:
    """Take in every new work order of the file; orders already known are left alone (one context, one router, for all)."""
    campaign = ctx.campaign
    if datum not in DATUMS:
        raise InvalidInput(f"不支持的坐标系 {datum}（可选：{'、'.join(DATUMS)}）")
    path = Path(path)
    tz = ZoneInfo(campaign.timezone)
    spec = ctx.spec.inspections
    rows = read_table(path, [ORDER, CONTENT], sheet)
    errors: list[str] = []
    parsed: list[_Order] = []
    seen: dict[str, int] = {}
    for r in rows:
        where = f"{path}: 第{r.number}行"
        order, content = r.values.get(ORDER, ""), r.values.get(CONTENT, "")
        if not order:
            errors.append(f"{where}: 字段 {ORDER}: 不能为空")
            continue
        if order in seen:
            errors.append(f"{where}: 字段 {ORDER}: {order} 与第{seen[order]}行重复")
            continue
        seen[order] = r.number
        if not content:
            errors.append(f"{where}: 字段 {CONTENT}: 不能为空")
        received = _time(_get(r, "受理时间"), tz) if _get(r, "受理时间") else now
        if received is None:
            errors.append(f"{where}: 字段 受理时间: 无法识别「{_get(r, '受理时间')}」（示例：2025-05-06 09:30）")
        lon_t, lat_t = _get(r, "经度"), _get(r, "纬度")
        lon, lat = _float(lon_t) if lon_t else None, _float(lat_t) if lat_t else None
        if bool(lon_t) != bool(lat_t) or (lon_t and lon is None) or (lat_t and lat is None):
            errors.append(f"{where}: 字段 经度/纬度: 应同时填写数字，实际为「{lon_t}」「{lat_t}」")
        elif lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
            errors.append(f"{where}: 坐标超出经纬度范围（是否为投影坐标？）")
        category = _get(r, "问题类别") or None
        if category and spec.category(category) is None and spec.category("其他") is None:
            errors.append(f"{where}: 字段 问题类别: 「{category}」不在问题类别表中")
        if received is not None:  # else the row has an error above and nothing is imported
            parsed.append(_Order(r, order, content, received, lon, lat, category))
    if errors:
        raise InvalidInput(f"{path}: {len(errors)} 处错误，未导入任何数据：", errors)
    known = set(session.scalars(select(Complaint.order_no).where(Complaint.campaign_id == campaign.id)))
    report = ImportReport()
    names = named_segments(session, campaign.id)
    for r, order, content, received, lon, lat, category in parsed:
        if order in known:
            report.unchanged += 1
            continue
        if lon is not None:
            x, y = to_wgs84_lonlat([lon], [lat], datum)
            lon, lat = float(x[0]), float(y[0])
        c = create_complaint(session, ctx=ctx, order_no=order, content=content, received_at=received,
                             now=now, category=category, address=_get(r, "地址") or None, lon=lon, lat=lat,
                             complainant_name=_get(r, "诉求人") or None, complainant_phone=_get(r, "电话") or None,
                             channel=_get(r, "渠道") or "12345", names=names)
        report.created += 1
        if complaint_finding(session, c).segment_id is None:
            report.warnings.append(f"第{r.number}行（{order}）: 无法确定所在路段，已转创卫办分派")
    return report

