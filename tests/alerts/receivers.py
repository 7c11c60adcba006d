"""Real local receivers for the delivery tests: an SMTP server (aiosmtpd) and a webhook
endpoint (http.server) on 127.0.0.1, each recording what it accepted."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from tests.web.fixtures import free_port
from tocsin.alerts import verify_webhook


class SmtpRecorder:
    """An aiosmtpd handler that keeps every accepted message (optionally slowly, or
    refusing the first ``n_refuse`` with a temporary error)."""

    def __init__(self, *, delay: float = 0.0, n_refuse: int = 0) -> None:
        self.delay = delay
        self.n_refuse = n_refuse
        self.messages: list[dict[str, Any]] = []
        self.n_started = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.n_started += 1
            if self.n_refuse > 0:
                self.n_refuse -= 1
                return "451 Try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(
                {
                    "to": list(envelope.rcpt_tos),
                    "subject": str(parsed["Subject"]),
                    "key": "".join(str(parsed["X-Tocsin-Idempotency-Key"]).split()),
                    "message_id": "".join(str(parsed["Message-ID"]).split()),
                    "body": parsed.get_payload(decode=True),
                    "at": datetime.now(UTC),
                }
            )
        return "250 Message accepted for delivery"

    def keys(self) -> list[str]:
        with self.lock:
            return [m["key"] for m in self.messages]


@contextmanager
def smtp_server(recorder: SmtpRecorder) -> Iterator[int]:
    """Run an SMTP server on 127.0.0.1; yields its port."""
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


class WebhookRecorder:
    """Keeps each POST whose HMAC signature checks out; answers ``statuses`` in turn
    (then 200), to play a failing endpoint."""

    def __init__(
        self,
        secret: str,
        *,
        statuses: list[int] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        delay: float = 0.0,
    ) -> None:
        self.secret = secret
        self.delay = delay
        self.clock = clock
        self.statuses = list(statuses or [])
        self.received: list[dict[str, Any]] = []
        self.n_bad_signatures = 0
        self.lock = threading.Lock()

    def keys(self) -> list[str]:
        with self.lock:
            return [r["key"] for r in self.received]


@contextmanager
def webhook_server(recorder: WebhookRecorder) -> Iterator[str]:
    """Run a webhook receiver on 127.0.0.1; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(recorder.delay)
            ok = verify_webhook(
                recorder.secret,
                self.headers.get("X-Tocsin-Timestamp", ""),
                body,
                self.headers.get("X-Tocsin-Signature", ""),
                now=recorder.clock(),
            )
            with recorder.lock:
                status = recorder.statuses.pop(0) if recorder.statuses else 200
                if not ok:
                    recorder.n_bad_signatures += 1
                    status = 401
                elif status < 300:
                    recorder.received.append(
                        {"key": self.headers["Idempotency-Key"], "json": json.loads(body)}
                    )
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
