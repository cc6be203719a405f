"""The adapter interface: what is sent (`Message`), where (`TargetSpec`), how it went."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal, Protocol, get_args

import httpx

from notify import templates
from notify.masking import mask_secret, mask_url, secrets_in_url

OutcomeKind = Literal["ok", "retry", "fatal"]
ChannelName = Literal["wecom", "dingtalk", "feishu", "email", "webhook"]
CHANNEL_NAMES: tuple[str, ...] = get_args(ChannelName)


@dataclass(frozen=True)
class Outcome:
    """Result of one delivery attempt.

    ``retry_after`` is the minimum wait in seconds before the next attempt; the relay takes
    ``max(retry_after, backoff)``. ``code`` is the platform errcode / HTTP or SMTP status.
    """

    kind: OutcomeKind
    code: int | None = None
    msg: str = ""
    retry_after: float = 0.0

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


@dataclass(frozen=True)
class Message:
    """A rendered notification, independent of the channel it goes out on.

    ``mentions`` are mobile numbers (or ``"@all"``); ``digest_keys`` are the idempotency keys
    of the messages merged into this one when it is a digest.
    """

    idempotency_key: str
    title: str
    body: str
    mentions: tuple[str, ...] = ()
    link: str | None = None
    digest_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # the key travels in an HTTP header and a Message-ID: printable ASCII only
        key = self.idempotency_key
        if not key or not key.isascii() or not key.isprintable():
            raise ValueError(f"idempotency key must be printable ASCII, got {key!r}")
        object.__setattr__(self, "mentions", tuple(self.mentions))
        object.__setattr__(self, "digest_keys", tuple(self.digest_keys))


@dataclass(frozen=True)
class TargetSpec:
    """A resolved delivery target (secrets included): one robot, one webhook or one mailbox.

    ``url`` is the webhook URL as copied from the platform (with its key, token or hook id),
    or ``host:port`` of the SMTP server for email. ``secret`` is the signing secret (DingTalk
    ``SEC…``, Feishu, generic webhook) or the SMTP password. ``sender`` and ``recipients``
    may carry a display name: ``"创卫办 <cwb@example.gov.cn>"``.
    """

    name: str
    channel: ChannelName
    url: str
    secret: str | None = field(default=None, repr=False)
    keyword: str | None = None
    recipients: tuple[str, ...] = ()
    sender: str | None = None
    username: str | None = None
    use_ssl: bool = False
    starttls: bool = False
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.channel not in CHANNEL_NAMES:
            raise ValueError(f"unknown channel {self.channel!r} for target {self.name!r}")
        if not self.url:
            raise ValueError(f"target {self.name!r} has no url")
        if self.use_ssl and self.starttls:
            raise ValueError(f"target {self.name!r}: use_ssl and starttls exclude each other")
        if self.channel == "email" and not (self.sender and self.recipients):
            raise ValueError(f"email target {self.name!r} needs a sender and recipients")
        object.__setattr__(self, "recipients", tuple(self.recipients))

    def __repr__(self) -> str:
        return (
            f"TargetSpec(name={self.name!r}, channel={self.channel!r}, url={mask_url(self.url)!r}, "
            f"secret={mask_secret(self.secret) if self.secret else None!r})"
        )

    def secret_values(self) -> tuple[str, ...]:
        """Every credential this target holds: the secret plus keys/tokens/hook ids in the URL."""
        found = list(secrets_in_url(self.url))
        if self.secret:
            found.append(self.secret)
        return tuple(dict.fromkeys(found))


class Channel(Protocol):
    """One delivery channel. ``send`` never raises for delivery problems: it returns an Outcome."""

    name: str

    def send(
        self, client: httpx.Client, target: TargetSpec, message: Message, now: datetime
    ) -> Outcome: ...


def with_keyword(message: Message, keyword: str | None) -> Message:
    """Make sure the title carries the target's required keyword (自定义关键词).

    The keyword goes into the title because the title is never truncated away.
    """
    if not keyword or keyword in message.title:
        return message
    return replace(message, title=f"【{keyword}】{message.title}")


def merge_digest(idempotency_key: str, messages: Sequence[Message]) -> Message:
    """One digest message for a burst; ``digest_keys`` lists every merged original's key."""
    title, body = templates.digest([(m.title, m.body) for m in messages])
    mentions = dict.fromkeys(mention for m in messages for mention in m.mentions)
    keys = [key for m in messages for key in (m.digest_keys or (m.idempotency_key,))]
    return Message(idempotency_key, title, body, tuple(mentions), None, tuple(dict.fromkeys(keys)))


def epoch_seconds(now: datetime) -> float:
    """Seconds since the epoch; ``now`` must be timezone-aware (a naive time is ambiguous)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.timestamp()
