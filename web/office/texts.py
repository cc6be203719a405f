"""Chinese text of the office console that is not in a template: the navigation, notices after an action,
the labels of the closed sets it shows (from ``rules.vocabulary``)."""

from __future__ import annotations

from rules.vocabulary import (
    FindingStatus,
    InspectionKind,
    ProposalStatus,
    RequestState,
    SanctionKind,
    SanctionState,
    UserRole,
    VisitResult,
    surface_table,
)

TITLE = "创卫办工作台"

#: the console's pages: (name, path); the paths are fixed (bookmarks and other tools rely on them)
NAV = [
    ("总览", "/office"),
    ("核查", "/office/verify"),
    ("复查", "/office/reinspect"),
    ("处理建议", "/office/sanctions"),
    ("曝光台", "/office/exposure"),
    ("协调事项", "/office/problems"),
    ("督查", "/office/inspections"),
    ("投诉", "/office/complaints"),
    ("路段与包联", "/office/segments"),
    ("简报", "/office/briefs"),
    ("台账与考核", "/office/ledger"),
    ("用户", "/office/users"),
    ("标准与自评", "/office/standard"),
]

#: ``?ok=`` keys → the notice shown after an action (only these keys are ever shown)
NOTICES = {
    "verified": "已核查：通过的任务已销号，退回的已通知单位返工。",
    "reinspected": "复查结果已记录。",
    "sanctions": "处理建议已办理。",
    "exposed": "已选入下一期简报的曝光台。",
    "withdrawn": "已撤回曝光。",
    "assigned": "已改派，承办单位将收到通知。",
    "held": "已挂账。",
    "supervised": "已督办，承办单位将收到督办通知。",
    "decided": "申请已办理。",
    "verified_problem": "核实结果已记录。",
    "planned": "督查计划已生成。",
    "planned_none": "该周这一类型的督查计划已经存在（或该周没有工作日），未重复生成。",
    "published": "暗访结果已发布，问题已下达整改。",
    "finding": "问题已登记并按位置分派。",
    "complaint": "已登记，并按位置或地址分派。",
    "visited": "回访结果已记录。",
    "complaint_closed": "工单已办结，办结说明将告知诉求人，其问题已随之销号。",
    "ratings": "本周评级已确认，并已通知各单位。",
    "ratings_proposed": "已按本周记录生成评级建议，请核对后确认。",
    "commendations": "表彰已确认。",
    "commendations_proposed": "已按本时段得分提出表彰候选，请核对后确认。",
    "brief_drafted": "本期简报草稿已生成，可修改“工作动态”“下步工作”“按语”后签发。",
    "brief_saved": "草稿已保存。",
    "brief_issued": "简报已签发：网页版与 Word 版已生成，并已通知创卫办。",
    "readiness_issued": "达标准备情况专刊已编发：网页版与 Word 版已生成，并已通知创卫办；可在“简报”页下载。",
    "user": "用户已保存。",
    "revoked": "已停用该用户，其登录链接和会话全部失效。",
}

ROLE = surface_table(UserRole)
FINDING_STATUS = surface_table(FindingStatus)
SANCTION_STATE = surface_table(SanctionState)
SANCTION_KIND = surface_table(SanctionKind)
REQUEST_STATE = surface_table(RequestState)
PROPOSAL_STATUS = surface_table(ProposalStatus)
INSPECTION_KINDS = [k for k in InspectionKind if k != InspectionKind.RECHECK]
VISIT_RESULTS = list(VisitResult)
#: the segment upload's datums, as the CLI's ``--datum`` takes them
DATUMS = [("wgs84", "WGS-84（GPS、天地图、OpenStreetMap）"), ("gcj02", "GCJ-02（高德、腾讯地图）"),
          ("bd09", "BD-09（百度地图）")]
#: 来信/来访/来电 registered by hand, and 12345 imported from its export
CHANNELS = ["来信", "来访", "来电", "12345"]
