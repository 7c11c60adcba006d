"""Long-lived workers: the delivery loop and the monitoring loop, with a health endpoint
and structured (JSON lines) logs. I/O by nature; the steps they run are passed in."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO

from tocsin.alerts._delivery import DeliveryConfig, deliver_due
from tocsin.store import Database

__all__ = ["Health", "JsonLog", "deliver_loop", "drain_outbox", "health_server", "watch_loop"]


class JsonLog:
    """One JSON object per line: ``at`` (UTC), ``event`` and the fields given."""

    def __init__(self, stream: TextIO, **context: Any) -> None:
        self.stream = stream
        self.context = context
        self.lock = threading.Lock()

    def __call__(self, event: str, **fields: Any) -> None:
        record = {"at": datetime.now(UTC).isoformat(), "event": event, **self.context, **fields}
        with self.lock:
            self.stream.write(json.dumps(record, default=str) + "\n")
            self.stream.flush()


class Health:
    """What the health endpoint reports: passes done, the last one, the last error."""

    def __init__(self, every: timedelta) -> None:
        self.every = every
        self.started_at = datetime.now(UTC)
        self.n_passes = 0
        self.last_pass_at: datetime | None = None
        self.last_error: str | None = None
        self.details: dict[str, Any] = {}
        self.lock = threading.Lock()

    def record(self, *, error: str | None = None, **details: Any) -> None:
        with self.lock:
            self.n_passes += 1
            self.last_pass_at = datetime.now(UTC)
            self.last_error = error
            self.details = details

    def snapshot(self) -> dict[str, Any]:
        """``status`` is ``ok`` unless no pass finished within twice the interval."""
        with self.lock:
            reference = self.last_pass_at or self.started_at
            late = datetime.now(UTC) - reference > 2 * self.every + timedelta(seconds=30)
            return {
                "status": "stale" if late else "ok",
                "started_at": self.started_at.isoformat(),
                "n_passes": self.n_passes,
                "last_pass_at": self.last_pass_at.isoformat() if self.last_pass_at else None,
                "last_error": self.last_error,
                **self.details,
            }


@contextmanager
def health_server(health: Health, port: int, host: str = "127.0.0.1") -> Iterator[int]:
    """Serve ``GET /health`` (JSON; 200 when ok, 503 when stale); yields the port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            if self.path.rstrip("/") not in ("/health", "/healthz"):
                self.send_error(404)
                return
            body = json.dumps(health.snapshot(), default=str).encode()
            self.send_response(200 if health.snapshot()["status"] == "ok" else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def drain_outbox(db: Database, config: DeliveryConfig, *, worker: str, log: JsonLog) -> int:
    """Deliver batches until none is due; return how many messages were sent."""
    sent = 0
    while True:
        report = deliver_due(db, config, worker=worker, clock=lambda: datetime.now(UTC))
        for error in report.errors:
            log("delivery_failed", worker=worker, error=error)
        if report.n_sent:
            log("delivered", worker=worker, n_sent=report.n_sent)
        sent += report.n_sent
        if report.n_claimed == 0 or report.n_sent == 0:
            return sent


def deliver_loop(
    db: Database,
    config: DeliveryConfig,
    *,
    worker: str,
    stop: threading.Event,
    poll: timedelta,
    log: JsonLog,
    until_empty: Callable[[], bool] | None = None,
) -> int:
    """Deliver until ``stop`` is set (or ``until_empty()`` says nothing is left)."""
    total = 0
    log("worker_started", worker=worker)
    while not stop.is_set():
        total += drain_outbox(db, config, worker=worker, log=log)
        if until_empty is not None and until_empty():
            break
        stop.wait(poll.total_seconds())
    log("worker_stopped", worker=worker, n_sent=total)
    return total


def watch_loop(
    step: Callable[[], dict[str, Any]],
    *,
    every: timedelta,
    stop: threading.Event,
    health: Health,
    log: JsonLog,
    between: Callable[[], None] | None = None,
    poll: timedelta = timedelta(seconds=5),
    max_passes: int | None = None,
) -> None:
    """Run ``step`` every ``every`` until ``stop``; ``between`` runs every ``poll`` (delivery
    retries). A failing step is logged and reported by the health endpoint, not fatal."""
    next_at = datetime.now(UTC)
    n = 0
    while not stop.is_set():
        if datetime.now(UTC) >= next_at:
            started = datetime.now(UTC)
            try:
                result = step()
            except Exception as error:  # a bad pass must not kill the worker
                log("pass_failed", error=f"{type(error).__name__}: {error}")
                health.record(error=f"{type(error).__name__}: {error}")
            else:
                seconds = (datetime.now(UTC) - started).total_seconds()
                log("pass_done", seconds=round(seconds, 3), **result)
                health.record(**result)
            n += 1
            next_at = started + every
        if between is not None:
            try:
                between()
            except Exception as error:
                log("between_failed", error=f"{type(error).__name__}: {error}")
        if max_passes is not None and n >= max_passes:
            break
        wait = min((next_at - datetime.now(UTC)).total_seconds(), poll.total_seconds())
        stop.wait(max(wait, 0.0))
