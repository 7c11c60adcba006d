"""Delivery: empty the persistent outbox over SMTP and HMAC-signed webhooks.

This module does I/O (SMTP, HTTP) on purpose: it is the edge where alerts leave Tocsin.
A message is leased before it is sent and marked sent only after the channel accepted
it, each step in its own transaction. A crash therefore leaves the message leased; when
the lease runs out another worker sends it again, with the same idempotency key (email
``Message-ID`` and ``X-Tocsin-Idempotency-Key``, webhook ``Idempotency-Key``), so a
receiver that saw the first attempt can tell the repeat. A channel that is down puts the
message back with an exponential back-off; nothing is ever dropped.
"""

from __future__ import annotations

import hashlib
import hmac
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import httpx
from pydantic import SecretStr

from tocsin.alerts._store import (
    OutboxMessage,
    claim_outbox,
    get_recipient,
    mark_outbox_failed,
    mark_outbox_sent,
    renew_outbox_lease,
)
from tocsin.store import Database

__all__ = [
    "DeliveryConfig",
    "DeliveryReport",
    "backoff",
    "deliver_due",
    "sign_webhook",
    "verify_webhook",
]

SIGNATURE_HEADER = "X-Tocsin-Signature"
TIMESTAMP_HEADER = "X-Tocsin-Timestamp"


@dataclass(frozen=True)
class DeliveryConfig:
    """How to reach the SMTP server and webhooks, and how patiently to retry."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "tocsin@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None  # never printed: its repr is **********
    # On unless turned off: alert emails name countries and risks, and an SMTP password
    # must not cross the network in clear. A server without STARTTLS fails the send.
    smtp_starttls: bool = True
    timeout_seconds: float = 10.0
    lease_seconds: float = 60.0
    batch_size: int = 20
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0


@dataclass
class DeliveryReport:
    n_claimed: int = 0
    n_sent: int = 0
    n_failed: int = 0
    n_skipped: int = 0  # leases lost to another worker before sending: not sent by this one
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int, key: str, config: DeliveryConfig) -> timedelta:
    """The wait before the next attempt: doubling from the base, capped, plus up to 10%
    of spread derived from the key (so retries of many messages do not come in step).

    >>> c = DeliveryConfig(backoff_base_seconds=30, backoff_max_seconds=600)
    >>> [round(backoff(n, "0000", c).total_seconds()) for n in (1, 2, 3, 10)]
    [30, 60, 120, 600]
    """
    delay = min(config.backoff_base_seconds * 2 ** max(attempts - 1, 0), config.backoff_max_seconds)
    spread = (int(key[:4], 16) % 1000) / 1000 * 0.1 * delay
    return timedelta(seconds=delay + spread)


def sign_webhook(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value: ``sha256=`` and the HMAC-SHA256 of ``timestamp.body``.

    >>> sign_webhook("s3cret", 1700000000, b"{}")[:7]
    'sha256='
    """
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_webhook(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: datetime, tolerance: int = 300
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent.

    >>> from datetime import UTC
    >>> sig = sign_webhook("k", 1700000000, b"x")
    >>> now = datetime.fromtimestamp(1700000010, UTC)
    >>> verify_webhook("k", "1700000000", b"x", sig, now=now)
    True
    >>> verify_webhook("other", "1700000000", b"x", sig, now=now)
    False
    """
    try:
        moment = int(timestamp)
    except ValueError:
        return False
    if abs(now.timestamp() - moment) > tolerance:
        return False
    return hmac.compare_digest(sign_webhook(secret, moment, body), signature)


class _Smtp:
    """One SMTP connection per batch, opened on first use."""

    def __init__(self, config: DeliveryConfig) -> None:
        self.config = config
        self.client: smtplib.SMTP | None = None

    def send(self, message: OutboxMessage, now: datetime) -> None:
        payload = message.payload
        email = EmailMessage()
        email["From"] = self.config.smtp_sender
        email["To"] = payload["to"]
        email["Subject"] = payload["subject"]
        email["Date"] = format_datetime(now)
        email["Message-ID"] = f"<{message.idempotency_key}@tocsin>"
        email["X-Tocsin-Idempotency-Key"] = message.idempotency_key
        alert_ids = payload.get("alert_ids", [message.alert_id])
        email["X-Tocsin-Alert"] = ", ".join(str(i) for i in alert_ids)
        email.set_content(payload["body"])
        if self.client is None:
            c = self.config
            self.client = smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=c.timeout_seconds)
            if c.smtp_starttls:
                self.client.starttls()
            if c.smtp_username and c.smtp_password:
                self.client.login(c.smtp_username, c.smtp_password.get_secret_value())
        try:
            self.client.send_message(email)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.client = None


def _post_webhook(http: httpx.Client, message: OutboxMessage, secret: str, now: datetime) -> None:
    body = message.payload["body"].encode()
    timestamp = int(now.timestamp())
    response = http.post(
        message.payload["url"],
        content=body,
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": message.idempotency_key,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign_webhook(secret, timestamp, body),
        },
    )
    if not response.is_success:
        raise RuntimeError(f"webhook answered {response.status_code}")


def deliver_due(
    db: Database,
    config: DeliveryConfig,
    *,
    worker: str,
    clock: Callable[[], datetime],
    http: httpx.Client | None = None,
) -> DeliveryReport:
    """Send one batch of due outbox messages; each is marked sent as soon as it is."""
    report = DeliveryReport()
    lease = timedelta(seconds=config.lease_seconds)
    with db.session() as session:
        batch = claim_outbox(
            session, worker=worker, now=clock(), lease=lease, limit=config.batch_size
        )
        secrets = {}
        for message in batch:
            if message.channel == "webhook":
                recipient = get_recipient(session, message.recipient_id)
                secrets[message.id] = (recipient.webhook_secret if recipient else None) or ""
    report.n_claimed = len(batch)
    if not batch:
        return report
    smtp = _Smtp(config)
    client = http or httpx.Client(timeout=config.timeout_seconds)
    try:
        for message in batch:
            now = clock()
            # A batch can outlast its lease (a slow server, many messages); another worker
            # may then have claimed the rest. Re-check and extend the lease just before
            # each send, so two live workers never both send the same message.
            with db.session() as session:
                still_ours = renew_outbox_lease(
                    session, message.id, worker=worker, now=now, lease=lease
                )
            if not still_ours:
                report.n_skipped += 1
                continue
            try:
                if message.channel == "email":
                    smtp.send(message, now)
                elif message.channel == "webhook":
                    _post_webhook(client, message, secrets[message.id], now)
                else:
                    raise RuntimeError(f"unknown channel {message.channel!r}")
            except (smtplib.SMTPException, OSError, httpx.HTTPError, RuntimeError) as error:
                retry_at = clock() + backoff(message.attempts, message.idempotency_key, config)
                text = f"{message.channel}: {type(error).__name__}: {error}"
                with db.session() as session:
                    mark_outbox_failed(session, message.id, error=text, retry_at=retry_at)
                report.n_failed += 1
                report.errors.append(text)
                continue
            with db.session() as session:
                mark_outbox_sent(session, message.id, now=clock())
            report.n_sent += 1
    finally:
        smtp.close()
        if http is None:
            client.close()
    return report
