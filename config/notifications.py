"""``notifications:`` in campaign.yaml: named channel targets; secrets only in the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from config.base import Strict


class NotificationTargetSpec(Strict):
    name: str
    channel: Literal["wecom", "dingtalk", "feishu", "email", "webhook"]
    #: names of environment variables holding the secret parts; never the secrets themselves
    url_env: str | None = None
    url: str | None = None
    secret_env: str | None = None
    keyword: str | None = None
    recipients: list[str] = []


class NotificationsSpec(Strict):
    targets: list[NotificationTargetSpec] = []
    #: where 创卫办's own messages go (escalations reaching the office, briefs, sanctions)
    office_targets: list[str] = []
    #: used for a unit or leader that names no target of its own
    default_targets: list[str] = []

    @model_validator(mode="after")
    def _known_targets(self) -> NotificationsSpec:
        names = [t.name for t in self.targets]
        problems = [f"通知目标「{n}」重复" for n in sorted({n for n in names if names.count(n) > 1})]
        problems += [f"通知目标「{n}」未在 targets 中定义" for n in [*self.office_targets, *self.default_targets]
                     if n not in names]
        if problems:
            raise ValueError("；".join(problems))
        return self
