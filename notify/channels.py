"""The channel registry: one adapter per channel name, and a dispatching ``send``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

import httpx

from notify.base import Channel, Message, Outcome, TargetSpec
from notify.dingtalk import DingTalkChannel
from notify.email import EmailChannel
from notify.feishu import FeishuChannel
from notify.webhook import WebhookChannel
from notify.wecom import WeComChannel

CHANNELS: Mapping[str, Channel] = MappingProxyType(
    {
        channel.name: channel
        for channel in (
            WeComChannel(),
            DingTalkChannel(),
            FeishuChannel(),
            EmailChannel(),
            WebhookChannel(),
        )
    }
)


def channel_for(name: str) -> Channel:
    """The adapter for a channel name; KeyError for an unknown one."""
    return CHANNELS[name]


def send(client: httpx.Client, target: TargetSpec, message: Message, now: datetime) -> Outcome:
    """Deliver ``message`` to ``target`` through its channel's adapter."""
    return channel_for(target.channel).send(client, target, message, now)


def requests_for(channel: str, message: Message) -> int:
    """How many requests ``message`` costs on ``channel`` (a WeCom card's mentions need a second)."""
    return channel_for(channel).requests_for(message)
