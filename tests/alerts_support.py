"""Real receivers for alerts and reports: an SMTP server (aiosmtpd) and an HTTP server
(http.server in a thread) on loopback, with what they received.

Import the fixtures into a test module: `from .alerts_support import *  # noqa: F403`."""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import threading
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from .helpers import free_port

__all__ = ["smtp_inbox", "webhook"]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def smtp_inbox(settings) -> Iterator[Inbox]:
    """Django's SMTP backend pointed at a real SMTP server on 127.0.0.1."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


class Hook:
    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def _handler(self):
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                hook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def webhook() -> Iterator[Hook]:
    hook = Hook()
    thread = threading.Thread(target=hook.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        hook.server.shutdown()
        hook.server.server_close()
