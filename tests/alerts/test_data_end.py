"""An alert says when the data behind its evidence end, and marks them "stale data" when
they ended more than 90 days before (issue 18, item 3): an escalation alert raised today on
data that ended on 2022-12-30 must not read as news. Through a real alert pass, its
public shape, the email, the webhook, the API and the alert card, on both backends."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from tocsin.alerts import (
    EscalationRisk,
    RecipientCreate,
    RuleCreate,
    add_recipient,
    add_rule,
    alert_details,
    list_alert_details,
    list_outbox,
    run_alert_pass,
)
from tocsin.domain import Provenance, Signal, SignalKind
from tocsin.framework import load_catalogue
from tocsin.settings import Settings
from tocsin.store import Database, record_signals
from tocsin.web import WebSettings, create_api_token, create_app, create_user

from .conftest import NOW, signal

STALE_END = date(2022, 12, 30)
FRESH_END = (NOW - timedelta(days=7)).date()


def _escalation(iso3: str, end: date) -> Signal:
    return signal(
        iso3,
        SignalKind.ESCALATION,
        0.9,
        start=NOW.date() + timedelta(days=1),
        end=NOW.date() + timedelta(days=28),
        codes=("RF11",),
        provenance=Provenance(
            capability="events",
            producer="tocsin.events.monitor@1",
            details={"data_end": end.isoformat()},
        ),
    )


def _raise_alerts(db: Database) -> dict[str, int]:
    """Escalation alerts raised at NOW, emailed and sent by webhook to one recipient: on
    Sudan resting on data that ended in 2022, on the Central African Republic on last
    week's."""
    with db.session() as session:
        add_rule(session, RuleCreate(name="Surge", condition=EscalationRisk(min_risk=0.5)), now=NOW)
        add_recipient(
            session,
            RecipientCreate(
                name="desk",
                email="desk@example.org",
                webhook_url="https://desk.example.org/hook",
                webhook_secret="test-webhook-secret",
                roles=["analyst"],
                channels=["email", "webhook"],
            ),
            now=NOW,
        )
        surges = [_escalation("SDN", STALE_END), _escalation("CAF", FRESH_END)]
        record_signals(session, surges, now=NOW)
        run_alert_pass(session, now=NOW, catalogue=load_catalogue(), base_url="http://t")
        return {a.iso3: a.id for a in list_alert_details(session, base_url="http://t")}


def test_an_alert_on_old_data_says_when_they_end_and_that_they_are_stale(
    seeded: Database,
) -> None:
    ids = _raise_alerts(seeded)
    with seeded.session() as session:
        stale = alert_details(session, ids["SDN"], base_url="http://t", now=NOW)
        fresh = alert_details(session, ids["CAF"], base_url="http://t", now=NOW)
    assert (stale.data_end, stale.stale_data) == (STALE_END, True)
    assert [(s.data_end, s.stale) for s in stale.signals] == [(STALE_END, True)]
    assert (fresh.data_end, fresh.stale_data) == (FRESH_END, False)
    assert [(s.data_end, s.stale) for s in fresh.signals] == [(FRESH_END, False)]
    assert stale.signals[0].observed_at is not None

    with seeded.session() as session:
        outbox = list_outbox(session)
    (email,) = [m.payload for m in outbox if m.channel == "email"]  # one digest of both
    stale_part, fresh_part = sorted(email["body"].split("\n---\n"), key=lambda p: "SDN" not in p)
    assert "Data to 2022-12-30: stale data, more than 90 days old." in stale_part
    assert "(data to 2022-12-30, stale data)" in stale_part
    assert f"(data to {FRESH_END})" in fresh_part and "stale" not in fresh_part

    hooks = {
        alert["iso3"]: alert
        for alert in (
            json.loads(m.payload["body"])["alert"] for m in outbox if m.channel == "webhook"
        )
    }
    assert hooks["SDN"]["data_end"] == "2022-12-30" and hooks["SDN"]["stale_data"] is True
    assert hooks["SDN"]["signals"][0]["data_end"] == "2022-12-30"
    assert hooks["SDN"]["signals"][0]["stale"] is True
    assert hooks["CAF"]["stale_data"] is False and hooks["CAF"]["signals"][0]["stale"] is False


def test_the_api_and_the_alert_card_show_the_data_end_and_the_stale_badge(
    seeded: Database, tmp_path: Path
) -> None:
    ids = _raise_alerts(seeded)
    with seeded.session() as session:
        user = create_user(session, username="analyst", display_name="Analyst", role="analyst",
                           password_hash="unused", now=NOW)  # fmt: skip
        create_api_token(session, user_id=user.id, name="t", now=NOW, scopes=["read"],
                         token_sha=hashlib.sha256(b"analyst").hexdigest())  # fmt: skip
        stale = alert_details(session, ids["SDN"], base_url="http://t", now=NOW)
        fresh = alert_details(session, ids["CAF"], base_url="http://t", now=NOW)
    settings = Settings(home=tmp_path, database_url=seeded.url)
    app = create_app(settings, WebSettings(identity_keys=None, identity_key_file=tmp_path / "k"))
    try:
        with TestClient(app) as client:
            got = client.get(
                f"/api/v1/alerts/{ids['SDN']}", headers={"Authorization": "Bearer analyst"}
            ).json()
        # judged at the present: data of 2022 are stale whenever the test runs
        assert got["data_end"] == "2022-12-30" and got["stale_data"] is True
        assert got["signals"][0]["stale"] is True

        card = app.state.tocsin.templates.env.get_template("alerts_card.html")
        html = card.render(a=stale, can_respond=False, back="/alerts", csrf_token="")
        assert "Evidence data to 2022-12-30" in html and "data to 2022-12-30" in html
        assert html.count('class="stale"') == 2  # the alert's and its Signal's
        fresh_html = card.render(a=fresh, can_respond=False, back="/alerts", csrf_token="")
        assert f"Evidence data to {FRESH_END}" in fresh_html
        assert 'class="stale"' not in fresh_html
    finally:
        app.state.tocsin.db.dispose()
