"""Pure relay decisions (backoff with deterministic full jitter) and the ``notifications:`` section."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config.notifications import NotificationsSpec, NotificationTargetSpec
from rules.delivery import BACKOFF_CAP_S, backoff_delay, decide, jitter_fraction


def test_notification_backoff_jitter_is_reproducible_and_differs_between_messages():
    assert jitter_fraction("k1", 3) == jitter_fraction("k1", 3)
    assert len({jitter_fraction(f"k{i}", 1) for i in range(50)}) == 50
    assert all(0 <= jitter_fraction(f"k{i}", a) < 1 for i in range(50) for a in range(1, 9))


def test_notification_backoff_grows_exponentially_within_the_cap_and_honours_retry_after():
    for attempt in range(1, 12):
        ceilings = [backoff_delay(f"m{i}", attempt) for i in range(200)]
        assert max(ceilings) <= min(BACKOFF_CAP_S, 30 * 2 ** (attempt - 1))
        assert max(ceilings) > 0.5 * min(BACKOFF_CAP_S, 30 * 2 ** (attempt - 1))  # the full range is used
    assert backoff_delay("m", 1, retry_after=600.0) == 600.0  # DingTalk's 10-minute penalty wins
    assert backoff_delay("m", 60) <= BACKOFF_CAP_S


def test_notification_outcomes_map_to_sent_retry_or_dead():
    assert decide("ok", key="k", attempt=1).state == "sent"
    retry = decide("retry", key="k", attempt=2, retry_after=60.0)
    assert retry.state == "pending" and retry.delay_s >= 60.0
    assert decide("retry", key="k", attempt=8, max_attempts=8).state == "dead"
    assert decide("fatal", key="k", attempt=1).state == "dead"
    with pytest.raises(ValueError):
        decide("maybe", key="k", attempt=1)


def test_notification_targets_keep_credentials_out_of_the_campaign_file():
    with pytest.raises(ValidationError, match="url 含有密钥"):
        NotificationTargetSpec(name="群", channel="wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    with pytest.raises(ValidationError, match="url_env（推荐）或 url 之一"):
        NotificationTargetSpec(name="群", channel="wecom")
    with pytest.raises(ValidationError, match="环境变量名"):
        NotificationTargetSpec(name="群", channel="wecom", url_env="my-url")
    with pytest.raises(ValidationError, match="不是邮件"):
        NotificationTargetSpec(name="群", channel="feishu", url_env="X", recipients=["a@b.cn"])
    assert NotificationTargetSpec(name="本地", channel="webhook", url="http://127.0.0.1:9000/hook-sink").url


def test_notification_digests_default_to_robots_and_email_but_never_webhooks():
    spec = NotificationsSpec(digest_after=10, targets=[
        NotificationTargetSpec(name="群", channel="wecom", url_env="A"),
        NotificationTargetSpec(name="接口", channel="webhook", url_env="B"),
        NotificationTargetSpec(name="少量", channel="feishu", url_env="C", digest_after=3)])
    assert [spec.digest_threshold(t) for t in spec.targets] == [10, 0, 3]
    assert spec.target("接口").channel == "webhook" and spec.target("无") is None
