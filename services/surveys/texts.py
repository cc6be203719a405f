"""Chinese words of the 群众满意度测评: period names and refusals the public page shows."""

from __future__ import annotations

QUARTERS = "一二三四"
CLOSED = "本次测评已结束，感谢您的关注"
ALREADY = "本机已经提交过本次测评，每台设备只能提交一次，感谢参与"
ADDRESS_FULL = "同一网络提交的答卷已达上限，请改用手机数据网络提交"
BAD_ANSWER = "请选择：满意、基本满意或不满意"
BAD_PERIOD = "测评时段格式应为 2025Q1（季度）、2025-03（月）或 2025（年）：{period}"
NO_SURVEY = "找不到该测评，请核对二维码或链接"
NO_SEGMENT = "所选路段不存在"
COMMENT_MAX = 500
