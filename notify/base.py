"""The adapter interface: what is sent (`Message`), where (`TargetSpec`), how it went."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
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

    ``mentions`` are mobile numbers (or ``"@all"``); ``link`` is the page where the reader acts
    (the card's click target); ``links`` are further ``(label, url)`` pages, such as the items a
    digest lists (a card shows the first three as buttons); ``digest_keys`` are the idempotency
    keys of the messages merged into this one when it is a digest.
    """

    idempotency_key: str
    title: str
    body: str
    mentions: tuple[str, ...] = ()
    link: str | None = None
    digest_keys: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # the key travels in an HTTP header and a Message-ID: printable ASCII only
        key = self.idempotency_key
        if not key or not key.isascii() or not key.isprintable():
            raise ValueError(f"idempotency key must be printable ASCII, got {key!r}")
        object.__setattr__(self, "mentions", tuple(self.mentions))
        object.__setattr__(self, "digest_keys", tuple(self.digest_keys))
        object.__setattr__(self, "links", tuple((str(a), str(b)) for a, b in self.links))

    @property
    def opens(self) -> str | None:
        """The page a tap on the whole message opens: its link, else the first listed item's."""
        return self.link or (self.links[0][1] if self.links else None)

    def jumps(self, limit: int = 3) -> list[tuple[str, str]]:
        """Up to ``limit`` distinct ``(label, url)`` buttons: the extra links, else the main link."""
        found: dict[str, str] = {}
        for label, url in self.links:
            found.setdefault(url, label)
        if not found and self.link:
            found[self.link] = templates.LINK_TEXT
        return [(label, url) for url, label in list(found.items())[:limit]]


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
        return _secret_values(self.url, self.secret)


@lru_cache(maxsize=256)
def _secret_values(url: str, secret: str | None) -> tuple[str, ...]:
    """``TargetSpec.secret_values``, worked out once per target (every send masks its reply with them)."""
    found = list(secrets_in_url(url))
    if secret:
        found.append(secret)
    return tuple(dict.fromkeys(found))


class Channel(Protocol):
    """One delivery channel. ``send`` never raises for delivery problems: it returns an Outcome."""

    name: str

    def requests_for(self, message: Message) -> int:
        """How many requests ``message`` costs the target's rate limit."""
        ...

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


def keyword_in_body(message: Message, keyword: str | None) -> Message:
    """Make sure the body carries the keyword too: Feishu scans the message content, not its title."""
    if not keyword or keyword in message.body:
        return message
    return replace(message, body=f"【{keyword}】{message.body}")


def merge_digest(idempotency_key: str, messages: Sequence[Message]) -> Message:
    """One digest message for a burst; it keeps every merged original's key and link.

    The digest's own link is the one its messages share; when they differ, each item's link is
    kept in ``links`` (and in the body, next to its title).
    """
    title, body = templates.digest([(m.title, m.body, m.link) for m in messages])
    mentions = dict.fromkeys(mention for m in messages for mention in m.mentions)
    keys = [key for m in messages for key in (m.digest_keys or (m.idempotency_key,))]
    links: dict[str, str] = {}
    for m in messages:
        own = ([(templates.short_title(m.title), m.link)] if m.link else []) + list(m.links)
        for label, url in own:
            links.setdefault(url, label)
    shared = next(iter(links)) if len(links) == 1 else None
    return Message(idempotency_key, title, body, tuple(mentions), shared, tuple(dict.fromkeys(keys)),
                   tuple((label, url) for url, label in links.items()))


def epoch_seconds(now: datetime) -> float:
    """Seconds since the epoch; ``now`` must be timezone-aware (a naive time is ambiguous)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.timestamp()
