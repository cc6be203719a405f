"""The Chinese texts Open311 clients pass on to complainants and developers (one place for this surface)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from rules.times import clock_time
from rules.vocabulary import FindingStatus, surface_table

#: a finding's state as a complainant reads it in ``status_notes`` while the request is open
OPEN_NOTES = surface_table(FindingStatus, {FindingStatus.TRIAGE: "已受理，待创卫办分派转办",
                                           FindingStatus.PENDING: "已受理，待通报",
                                           FindingStatus.MERGED: "已并入同一地点的同类问题办理"})

SERVICE_DESCRIPTION = "{group}类问题：{name}。受理后按位置派到所在路段的牵头部门，办理时限 {days} 个工作日。"
CHANNEL = "Open311"
ACTOR = "Open311·{name}"
NOTICE_ROUTED = "已受理，转{unit}办理，办理时限至{deadline}。"
NOTICE_TRIAGE = "已受理，创卫办将确定责任单位后转办。"
NOTICE_HELD = "已受理，属{unit}负责的路段，待创卫办转办。"
DEADLINE_NOTE = "{status}，办理时限至{deadline}"
VISIT_NOTE = "回访：{result}"
NO_DESCRIPTION = "反映{category}问题（未填写描述）"

DATUM_ATTRIBUTE = "坐标系：lat/long 的大地基准。默认 wgs84（GPS）；高德、腾讯地图取得的坐标填 gcj02，百度地图填 bd09。"
DATUM_NAMES = {"wgs84": "WGS-84（GPS，默认）", "gcj02": "GCJ-02（高德、腾讯地图）", "bd09": "BD-09（百度地图）"}
DATUM_EXTENSION = ("扩展参数 datum（或 attribute[datum]）：POST requests 时 lat/long 的坐标系，"
                   "wgs84（默认）、gcj02 或 bd09；返回的 lat/long 一律为 WGS-84。")
KEY_SERVICE = "API 密钥由创卫办签发（cw open311 keys add --name 系统名称），每个接入系统一个。"
CONTACT = "{campaign}（创卫办）"

# errors (the specification's [{"code", "description"}])
NO_KEY = "提交服务请求需要 api_key（向创卫办申请）"
BAD_KEY = "api_key 无效或已被吊销"
WRONG_JURISDICTION = "该 api_key 不属于辖区 {code}"
RATE_LIMITED = "请求过于频繁：每个 api_key 每分钟最多 {limit} 次，请稍后再试"
MANY_CAMPAIGNS = "此服务有多个辖区，请提供 jurisdiction_id（活动编号）：{codes}"
UNKNOWN_SERVICE = "service_code「{code}」不存在（GET services.json 列出可用的服务）"
NO_SERVICE = "缺少 service_code"
NO_LOCATION = "请提供位置：lat 和 long，或 address_string"
BAD_POINT = "lat/long 应为数字（纬度、经度），实际为「{lat}」「{lon}」"
HALF_POINT = "lat 和 long 要么都填，要么都不填"
BAD_DATUM = "不支持的坐标系「{datum}」（可选：wgs84、gcj02、bd09）"
TOO_LONG = "{field} 过长（最多 {limit} 个字符）"
BAD_MEDIA = "media_url 应为 http:// 或 https:// 开头的网址"
BAD_DATE = "{field} 应为 W3C 时间（如 2025-01-08T18:00:00+08:00），实际为「{value}」"
DATE_SPAN = "start_date 到 end_date 不能超过 90 天"
DATE_ORDER = "start_date 应早于 end_date"
BAD_STATUS = "status 只能是 open 或 closed，实际为「{value}」"
NO_REQUEST = "找不到服务请求 {id}"
NO_TOKENS = "本服务即时返回 service_request_id，不签发 token"
BAD_FORMAT = "不支持的格式：请以 .json 或 .xml 结尾"
NO_ENDPOINT = "没有这个 Open311 接口（见 /open311/v2/discovery.json）"
FORM_ONLY = "请以 application/x-www-form-urlencoded 表单提交（照片请用 media_url 链接，不接受文件上传）"
KEY_EXISTS = "已有名为「{name}」的 Open311 密钥"
KEY_NAME = "密钥名称（接入系统的名称）不能为空，最多 40 个字符"
KEY_RATE = "每分钟请求上限应在 1 到 10000 之间"
NO_KEY_NAMED = "找不到名为「{name}」的 Open311 密钥"
KEY_REVOKED = "密钥「{name}」已于 {at} 吊销"


def local_text(t: dt.datetime, tz: ZoneInfo) -> str:
    """A time as people write it: 2025年1月8日18时 (18时30分)."""
    return clock_time(t.astimezone(tz))
