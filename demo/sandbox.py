"""Real loopback servers that answer like WeCom, DingTalk, Feishu, a generic webhook and SMTP.

The HTTP fake checks what the real platforms check (key, token, signature, timestamp window,
keyword, body size) and answers with their error codes, so adapters are tested against the
bytes on the wire. Signatures are verified here with their own code, independent of
``notify.signing``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

WECOM_KEY = "693a91f6-7a2c-4b1e-9d3f-0c5e8b2a4f11"
DINGTALK_TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
DINGTALK_SECRET = "SEC0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
FEISHU_HOOK = "2d9e8f7a-6b5c-4d3e-8f1a-0b9c8d7e6f5a"
FEISHU_SECRET = "qM3vXb7Rk9LpT2wYz5Hc8N"

WECOM_TEXT_MAX = 2048
WECOM_MARKDOWN_MAX = 4096
DINGTALK_BODY_MAX = 20_000
FEISHU_BODY_MAX = 20_000
SIGN_WINDOW_S = 3600
DINGTALK_DOC = "[https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"
DINGTALK_TYPES = {"text", "markdown", "link", "actionCard", "feedCard"}

FEISHU_OK = {"code": 0, "msg": "success", "data": {}, "Extra": None, "StatusCode": 0,
             "StatusMessage": "success"}


@dataclass(frozen=True)
class Received:
    """One request as the fake saw it."""

    platform: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any


@dataclass(frozen=True)
class Reply:
    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Scripted:
    kind: str  # "rate_limit" | "burst" | "server_error"
    status: int = 503
    retry_after: str | None = None


class FakePlatforms:
    """A ThreadingHTTPServer on 127.0.0.1 playing all four HTTP platforms; a context manager.

    ``clock`` (epoch seconds) enables the one-hour timestamp window check of DingTalk and Feishu.
    """

    def __init__(
        self,
        *,
        wecom_key: str = WECOM_KEY,
        dingtalk_token: str = DINGTALK_TOKEN,
        dingtalk_secret: str | None = DINGTALK_SECRET,
        dingtalk_keyword: str | None = None,
        feishu_hook: str = FEISHU_HOOK,
        feishu_secret: str | None = FEISHU_SECRET,
        feishu_keyword: str | None = None,
        webhook_secret: str | None = None,
        webhook_status: int = 200,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.wecom_key = wecom_key
        self.dingtalk_token = dingtalk_token
        self.dingtalk_secret = dingtalk_secret
        self.dingtalk_keyword = dingtalk_keyword
        self.feishu_hook = feishu_hook
        self.feishu_secret = feishu_secret
        self.feishu_keyword = feishu_keyword
        self.webhook_secret = webhook_secret
        self.webhook_status = webhook_status
        self.clock = clock
        self._lock = threading.Lock()
        self._requests: list[Received] = []
        self._scripts: dict[str, deque[_Scripted]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> FakePlatforms:
        fake = self

        class Handler(_Handler):
            platforms = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "use FakePlatforms as a context manager"
        host, port = self._server.socket.getsockname()[:2]  # server_address is typed for any socket family
        return f"http://{host}:{port}"

    def wecom_url(self, key: str | None = None) -> str:
        return f"{self.base_url}/cgi-bin/webhook/send?key={key or self.wecom_key}"

    def dingtalk_url(self, token: str | None = None) -> str:
        return f"{self.base_url}/robot/send?access_token={token or self.dingtalk_token}"

    def feishu_url(self, hook: str | None = None) -> str:
        return f"{self.base_url}/open-apis/bot/v2/hook/{hook or self.feishu_hook}"

    def webhook_url(self, name: str = "sink") -> str:
        return f"{self.base_url}/webhook/{name}"

    # -- scripting and inspection ------------------------------------------------------------

    def fail_next(
        self, platform: str, kind: str, times: int = 1, *, status: int = 503,
        retry_after: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests to ``platform`` with a rate limit or a server error.

        ``kind``: ``"rate_limit"`` (the platform's own code; HTTP 429 for the webhook),
        ``"burst"`` (Feishu's HTTP 400 ``9499 too many request``) or ``"server_error"``.
        """
        with self._lock:
            queue = self._scripts.setdefault(platform, deque())
            queue.extend(_Scripted(kind, status, retry_after) for _ in range(times))

    @property
    def requests(self) -> list[Received]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, platform: str) -> list[Received]:
        return [r for r in self.requests if r.platform == platform]

    # -- the platforms -----------------------------------------------------------------------

    def handle(self, received: Received) -> Reply:
        with self._lock:
            self._requests.append(received)
            queue = self._scripts.get(received.platform)
            scripted = queue.popleft() if queue else None
        if scripted is not None:
            return _scripted_reply(received.platform, scripted)
        answer = {
            "wecom": self._wecom,
            "dingtalk": self._dingtalk,
            "feishu": self._feishu,
            "webhook": self._webhook,
        }.get(received.platform)
        if answer is None:
            return Reply(404, {"error": "not found"})
        return answer(received)

    def _wecom(self, r: Received) -> Reply:
        if r.query.get("key") != self.wecom_key:
            return _errcode(93000, "invalid webhook url, hint: [1700000000_fake], from ip: "
                            "127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query")
        if not isinstance(r.json, dict):
            return _errcode(40035, "invalid param, not a JSON object")
        msgtype = r.json.get("msgtype")
        if msgtype == "template_card":
            return _wecom_card(r.json.get("template_card"))
        limits = {"text": WECOM_TEXT_MAX, "markdown": WECOM_MARKDOWN_MAX}
        if msgtype not in limits:
            return _errcode(40008, "invalid message type")
        content = str(r.json.get(msgtype, {}).get("content", ""))
        if not content:
            return _errcode(44004, "empty content")
        if len(content.encode("utf-8")) > limits[msgtype]:
            return _errcode(40058, f"{msgtype}.content exceed max length {limits[msgtype]}")
        return _errcode(0, "ok")

    def _dingtalk(self, r: Received) -> Reply:
        token = r.query.get("access_token")
        if not token:
            return _errcode(40035, "缺少参数 access_token")
        if token != self.dingtalk_token:
            return _errcode(300005, "token is not exist")
        if self.dingtalk_secret:
            timestamp, sign = r.query.get("timestamp", ""), r.query.get("sign", "")
            if not timestamp.isdigit() or not self._fresh(int(timestamp) / 1000):
                return _errcode(310000, "invalid timestamp")
            string_to_sign = f"{timestamp}\n{self.dingtalk_secret}".encode()
            expected = base64.b64encode(
                hmac.new(self.dingtalk_secret.encode(), string_to_sign, hashlib.sha256).digest()
            ).decode()
            if not hmac.compare_digest(sign, expected):
                return _errcode(310000, "sign not match, more: " + DINGTALK_DOC)
        if len(r.body) > DINGTALK_BODY_MAX:
            return _errcode(460101, "body 大小不合法;请保持大小在 20000bytes 以内")
        if not isinstance(r.json, dict) or r.json.get("msgtype") not in DINGTALK_TYPES:
            return _errcode(40035, "缺少参数 msgtype")
        if r.json["msgtype"] == "actionCard" and not _dingtalk_card_ok(r.json.get("actionCard")):
            return _errcode(40035, "缺少参数 actionCard")
        if self.dingtalk_keyword and not _contains(r.json, self.dingtalk_keyword):
            return _errcode(310000, "keywords not in content, more: " + DINGTALK_DOC)
        return _errcode(0, "ok")

    def _feishu(self, r: Received) -> Reply:
        if r.path.rsplit("/", 1)[-1] != self.feishu_hook:
            msg = "param invalid: incoming webhook access token invalid"
            return Reply(200, {"code": 19001, "msg": msg})
        if len(r.body) > FEISHU_BODY_MAX or not isinstance(r.json, dict):
            return Reply(400, {"code": 9499, "msg": "Bad Request", "data": {}})
        if self.feishu_secret:
            timestamp, sign = str(r.json.get("timestamp", "")), str(r.json.get("sign", ""))
            key = f"{timestamp}\n{self.feishu_secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            fresh = timestamp.isdigit() and self._fresh(int(timestamp))
            if not fresh or not hmac.compare_digest(sign, expected):
                msg = "sign match fail or timestamp is not within one hour from current time"
                return Reply(200, {"code": 19021, "msg": msg, "data": {}})
        if self.feishu_keyword and not _contains(_feishu_content(r.json), self.feishu_keyword):
            return Reply(200, {"code": 19024, "msg": "Key Words Not Found", "data": {}})
        return Reply(200, FEISHU_OK)

    def _webhook(self, r: Received) -> Reply:
        if self.webhook_secret:
            timestamp = r.headers.get("x-chuangwei-timestamp", "")
            signed = f"{timestamp}.".encode() + r.body
            mac = hmac.new(self.webhook_secret.encode(), signed, hashlib.sha256)
            expected = "sha256=" + mac.hexdigest()
            if not hmac.compare_digest(r.headers.get("x-chuangwei-signature", ""), expected):
                return Reply(401, {"error": "bad signature"})
        if not r.headers.get("idempotency-key"):
            return Reply(400, {"error": "Idempotency-Key header required"})
        return Reply(self.webhook_status, {"ok": True})

    def _fresh(self, timestamp_s: float) -> bool:
        return self.clock is None or abs(self.clock() - timestamp_s) <= SIGN_WINDOW_S


