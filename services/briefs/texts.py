"""Every Chinese text of the 创卫简报 (HTML and Word alike), and how numbers and dates are written."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from rules.vocabulary import BriefKind, ProblemLevel, surface_table

MASTHEAD = "创卫简报"
SPECIAL_MARK = "专刊"
EDITED_BY = "{office}编"
NUMBER = "第{number}期"
WEEK_TITLE = "{year}年第{week}周"
WEEK_HEADLINE = "{year}年第{week}周（{start}至{end}）创卫工作情况"
PERIOD = "统计周期：{start}至{end}　数据截至{as_of}"
SPECIAL_PERIOD = "数据截至{as_of}"
DISTRIBUTION = ("报：县创卫工作领导小组各位领导", "送：各包段县级领导", "发：各牵头部门、参与单位、职能部门，各乡镇（街道）")
NO_DATA = "暂无数据"

H_OVERVIEW = "一、总体进展"
H_SEGMENTS = "二、各路段任务进度"
H_BY_STREET = "（一）各主街道汇总"
H_BEHIND = "（二）完成率最低的{n}个路段"
H_RANKING = "三、单位排名（红榜/黑榜）"
H_FINDINGS = "四、本周新发现问题"
H_OVERDUE = "五、逾期任务（按责任单位）"
H_PROBLEMS = "六、协调事项（按层级）"
H_EXPOSURES = "七、曝光台"
H_LEDGER = "八、整改台账"
H_MAPS = "附图：创卫进度图"
H_RED = "红榜"
H_BLACK = "黑榜"
H_PHOTOS = "整改前后对比"

NO_PHASE = "综合整治阶段尚未开启，暂无时段任务。"
PHASE_LINE = "当前时段：{name}（{start}至{end}），本时段剩余{left}。"
PHASE_ENDED = "当前时段：{name}（{start}至{end}），计划期限已满。"
PHASE_LAGS = "按计划日期已进入「{calendar}」时段，转段尚待执行。"
DAYS_LEFT = "{n}个工作日"
DAYS_UNKNOWN = "工作日数待定（工作日历缺少节假日数据）"
PROGRESS_LINE = ("本时段共有任务{total}项，已核查销号{verified}项，完成率{share}；"
                 "已打卡待核查{awaiting}项；逾期未完成{overdue}项。本周销号{week}项。")
CARRIED_LINE = "此前时段遗留未完成任务{n}项，仍需继续办理。"
SEGMENTS_NOTE = "注：路段任务含其所辖巷道的任务；完成率=已核查销号任务数÷任务总数。"
SEGMENTS_MANY = "共有路段{n}个，分属{streets}条主街道；各路段进度详见附图。"
NO_STREET = "（未归属街道）"
NO_OVERDUE = "截至统计时点，无逾期任务。"
NO_PROBLEMS = "截至统计时点，无协调事项。"
MAP_CAPTION = "图　各路段任务完成率（{as_of}）"
MAP_TITLE = "{county}创卫进度图（{number}）"
MAP_DATE = "数据截至{as_of}"
INTERACTIVE_NOTE = "交互式地图：可缩放，鼠标悬停查看路段包联单位与任务进度，右上角可切换图层。"
DOCX_MAP_NOTE = "交互式地图见同期 HTML 版简报。"
PHOTO_BEFORE = "整改前"
PHOTO_AFTER = "整改后"
PHOTO_EXPOSED = "现场照片"
PHOTO_MISSING = "（无照片）"
RECTIFIED = "已整改"
NOT_RECTIFIED = "整改中"
TOTAL = "合计"
RANKING_PERIOD = "考核周期：{period}"
DEADLINE = "整改时限：{date}"

COLS_SEGMENTS = ("路段编号", "路段名称", "包段县级领导", "牵头部门", "任务数", "已销号", "待核查", "逾期", "完成率")
COLS_STREETS = ("主街道", "路段数", "任务数", "已销号", "待核查", "逾期", "完成率")
COLS_OVERDUE = ("序号", "责任单位", "未完成任务", "其中逾期", "最长逾期（天）")
COLS_PROBLEMS = ("层级", "在办", "超过办理时限", "本周新增", "本周办结")
COLS_FINDINGS = ("问题类别", "本周新发现", "已整改", "整改中")
COLS_RANKING = ("名次", "单位", "单位类型", "得分", "评级", "说明")
COLS_EXPOSURES = ("序号", "问题", "地点", "责任单位", "整改时限")
COLS_LEDGER = ("整改类别", "计量单位", "本周", "本时段", "累计")

SUMMARY_PHASE = "当前时段{name}，剩余{left}"
SUMMARY_PROGRESS = "本时段任务完成率{share}（{verified}/{total}）"
SUMMARY_OVERDUE = "逾期任务{n}项，涉及{units}个单位"
SUMMARY_PROBLEMS = "在办协调事项{n}件"
SUMMARY_FILES = "简报文件：{files}"
KIND_TEXT = surface_table(BriefKind)
LEVEL_TEXT = surface_table(ProblemLevel)
TABLES: dict[type[Enum], dict[Any, str]] = {BriefKind: KIND_TEXT, ProblemLevel: LEVEL_TEXT}


def day(d: dt.date) -> str:
    """2025年5月4日"""
    return f"{d.year}年{d.month}月{d.day}日"


def short_day(d: dt.date) -> str:
    """5月4日"""
    return f"{d.month}月{d.day}日"


def moment(t: dt.datetime) -> str:
    """A local time as 2025年5月4日24时 (midnight ends the day before) or 2025年4月30日10时30分."""
    if t.time() == dt.time(0):
        return f"{day(t.date() - dt.timedelta(days=1))}24时"
    return f"{day(t.date())}{t.hour}时" + (f"{t.minute:02d}分" if t.minute else "")


def share(value: float | None) -> str:
    """A share as 37.5%, or — without tasks."""
    return "—" if value is None else f"{value * 100:.1f}%"


def days_left(n: int | None) -> str:
    return DAYS_UNKNOWN if n is None else DAYS_LEFT.format(n=n)


def number(n: int, special: bool) -> str:
    """第12期 or 第12期（专刊）."""
    text = NUMBER.format(number=n)
    return f"{text}（{SPECIAL_MARK}）" if special else text
