import email
import email.policy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from demo.sandbox import refused_url, smtp_server
from notify.base import Message, TargetSpec
from notify.email import EmailChannel, message_id

NOW = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MESSAGE = Message(
    "esc-0001",
    "【督办】人民路东段垃圾清运不及时，请于5月12日18时前整改到位并报创卫办",
    "市城管局：\n经督查，人民路东段存在以下问题：\n1. 垃圾清运不及时\n2. 门前三包落实不到位",
    link="https://cw.example/problems/1",
)
mailer = EmailChannel()


def target(url: str, **kwargs) -> TargetSpec:
    fields = {
        "sender": "创卫办督办系统 <duban@cw.example.gov.cn>",
        "recipients": ("市城管局 张科长 <zhang@cg.example.gov.cn>", "li@cg.example.gov.cn"),
    } | kwargs
    return TargetSpec("城管局邮箱", "email", url, **fields)


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_a_chinese_subject_and_display_names_decode_back_exactly():
    with smtp_server() as sink:
        outcome = mailer.send(None, target(sink.url), MESSAGE, NOW)

        assert outcome.kind == "ok"
        received = parsed(sink.messages[0].content)
    assert received["Subject"] == MESSAGE.title
    assert received["From"].addresses[0].display_name == "创卫办督办系统"
    assert received["To"].addresses[0].display_name == "市城管局 张科长"
    text = received.get_body(("plain",)).get_content()
    assert text.startswith("市城管局：\n经督查")
    assert "查看详情：https://cw.example/problems/1" in text


def test_a_message_with_a_link_carries_an_html_part_with_the_link_as_an_anchor():
    with smtp_server() as sink:
        mailer.send(None, target(sink.url), MESSAGE, NOW)

        received = parsed(sink.messages[0].content)
    html = received.get_body(("html",)).get_content()
    assert '<a href="https://cw.example/problems/1">查看详情</a>' in html
    assert "市城管局：<br>" in html and "<script" not in html


def test_html_in_a_notice_is_escaped_in_the_html_part():
    message = Message("esc-0009", "【提醒】<b>", "路段：<script>alert(1)</script>", link="https://cw.example/t/1?a=1&b=2")
    with smtp_server() as sink:
        mailer.send(None, target(sink.url), message, NOW)

        html = parsed(sink.messages[0].content).get_body(("html",)).get_content()
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert 'href="https://cw.example/t/1?a=1&amp;b=2"' in html


def test_the_message_on_the_wire_is_pure_7bit_ascii():
    with smtp_server() as sink:
        mailer.send(None, target(sink.url), MESSAGE, NOW)

        raw = sink.messages[0].content
    assert all(byte < 128 for byte in raw)
    assert b"=?utf-8?" in raw
    assert b"Content-Transfer-Encoding: base64" in raw


def test_a_long_mail_to_many_recipients_goes_out_in_short_crlf_lines():
    """An SMTP server refuses a line over 1,000 bytes: every line of the mail, headers and body, is short."""
    long = Message("esc-0002", "【督办】" + "人民路东段垃圾清运不及时" * 12, "第一项问题说明。" * 300,
                   link="https://cw.example/problems/2")
    many = tuple(f"第{i}联络员 <u{i}@cg.example.gov.cn>" for i in range(30))
    with smtp_server() as sink:
        outcome = mailer.send(None, target(sink.url, recipients=many), long, NOW)

        raw = sink.messages[0].content
    assert outcome.kind == "ok", outcome
    assert len(raw) > 10_000
    assert b"\n" not in raw.replace(b"\r\n", b"") and max(len(line) for line in raw.split(b"\r\n")) <= 998
    received = parsed(raw)
    assert received["Subject"] == long.title
    assert [a.username for a in received["To"].addresses] == [f"u{i}" for i in range(30)]
    assert received.get_body(("plain",)).get_content().startswith("第一项问题说明。" * 300)


def test_the_envelope_uses_the_bare_addresses():
    with smtp_server() as sink:
        mailer.send(None, target(sink.url), MESSAGE, NOW)

        received = sink.messages[0]
    assert received.mail_from == "duban@cw.example.gov.cn"
    assert received.rcpt_tos == ("zhang@cg.example.gov.cn", "li@cg.example.gov.cn")


