"""Keep credentials out of logs and error texts: webhook keys, tokens, hook ids, passwords."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, unquote_plus, urlsplit

#: query parameters whose value is a credential
SECRET_PARAMS = frozenset(
    {"key", "access_token", "token", "sign", "secret", "password", "passwd", "api_key", "apikey"}
)
#: parts of a parameter or variable name that mark its value as a credential
_SECRET_WORDS = ("key", "token", "sign", "secret", "pass", "auth", "sig", "ticket", "credential", "session")
#: environment variables whose values are credentials (or URLs that may hold some)
_SECRET_ENV = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|_KEY|KEY_|WEBHOOK|_URL|_DSN|_SERVER)", re.IGNORECASE)
#: a one-time sign-in link's token in a path (``/l/<token>``)
_LINK_TOKEN = re.compile(r"/l/[A-Za-z0-9_\-]+")
#: path segments after which the next segment is a hook id (Feishu ``/bot/v2/hook/<id>``);
#: not "webhook", which WeCom's ``/cgi-bin/webhook/send`` follows with a plain verb
_HOOK_MARKERS = frozenset({"hook", "hooks"})
#: any other path segment this long and opaque is treated as a token
_OPAQUE = re.compile(r"(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-]{16,}")
#: secrets shorter than this are masked completely: four visible characters would be too many
_SHOW_PREFIX_FROM = 12


def _secret_param(name: str) -> bool:
    """A query parameter whose value is a credential: by its name (``key``, ``auth``, ``AccessKey``,
    ``signature`` …). Opaque values are masked whatever their name (``secrets_in_url``)."""
    lowered = name.lower()
    return lowered in SECRET_PARAMS or any(word in lowered for word in _SECRET_WORDS)


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
        if _secret_param(unquote_plus(name)) or _OPAQUE.fullmatch(unquote_plus(value)):
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


def env_secrets(environ: Mapping[str, str]) -> set[str]:
    """The credentials the environment configures, as values to mask wherever they appear.

    Every ``CW_`` variable whose name says it holds a secret, a URL or a server (webhook keys,
    signing secrets, SMTP passwords, the database URL): a URL gives its credential parts (any
    opaque query value, the password, hook ids), anything else its whole value. Masking these
    values themselves does not depend on guessing a parameter's name.
    """
    found: set[str] = set()
    for name, raw in environ.items():
        value = (raw or "").strip()
        if not name.upper().startswith("CW_") or not _SECRET_ENV.search(name) or len(value) < 4:
            continue
        if "://" in value:
            found.update(secrets_in_url(value))
        elif name.upper().endswith("_SERVER"):
            continue  # host:port of a mail server: not a secret
        else:
            found.add(value)
    return found


def mask_link_tokens(text: str) -> str:
    """``/l/<token>`` paths with the token hidden (sign-in links must not be replayable from a log)."""
    return _LINK_TOKEN.sub("/l/…", text)


class LinkTokenFilter(logging.Filter):
    """Hide sign-in link tokens in log records (uvicorn's access log, the web app's own lines).

    The record's arguments are rewritten one by one and kept as arguments: uvicorn's access
    formatter unpacks them (client, method, path, version, status).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_link_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_link_tokens(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: mask_link_tokens(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def hide_link_tokens(*logger_names: str) -> None:
    """Put a ``LinkTokenFilter`` on these loggers (once each)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, LinkTokenFilter) for f in logger.filters):
            logger.addFilter(LinkTokenFilter())
