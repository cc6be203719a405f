"""The example campaign wired to the local fake platforms: environment, spec tweaks, outbox rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from demo.sandbox import DINGTALK_SECRET, FEISHU_SECRET, FakePlatforms, SmtpSink
from models import Leader, OutboxMessage
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.notifications.outbox import Recipient, enqueue
from tests.conftest import at

SMTP_USER, SMTP_PASSWORD = "cwb@example.gov.cn", "smtp-app-password-7f3k2q"


#: the relay tests' moment: a Thursday morning, inside working hours
NOW = at("2025-03-20 10:05")

def environ(fake: FakePlatforms, smtp: SmtpSink | None = None, **overrides: str) -> dict[str, str]:
    """The environment variables the example's ``notifications`` section names, pointing at the fakes."""
    env = {
        "CW_NOTIFY_OFFICE_WECOM_URL": fake.wecom_url(),
        "CW_NOTIFY_LEADERS_DINGTALK_URL": fake.dingtalk_url(),
        "CW_NOTIFY_LEADERS_DINGTALK_SECRET": DINGTALK_SECRET,
        "CW_NOTIFY_LEADS_FEISHU_URL": fake.feishu_url(),
        "CW_NOTIFY_LEADS_FEISHU_SECRET": FEISHU_SECRET,
        "CW_NOTIFY_WEBHOOK_URL": fake.webhook_url("platform"),
    }
    if smtp is not None:
        env |= {"CW_NOTIFY_SMTP_SERVER": smtp.url, "CW_NOTIFY_SMTP_PASSWORD": SMTP_PASSWORD}
    return env | overrides


def configure(db: Any, *, office_targets: list[str] | None = None, section_changes: dict[str, Any] | None = None,
              **target_changes: dict[str, Any]) -> None:
    """Change the campaign's ``notifications`` section: office targets, its own keys, fields of named targets."""
    with db.unit_of_work() as s:
        campaign = get_campaign(s)
        section = {**campaign.spec["notifications"], **(section_changes or {})}
        if office_targets is not None:
            section["office_targets"] = office_targets
        section["targets"] = [{**t, **target_changes.get(t["name"], {})} for t in section["targets"]]
        campaign.spec = {**campaign.spec, "notifications": section}


def notify(db: Any, count: int, *, now: dt.datetime, recipients: list[Recipient] | None = None,
           title: str = "【督办】路段问题逾期未整改", tag: str = "t") -> int:
    """Enqueue ``count`` distinct notices (to the office unless told otherwise); returns rows written."""
    written = 0
    with db.unit_of_work() as s:
        campaign = get_campaign(s)
        for i in range(count):
            written += enqueue(s, ctx=load_context(s, campaign=campaign), recipients=recipients or [("office", None)],
                               template="overdue", key_parts=(tag, i), now=now,
                               payload={"title": f"{title}（{i + 1}）", "body": f"第{i + 1}项：请立即整改，并向创卫办报告。"})
    return written


def leader_ids(db: Any) -> list[int]:
    with db.reader() as s:
        return list(s.scalars(select(Leader.id).order_by(Leader.id)))


def outbox(db: Any) -> list[OutboxMessage]:
    with db.reader() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
