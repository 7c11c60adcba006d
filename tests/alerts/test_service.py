"""The alert pass against a real store (SQLite and PostgreSQL): alerts with their why,
merging, anti-flapping, the lifecycle, routing to the inbox and outbox, escalation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tocsin.alerts import (
    AlertLifecycleError,
    ForecastRisk,
    RecipientCreate,
    RuleCreate,
    Scope,
    Severity,
    SpeechSurge,
    add_recipient,
    add_rule,
    alert_details,
    change_alert_status,
    list_inbox,
    list_outbox,
    list_rules,
    remove_rule,
    run_alert_pass,
)
from tocsin.domain import SignalKind
from tocsin.errors import TocsinError
from tocsin.framework import load_catalogue
from tocsin.store import Database, list_audit, record_signals

from .conftest import NOW, signal

CATALOGUE = load_catalogue()
BASE = "http://tocsin.test"


def run(db: Database, now=NOW):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return run_alert_pass(session, now=now, catalogue=CATALOGUE, base_url=BASE)


def test_rules_are_stored_listed_and_removed(seeded: Database) -> None:
    with seeded.session() as session:
        rule = add_rule(session, RuleCreate(name="r", condition=SpeechSurge()), now=NOW)
        assert [r.id for r in list_rules(session)] == [rule.id]
        remove_rule(session, rule.id, now=NOW)
        assert list_rules(session) == []
        with pytest.raises(TocsinError, match="no rule"):
            remove_rule(session, rule.id, now=NOW)
        with pytest.raises(TocsinError, match="unknown countries"):
            bad = RuleCreate(name="r", condition=SpeechSurge(), scope=Scope(countries=["XXX"]))
            add_rule(session, bad, now=NOW)
        assert {e.action for e in list_audit(session)} >= {"alerts.rule.add", "alerts.rule.remove"}


def test_alert_says_why_with_links_severity_and_policy_options(seeded: Database) -> None:
    with seeded.session() as session:
        add_rule(
            session,
            RuleCreate(
                name="Hate speech",
                condition=SpeechSurge(min_strength=0.5),
                severity=Severity.SEVERE,
            ),
            now=NOW,
        )
        (signal_id,) = record_signals(
            session, [signal("MMR", SignalKind.SPEECH_SURGE, 0.8, codes=("RF9", "9.3"))], now=NOW
        )
    report = run(seeded)
    assert len(report.created) == 1
    with seeded.session() as session:
        alert = alert_details(session, report.created[0], base_url=BASE)
    assert (alert.iso3, alert.severity, alert.status) == ("MMR", "severe", "new")
    assert [s.id for s in alert.signals] == [signal_id]
    assert alert.signals[0].url == f"{BASE}/countries/MMR"  # the country page
    assert "speech surge 80%" in alert.reason
    assert alert.policy_options and all(o["factor"] == "RF9" for o in alert.policy_options)
    assert alert.events[0].action == "created"


def test_repeats_merge_and_a_flapping_signal_does_not_spam(seeded: Database) -> None:
    with seeded.session() as session:
        add_rule(
            session,
            RuleCreate(name="r", condition=SpeechSurge(min_strength=0.5), cooldown_hours=48),
            now=NOW,
        )
        add_recipient(
            session,
            RecipientCreate(name="analyst", email="a@example.org", channels=["inbox", "email"]),
            now=NOW,
        )
    flapping = [0.8, 0.2, 0.9, 0.1, 0.7]
    created = []
    for hour, strength in enumerate(flapping):
        now = NOW + timedelta(hours=hour)
        with seeded.session() as session:
            record_signals(session, [signal("MMR", SignalKind.SPEECH_SURGE, strength)], now=now)
        created += run(seeded, now).created
    assert len(created) == 1
    with seeded.session() as session:
        assert len(list_outbox(session)) == 1  # one email, not three
        change_alert_status(
            session,
            created[0],
            "dismissed",
            actor="ana",
            now=NOW,
            note="known campaign",
            base_url=BASE,
        )
    # Within the cool-down a new crossing joins the closed alert; after it, a new alert opens.
    assert run(seeded, NOW + timedelta(hours=10)).created == []
    assert len(run(seeded, NOW + timedelta(hours=60)).created) == 1


def test_lifecycle_and_recorded_actions(seeded: Database) -> None:
    with seeded.session() as session:
        add_rule(session, RuleCreate(name="r", condition=SpeechSurge()), now=NOW)
        record_signals(session, [signal("MMR", SignalKind.SPEECH_SURGE, 0.9)], now=NOW)
    (alert_id,) = run(seeded).created
    with seeded.session() as session:
        with pytest.raises(AlertLifecycleError, match="needs a reason"):
            change_alert_status(session, alert_id, "dismissed", actor="a", now=NOW, base_url=BASE)
        acked = change_alert_status(
            session, alert_id, "acknowledged", actor="ana", now=NOW, base_url=BASE
        )
        assert acked.status == "acknowledged" and acked.acknowledged_at == NOW
        with pytest.raises(AlertLifecycleError, match="cannot become acknowledged"):
            change_alert_status(
                session, alert_id, "acknowledged", actor="a", now=NOW, base_url=BASE
            )
        acted = change_alert_status(
            session,
            alert_id,
            "acted",
            actor="ana",
            now=NOW,
            note="briefed the RC",
            action_ref="assess:action:3",
            base_url=BASE,
        )
    assert acted.status == "acted" and acted.closed_at == NOW
    assert [e.action for e in acted.events] == ["created", "acknowledged", "acted"]
    assert acted.events[-1].details == {"action_ref": "assess:action:3"}
    assert acted.events[-1].note == "briefed the RC"


def test_routing_by_country_region_role_subscription_and_severity(seeded: Database) -> None:
    with seeded.session() as session:
        rule = add_rule(
            session,
            RuleCreate(name="r", condition=ForecastRisk(max_rank=2), severity=Severity.MODERATE),
            now=NOW,
        )
        other = add_rule(session, RuleCreate(name="o", condition=SpeechSurge()), now=NOW)
        ids = {
            name: add_recipient(session, RecipientCreate(name=name, **kw), now=NOW)
            for name, kw in {
                "world": {},
                "sudan": {"countries": ["SDN"]},
                "asia": {"regions": ["Asia"]},
                "subscriber": {"rule_ids": [rule.id]},
                "subscriber-in-norway": {"rule_ids": [rule.id], "countries": ["NOR"]},
                "other-subscriber": {"rule_ids": [other.id]},
                "only-severe": {"min_severity": "severe"},
                "next-level": {"escalation_level": 1},
            }.items()
        }
        record_signals(
            session,
            [
                signal("SDN", strength=0.1),
                signal("IND", strength=0.09),
                signal("NOR", strength=0.001),
            ],
            now=NOW,
        )
    run(seeded)
    with seeded.session() as session:
        inbox = {
            name: sorted(a.iso3 for a in list_inbox(session, rid)) for name, rid in ids.items()
        }
    assert inbox == {
        "world": ["IND", "SDN"],
        "sudan": ["SDN"],
        "asia": ["IND"],
        "subscriber": ["IND", "SDN"],
        "subscriber-in-norway": [],  # a subscription does not widen the area covered
        "other-subscriber": [],
        "only-severe": [],
        "next-level": [],
    }


def test_escalation_when_not_acknowledged_in_time(seeded: Database) -> None:
    with seeded.session() as session:
        add_rule(
            session, RuleCreate(name="r", condition=SpeechSurge(), ack_timeout_minutes=60), now=NOW
        )
        first = add_recipient(session, RecipientCreate(name="focal point"), now=NOW)
        boss = add_recipient(
            session,
            RecipientCreate(
                name="director",
                email="d@example.org",
                channels=["inbox", "email"],
                escalation_level=1,
            ),
            now=NOW,
        )
        record_signals(session, [signal("MMR", SignalKind.SPEECH_SURGE, 0.9)], now=NOW)
    (alert_id,) = run(seeded).created
    assert run(seeded, NOW + timedelta(minutes=30)).escalated == []
    assert run(seeded, NOW + timedelta(minutes=61)).escalated == [alert_id]
    assert run(seeded, NOW + timedelta(minutes=200)).escalated == []  # no level 2
    with seeded.session() as session:
        assert [a.id for a in list_inbox(session, first)] == [alert_id]
        assert [a.id for a in list_inbox(session, boss)] == [alert_id]
        assert [m.recipient_id for m in list_outbox(session)] == [boss]
        assert alert_details(session, alert_id, base_url=BASE).escalation_level == 1
