"""Local servers the delivery tests send to: an SMTP server (aiosmtpd) and a webhook receiver
that verifies each request's Standard Webhooks signature with the endpoint's secret."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from standardwebhooks import Webhook


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)
    # (time.monotonic() on arrival, subject), for the bench
    arrivals: list[tuple[float, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.arrivals.append((time.monotonic(), str(message["Subject"])))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: Any  # the parsed JSON when the signature verified, else None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Receiver:
    """Answers each request with the next of `statuses` (the last one repeats); `delay` seconds
    before answering (a slow receiver, for timeouts)."""

    secret: str = ""
    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def verified(self) -> list[Any]:
        return [r.verified for r in self.requests if r.verified is not None]


@contextmanager
def webhook_receiver(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                parsed = Webhook(receiver.secret).verify(body, headers) if receiver.secret else None
            except Exception:
                parsed = None
            receiver.requests.append(Received(headers, body, parsed))
            index = min(len(receiver.requests), len(receiver.statuses)) - 1
            if receiver.delay:
                time.sleep(receiver.delay)
            try:
                self.send_response(receiver.statuses[index])
                self.end_headers()
                self.wfile.write(b"received")
            except OSError:
                pass  # the sender gave up waiting

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