class _Handler(BaseHTTPRequestHandler):
    platforms: FakePlatforms
    protocol_version = "HTTP/1.1"  # keep-alive, as the platforms' HTTPS front ends do
    # headers and body go out in two writes: with Nagle on, the client's delayed ACK holds the
    # second one for 40 ms on every keep-alive request
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            parsed = None
        received = Received(
            platform=_platform_of(parts.path),
            method="POST",
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            json=parsed,
        )
        reply = self.platforms.handle(received)
        data = reply.payload if isinstance(reply.payload, bytes) else json.dumps(
            reply.payload, ensure_ascii=False).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


def _platform_of(path: str) -> str:
    if path == "/cgi-bin/webhook/send":
        return "wecom"
    if path == "/robot/send":
        return "dingtalk"
    if path.startswith("/open-apis/bot/v2/hook/"):
        return "feishu"
    if path.startswith("/webhook/"):
        return "webhook"
    return "unknown"


def _scripted_reply(platform: str, scripted: _Scripted) -> Reply:
    headers = {"Retry-After": scripted.retry_after} if scripted.retry_after else {}
    if scripted.kind == "server_error":
        return Reply(scripted.status, b"Service Unavailable", headers)
    if scripted.kind == "burst":
        return Reply(400, {"code": 9499, "msg": "too many request", "data": {}})
    if scripted.kind != "rate_limit":
        raise ValueError(f"unknown scripted reply {scripted.kind!r}")
    if platform == "wecom":
        return _errcode(45009, "api freq out of limit")
    if platform == "dingtalk":  # the current code; 130101 was the older one
        return _errcode(410100, "send too fast, exceed 20 times per minute")
    if platform == "feishu":
        msg = "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]"
        return Reply(200, {"code": 11232, "msg": msg, "data": {}})
    return Reply(429, {"error": "too many requests"}, headers)


