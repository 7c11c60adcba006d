"""Delivery through the outbox to a real SMTP server and a real webhook receiver on
127.0.0.1: sent once, signed, retried with back-off when the far end is down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.web.fixtures import free_port
from tocsin.alerts import (
    DeliveryConfig,
    RecipientCreate,
    RuleCreate,
    SpeechSurge,
    add_recipient,
    add_rule,
    alert_outbox_counts,
    claim_outbox,
    deliver_due,
    list_outbox,
    run_alert_pass,
)
from tocsin.domain import SignalKind
from tocsin.framework import load_catalogue
from tocsin.store import Database, record_signals

from .conftest import NOW, signal
from .receivers import SmtpRecorder, WebhookRecorder, smtp_server, webhook_server

SECRET = "test-webhook-secret"


class Clock:
    """Wall time that a test can move forward (webhook receivers check the timestamp)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def queue_alert(db: Database, webhook_url: str, n_recipients: int = 1) -> None:
    with db.session() as session:
        add_rule(session, RuleCreate(name="Speech", condition=SpeechSurge()), now=NOW)
        for i in range(n_recipients):
            add_recipient(
                session,
                RecipientCreate(
                    name=f"partner {i}",
                    email=f"p{i}@example.org",
                    webhook_url=webhook_url,
                    webhook_secret=SECRET,
                    channels=["inbox", "email", "webhook"],
                ),
                now=NOW,
            )
        record_signals(session, [signal("MMR", SignalKind.SPEECH_SURGE, 0.9)], now=NOW)
        run_alert_pass(session, now=NOW, catalogue=load_catalogue(), base_url="http://t")


def test_email_and_signed_webhook_are_delivered_once(seeded: Database) -> None:
    smtp, hook = SmtpRecorder(), WebhookRecorder(SECRET)
    with smtp_server(smtp) as port, webhook_server(hook) as url:
        queue_alert(seeded, url, n_recipients=2)
        config = DeliveryConfig(smtp_port=port, smtp_starttls=False)
        report = deliver_due(seeded, config, worker="w", clock=Clock())
        again = deliver_due(seeded, config, worker="w", clock=Clock())
    assert (report.n_sent, report.n_failed, again.n_claimed) == (4, 0, 0)
    assert sorted(m["to"][0] for m in smtp.messages) == ["p0@example.org", "p1@example.org"]
    assert all(m["message_id"] == f"<{m['key']}@tocsin>" for m in smtp.messages)
    assert "Policy options to consider" in smtp.messages[0]["body"].decode()
    assert hook.n_bad_signatures == 0 and len(hook.received) == 2
    assert hook.received[0]["json"]["alert"]["iso3"] == "MMR"
    with seeded.session() as session:
        outbox = list_outbox(session)
        assert alert_outbox_counts(session)["sent"] == 4
    expected = {m.idempotency_key for m in outbox}
    assert set(smtp.keys()) | set(hook.keys()) == expected


def test_a_dead_smtp_server_delays_but_never_drops(seeded: Database) -> None:
    clock = Clock()
    hook = WebhookRecorder(SECRET, statuses=[500, 503], clock=clock)
    port = free_port()  # nothing listens there yet
    config = DeliveryConfig(smtp_port=port, smtp_starttls=False, backoff_base_seconds=30)
    with webhook_server(hook) as url:
        queue_alert(seeded, url)
        first = deliver_due(seeded, config, worker="w", clock=clock)
        assert (first.n_sent, first.n_failed) == (0, 2)
        assert any("ConnectionRefused" in e for e in first.errors)
        # Not due yet: the back-off holds the messages back.
        assert deliver_due(seeded, config, worker="w", clock=clock).n_claimed == 0
        clock.now += timedelta(seconds=40)
        second = deliver_due(seeded, config, worker="w", clock=clock)
        assert (second.n_claimed, second.n_sent) == (2, 0)  # webhook 503, SMTP still down
        smtp = SmtpRecorder(n_refuse=1)  # comes up, but says "try later" once
        with smtp_server(smtp) as live_port:
            config = DeliveryConfig(
                smtp_port=live_port, smtp_starttls=False, backoff_base_seconds=30
            )
            for _ in range(3):
                clock.now += timedelta(minutes=5)
                deliver_due(seeded, config, worker="w", clock=clock)
    with seeded.session() as session:
        outbox = list_outbox(session)
    assert [m.status for m in outbox] == ["sent", "sent"]
    assert sorted(m.attempts for m in outbox) == [3, 4]
    assert len(smtp.messages) == 1 and len(hook.received) == 1


def test_an_expired_lease_is_taken_over(seeded: Database) -> None:
    """A worker that claimed messages and died: another takes them once the lease ends."""
    clock = Clock()
    smtp, hook = SmtpRecorder(), WebhookRecorder(SECRET, clock=clock)
    with smtp_server(smtp) as port, webhook_server(hook) as url:
        queue_alert(seeded, url)
        with seeded.session() as session:
            claimed = claim_outbox(session, worker="dead", now=clock(), lease=timedelta(seconds=60))
        assert len(claimed) == 2
        config = DeliveryConfig(smtp_port=port, smtp_starttls=False)
        assert deliver_due(seeded, config, worker="w2", clock=clock).n_claimed == 0
        clock.now += timedelta(seconds=61)
        assert deliver_due(seeded, config, worker="w2", clock=clock).n_sent == 2
    assert len(smtp.messages) == 1 and len(hook.received) == 1


def test_a_batch_that_outlasts_its_lease_does_not_send_what_another_worker_took(
    seeded: Database,
) -> None:
    """Worker "slow" claims both messages; after its first send its lease has run out and
    worker "fast" takes the second message over and sends it. "slow" must then skip it
    (its lease is checked and renewed before each send), so the receiver gets it once."""
    clock = Clock()
    smtp, hook = SmtpRecorder(), WebhookRecorder(SECRET, clock=clock)
    with smtp_server(smtp) as port, webhook_server(hook) as url:
        queue_alert(seeded, url)
        config = DeliveryConfig(smtp_port=port, smtp_starttls=False, lease_seconds=60)
        fast: list[object] = []
        calls = 0

        def slow_clock() -> datetime:
            nonlocal calls
            calls += 1
            if calls == 4:  # claim, renew + mark sent of message 1, then before message 2
                clock.now += timedelta(seconds=61)
                fast.append(deliver_due(seeded, config, worker="fast", clock=clock))
            return clock()

        slow = deliver_due(seeded, config, worker="slow", clock=slow_clock)
    assert (slow.n_claimed, slow.n_sent, slow.n_skipped) == (2, 1, 1)
    assert [(r.n_claimed, r.n_sent) for r in fast] == [(1, 1)]  # type: ignore[attr-defined]
    assert len(smtp.messages) == 1 and len(hook.received) == 1
    with seeded.session() as session:
        assert alert_outbox_counts(session)["sent"] == 2
