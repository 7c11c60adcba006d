"""The public CAP 1.2 and Atom feeds: well-formed XML, every element CAP requires."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from tocsin.alerts import (
    RuleCreate,
    SpeechSurge,
    add_rule,
    alert_details,
    alerts_feed,
    cap_alert,
    cap_xml,
    change_alert_status,
    run_alert_pass,
)
from tocsin.domain import Sensitivity, SignalKind
from tocsin.framework import load_catalogue
from tocsin.store import Database, record_signals

from .cap_check import NS, cap_problems
from .conftest import NOW, signal

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "http://tocsin.test"


@pytest.fixture
def two_alerts(seeded: Database) -> Database:
    """A public alert (Myanmar) and one resting on restricted evidence (Sudan)."""
    with seeded.session() as session:
        add_rule(session, RuleCreate(name="Speech surge", condition=SpeechSurge()), now=NOW)
        record_signals(
            session,
            [
                signal("MMR", SignalKind.SPEECH_SURGE, 0.9, codes=("RF9", "9.3")),
                signal("SDN", SignalKind.SPEECH_SURGE, 0.7, sensitivity=Sensitivity.RESTRICTED),
            ],
            now=NOW,
        )
        run_alert_pass(session, now=NOW, catalogue=load_catalogue(), base_url=BASE)
    return seeded


def feed(db: Database, fmt: str) -> ET.Element:
    with db.session() as session:
        text = alerts_feed(session, fmt, base_url=BASE, sender="tocsin@example.org", now=NOW)
    return ET.fromstring(text)


def test_cap_feed_carries_valid_cap_alerts_and_only_public_ones(two_alerts: Database) -> None:
    root = feed(two_alerts, "cap")
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1  # the restricted Sudan alert stays out
    content = entries[0].find(f"{ATOM}content")
    assert content is not None and content.get("type") == "application/cap+xml"
    (alert,) = list(content)
    assert cap_problems(alert) == []
    info = alert.find(f"{{{NS}}}info")
    assert info is not None
    assert info.findtext(f"{{{NS}}}area/{{{NS}}}areaDesc") == "Myanmar"
    assert info.findtext(f"{{{NS}}}area/{{{NS}}}geocode/{{{NS}}}value") == "MMR"
    assert "P1" in (info.findtext(f"{{{NS}}}instruction") or "")
    assert alert.findtext(f"{{{NS}}}sent", "").endswith("-00:00")


def test_a_dismissed_alert_becomes_a_cap_cancel(two_alerts: Database) -> None:
    with two_alerts.session() as session:
        (alert,) = [
            a for a in [alert_details(session, i, base_url=BASE) for i in (1, 2)] if a.iso3 == "MMR"
        ]
        change_alert_status(
            session, alert.id, "dismissed", actor="ana", now=NOW, note="false alarm", base_url=BASE
        )
        dismissed = alert_details(session, alert.id, base_url=BASE)
    message = ET.fromstring(cap_xml(dismissed, sender="tocsin@example.org"))
    assert cap_problems(message) == []
    assert message.findtext(f"{{{NS}}}msgType") == "Cancel"
    assert message.findtext(f"{{{NS}}}references", "").count(",") == 2


def test_the_checker_catches_broken_messages(two_alerts: Database) -> None:
    with two_alerts.session() as session:
        alert = alert_details(session, 1, base_url=BASE)
    element = cap_alert(alert, sender="tocsin")
    info = element.find(f"{{{NS}}}info")
    assert info is not None
    severity = info.find(f"{{{NS}}}severity")
    assert severity is not None
    info.remove(severity)
    sent = element.find(f"{{{NS}}}sent")
    assert sent is not None
    sent.text = "2026-11-28T12:00:00Z"  # CAP forbids the letter Z
    problems = cap_problems(element)
    assert "info: missing required <severity>" in problems
    assert any("not a CAP date-time" in p for p in problems)


def test_atom_feed_has_the_required_elements(two_alerts: Database) -> None:
    root = feed(two_alerts, "atom")
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author/" + ATOM + "name"):
        assert root.findtext(ATOM + name), name
    (entry,) = root.findall(f"{ATOM}entry")
    for name in ("id", "title", "updated", "summary"):
        assert entry.findtext(ATOM + name), name
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href", "").startswith(f"{BASE}/alerts/")