def test_the_message_id_carries_the_idempotency_key_and_is_the_same_on_a_retry():
    with smtp_server() as sink:
        mailer.send(None, target(sink.url), MESSAGE, NOW)
        mailer.send(None, target(sink.url), MESSAGE, NOW)

        ids = [parsed(m.content)["Message-ID"] for m in sink.messages]
    assert ids[0] == ids[1] == "<esc-0001@cw.example.gov.cn>"


def test_a_key_that_is_not_a_valid_message_id_part_is_hashed():
    assert message_id("esc 1/层级", "x.example") == message_id("esc 1/层级", "x.example")
    assert " " not in message_id("esc 1/2", "x.example")


def test_a_5xx_reply_to_the_message_is_fatal():
    with smtp_server() as sink:
        sink.handler.data_reply = "554 5.7.1 Message rejected as spam"

        outcome = mailer.send(None, target(sink.url), MESSAGE, NOW)

    assert (outcome.kind, outcome.code) == ("fatal", 554)
    assert "spam" in outcome.msg


def test_a_4xx_reply_to_the_message_is_retried():
    with smtp_server() as sink:
        sink.handler.data_reply = "451 4.3.0 Try again later"

        outcome = mailer.send(None, target(sink.url), MESSAGE, NOW)

    assert (outcome.kind, outcome.code) == ("retry", 451)
    assert outcome.retry_after > 0


def test_all_recipients_refused_permanently_is_fatal():
    with smtp_server() as sink:
        sink.handler.rcpt_replies = {
            "zhang@cg.example.gov.cn": "550 5.1.1 No such user",
            "li@cg.example.gov.cn": "550 5.1.1 No such user",
        }

        outcome = mailer.send(None, target(sink.url), MESSAGE, NOW)

    assert (outcome.kind, outcome.code) == ("fatal", 550)


def test_all_recipients_refused_temporarily_is_retried():
    with smtp_server() as sink:
        sink.handler.rcpt_replies = {
            "zhang@cg.example.gov.cn": "450 4.2.1 Mailbox busy",
            "li@cg.example.gov.cn": "452 4.2.2 Mailbox full",
        }

        outcome = mailer.send(None, target(sink.url), MESSAGE, NOW)

    assert outcome.kind == "retry"


def test_a_partly_refused_message_is_not_reported_as_delivered():
    with smtp_server() as sink:
        sink.handler.rcpt_replies = {"li@cg.example.gov.cn": "550 5.1.1 No such user"}

        outcome = mailer.send(None, target(sink.url), MESSAGE, NOW)

        assert len(sink.messages) == 1
    assert outcome.kind == "fatal"
    assert "delivered to 1 of 2" in outcome.msg and "li@cg.example.gov.cn" in outcome.msg


def test_a_refused_connection_is_retried():
    url = refused_url().removeprefix("http://").rstrip("/")

    assert mailer.send(None, target(url), MESSAGE, NOW).kind == "retry"


def test_login_with_the_right_password_delivers():
    with smtp_server(username="duban", password="auth-code-2026") as sink:
        account = target(sink.url, username="duban", secret="auth-code-2026")

        outcome = mailer.send(None, account, MESSAGE, NOW)

        assert outcome.kind == "ok"
        assert len(sink.messages) == 1


def test_a_wrong_password_is_fatal():
    with smtp_server(username="duban", password="auth-code-2026") as sink:
        account = target(sink.url, username="duban", secret="wrong-code")

        outcome = mailer.send(None, account, MESSAGE, NOW)

        assert sink.messages == []
    assert (outcome.kind, outcome.code) == ("fatal", 535)


def test_starttls_that_the_server_does_not_offer_is_fatal_and_nothing_goes_out_in_clear():
    with smtp_server() as sink:
        outcome = mailer.send(None, target(sink.url, starttls=True), MESSAGE, NOW)

        assert sink.messages == []
    assert outcome.kind == "fatal"
    assert "STARTTLS" in outcome.msg


def test_a_sender_that_is_not_an_address_is_fatal_without_connecting():
    outcome = mailer.send(None, target("127.0.0.1:1", sender="创卫办"), MESSAGE, NOW)

    assert outcome.kind == "fatal"


def test_ssl_and_starttls_together_are_refused_as_configuration():
    with pytest.raises(ValueError, match="use_ssl and starttls"):
        target("smtp.example:465", use_ssl=True, starttls=True)
