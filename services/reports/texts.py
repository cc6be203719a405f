"""Every Chinese text of the office's other documents: the 督查通报 and the 阶段总结."""

from __future__ import annotations

# 督查通报
CIRCULAR_MASTHEAD = "督查通报"
CIRCULAR_NUMBER = "第{number}期"
CIRCULAR_HEADLINE = "关于{span}{kind}督查情况的通报"
CIRCULAR_PERIOD = "检查时间：{days}　通报时间：{issued}"
CIRCULAR_FILE = "督查通报第{number}期（{title}）"
C_INTRO = ("为推动创卫各项任务落实，{span}，{office}组织开展{kind}督查，共检查路段和点位{stops}个，"
           "发现问题{findings}处。现将有关情况通报如下。")
C_INTRO_NONE = ("为推动创卫各项任务落实，{span}，{office}组织开展{kind}督查，共检查路段和点位{stops}个，"
                "未发现明显问题。现将有关情况通报如下。")
H_C_SCOPE = "一、督查范围"
C_SCOPE = "本次督查检查了{segments}等路段{places}。"
C_PLACES = "，以及{places}等点位"
H_C_PROBLEMS = "二、发现的问题"
C_NO_PROBLEMS = "本次督查未发现需要整改的问题。"
H_C_RANKING = "三、问题分布（按路段和责任单位）"
H_C_DEADLINES = "四、整改要求"
C_DEADLINE = ("请各责任单位对照问题清单，在整改时限内（最迟{last}前）整改到位，并在手机端上传整改后照片；"
              "创卫办将组织跟踪复查，逾期未整改或整改不到位的，按创卫工作问责办法督办、通报。")
C_DISTRIBUTION_TO = "发：{units}"
C_DISTRIBUTION_CC = "抄送：县创卫工作领导小组各位领导，各包段县级领导"
C_PHOTOS = "现场照片"
C_PHOTO_CAPTION = "{no}. {category}｜{place}｜{unit}：{description}"
COLS_C_PROBLEMS = ("序号", "问题类别", "地点", "责任单位", "问题描述", "整改时限", "整改情况")
COLS_C_SEGMENTS = ("名次", "路段", "包段县级领导", "问题数")
COLS_C_UNITS = ("名次", "责任单位", "问题数")
C_NOTICE_TITLE = "【督查通报】{title}"
C_NOTICE_BODY = "{headline}（督查通报第{number}期）已印发，涉及本单位问题{n}处，请按整改时限整改到位。"
C_NOTICE_OFFICE = "{headline}（督查通报第{number}期）已印发，通报问题{n}处，涉及{units}个单位。"
TOTAL = "合计"
UNPLACED = "未定位"
UNASSIGNED = "待分派"

# 阶段总结
STAGE_MASTHEAD = "创卫工作阶段总结"
STAGE_NUMBER = "「{phase}」时段"
STAGE_HEADLINE = "{county}创卫综合整治「{phase}」时段工作总结"
STAGE_PERIOD = "时段：{start}至{end}　数据截至{as_of}"
STAGE_FILE = "阶段总结（{phase}）"
STAGE_ANNEX = "整改台账（{phase}）.xlsx"
H_S_OVERVIEW = "一、总体情况"
S_TASKS = "「{phase}」时段共部署任务{total}项，已核查销号{verified}项，完成率{share}；督查和群众反映发现问题{findings}处，已整改销号{closed}处。"
S_WORK = "{phase}时段以来，全县{items}。"
S_WORK_NONE = "本时段整改台账暂无登记的工作量。"
S_ITEM = "{verb}{category}{amounts}"
#: the verb of a category without its own (inspections.taxonomy[].verb), by its primary measure
VERB_BY_MEASURE = {"吨": "清运", "条": "清理", "间": "拆除", "平方米": "拆除", "块": "规范", "户": "规范", "辆": "规范",
                   "个": "整治", "处": "整治", "米": "整治"}
ABOUT = "{n}余"  # 12000余条: a round figure as a speech says it
H_S_CATEGORIES = "二、分类工作量"
H_S_UNITS = "三、各单位工作量"
H_S_SEGMENTS = "四、各路段工作量"
S_NOTE = "注：工作量来自问题整改登记和任务打卡登记两部分，数量以各单位登记并经创卫办核查的台账为准；明细见附件《{annex}》。"
COLS_S_CATEGORIES = ("整治类别", "计量单位", "问题整改", "任务打卡", "合计")
COLS_S_UNITS = ("单位", "整治类别", "数量", "计量单位")
COLS_S_SEGMENTS = ("路段", "整治类别", "数量", "计量单位")
UNLOCATED = "（未定位）"
