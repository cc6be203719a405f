"""Keep credentials out of logs and error texts: webhook keys, tokens, hook ids, passwords."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import unquote, unquote_plus, urlsplit

#: query parameters whose value is a credential
SECRET_PARAMS = frozenset(
    {"key", "access_token", "token", "sign", "secret", "password", "passwd", "api_key", "apikey"}
)
#: path segments after which the next segment is a hook id (Feishu ``/bot/v2/hook/<id>``);
#: not "webhook", which WeCom's ``/cgi-bin/webhook/send`` follows with a plain verb
_HOOK_MARKERS = frozenset({"hook", "hooks"})
#: any other path segment this long and opaque is treated as a token
_OPAQUE = re.compile(r"(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-]{16,}")
#: secrets shorter than this are masked completely: four visible characters would be too many
_SHOW_PREFIX_FROM = 12


def mask_secret(secret: str) -> str:
    """First 4 characters and an ellipsis (``abcd…``); short secrets become just ``…``."""
    if not secret:
        return ""
    if len(secret) < _SHOW_PREFIX_FROM:
        return "…"
    return secret[:4] + "…"


def secrets_in_url(url: str) -> tuple[str, ...]:
    """The credential parts of a URL, as written in it and percent-decoded."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    found: list[str] = []
    if parts.password:
        found.append(parts.password)
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        if unquote_plus(name).lower() in SECRET_PARAMS:
            found.extend((value, unquote_plus(value)))
    segments = [s for s in parts.path.split("/") if s]
    for previous, segment in zip([""] + segments, segments, strict=False):
        if previous.lower() in _HOOK_MARKERS or _OPAQUE.fullmatch(segment):
            found.append(segment)
            found.append(unquote(segment))
    return tuple(dict.fromkeys(s for s in found if s))


def mask_url(url: str) -> str:
    """The URL with every credential part replaced by its mask; safe to log."""
    return mask_text(url, secrets_in_url(url))


def mask_text(text: str, secrets: Iterable[str]) -> str:
    """Replace each known secret in ``text`` by its mask (longest first: overlaps stay hidden)."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, mask_secret(secret))
    return text


class SecretMaskingFilter(logging.Filter):
    """Rewrite log records so that no known secret appears in the formatted message.

    Attach it to a *handler* (filters on a logger do not see records of child loggers, such as
    httpx's ``HTTP Request: POST …?key=…`` line). The record is changed in place, so every
    handler after this one sees the masked text too.
    """

    def __init__(self, secrets: Iterable[str], name: str = "") -> None:
        super().__init__(name)
        self.secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logging's problem to report, not ours
            return True
        masked = mask_text(message, self.secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text, self.secrets)
        return True
