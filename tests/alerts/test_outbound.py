"""What leaves Tocsin by email and webhook: public Signals only, whoever the recipient is
(those channels are outside its access control), and an alert resting on non-public
evidence says so without quoting it; the SMTP connection uses STARTTLS unless turned
off. On SQLite and PostgreSQL, through a real alert pass and the outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tocsin.alerts import (
    AlertSettings,
    DeliveryConfig,
    RecipientCreate,
    RuleCreate,
    SpeechSurge,
    add_recipient,
    add_rule,
    deliver_due,
    delivery_config,
    list_outbox,
    run_alert_pass,
)
from tocsin.domain import Sensitivity, SignalKind
from tocsin.framework import load_catalogue
from tocsin.store import Database, record_signals

from .conftest import NOW, signal
from .receivers import SmtpRecorder, smtp_server

PUBLIC = "Public surge in Sittwe"
INTERNAL = "Internal surge naming Maungdaw"
RESTRICTED = "Restricted surge naming a source in Buthidaung"
SECRET = "test-webhook-secret"


def _queue(db: Database) -> None:
    """An alert on MMR whose evidence is public, internal and restricted (the strongest,
    whose summary the alert's reason quotes), one on SDN resting on a public Signal only,
    and recipients of every role on email and webhook."""
    with db.session() as session:
        add_rule(session, RuleCreate(name="Speech", condition=SpeechSurge()), now=NOW)
        for role in ("admin", "analyst", "reviewer", "monitor", "viewer", "partner"):
            add_recipient(
                session,
                RecipientCreate(
                    name=role,
                    email=f"{role}@example.org",
                    webhook_url=f"https://{role}.example.org/hook",
                    webhook_secret=SECRET,
                    roles=[role],
                    username=role if role != "partner" else None,
                    channels=["inbox", "email", "webhook"],
                ),
                now=NOW,
            )
        surges = [
            ("MMR", 0.6, Sensitivity.PUBLIC, PUBLIC, "Sittwe"),
            ("MMR", 0.8, Sensitivity.INTERNAL, INTERNAL, "Maungdaw"),
            ("MMR", 0.9, Sensitivity.RESTRICTED, RESTRICTED, "Buthidaung"),
            ("SDN", 0.7, Sensitivity.PUBLIC, "Public surge in Darfur", "Darfur"),
        ]
        record_signals(
            session,
            [
                signal(iso3, SignalKind.SPEECH_SURGE, strength, sensitivity=s, summary=text, area=a)
                for iso3, strength, s, text, a in surges
            ],
            now=NOW,
        )
        report = run_alert_pass(session, now=NOW, catalogue=load_catalogue(), base_url="http://t")
        assert len(report.created) == 2


def test_emails_and_webhooks_carry_public_signals_only(seeded: Database) -> None:
    _queue(seeded)
    with seeded.session() as session:
        messages = [m for m in list_outbox(session) if m.channel in ("email", "webhook")]
    assert len(messages) == 18  # six recipients: one email (a digest), two webhooks each
    for message in messages:
        text = json.dumps(message.payload, ensure_ascii=False)
        assert INTERNAL not in text and "Maungdaw" not in text, message.channel
        assert RESTRICTED not in text and "Buthidaung" not in text, message.channel
        assert PUBLIC in text and "Darfur" in text or message.channel == "webhook"
    hooks = [json.loads(m.payload["body"])["alert"] for m in messages if m.channel == "webhook"]
    mmr = [a for a in hooks if a["iso3"] == "MMR"]
    assert len(mmr) == 6
    for alert in mmr:
        assert [s["summary"] for s in alert["signals"]] == [PUBLIC]
        assert alert["n_signals_withheld"] == 2 and not alert["is_public"]
        assert "sign in" in alert["reason"] and alert["events"] == []
    sdn = [a for a in hooks if a["iso3"] == "SDN"]
    assert all("Darfur" in a["reason"] and a["is_public"] for a in sdn)  # nothing to withhold
    email = next(m.payload for m in messages if m.channel == "email")
    assert "2 more, not public: sign in to read them" in email["body"]


def test_the_inbox_still_shows_each_reader_what_their_role_may_see(seeded: Database) -> None:
    from tocsin.alerts import user_inbox

    _queue(seeded)
    with seeded.session() as session:
        analyst = user_inbox(
            session,
            "analyst",
            base_url="http://t",
            sensitivities=("public", "internal", "restricted"),
        )
        viewer = user_inbox(session, "viewer", base_url="http://t", sensitivities=("public",))
    summaries = {s.summary for a in analyst.items for s in a.signals}
    assert {PUBLIC, INTERNAL, RESTRICTED} <= summaries
    assert [a.iso3 for a in viewer.items] == ["SDN"]  # an alert on non-public evidence: hidden


def test_starttls_is_on_unless_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert DeliveryConfig().smtp_starttls
    assert AlertSettings().smtp_starttls and delivery_config(AlertSettings()).smtp_starttls
    monkeypatch.setenv("TOCSIN_ALERTS_SMTP_STARTTLS", "false")
    assert not delivery_config(AlertSettings()).smtp_starttls


def test_a_server_without_starttls_gets_nothing_by_default(seeded: Database) -> None:
    with seeded.session() as session:
        add_rule(session, RuleCreate(name="Speech", condition=SpeechSurge()), now=NOW)
        add_recipient(
            session,
            RecipientCreate(name="ana", email="ana@example.org", channels=["email"]),
            now=NOW,
        )
        record_signals(session, [signal("MMR", SignalKind.SPEECH_SURGE, 0.9)], now=NOW)
        run_alert_pass(session, now=NOW, catalogue=load_catalogue(), base_url="http://t")
    smtp = SmtpRecorder()
    with smtp_server(smtp) as port:
        refused = deliver_due(
            seeded, DeliveryConfig(smtp_port=port), worker="w", clock=lambda: datetime.now(UTC)
        )
        assert (refused.n_sent, refused.n_failed, smtp.messages) == (0, 1, [])
        with seeded.session() as session:
            assert "STARTTLS" in (list_outbox(session)[0].last_error or "").upper()
