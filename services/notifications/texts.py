"""The relay's Chinese texts: the reasons kept with a message (shown by ``cw notify dead``)."""

from __future__ import annotations

from notify import Outcome

#: the reasons kept in ``last_error`` (shown by ``cw notify dead``)
TEXT = {
    "retry": "第{attempt}次发送未成功，稍后自动重试：",
    "fatal": "发送失败，不再重试：",
    "exhausted": "已重试{attempt}次仍未成功：",
    "crash": "内部错误",
}
#: what well-known platform codes mean, for the office reading the dead letters
HINTS = {
    ("wecom", 93000): "企业微信机器人地址无效（key 错误或机器人已被移出群聊）",
    ("wecom", 45009): "企业微信机器人发送过于频繁",
    ("dingtalk", 300005): "钉钉机器人 access_token 不存在",
    ("dingtalk", 310000): "钉钉加签、时间戳或关键词校验未通过",
    ("dingtalk", 130101): "钉钉机器人发送过于频繁（限流10分钟）",
    ("dingtalk", 410100): "钉钉机器人发送过于频繁（限流10分钟）",
    ("feishu", 19001): "飞书机器人地址无效",
    ("feishu", 19021): "飞书签名校验失败或时间戳超出一小时",
    ("feishu", 19024): "消息不含飞书机器人要求的关键词",
}


def describe(outcome: Outcome, channel: str) -> str:
    """The outcome in a line: a Chinese hint for a known code, then the platform's own words."""
    hint = HINTS.get((channel, outcome.code or 0))
    return f"{hint}（{outcome.msg}）" if hint else (outcome.msg or f"code {outcome.code}")
