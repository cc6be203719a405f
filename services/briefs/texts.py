"""Every Chinese text of the 创卫简报 (HTML and Word alike), and how numbers and dates are written."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from rules.vocabulary import BriefKind, ProblemLevel, surface_table

MASTHEAD = "创卫简报"
SPECIAL_MARK = "专刊"
EDITED_BY = "{office}"
NUMBER = "第{number}期"
WEEK_TITLE = "{year}年第{week}周"
WEEK_HEADLINE = "{year}年第{week}周（{start}至{end}）创卫工作情况"
PERIOD = "统计周期：{start}至{end}　数据截至{as_of}"
SPECIAL_PERIOD = "数据截至{as_of}"
DISTRIBUTION = ("报：县创卫工作领导小组各位领导", "送：各包段县级领导", "发：各牵头部门、参与单位、职能部门，各乡镇（街道）")
NO_DATA = "暂无数据"

H_NEWS = "一、工作动态"
H_OVERVIEW = "二、总体进展"
H_ROUNDS = "三、督查通报"
H_RANKING = "四、红榜与黑榜"
H_EXPOSURES = "五、曝光台"
H_SEGMENTS = "六、各路段任务进度"
H_SEGMENT_TABLE = "（一）各路段任务完成情况"
H_BY_STREET = "表1　各主街道汇总"
H_BEHIND = "表2　完成率最低的{n}个路段"
H_OVERDUE = "（二）逾期任务（按责任单位）"
H_PROBLEMS = "（三）协调事项（按层级）"
H_LEDGER = "七、整改台账"
H_FINDINGS = "（一）本周发现问题整改情况"
H_QUANTITIES = "（二）整改工作量"
H_NEXT = "八、下步工作"
H_MAPS = "附图：创卫进度图"
EDITOR_NOTE = "编者按：{text}"
H_RED = "红榜"
NEWS_SOURCE_NOTE = "（本节由系统根据本周工作记录生成，创卫办可在签发前修改。）"
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
RANKING_PERIOD = "考核周期：{period}（评级经创卫办确认）"
RANKING_PENDING = "本周考核评级待确认，确认后另行公布。"
NO_EXPOSURES = "本周未曝光问题。"
NO_ROUNDS = "本周未组织督查。"
ROUND_LINE = ("（{i}）{title}。共检查点位{stops}个，发现问题{findings}处{categories}。")
ROUND_NONE = "（{i}）{title}。共检查点位{stops}个，未发现问题。"
ROUND_SEGMENTS = "问题较多的路段：{items}。"
ROUND_UNITS = "涉及整改责任单位：{items}。以上问题已交办责任单位限期整改，创卫办将跟踪复查。"
SANCTION_HEAD = "经创卫办研究，对以下单位予以{kind}："
SANCTION_LINE = "{unit}：{reason}（{date}决定）"
NO_SANCTIONS = "本期无通报批评和黄牌警告。"
DEADLINE = "整改时限：{date}"

COLS_SEGMENTS = ("路段编号", "路段名称", "包段县级领导", "牵头部门", "任务数", "已销号", "待核查", "逾期", "完成率")
COLS_STREETS = ("主街道", "路段数", "任务数", "已销号", "待核查", "逾期", "完成率")
COLS_OVERDUE = ("序号", "责任单位", "未完成任务", "其中逾期", "最长逾期（天）")
COLS_PROBLEMS = ("层级", "在办", "超过办理时限", "本周新增", "本周办结")
COLS_FINDINGS = ("问题类别", "本周新发现", "已销号", "已整改待复查", "整改中")
COLS_RANKING = ("名次", "单位", "单位类型", "得分", "评级", "说明")
COLS_EXPOSURES = ("序号", "问题", "地点", "责任单位", "整改时限", "整改情况")
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


def span(start: dt.date, end: dt.date) -> str:
    """1月13日—19日, 1月27日—2月2日, 2024年12月30日—2025年1月5日."""
    if start.year != end.year:
        return f"{day(start)}—{day(end)}"
    if start.month != end.month:
        return f"{short_day(start)}—{short_day(end)}"
    return f"{short_day(start)}—{end.day}日"


def amount(q: float) -> str:
    """12000, 12.5: a quantity without a trailing .0."""
    return f"{q:,.1f}".rstrip("0").rstrip(".").replace(",", "") if q != int(q) else str(int(q))


# 工作动态 and 下步工作 written from the week's records when the office wrote nothing itself
NEWS_PHASE = ("本周（{span}），全县创卫工作处于综合整治阶段「{phase}」时段，{left}。各包段县级领导、牵头部门和参与单位"
              "围绕本时段任务扎实推进，本周核查销号任务{week}项，本时段累计销号{verified}项，完成率{share}。")
NEWS_NO_PHASE = "本周（{span}），综合整治阶段尚未开启，各单位按照创卫工作方案做好前期准备。"
NEWS_ROUNDS = "创卫办本周组织{kinds}共{n}轮，检查点位{stops}个，发现问题{findings}处，{top}。"
NEWS_ROUNDS_TOP = "主要是{items}"
NEWS_ROUNDS_NONE = "本周未安排督查检查。"
NEWS_WORK = "各单位本周完成整改并登记{items}。"
NEWS_PROBLEMS = "协调事项方面，本周新增{new}件、办结{closed}件，目前在办{open}件{late}。"
NEWS_PROBLEMS_LATE = "，其中{n}件超过办理时限"
NEWS_OVERDUE = "目前仍有{units}个单位的{n}项任务逾期未完成，相关单位要对照清单抓紧办理。"
NEWS_ALL_ON_TIME = "截至本周末，各单位无逾期未完成任务。"
NEXT_PHASE = "对照「{phase}」时段任务清单倒排工期，在{end}前完成剩余的{left}项任务，已打卡的{awaiting}项由创卫办抓紧核查。"
NEXT_FINDINGS = "本周交办的{n}处问题，责任单位要在整改时限内整改到位并上传整改后照片，创卫办将组织跟踪复查，逾期未整改的按程序督办。"
NEXT_BLACK = "列入本周黑榜的{units}要认真查找原因，制定整改措施，连续排名靠后的将按考核办法约谈。"
NEXT_PROBLEMS = "在办的{n}件协调事项，各层级要在办理时限内研究解决，解决不了的及时上报。"
NEXT_ROUTINE = "继续开展定期督查、暗访和交叉检查，巩固已整治路段的成果，防止问题反弹。"
NEXT_ITEM = "{n}. {text}"


# 达标准备情况专刊 (monthly): the national standard's readiness view
READINESS_TITLE = "国家卫生县城标准达标准备情况（{month}）"
READINESS_STEM = "创卫简报第{number}期（专刊·达标准备情况·{month}）"
READINESS_HEADLINE = "{standard}达标准备情况"
READINESS_STANDARD = "国家卫生县城标准"
READINESS_PERIOD = "{month}　数据截至{as_of}"
H_READY_OVERVIEW = "一、总体情况"
H_READY_AREAS = "二、各方面达标情况"
H_READY_RED = "三、未达标条目"
H_READY_UNASSESSED = "四、尚未自评的条目"
H_READY_OWNERS = "五、责任单位达标情况"
H_READY_NEXT = "六、下步工作"
READY_LINE = ("《{standard}》共{areas}个方面、{items}个条目。截至{as_of}，已自评{assessed}个，其中达标{met}个、"
              "基本达标{mostly}个、未达标{not_met}个；尚未自评{unassessed}个。达标率{share}。")
READY_NOT_LOADED = "标准尚未载入系统，请创卫办运行 cw standard load 后再编发本专刊。"
READY_NO_RED = "目前没有自评为未达标的条目。"
READY_NO_UNASSESSED = "全部条目均已自评。"
READY_RATE_NOTE = "注：达标率=自评为达标的条目数÷条目总数；“基本达标”不计入达标。"
COLS_READY_AREAS = ("方面", "条目数", "已自评", "达标", "基本达标", "未达标", "未自评", "达标率")
COLS_READY_RED = ("序号", "条目编号", "条目", "方面", "责任单位", "自评得分")
COLS_READY_UNASSESSED = ("序号", "条目编号", "条目", "方面", "责任单位")
COLS_READY_OWNERS = ("责任单位", "条目数", "达标", "基本达标", "未达标", "未自评")
NO_OWNER = "（未定责任单位）"
READY_NEXT_RED = "自评为未达标的{n}个条目，{owners}要对照标准逐条查找差距，制定整改措施，整改到位后重新自评并上传佐证材料。"
READY_NEXT_UNASSESSED = "尚未自评的{n}个条目，{owners}要抓紧完成自评，并按条目整理佐证材料。"
READY_NEXT_MOSTLY = "基本达标的{n}个条目，要补齐短板，争取全部达标。"
READY_NEXT_ROUTINE = "创卫办每月汇总一次各条目自评情况，并据此安排督查和模拟暗访。"
READY_SUMMARY_RATE = "达标{met}项/共{items}项（{share}）"
READY_SUMMARY_RED = "未达标{n}项"
READY_SUMMARY_UNASSESSED = "未自评{n}项"


def month_text(year: int, month: int) -> str:
    """2025年3月"""
    return f"{year}年{month}月"