def _wecom_card(card: Any) -> Reply:
    """A ``text_notice`` card as WeCom checks it: a title or text, a URL click action, ≤ 3 jumps."""
    if not isinstance(card, dict) or card.get("card_type") != "text_notice":
        return _errcode(40035, "invalid template_card, card_type must be text_notice")
    title = (card.get("main_title") or {}).get("title") if isinstance(card.get("main_title"), dict) else None
    if not title and not card.get("sub_title_text"):
        return _errcode(40035, "main_title.title or sub_title_text is required")
    action = card.get("card_action")
    if not isinstance(action, dict) or action.get("type") != 1 or not str(action.get("url", "")).startswith("http"):
        return _errcode(40035, "card_action is required for text_notice, type 1 needs url")
    jumps = card.get("jump_list") or []
    if len(jumps) > 3 or any(j.get("type") == 1 and not j.get("url") for j in jumps):
        return _errcode(40035, "jump_list exceeds 3 items or lacks url")
    return _errcode(0, "ok")


def _dingtalk_card_ok(card: Any) -> bool:
    """An ``actionCard`` needs a title, a text and one button or a list of them."""
    return isinstance(card, dict) and bool(card.get("title")) and bool(card.get("text")) and (
        bool(card.get("singleTitle") and card.get("singleURL")) or bool(card.get("btns")))


