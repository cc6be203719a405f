"""Every Chinese text of the 考核 surfaces: the ranking table, the workbook, the notices."""

from __future__ import annotations

from rules.vocabulary import ProposalStatus, surface_table

WHOLE = "全程"
PHASE_LABEL = "{name}时段（{span}）"
WHOLE_LABEL = "全程（{span}）"
AS_OF = "数据截至{as_of}"
NO_DATA = "无数据"
SEGMENTS = "路段"

#: (key, header) of every column of the ranking, in order; the keys are the fields of ``ranking.RankingLine``
COLUMNS = [
    ("kind", "单位类别"), ("rank", "排名"), ("name", "单位"), ("score", "综合得分"), ("rating", "评级"),
    ("movement", "名次变化"), ("due", "应处置数"), ("handled", "处置数"), ("on_time", "按期处置数"),
    ("verified", "结案数"), ("overdue", "超时未处置数"), ("completion_rate", "结案率"),
    ("on_time_rate", "按期处置率"), ("checks", "核查数"), ("rework", "返工数"), ("rework_rate", "返工率"),
    ("load_points", "立案数分值"), ("findings", "问题数"), ("rectification_due", "应整改数"),
    ("rectification_rate", "按期整改率"), ("escalated", "越级上报数"), ("complaints", "投诉数"),
    ("visits", "回访数"), ("satisfaction_rate", "满意率"),
]
RECORD_COLUMNS = [("red_streak", "连续红色周数"), ("status", "状态")]
STATUS_TEXT = surface_table(ProposalStatus)

INTERVIEW_TITLE = "【约谈建议】{unit}"
INTERVIEW_REASON = "截至{week}连续{streak}周考核评级为红，{phase}时段已确认黄牌警告{cards}次，按约谈规则建议约谈"

SHEET_NOTES = "说明"
SHEET_TITLE = "{label}　{as_of}"
NOTES = [
    ("统计周期", "按周（周一0时至下周一0时）、按时段、按全程统计；进行中的周期截至导出时间。时间均为北京时间。"),
    ("处置数", "统计周期内打卡（或报告整改完成）的任务数，不论其期限在何时。"),
    ("按期处置数", "处置数中在期限（经批准延期或挂账的，以延至日期为准）之前完成的任务数。"),
    ("结案数", "处置数中在统计周期截止前已核查通过（销号）的任务数。"),
    ("超时未处置数", "统计周期截止时仍未完成且已过期限的任务数（此前各周积压的逾期任务每周都计入，直至完成）。"),
    ("应处置数", "= 处置数 + 超时未处置数（数字城管：应结案数 = 处置数 + 超时未处置数）。"),
    ("结案率", "= 结案数 ÷ 应处置数。"),
    ("按期处置率", "= 按期处置数 ÷ 应处置数（即按期完成率）。"),
    ("核查数", "统计周期内对本单位工作作出的核查结论数：打卡核查（通过或退回）＋ 整改问题跟踪复查（通过或不通过）"
              "＋ 12345 投诉回访。"),
    ("返工数", "核查数中退回返工的打卡 ＋ 复查不通过的整改 ＋ 回访不满意（重办）的投诉。"),
    ("返工率", "= 返工数 ÷ 核查数（数字城管：返工数 ÷ 处置数；每次处置核查一次）。"),
    ("立案数分值", "按应处置数分档：≤50件10分，≤100件9分，≤200件7.5分，≤500件6分，≤1000件4分，>1000件0分（可在活动配置中修改）。"),
    ("问题数", "统计周期内下达给本单位整改的督查问题数；按期整改率 = 按期完成的整改任务 ÷（完成的整改任务 + 逾期未完成的整改任务）。"),
    ("越级上报数", "统计周期内从牵头部门一级上报到包段县级领导或创卫办的协调事项数，计入该路段的牵头部门。"),
    ("满意率", "=（满意 + 基本满意）÷ 回访数，按统计周期内的回访计算；投诉数为周期内受理、由本单位整改的投诉。"),
    ("综合得分", "= 100 × Σ(权重 × 指标) ÷ 有数据各项的权重之和；默认权重：结案率30%、按期处置率30%、(1−返工率)30%、"
                "立案数分值/10 占10%（数字城管专业部门评价）。某项分母为0时记“无数据”，不计入；只有立案数分值时不计分。"),
    ("排名", "同类单位之间排名（牵头部门与牵头部门比较，依此类推），得分相同（保留两位小数）名次并列；名次变化为与上一周期相比上升(+)或下降(−)的名次。"),
    ("评级", "每周评级：得分达到绿色线为绿，达到黄色线为黄，其余为红（阈值见活动配置 assessment.ratings）；无数据不评级。"
            "评级不是处分；连续红色周数是约谈规则的依据之一。评级和表彰经创卫办确认后才发布。"),
    ("路段", "按路段统计时，巷道的任务计入其所属路段。"),
]

# notices sent on confirmation (outbox payload title/body)
RATING_TITLE = "【考核评级】{week}"
RATING_BODY = "{unit}：{week}这一周，你单位综合得分{score}，同类单位第{rank}名，评级为{rating}。{advice}"
ADVICE = {"绿": "请继续保持。", "黄": "请对照逾期和返工事项抓紧整改。",
          "红": "请立即组织整改逾期和返工事项，并向创卫办书面说明原因。"}
STREAK = "已连续{n}周评级为红。"
OFFICE_TITLE = "【考核评级】{week}评级已确认"
OFFICE_BODY = "{week}共确认评级{n}条：绿{green}个、黄{yellow}个、红{red}个。"
PROPOSED_TITLE = "【考核】评级和表彰候选待确认"
PROPOSED_BODY = "{label}的评级（及已结束时段的表彰候选）已提出，请创卫办在工作台“台账与考核”页审核确认后发布。"
COMMEND_TITLE = "【表彰】{phase}时段创卫工作先进单位"
COMMEND_BODY = "{unit}：你单位在{phase}时段创卫工作考核中综合得分{score}，列同类单位第{rank}名，经创卫办确认予以表彰。"
COMMEND_REASON = "{phase}时段综合得分{score}，同类单位第{rank}名，时段内无红色评级"


def pct(value: float | None) -> str:
    """A ratio as a percentage with one decimal, or 无数据."""
    return NO_DATA if value is None else f"{value * 100:.1f}%"


def points(value: float | None) -> str:
    """A score with two decimals, or 无数据."""
    return NO_DATA if value is None else f"{value:.2f}"


def movement(value: int | None) -> str:
    """+2 / −1 / 持平, or — without a previous rank."""
    if value is None:
        return "—"
    return "持平" if value == 0 else (f"↑{value}" if value > 0 else f"↓{-value}")
