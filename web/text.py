"""Chinese text of the web surface that is not in a template: notices after an action, titles."""

from __future__ import annotations

from enum import Enum
from typing import Any

from rules.vocabulary import FindingStatus, Light, ProblemStatus, ProblemVerb, TaskStatus, UserRole, surface_table

APP_TITLE = "创卫任务"

#: ``?msg=`` keys → the notice shown on the next page (only these keys are ever shown)
NOTICES = {
    "ticked": "打卡成功，等待创卫办核查。15 分钟内可以撤销。",
    "assessed": "自评已保存，佐证材料已归档到该条目。",
    "ticked_flagged": "打卡成功。照片或位置有需要核查的情况，已提示核查人员。",
    "undone": "已撤销打卡，任务恢复为待办。",
    "passed": "已核查通过，任务销号。",
    "rejected": "已退回返工，单位将收到通知。",
    "signed_out": "您已退出登录。",
    "problem_resolve": "已办结，等待创卫办核实。",
    "problem_escalate": "已上报，上一级将收到通知。",
    "problem_return": "已退单，创卫办将重新交办。",
    "problem_extension": "已提交延期申请，等待上一级审批。",
    "problem_opinion": "意见已签署，牵头部门将收到通知。",
    "problem_approve": "已批准。",
    "problem_reject": "已不予批准，申请单位将收到通知。",
    "problem_assign": "已改派，承办单位将收到通知。",
    "problem_hold": "已挂账。",
    "problem_supervise": "已督办，承办单位将收到督办通知。",
    "problem_verify": "已核实。",
}

ERROR_TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权操作",
    404: "找不到页面",
    409: "操作冲突",
    413: "上传内容过大",
    422: "填写有误",
    429: "请求过于频繁",
    500: "系统出错",
}

NOT_FOUND = "您要找的页面不存在，或您无权查看。"
INTERNAL = "系统内部出错，已记录日志。请稍后重试，或联系创卫办。"
TOO_LARGE = "上传内容过大（单次不超过 {mb} MB），请减少照片数量或压缩后再试。"
BAD_REQUEST = "请求参数不正确"

#: audit log actions as shown on the task page
AUDIT_ACTIONS = {
    "tick": "打卡", "tick_undone": "撤销打卡", "verify_pass": "核查通过", "verify_reject": "退回返工",
    "sign_in_link": "通过链接登录", "sign_in_password": "用密码登录", "sign_out": "退出登录",
}

#: evidence flag codes as short labels
FLAG_LABELS = {
    "photo_time": "拍摄时间不符", "photo_far": "拍摄位置偏远", "photo_reused": "照片重复使用",
    "tick_far": "打卡位置偏远", "photo_no_exif": "无拍摄信息",
}

#: the closed sets the pages and the JSON API show, labelled from ``rules.vocabulary``
ROLE = surface_table(UserRole)
TASK_STATUS = surface_table(TaskStatus)
LIGHT = surface_table(Light)
FINDING_STATUS = surface_table(FindingStatus)
PROBLEM_STATUS = surface_table(ProblemStatus)
TABLES: dict[type[Enum], dict[Any, str]] = {UserRole: ROLE, TaskStatus: TASK_STATUS, Light: LIGHT,
                                            FindingStatus: FINDING_STATUS, ProblemStatus: PROBLEM_STATUS}

#: a problem page's buttons and the API's action labels (``rules.vocabulary.ProblemVerb``)
PROBLEM_VERB = surface_table(ProblemVerb)
#: a button's name where the problem's level says more exactly what it does (verb, level)
VERB_AT_LEVEL = {
    ("escalate", "参与单位"): "上报牵头部门（需协调）",
    ("escalate", "牵头部门"): "上报县级领导",
    ("escalate", "县级领导"): "连同领导意见报创卫办",
    ("resolve", "牵头部门"): "协调办结",
    ("resolve", "县级领导"): "协调办结",
}


def verb_label(verb: str, level: str) -> str:
    """The button that does ``verb`` to a problem standing at ``level``."""
    return VERB_AT_LEVEL.get((verb, level)) or PROBLEM_VERB.get(verb, verb)
