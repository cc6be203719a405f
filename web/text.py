"""Chinese text of the web surface that is not in a template: notices after an action, titles."""

from __future__ import annotations

from enum import Enum
from typing import Any

from rules.vocabulary import FindingStatus, Light, ProblemStatus, TaskStatus, UserRole, surface_table

APP_TITLE = "创卫任务"

#: ``?msg=`` keys → the notice shown on the next page (only these keys are ever shown)
NOTICES = {
    "ticked": "打卡成功，等待创卫办核查。15 分钟内可以撤销。",
    "ticked_flagged": "打卡成功。照片或位置有需要核查的情况，已提示核查人员。",
    "undone": "已撤销打卡，任务恢复为待办。",
    "passed": "已核查通过，任务销号。",
    "rejected": "已退回返工，单位将收到通知。",
    "signed_out": "您已退出登录。",
}

ERROR_TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权操作",
    404: "找不到页面",
    409: "操作冲突",
    413: "上传内容过大",
    422: "填写有误",
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
