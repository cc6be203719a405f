"""cw.log masks the configured credentials themselves, and sign-in link tokens (issue 16)."""

from __future__ import annotations

import logging

import pytest

from commands.common import setup_logging
from config.settings import Settings
from notify.masking import LinkTokenFilter, env_secrets, secrets_in_url

URL = "https://gw.example.gov.cn/push?auth=s3cr3tA&AccessKey=AK7x9q&signature=zz91ab&msg_type=text"


def test_query_credentials_are_found_whatever_the_parameter_is_called():
    found = secrets_in_url(URL)
    assert {"s3cr3tA", "AK7x9q", "zz91ab"} <= set(found) and "text" not in found


def test_the_environments_configured_credentials_are_collected():
    env = {"CW_NOTIFY_WEBHOOK_URL": URL, "CW_NOTIFY_SMTP_PASSWORD": "hunter22pw", "CW_NOTIFY_SMTP_SERVER": "smtp.x.cn:587",
           "CW_DATABASE_URL": "postgresql://cw:dbpass99@db/cw", "CW_LOG_LEVEL": "INFO", "HOME": "/root"}
    found = env_secrets(env)
    assert {"s3cr3tA", "AK7x9q", "zz91ab", "hunter22pw", "dbpass99"} <= found
    assert "INFO" not in found and "/root" not in found and "smtp.x.cn:587" not in found


@pytest.fixture
def cw_log(tmp_path, monkeypatch):
    """``setup_logging`` on a fresh data dir with credentials in the environment; the chuangwei logger reset after."""
    monkeypatch.setenv("CW_NOTIFY_WEBHOOK_URL", URL)
    monkeypatch.setenv("CW_NOTIFY_LEADERS_DINGTALK_SECRET", "SECdeadbeef0042")
    root = logging.getLogger("chuangwei")
    saved = root.handlers[:]
    root.handlers.clear()
    setup_logging(Settings(data_dir=tmp_path / "var", output_dir=tmp_path / "out"))
    yield tmp_path / "var" / "logs" / "cw.log"
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = saved


def test_cw_log_never_holds_a_configured_secret_or_a_link_token(cw_log):
    log = logging.getLogger("chuangwei.notify")
    log.warning("POST %s failed: 403", URL.replace("https://", "http://"))
    log.warning("signing with %s", "SECdeadbeef0042")
    logging.getLogger("chuangwei.web").info("GET /l/Abc-def_0123456789xyzXYZ done")
    text = cw_log.read_text(encoding="utf-8")
    for secret in ("s3cr3tA", "AK7x9q", "zz91ab", "SECdeadbeef0042", "Abc-def_0123456789xyzXYZ"):
        assert secret not in text
    assert "403" in text and "/l/…" in text


def test_the_access_log_keeps_its_arguments_with_the_token_hidden():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/l/tok_en-123?x=1", "1.1", 200), None)
    LinkTokenFilter().filter(record)
    assert record.args[2] == "/l/…?x=1" and record.getMessage().endswith('"GET /l/…?x=1 HTTP/1.1" 200')
