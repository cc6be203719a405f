"""Logical target names → ``notify.TargetSpec``: the campaign file says where, the environment holds the keys.

Nothing here is stored: the outbox keeps only the target's name, so rotating a robot's key
means changing one environment variable, and no credential ever reaches the database.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.notifications import NotificationsSpec, NotificationTargetSpec
from models import Campaign
from notify import Message, Outcome, send, templates
from notify.base import TargetSpec
from notify.masking import SecretMaskingFilter, secrets_in_url
from rules.errors import ConfigError
from services.campaigns.context import PROCESS_SPECS
from services.campaigns.spec import campaign_spec
from services.uow import plain_rows

#: loggers whose own records may carry a URL with its key (httpx logs every request line)
MASKED_LOGGERS = ("httpx", "httpcore", "chuangwei", "chuangwei.notify", "chuangwei.relay")


def resolve_target(notifications: NotificationsSpec, name: str, environ: Mapping[str, str]) -> TargetSpec:
    """The delivery target called ``name``; ConfigError (with a reason in Chinese) if unusable."""
    cfg = notifications.target(name)
    if cfg is None:
        raise ConfigError(f"通知目标「{name}」未在活动配置 notifications.targets 中定义")
    url = cfg.url or _env(cfg, cfg.url_env, environ, "地址")
    secret = _env(cfg, cfg.secret_env, environ, "密钥") if cfg.secret_env else None
    if cfg.channel == "email" and not (cfg.sender and cfg.recipients):
        raise ConfigError(f"邮件通知目标「{name}」缺少发件人（sender）或收件人（recipients）")
    try:
        return TargetSpec(name=cfg.name, channel=cfg.channel, url=url, secret=secret, keyword=cfg.keyword,
                          recipients=tuple(cfg.recipients), sender=cfg.sender, username=cfg.username,
                          use_ssl=cfg.smtp_security == "ssl", starttls=cfg.smtp_security == "starttls")
    except ValueError as exc:
        raise ConfigError(f"通知目标「{name}」配置有误：{exc}") from None


#: every campaign's id, in order (built once)
_CAMPAIGN_IDS = select(Campaign.__table__.c.id).order_by(Campaign.__table__.c.id)


class Directory:
    """For one relay pass: each campaign's ``notifications`` section and the targets resolved from it."""

    def __init__(self, specs: Mapping[int, NotificationsSpec], environ: Mapping[str, str]) -> None:
        self._specs = dict(specs)
        self._environ = environ
        self._resolved: dict[tuple[int, str], TargetSpec | ConfigError] = {}

    @classmethod
    def load(cls, session: Session, environ: Mapping[str, str]) -> Directory:
        """Every campaign's section, read once."""
        ids = plain_rows(session, _CAMPAIGN_IDS, {}).scalars().all()
        return cls({i: PROCESS_SPECS.load(session, i)[1].notifications for i in ids}, environ)

    def ensure(self, session: Session, campaign_id: int) -> None:
        """Read a campaign created since the pass began."""
        if campaign_id not in self._specs:
            campaign = session.get(Campaign, campaign_id)
            self._specs[campaign_id] = campaign_spec(campaign).notifications if campaign else NotificationsSpec()

    def specs(self) -> list[NotificationsSpec]:
        return list(self._specs.values())

    def spec(self, campaign_id: int) -> NotificationsSpec:
        return self._specs.get(campaign_id) or NotificationsSpec()

    def target(self, campaign_id: int, name: str) -> TargetSpec:
        """The resolved target (cached); ConfigError with the reason if it cannot be used."""
        key = (campaign_id, name)
        if key not in self._resolved:
            try:
                self._resolved[key] = resolve_target(self.spec(campaign_id), name, self._environ)
            except ConfigError as exc:
                self._resolved[key] = exc
        found = self._resolved[key]
        if isinstance(found, ConfigError):
            raise found
        return found

    def channel(self, campaign_id: int, name: str) -> str | None:
        cfg = self.spec(campaign_id).target(name)
        return cfg.channel if cfg else None

    def digest_threshold(self, campaign_id: int, name: str) -> int:
        spec = self.spec(campaign_id)
        cfg = spec.target(name)
        return spec.digest_threshold(cfg) if cfg else 0


def known_secrets(specs: Iterable[NotificationsSpec], environ: Mapping[str, str]) -> set[str]:
    """Every credential the environment holds for these targets: to be masked in logs."""
    found: set[str] = set()
    for spec in specs:
        for cfg in spec.targets:
            url = environ.get(cfg.url_env, "") if cfg.url_env else ""
            found.update(secrets_in_url(url.strip()))
            if cfg.secret_env and environ.get(cfg.secret_env, "").strip():
                found.add(environ[cfg.secret_env].strip())
    return found


@contextmanager
def masked_logs(secrets: Iterable[str]) -> Iterator[None]:
    """Mask ``secrets`` in every log line while the block runs.

    The filter goes on the loggers that emit URLs (a logger's filter sees only its own
    records) and on the root's and ``chuangwei``'s handlers (which see their children's).
    """
    masking = SecretMaskingFilter(secrets)
    loggers = [logging.getLogger(n) for n in MASKED_LOGGERS]
    handlers = {h for name in ("", "chuangwei") for h in logging.getLogger(name).handlers}
    for item in (*loggers, *handlers):
        item.addFilter(masking)
    try:
        yield
    finally:
        for item in (*loggers, *handlers):
            item.removeFilter(masking)


def _env(cfg: NotificationTargetSpec, var: str | None, environ: Mapping[str, str], what: str) -> str:
    value = environ.get(var or "", "").strip()
    if not value:
        raise ConfigError(f"通知目标「{cfg.name}」的{what}未配置：环境变量 {var} 未设置")
    return value


def send_test(notifications: NotificationsSpec, name: str, *, environ: Mapping[str, str], client: httpx.Client,
              now: dt.datetime) -> tuple[TargetSpec, Outcome]:
    """Send the connectivity test message to one target, now, bypassing the outbox."""
    target = resolve_target(notifications, name, environ)
    title, body = templates.test_message(name)
    key = f"test:{name.encode().hex()[:40]}:{int(now.timestamp())}"
    with masked_logs(known_secrets([notifications], environ)):
        return target, send(client, target, Message(key, title, body), now)
