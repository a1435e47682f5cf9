"""Real receivers for notifications: an SMTP server (aiosmtpd) and an HTTP receiver for apprise's json://.

Both keep what arrived, with the delivery key andian puts in every message (``X-Andian-Delivery``), so a test
can count deliveries per (transition, recipient). The HTTP receiver can be told to fail or stall requests.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, TypeVar

from aiosmtpd.controller import Controller

__all__ = ["Hook", "LocalHttpServer", "Mail", "MailSink", "WebhookReceiver", "free_port", "mail_sink", "running",
           "webhook_receiver"]

KEY_HEADER = "X-Andian-Delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Startable(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


_R = TypeVar("_R", bound=_Startable)


@contextmanager
def running(receiver: _R) -> Iterator[_R]:
    """The receiver started for the ``with`` block, stopped after it."""
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


class LocalHttpServer:
    """A ThreadingHTTPServer on a free port of 127.0.0.1, served from a daemon thread: the HTTP receivers' base.
    A subclass calls ``_listen(Handler)`` with its request handler; ``port`` is then where it listens."""

    port: int
    _server: ThreadingHTTPServer

    def _listen(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Mail:
    to: list[str]
    subject: str
    body: str
    key: str | None
    at: float


class MailSink:
    """aiosmtpd on 127.0.0.1; ``url(to)`` is the apprise mailto:// URL that delivers to it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's handler hook
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        part = parsed.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""
        with self._lock:
            self.mails.append(Mail(list(envelope.rcpt_tos), str(parsed["subject"]), body, parsed.get(KEY_HEADER),
                                   time.time()))
        return "250 OK"

    def url(self, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=andian@example.cn&to={to}"

    def to(self, address: str) -> list[Mail]:
        with self._lock:
            return [m for m in self.mails if address in m.to]

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


@dataclass
class Hook:
    path: str
    title: str
    message: str
    key: str | None
    at: float
    answered: int


@dataclass
class WebhookReceiver(LocalHttpServer):
    """A local HTTP server for json:// URLs. ``behaviour(path, n)`` decides each request's fate: an HTTP status
    to answer, or a negative number of seconds to stall before answering 200 (past the sender's timeout).
    Every request is kept in ``requests``; ``accepted`` holds those answered 2xx."""

    behaviour: Callable[[str, int], int | float] = field(default=lambda path, n: 200)
    requests: list[Hook] = field(default_factory=list)
    port: int = 0
    in_flight: int = 0  # requests being answered right now
    arrived: int = 0  # requests that came in, answered or not

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with receiver._lock:
                    n = receiver.arrived
                    receiver.arrived += 1
                    receiver.in_flight += 1
                try:
                    self._answer(body, receiver.behaviour(self.path, n))
                finally:
                    with receiver._lock:
                        receiver.in_flight -= 1

            def _answer(self, body: dict[str, Any], fate: int | float) -> None:
                status = 200
                if isinstance(fate, float) and fate < 0:
                    time.sleep(-fate)
                else:
                    status = int(fate)
                with receiver._lock:
                    receiver.requests.append(Hook(self.path, body.get("title", ""), body.get("message", ""),
                                                  self.headers.get(KEY_HEADER), time.time(), status))
                try:
                    self.send_response(status)
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._listen(Handler)

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def accepted(self, path: str | None = None) -> list[Hook]:
        with self._lock:
            return [h for h in self.requests if 200 <= h.answered < 300 and (path is None or h.path == f"/{path}")]

def mail_sink() -> AbstractContextManager[MailSink]:
    return running(MailSink())


def webhook_receiver(
    behaviour: Callable[[str, int], int | float] | None = None,
) -> AbstractContextManager[WebhookReceiver]:
    return running(WebhookReceiver(behaviour) if behaviour else WebhookReceiver())


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    """Poll until ``condition()`` is truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)