def _feishu_content(document: Any) -> Any:
    """What Feishu scans for the keyword: the message content, not a post's or card's title."""
    if not isinstance(document, dict):
        return document
    if document.get("msg_type") == "interactive":
        return (document.get("card") or {}).get("elements")
    post = ((document.get("content") or {}).get("post") or {})
    if isinstance(post, dict) and post:
        return [lang.get("content") for lang in post.values() if isinstance(lang, dict)]
    return document.get("content")


def _errcode(code: int, msg: str) -> Reply:
    return Reply(200, {"errcode": code, "errmsg": msg})


def _contains(document: Any, keyword: str) -> bool:
    """Whether any string in the message (signature fields aside) contains the keyword."""
    if isinstance(document, str):
        return keyword in document
    if isinstance(document, dict):
        fields = (v for k, v in document.items() if k not in {"sign", "timestamp"})
        return any(_contains(v, keyword) for v in fields)
    if isinstance(document, list):
        return any(_contains(v, keyword) for v in document)
    return False


def refused_url(path: str = "/") -> str:
    """A loopback URL on a port nobody listens on (the port was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


# -- SMTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes  # the DATA exactly as received
    peer: tuple = ()  # the client's address: mails sent over one session share it


class RecordingSmtpHandler:
    """aiosmtpd handler that records messages; set the reply attributes to make it refuse."""

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []
        self.data_reply: str | None = None
        self.rcpt_replies: dict[str, str] = {}
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        with self._lock:
            mail = ReceivedMail(
                envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.original_content),
                tuple(session.peer or ()),
            )
            self.messages.append(mail)
        return "250 Message accepted for delivery"


@dataclass
class SmtpSink:
    host: str
    port: int
    handler: RecordingSmtpHandler

    @property
    def url(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def messages(self) -> list[ReceivedMail]:
        return list(self.handler.messages)


class _EphemeralPortController(Controller):
    """Binds port 0 and learns the real port before aiosmtpd pokes its own server."""

    def _trigger_server(self) -> None:
        # loop.create_server made it (an asyncio.Server); aiosmtpd declares only AbstractServer
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def smtp_server(*, username: str | None = None, password: str | None = None) -> Iterator[SmtpSink]:
    """Run aiosmtpd on 127.0.0.1; with a password it offers AUTH (without TLS: tests only)."""
    handler = RecordingSmtpHandler()
    options: dict[str, Any] = {}
    if password is not None:
        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                         auth_data: Any) -> AuthResult:
            ok = (isinstance(auth_data, LoginPassword) and auth_data.password == password.encode()
                  and (username is None or auth_data.login == username.encode()))
            return AuthResult(success=ok, handled=False)

        options = {"authenticator": authenticate, "auth_require_tls": False}
    controller = _EphemeralPortController(handler, hostname="127.0.0.1", port=0, **options)
    controller.start()
    try:
        yield SmtpSink("127.0.0.1", controller.port, handler)
    finally:
        controller.stop()
