"""Chinese text of the escalation package's own messages (the phone actions' notices)."""

from __future__ import annotations

from rules.vocabulary import OpinionDecision

#: the notice a lead department gets when its county leader has signed an opinion, by decision
OPINION_TITLE = {
    OpinionDecision.COORDINATE: "县级领导已签署意见（协调解决）：{title}",
    OpinionDecision.TO_OFFICE: "县级领导已签署意见（转创卫办）：{title}",
}
OPINION_BODY = {
    OpinionDecision.COORDINATE: "{leader}对「{title}」（{segment}）签署意见：{opinion}\n"
                                "请牵头部门按领导意见协调有关单位办理，办结后在问题页面点「协调办结」。",
    OpinionDecision.TO_OFFICE: "{leader}对「{title}」（{segment}）签署意见：{opinion}\n"
                               "请牵头部门连同领导意见报创卫办（问题页面点「连同领导意见报创卫办」）；"
                               "期限内未报的，系统将代为上报并注明。",
}

SUPERVISE_TITLE = "督办：{title}"
SUPERVISE_BODY = "创卫办对「{title}」（{segment}）督办：{reason}\n当前承办：{holder}；办理期限：{deadline}。"

EXTENSION_REASON_MISSING = "申请延期必须说明理由"
DAYS_OUT_OF_RANGE = "延期天数应为 1 到 {most} 个工作日"
HOLD_DAYS_OUT_OF_RANGE = "挂账天数应为 1 到 {most} 天"
DECISION_UNKNOWN = "请选择意见：协调解决 或 转创卫办"
ASSIGN_UNIT_MISSING = "改派须指定本活动中的承办单位"
