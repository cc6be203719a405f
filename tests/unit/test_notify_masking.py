import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from demo.sandbox import DINGTALK_SECRET, FEISHU_SECRET, FakePlatforms, smtp_server
from notify.base import Message, TargetSpec
from notify.channels import send
from notify.masking import SecretMaskingFilter, mask_secret, mask_url
from notify.wecom import WeComChannel

NOW = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MESSAGE = Message("esc-0001", "【督办】人民路垃圾清运不及时", "请处理。")


def test_mask_secret_shows_only_the_first_four_characters():
    assert mask_secret("693a91f6-7a2c-4b1e-9d3f-0c5e8b2a4f11") == "693a…"


def test_a_short_secret_is_masked_completely():
    assert mask_secret("hunter2") == "…"
    assert mask_secret("") == ""


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a2c-4b1e-9d3f-0c5e8b2a4f11",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…",
        ),
        (
            "https://oapi.dingtalk.com/robot/send?access_token=a1b2c3d4e5f60718293a4b5c6d7e8f90",
            "https://oapi.dingtalk.com/robot/send?access_token=a1b2…",
        ),
        (
            "https://open.feishu.cn/open-apis/bot/v2/hook/2d9e8f7a-6b5c-4d3e-8f1a-0b9c8d7e6f5a",
            "https://open.feishu.cn/open-apis/bot/v2/hook/2d9e…",
        ),
        (
            "https://ops:s3cr3t-passw0rd@sink.example/in/Zx81kQp0Lm29Ws7Yt4",
            "https://ops:s3cr…@sink.example/in/Zx81…",
        ),
        ("smtp.qq.com:465", "smtp.qq.com:465"),
    ],
)
def test_mask_url_hides_keys_tokens_hook_ids_and_passwords(url, masked):
    assert mask_url(url) == masked


def test_the_filter_masks_secrets_in_the_formatted_message(caplog):
    logger = logging.getLogger("test.masking")
    caplog.handler.addFilter(SecretMaskingFilter(["SECabcdef0123456789"]))
    try:
        with caplog.at_level(logging.INFO, logger="test.masking"):
            logger.info("signing with %s failed", "SECabcdef0123456789")
    finally:
        caplog.handler.filters.clear()

    assert caplog.records[0].getMessage() == "signing with SECa… failed"


def test_the_filter_masks_secrets_in_a_logged_traceback(caplog):
    logger = logging.getLogger("test.masking")
    caplog.handler.addFilter(SecretMaskingFilter(["SECabcdef0123456789"]))
    try:
        with caplog.at_level(logging.INFO, logger="test.masking"):
            try:
                raise RuntimeError("bad secret SECabcdef0123456789")
            except RuntimeError:
                logger.exception("send failed")
    finally:
        caplog.handler.filters.clear()

    assert "SECabcdef0123456789" not in caplog.text
    assert "SECa…" in caplog.text


def test_the_adapters_own_log_lines_never_contain_a_secret(caplog):
    with (
        FakePlatforms() as fake,
        httpx.Client(timeout=5) as client,
        smtp_server(password="auth-code-2026") as sink,
    ):
        targets = [
            TargetSpec("企微", "wecom", fake.wecom_url()),
            TargetSpec("钉钉", "dingtalk", fake.dingtalk_url(), secret=DINGTALK_SECRET),
            TargetSpec("飞书", "feishu", fake.feishu_url(), secret=FEISHU_SECRET),
            TargetSpec("飞书错", "feishu", fake.feishu_url(), secret="wrong-secret-0123"),
            TargetSpec("邮箱", "email", sink.url, secret="auth-code-2026", username="u",
                       sender="a@x.example", recipients=("b@x.example",)),
        ]
        with caplog.at_level(logging.DEBUG, logger="chuangwei.notify"):
            for target in targets:
                send(client, target, MESSAGE, NOW)

    lines = [r.getMessage() for r in caplog.records if r.name == "chuangwei.notify"]
    assert len(lines) == len(targets)
    assert "飞书错" in lines[3] and "19021" in lines[3]
    for target in targets:
        for secret in target.secret_values():
            assert all(secret not in line for line in lines)


def test_with_the_filter_on_the_handler_not_even_httpx_request_lines_leak(caplog):
    with FakePlatforms() as fake, httpx.Client(timeout=5) as client:
        targets = [
            TargetSpec("企微", "wecom", fake.wecom_url()),
            TargetSpec("钉钉", "dingtalk", fake.dingtalk_url(), secret=DINGTALK_SECRET),
            TargetSpec("飞书", "feishu", fake.feishu_url(), secret=FEISHU_SECRET),
        ]
        secrets = [s for t in targets for s in t.secret_values()]
        caplog.handler.addFilter(SecretMaskingFilter(secrets))
        try:
            with caplog.at_level(logging.DEBUG):
                for target in targets:
                    send(client, target, MESSAGE, NOW)
        finally:
            caplog.handler.filters.clear()

    assert any(r.name == "httpx" for r in caplog.records)  # httpx logs the full URL ...
    for secret in secrets:
        assert secret not in caplog.text  # ... but masked


def test_a_secret_echoed_back_by_the_platform_is_masked_in_the_outcome():
    key = "693a91f6-7a2c-4b1e-9d3f-0c5e8b2a4f11"

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"errcode": 40013, "errmsg": f"invalid key {key}"})

    with httpx.Client(transport=httpx.MockTransport(echo)) as client:
        url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}"
        target = TargetSpec("企微", "wecom", url)
        outcome = WeComChannel().send(client, target, MESSAGE, NOW)

    assert outcome.kind == "fatal"
    assert key not in outcome.msg and "693a…" in outcome.msg


def test_a_target_repr_shows_no_secret():
    url = "https://oapi.dingtalk.com/robot/send?access_token=a1b2c3d4e5f60718293a"
    target = TargetSpec("钉钉", "dingtalk", url, secret=DINGTALK_SECRET)

    text = repr(target)

    assert DINGTALK_SECRET not in text and "a1b2c3d4e5f60718293a" not in text
