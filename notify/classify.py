"""Sort every reply into ok / retry / fatal. Success needs HTTP 200 *and* a zero code.

The IM platforms answer HTTP 200 when they reject a message (bad key, bad signature, missing
keyword, rate limit), so the status alone proves nothing. Unknown non-zero codes are fatal:
retrying a payload or configuration error only burns the robot's rate limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

from notify.base import Outcome

#: wait before retrying a 429/5xx that gave no Retry-After, or a connection failure
DEFAULT_RETRY_AFTER = 30.0
_EXCERPT = 200


@dataclass(frozen=True)
class RetryRule:
    """A retryable platform code: wait ``after`` seconds; only if the msg has ``msg_contains``."""

    after: float
    msg_contains: str | None = None


@dataclass(frozen=True)
class ReplyFormat:
    """Where a platform puts its result code and message, and which codes are retryable."""

    code_key: str
    msg_key: str
    retry: Mapping[int, RetryRule]


WECOM = ReplyFormat("errcode", "errmsg", {45009: RetryRule(60.0), -1: RetryRule(5.0)})
# DingTalk blocks a robot for 10 minutes after 20 messages a minute: 410100 now, 130101 before
DINGTALK = ReplyFormat(
    "errcode", "errmsg", {410100: RetryRule(600.0), 130101: RetryRule(600.0), -1: RetryRule(5.0)}
)
# Feishu's 9499 means both "Bad Request" (fatal) and "too many request" (retry): the msg decides.
FEISHU = ReplyFormat(
    "code", "msg", {11232: RetryRule(60.0), 9499: RetryRule(60.0, "too many request")}
)


def classify_reply(response: httpx.Response, fmt: ReplyFormat, now: datetime) -> Outcome:
    """Classify an IM platform's reply (JSON body with a result code)."""
    if _is_transient_status(response.status_code):
        return _transient(response, now)
    try:
        body = response.json()
    except ValueError:
        excerpt = response.text[:_EXCERPT]
        return Outcome("fatal", response.status_code, f"HTTP {response.status_code}: {excerpt!r}")
    if not isinstance(body, dict):
        excerpt = str(body)[:_EXCERPT]
        return Outcome("fatal", response.status_code, f"HTTP {response.status_code}: {excerpt!r}")
    code, msg = body.get(fmt.code_key), str(body.get(fmt.msg_key, ""))[:_EXCERPT]
    # bool is an int in Python: a JSON `false` must not pass for errcode 0
    if type(code) is not int:
        return Outcome("fatal", None, f"HTTP {response.status_code}: no {fmt.code_key} in reply")
    text = f"{fmt.code_key} {code}: {msg}"
    if code == 0 and response.status_code == 200:
        return Outcome("ok", 0, msg)
    if code == 0:
        return Outcome("fatal", response.status_code, f"HTTP {response.status_code} with {text}")
    rule = fmt.retry.get(code)
    if rule and (rule.msg_contains is None or rule.msg_contains in msg.lower()):
        return Outcome("retry", code, text, rule.after)
    return Outcome("fatal", code, text)


def classify_status(response: httpx.Response, now: datetime) -> Outcome:
    """Classify a plain HTTP endpoint: 2xx ok, 429/5xx retry, anything else fatal."""
    if response.is_success:
        return Outcome("ok", response.status_code)
    if _is_transient_status(response.status_code):
        return _transient(response, now)
    excerpt = response.text[:_EXCERPT]
    return Outcome("fatal", response.status_code, f"HTTP {response.status_code}: {excerpt}")


def classify_error(exc: httpx.RequestError) -> Outcome:
    """Classify a request that got no reply. Connection problems and timeouts are retried.

    A timeout after the request was written may still have delivered the message: delivery
    is at-least-once, and a rare duplicate is the price of never losing a notice.
    """
    # our own mistakes (no http/https scheme, an illegal header) will not mend by waiting
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.LocalProtocolError)):
        return Outcome("fatal", None, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, httpx.TransportError):
        return Outcome("retry", None, f"{type(exc).__name__}: {exc}", DEFAULT_RETRY_AFTER)
    return Outcome("fatal", None, f"{type(exc).__name__}: {exc}")


def retry_after_seconds(
    value: str | None, now: datetime, default: float = DEFAULT_RETRY_AFTER
) -> float:
    """Parse a Retry-After header (delta-seconds or HTTP-date, RFC 9110 §10.2.3)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None or now.tzinfo is None:
        return default
    return max(0.0, (when - now).total_seconds())


def _is_transient_status(status: int) -> bool:
    return status == 429 or status >= 500


def _transient(response: httpx.Response, now: datetime) -> Outcome:
    wait = retry_after_seconds(response.headers.get("Retry-After"), now)
    return Outcome("retry", response.status_code, f"HTTP {response.status_code}", wait)
