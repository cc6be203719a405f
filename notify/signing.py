"""Request signatures (加签). Timestamps are passed in: they come from the injected ``now``."""

from __future__ import annotations

import base64
import hashlib
import hmac


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: base64(HMAC-SHA256(key=secret, msg=f"{timestamp_ms}\\n{secret}")).

    Returned raw (not URL-quoted): pass it through httpx query params, which quote it once.
    Quoting it here as well is the classic double-encoding bug (``%2B`` → ``%252B``).
    """
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    mac = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu: base64(HMAC-SHA256(key=f"{timestamp_s}\\n{secret}", msg=b"")).

    Unlike DingTalk, the string to sign is the *key* and the message is empty.
    """
    mac = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def webhook_signature(secret: str, timestamp_s: int, body: bytes) -> str:
    """Generic webhook: ``sha256=`` + hex HMAC-SHA256(key=secret, msg=b"<timestamp_s>." + body)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp_s}.".encode("ascii") + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()
