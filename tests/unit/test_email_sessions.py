"""A relay pass keeps one SMTP session per mail server (issue 22): connect and AUTH once, not per mail,
and a session that failed or died is never used for the next mail."""

import pytest

import notify.email as email_channel
from demo.sandbox import smtp_server
from notify.base import Message
from notify.email import EmailChannel, kept_sessions
from tests.unit.test_channels_email import NOW, target

mailer = EmailChannel()


def mail(n: int) -> Message:
    return Message(f"esc-{n:04d}", f"【督办】第{n}件", f"市城管局：\n第{n}件问题请整改", link=f"https://cw.example/problems/{n}")


def test_mails_in_one_pass_share_one_authenticated_session():
    with smtp_server(username="relay", password="s3cret") as sink, kept_sessions():
        outcomes = [mailer.send(None, target(sink.url, username="relay", secret="s3cret"), mail(n), NOW)
                    for n in range(5)]
        peers = [m.peer for m in sink.messages]
    assert [o.kind for o in outcomes] == ["ok"] * 5
    assert len(peers) == 5 and len(set(peers)) == 1


def test_without_a_pass_every_mail_has_its_own_session():
    with smtp_server() as sink:
        for n in range(3):
            assert mailer.send(None, target(sink.url), mail(n), NOW).kind == "ok"
        assert len({m.peer for m in sink.messages}) == 3


def test_a_session_whose_mail_failed_is_not_reused():
    with smtp_server() as sink, kept_sessions():
        assert mailer.send(None, target(sink.url), mail(1), NOW).kind == "ok"
        sink.handler.data_reply = "451 4.3.0 Try again later"
        assert mailer.send(None, target(sink.url), mail(2), NOW).kind == "retry"
        sink.handler.data_reply = None
        assert mailer.send(None, target(sink.url), mail(3), NOW).kind == "ok"
        first, third = sink.messages
    assert first.peer != third.peer


def test_a_kept_session_the_server_dropped_costs_no_mail(monkeypatch):
    monkeypatch.setattr(email_channel, "IDLE_CHECK_S", 0.0)  # check every reuse with NOOP
    with smtp_server() as sink, kept_sessions():
        assert mailer.send(None, target(sink.url), mail(1), NOW).kind == "ok"
        sessions = email_channel._kept.sessions
        assert len(sessions.open) == 1
        for smtp, _, _ in sessions.open.values():
            smtp.sock.close()  # the server's idle timeout, as the client sees it
        assert mailer.send(None, target(sink.url), mail(2), NOW).kind == "ok"
        assert len(sink.messages) == 2
    assert email_channel._kept.sessions is None  # closed with the block


@pytest.mark.parametrize("cap", [2])
def test_a_session_is_renewed_after_its_mail_cap(monkeypatch, cap):
    monkeypatch.setattr(email_channel, "MAILS_PER_SESSION", cap)
    with smtp_server() as sink, kept_sessions():
        for n in range(5):
            assert mailer.send(None, target(sink.url), mail(n), NOW).kind == "ok"
        peers = [m.peer for m in sink.messages]
    assert len(set(peers)) == 3 and peers[0] == peers[1] and peers[2] == peers[3] != peers[0]
