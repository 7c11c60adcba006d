"""The alerts HTTP API inside the web app: who may read, respond, manage rules; the
public feeds need no sign-in and carry only public alerts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from tocsin.alerts import RuleCreate, SpeechSurge, add_rule, run_alert_pass
from tocsin.domain import Sensitivity, SignalKind
from tocsin.framework import load_catalogue
from tocsin.settings import Settings
from tocsin.store import Database, record_signals
from tocsin.web import WebSettings, create_api_token, create_app, create_user

from .cap_check import NS, cap_problems
from .conftest import NOW, signal

ROLES = ("viewer", "analyst")


@pytest.fixture
def client(seeded: Database, tmp_path: Path) -> Iterator[TestClient]:
    with seeded.session() as session:
        add_rule(session, RuleCreate(name="Speech", condition=SpeechSurge()), now=NOW)
        record_signals(
            session,
            [
                signal("MMR", SignalKind.SPEECH_SURGE, 0.9),
                signal("SDN", SignalKind.SPEECH_SURGE, 0.8, sensitivity=Sensitivity.RESTRICTED),
            ],
            now=NOW,
        )
        run_alert_pass(session, now=NOW, catalogue=load_catalogue(), base_url="http://t")
        for role in ROLES:
            user = create_user(session, username=role, display_name=role, role=role,
                               password_hash="unused", now=NOW)  # fmt: skip
            create_api_token(session, user_id=user.id, name=role, now=NOW,
                             scopes=["read", "alerts:write"],
                             token_sha=hashlib.sha256(role.encode()).hexdigest())  # fmt: skip
    settings = Settings(home=tmp_path, database_url=seeded.url)
    app = create_app(settings, WebSettings(identity_keys=None, identity_key_file=tmp_path / "k"))
    with TestClient(app) as test_client:
        yield test_client
    app.state.tocsin.db.dispose()


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {role}"}


def test_reading_and_responding_need_the_right_role(client: TestClient) -> None:
    assert client.get("/api/v1/alerts", headers={"Accept": "application/json"}).status_code == 401
    seen = {role: client.get("/api/v1/alerts", headers=auth(role)).json() for role in ROLES}
    assert [a["iso3"] for a in seen["viewer"]] == ["MMR"]  # not the restricted Sudan alert
    assert sorted(a["iso3"] for a in seen["analyst"]) == ["MMR", "SDN"]
    sudan = next(a["id"] for a in seen["analyst"] if a["iso3"] == "SDN")
    assert client.get(f"/api/v1/alerts/{sudan}", headers=auth("viewer")).status_code == 404
    mmr = seen["viewer"][0]["id"]
    assert (
        client.post(f"/api/v1/alerts/{mmr}/acknowledge", headers=auth("viewer")).status_code == 403
    )
    no_reason = client.post(f"/api/v1/alerts/{mmr}/dismiss", json={}, headers=auth("analyst"))
    assert no_reason.status_code == 409 and "reason" in no_reason.json()["detail"]
    dismissed = client.post(
        f"/api/v1/alerts/{mmr}/dismiss", json={"note": "seen before"}, headers=auth("analyst")
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    missing = client.post("/api/v1/alerts/999/acknowledge", headers=auth("analyst"))
    assert missing.status_code == 404


def test_rules_through_the_api(client: TestClient) -> None:
    rule = {"name": "Top 3", "condition": {"type": "forecast_risk", "max_rank": 3}}
    assert client.post("/api/v1/alerts/rules", json=rule, headers=auth("viewer")).status_code == 403
    bad = client.post(
        "/api/v1/alerts/rules",
        json={"name": "x", "condition": {"type": "forecast_risk"}},
        headers=auth("analyst"),
    )
    assert bad.status_code == 422
    created = client.post("/api/v1/alerts/rules", json=rule, headers=auth("analyst"))
    assert created.status_code == 201
    rule_id = created.json()["id"]
    names = [r["name"] for r in client.get("/api/v1/alerts/rules", headers=auth("viewer")).json()]
    assert names == ["Speech", "Top 3"]
    assert (
        client.delete(f"/api/v1/alerts/rules/{rule_id}", headers=auth("analyst")).status_code == 204
    )
    assert (
        client.delete(f"/api/v1/alerts/rules/{rule_id}", headers=auth("analyst")).status_code == 404
    )


def test_public_feeds_need_no_sign_in(client: TestClient) -> None:
    cap = client.get("/alerts/feed.cap")
    assert cap.status_code == 200 and cap.headers["content-type"].startswith("application/atom+xml")
    entries = ET.fromstring(cap.text).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1
    content = entries[0].find("{http://www.w3.org/2005/Atom}content")
    assert content is not None
    (alert,) = list(content)
    assert cap_problems(alert) == []
    assert alert.findtext(f"{{{NS}}}info/{{{NS}}}area/{{{NS}}}areaDesc") == "Myanmar"
    assert client.get("/alerts/feed.atom").status_code == 200


def test_links_point_where_the_page_was_asked_at(client: TestClient) -> None:
    # no alerts.base_url configured: the served host and port, whatever they are
    asked = client.get("/api/v1/alerts", headers=auth("viewer") | {"Host": "tocsin.lan:8123"})
    (alert,) = asked.json()
    assert alert["url"] == f"http://tocsin.lan:8123/alerts/{alert['id']}"
    assert alert["signals"][0]["url"] == "http://tocsin.lan:8123/countries/MMR"


def test_a_configured_public_address_wins(seeded: Database, tmp_path: Path) -> None:
    with seeded.session() as session:
        record_signals(session, [signal("MMR", SignalKind.SPEECH_SURGE, 0.9)], now=NOW)
        add_rule(session, RuleCreate(name="Speech", condition=SpeechSurge()), now=NOW)
        run_alert_pass(session, now=NOW, catalogue=load_catalogue(), base_url="http://t")
    settings = Settings(home=tmp_path, database_url=seeded.url)
    settings.alerts.base_url = "https://tocsin.example.org"
    app = create_app(settings, WebSettings(identity_keys=None, identity_key_file=tmp_path / "k"))
    try:
        with TestClient(app) as test_client:
            atom = test_client.get("/alerts/feed.atom", headers={"Host": "evil.example"}).text
    finally:
        app.state.tocsin.db.dispose()
    assert "https://tocsin.example.org/alerts/" in atom and "evil.example" not in atom


def test_the_public_feeds_never_take_their_links_from_the_host_header(client: TestClient) -> None:
    # no alerts.base_url: a forged Host (which a cache could then serve to others) is
    # ignored; the links use the address the server noted, else the default
    atom = client.get("/alerts/feed.atom", headers={"Host": "evil.example"}).text
    cap = client.get("/alerts/feed.cap", headers={"Host": "evil.example"}).text
    assert "/alerts/" in atom and "evil.example" not in atom + cap
