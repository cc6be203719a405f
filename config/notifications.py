"""``notifications:`` in campaign.yaml: named channel targets; secrets only in the environment.

A target names the *environment variables* that hold its webhook URL (with the robot's key,
token or hook id) and its signing secret or SMTP password; the file itself never holds a
credential, so it can be shared and kept in version control.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from config.base import Strict

Channel = Literal["wecom", "dingtalk", "feishu", "email", "webhook"]

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
#: URL parts that are credentials: they belong in an environment variable, never in the file
_CREDENTIAL = re.compile(r"([?&](key|access_token|token|sign|secret|password)=)|(/hook/[^/]+)|(//[^/@]*:[^/@]*@)",
                         re.IGNORECASE)


class NotificationTargetSpec(Strict):
    """One robot, webhook or mailbox (通知目标)."""

    name: str = Field(min_length=1, max_length=100)
    channel: Channel
    #: environment variable holding the URL as copied from the platform (or SMTP ``host:port``)
    url_env: str | None = None
    #: a URL without credentials (a local receiver, an SMTP ``host:port``)
    url: str | None = None
    #: environment variable holding the signing secret (DingTalk 加签, Feishu, webhook) or SMTP password
    secret_env: str | None = None
    #: DingTalk / Feishu 自定义关键词: every message to this robot carries it
    keyword: str | None = None
    #: email only (both needed to send): ``"名称 <addr@example.gov.cn>"``
    recipients: list[str] = []
    sender: str | None = None
    username: str | None = None
    smtp_security: Literal["ssl", "starttls", "none"] = "ssl"
    #: merge more than this many messages due at once into one digest; 0 never merges.
    #: Default: the section's ``digest_after`` for robots and email, never for webhooks
    digest_after: int | None = Field(default=None, ge=0)

    @field_validator("url_env", "secret_env")
    @classmethod
    def _env_name(cls, v: str | None) -> str | None:
        if v is not None and not _ENV_NAME.match(v):
            raise ValueError(f"环境变量名「{v}」不合法（只能用大写字母、数字和下划线）")
        return v

    @model_validator(mode="after")
    def _complete(self) -> NotificationTargetSpec:
        problems = []
        if (self.url is None) == (self.url_env is None):
            problems.append(f"通知目标「{self.name}」须填写 url_env（推荐）或 url 之一")
        if self.url and _CREDENTIAL.search(self.url):
            problems.append(f"通知目标「{self.name}」的 url 含有密钥，请改为放入环境变量并填写 url_env")
        if self.channel != "email" and (self.recipients or self.sender or self.username):
            problems.append(f"通知目标「{self.name}」不是邮件，不能填写 sender、recipients 或 username")
        if problems:
            raise ValueError("；".join(problems))
        return self


class NotificationsSpec(Strict):
    targets: list[NotificationTargetSpec] = []
    #: where 创卫办's own messages go (escalations reaching the office, briefs, sanctions)
    office_targets: list[str] = []
    #: used for a unit or leader that names no target of its own
    default_targets: list[str] = []
    #: attempts before a message that keeps failing with a retryable error is dead-lettered
    max_attempts: int = Field(default=8, ge=1, le=50)
    #: burst size above which messages due together for one robot or mailbox become a digest
    digest_after: int = Field(default=10, ge=0)
    #: leaders with these titles get the morning line on their segments weekly (Mondays), not daily;
    #: anything addressed to them still arrives at once
    weekly_titles: list[str] = ["县委书记", "县长", "市委书记", "市长", "区委书记", "区长"]

    @model_validator(mode="after")
    def _known_targets(self) -> NotificationsSpec:
        names = [t.name for t in self.targets]
        problems = [f"通知目标「{n}」重复" for n in sorted({n for n in names if names.count(n) > 1})]
        problems += [f"通知目标「{n}」未在 targets 中定义" for n in [*self.office_targets, *self.default_targets]
                     if n not in names]
        if problems:
            raise ValueError("；".join(problems))
        return self

    def target(self, name: str) -> NotificationTargetSpec | None:
        """The target called ``name``, if the file defines one."""
        return next((t for t in self.targets if t.name == name), None)

    def digest_threshold(self, target: NotificationTargetSpec) -> int:
        """How many messages due at once a target takes before they are merged (0: never)."""
        if target.digest_after is not None:
            return target.digest_after
        return 0 if target.channel == "webhook" else self.digest_after
