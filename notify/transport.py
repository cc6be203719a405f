"""The shared last mile: POST the exact bytes, classify the reply, mask and log the outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import lru_cache

import httpx

from notify.base import Message, Outcome, TargetSpec
from notify.classify import classify_error
from notify.masking import mask_text, mask_url

log = logging.getLogger("chuangwei.notify")

#: a delivery is logged at DEBUG (the outbox row records it, and the relay logs each pass's totals);
#: a retry or a failure stands out
_LEVELS = {"ok": logging.DEBUG, "retry": logging.WARNING, "fatal": logging.ERROR}


def make_client(timeout: float = 10.0, connect_timeout: float = 5.0) -> httpx.Client:
    """One client for the relay: no redirects, no transport retries (the outbox retries)."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        follow_redirects=False,
        headers={"User-Agent": "chuangwei-notify"},
    )


def post_json(
    client: httpx.Client,
    url: str,
    body: bytes,
    classify: Callable[[httpx.Response], Outcome],
    *,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Outcome:
    """POST ``body`` (already encoded JSON, so its size was checked) and classify the result.

    ``params`` are merged into the URL's own query (httpx would otherwise replace it, dropping
    the ``access_token``).
    """
    try:
        full_url = _parsed(url)
        if params:
            full_url = full_url.copy_merge_params(params)
        response = client.post(
            full_url,
            content=body,
            headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )
    except httpx.InvalidURL as exc:
        return Outcome("fatal", None, f"InvalidURL: {exc}")
    except httpx.RequestError as exc:
        return classify_error(exc)
    return classify(response)


@lru_cache(maxsize=256)
def _parsed(url: str) -> httpx.URL:
    """A target's URL, parsed once (an ``httpx.URL`` is immutable; the relay posts to few robots)."""
    return httpx.URL(url)


def finish(target: TargetSpec, message: Message, outcome: Outcome) -> Outcome:
    """Mask the target's secrets out of ``outcome.msg``, log the attempt and return the outcome."""
    if outcome.msg:
        masked = mask_text(outcome.msg, target.secret_values())
        if masked != outcome.msg:
            outcome = replace(outcome, msg=masked)
    level = _LEVELS[outcome.kind]
    if not log.isEnabledFor(level):  # the line's arguments (a masked URL) cost more than the check
        return outcome
    log.log(
        level,
        "%s send to %s (%s) key=%s: %s code=%s retry_after=%s %s",
        target.channel,
        target.name,
        mask_url(target.url),
        message.idempotency_key,
        outcome.kind,
        outcome.code,
        outcome.retry_after,
        outcome.msg,
    )
    return outcome
