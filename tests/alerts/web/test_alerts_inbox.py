"""The alerts inbox in the web app, on SQLite and PostgreSQL: each user sees the alerts
routed to them (admins included: the inbox is personal), only the Signals their role may
see; viewers read but cannot respond; an alert of someone else's inbox is a 404; the
buttons are CSRF-protected forms; API tokens need the alerts:write scope to respond.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.fixtures import NOW
from tocsin.alerts import (
    RecipientCreate,
    RuleCreate,
    Scope,
    SpeechSurge,
    TriggerEvent,
    add_recipient,
    add_rule,
    run_alert_pass,
)
from tocsin.domain import Provenance, Sensitivity, Signal, SignalKind
from tocsin.framework import load_catalogue
from tocsin.store import Database, list_audit
from tocsin.web import create_api_token, get_user_by_username

#: username -> countries of the recipient linked to them (None: no recipient at all).
ROUTES: dict[str, list[str] | None] = {
    "analyst": [],  # the world
    "reviewer": ["SDN", "CAF"],
    "viewer": ["SDN", "CAF"],
    "monitor": ["SDN"],
    "monitor2": ["NOR"],  # covers a country without alerts
    "admin": None,  # not a recipient: an empty inbox
}


def _speech(iso3: str, sensitivity: Sensitivity) -> Signal:
    return Signal(
        iso3=iso3,
        kind=SignalKind.SPEECH_SURGE,
        start_date=date(2025, 2, 1),
        end_date=date(2025, 2, 20),
        framework_codes=["RF9", "9.3"],
        strength=0.9,
        summary=f"Surge of dehumanising speech in {iso3}",
        provenance=Provenance(capability="speech", producer="inbox-test"),
        sensitivity=sensitivity,
    )


@pytest.fixture(scope="module")
def alerts(web_database_url: str) -> dict[str, int]:
    """Rules, recipients linked to users, and one alert pass: alert id by country.

    CAF rests on public, internal and restricted trigger events (the fixture's Signals);
    SDN on a public speech surge; MMR on an internal one.
    """
    from tocsin.store import record_signals

    db = Database(web_database_url)
    with db.session() as session:
        record_signals(
            session,
            [_speech("SDN", Sensitivity.PUBLIC), _speech("MMR", Sensitivity.INTERNAL)],
            now=NOW,
        )
        add_rule(session, RuleCreate(name="Speech surge", condition=SpeechSurge()), now=NOW)
        add_rule(
            session,
            RuleCreate(
                name="Trigger in CAF", condition=TriggerEvent(), scope=Scope(countries=["CAF"])
            ),
            now=NOW,
        )
        for username, countries in ROUTES.items():
            if countries is not None:
                recipient = RecipientCreate(name=username, countries=countries, username=username)
                add_recipient(session, recipient, now=NOW)
        report = run_alert_pass(
            session,
            now=NOW + timedelta(days=1),
            catalogue=load_catalogue(),
            base_url="https://testserver",
        )
        assert len(report.created) == 3
        from tocsin.alerts import list_alerts

        by_country = {a.iso3: a.id for a in list_alerts(session)}
        for role in ("analyst", "viewer"):
            user = get_user_by_username(session, role)
            assert user is not None
            for scopes in (["read"], ["read", "alerts:write"]):
                name = f"{role}-{'-'.join(scopes)}"
                create_api_token(session, user_id=user.id, name=name, scopes=scopes, now=NOW,
                                 token_sha=hashlib.sha256(name.encode()).hexdigest())  # fmt: skip
    db.dispose()
    return by_country


def bearer(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {name}"}


def inbox_of(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/alerts/inbox", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_each_user_sees_only_the_alerts_routed_to_them(
    clients: dict[str, TestClient], alerts: dict[str, int]
) -> None:
    seen = {u: sorted(a["iso3"] for a in inbox_of(clients[u])["items"]) for u in ROUTES}
    assert seen == {
        "analyst": ["CAF", "MMR", "SDN"],
        "reviewer": ["CAF", "SDN"],
        "viewer": ["SDN"],  # CAF rests on non-public Signals: not shown to a viewer
        "monitor": ["SDN"],
        "monitor2": [],
        "admin": [],  # the inbox is personal; admins oversee all at /api/v1/alerts
    }
    caf = next(a for a in inbox_of(clients["reviewer"])["items"] if a["iso3"] == "CAF")
    summaries = [s["summary"] for s in caf["signals"]]
    assert "Restricted signal naming Kaga-Bandoro" not in summaries  # a reviewer's clearance
    assert len(summaries) == 2 and caf["n_signals_withheld"] == 1
    assert all(s["url"].endswith("/countries/CAF") for s in caf["signals"])
    assert caf["policy_options"] and caf["reason"] and caf["severity"]
    full = next(a for a in inbox_of(clients["analyst"])["items"] if a["iso3"] == "CAF")
    assert len(full["signals"]) == 3 and full["n_signals_withheld"] == 0


def test_another_users_alert_is_a_404(
    clients: dict[str, TestClient], alerts: dict[str, int]
) -> None:
    monitor2 = clients["monitor2"]
    for alert_id in alerts.values():
        assert monitor2.get(f"/api/v1/alerts/inbox/{alert_id}").status_code == 404
        assert monitor2.get(f"/alerts/{alert_id}.json").status_code == 404
    assert clients["viewer"].get(f"/api/v1/alerts/inbox/{alerts['CAF']}").status_code == 404
    reviewer = clients["reviewer"]
    assert reviewer.get(f"/api/v1/alerts/inbox/{alerts['MMR']}").status_code == 404
    # ... nor can they respond to it (a 404, not a 403: guessing ids tells nothing)
    guessed = reviewer.post(
        f"/api/v1/alerts/inbox/{alerts['MMR']}/acknowledge",
        headers={"X-CSRF-Token": _csrf(reviewer)},
    )
    assert guessed.status_code == 404
    assert reviewer.get(f"/api/v1/alerts/inbox/{alerts['SDN']}").json()["iso3"] == "SDN"
    assert clients["analyst"].get("/api/v1/alerts/inbox/2147483647").status_code == 404


def test_unauthenticated_requests_are_refused(app: FastAPI, alerts: dict[str, int]) -> None:
    anonymous = TestClient(app, base_url="https://testserver")
    assert anonymous.get("/api/v1/alerts/inbox").status_code == 401
    assert anonymous.get(f"/api/v1/alerts/inbox/{alerts['SDN']}").status_code == 401
    assert anonymous.get("/alerts.json").status_code == 401
    page = anonymous.get("/alerts", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    ack = anonymous.post(f"/api/v1/alerts/inbox/{alerts['SDN']}/acknowledge")
    assert ack.status_code in (401, 403)  # no session: refused (CSRF check or sign-in)
    assert anonymous.get("/api/v1/alerts/inbox", headers=bearer("nobody")).status_code == 401


def test_a_viewer_reads_but_cannot_respond(
    clients: dict[str, TestClient],
    post_form: Callable[..., Any],
    alerts: dict[str, int],
    app: FastAPI,
) -> None:
    viewer = clients["viewer"]
    sdn = alerts["SDN"]
    html = viewer.get("/alerts").text
    assert f'id="alert-{sdn}"' in html and "Surge of dehumanising speech in SDN" in html
    assert f'action="/alerts/{sdn}/acknowledge"' not in html  # no buttons for a viewer
    refused = post_form("viewer", f"/alerts/{sdn}/acknowledge", {}, follow_redirects=False)
    assert refused.status_code == 403
    api = viewer.post(
        f"/api/v1/alerts/inbox/{sdn}/acknowledge", headers={"X-CSRF-Token": _csrf(viewer)}
    )
    assert api.status_code == 403
    token = TestClient(app, base_url="https://testserver")
    scoped = token.post(
        f"/api/v1/alerts/inbox/{sdn}/acknowledge", headers=bearer("viewer-read-alerts:write")
    )
    assert scoped.status_code == 403  # the scope never gives more than the role
    assert inbox_of(viewer)["items"][0]["status"] == "new"


def test_a_read_only_token_cannot_respond_and_a_scoped_one_can(
    app: FastAPI, alerts: dict[str, int]
) -> None:
    client = TestClient(app, base_url="https://testserver")
    mmr = alerts["MMR"]
    read_only = client.post(
        f"/api/v1/alerts/inbox/{mmr}/acknowledge", headers=bearer("analyst-read")
    )
    assert read_only.status_code == 403
    listed = client.get("/api/v1/alerts/inbox?status=new&limit=1", headers=bearer("analyst-read"))
    assert listed.status_code == 200 and listed.json()["total"] >= 1
    assert len(listed.json()["items"]) == 1
    write = bearer("analyst-read-alerts:write")
    ack = client.post(f"/api/v1/alerts/inbox/{mmr}/acknowledge", headers=write)
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    assert client.post(f"/api/v1/alerts/inbox/{mmr}/acknowledge", headers=write).status_code == 409
    no_reason = client.post(f"/api/v1/alerts/inbox/{mmr}/dismiss", json={}, headers=write)
    assert no_reason.status_code == 409 and "reason" in no_reason.json()["detail"]
    acted = client.post(
        f"/api/v1/alerts/inbox/{mmr}/act",
        json={"note": "briefed the desk", "action_ref": "assess:action:3"},
        headers=write,
    )
    assert acted.status_code == 200, acted.text
    body = acted.json()
    assert body["status"] == "acted" and body["events"][-1]["actor"] == "user:analyst (api)"
    assert body["events"][-1]["details"] == {"action_ref": "assess:action:3"}
    acted_only = client.get("/api/v1/alerts/inbox?status=acted", headers=write).json()
    assert [a["id"] for a in acted_only["items"]] == [mmr]


def test_the_inbox_page_acknowledges_acts_and_dismisses_with_csrf(
    clients: dict[str, TestClient],
    post_form: Callable[..., Any],
    alerts: dict[str, int],
    web_database_url: str,
) -> None:
    reviewer = clients["reviewer"]
    caf, sdn = alerts["CAF"], alerts["SDN"]
    page = reviewer.get("/alerts")
    assert page.status_code == 200
    assert f'action="/alerts/{caf}/acknowledge"' in page.text and 'name="csrf_token"' in page.text
    assert "Policy options to consider" in page.text and 'href="/countries/CAF"' in page.text
    assert 'href="/alerts"' in page.text and "pending" not in _menu_entry(page.text)
    forged = reviewer.post(
        f"/alerts/{caf}/acknowledge", data={"csrf_token": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 403, (forged.status_code, forged.headers, forged.text[:300])
    done = post_form("reviewer", f"/alerts/{caf}/acknowledge", {"back": "/alerts"},
                     follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == f"/alerts#alert-{caf}"
    no_reason = post_form("reviewer", f"/alerts/{caf}/dismiss", {"note": " "})
    assert no_reason.status_code == 409 and "reason" in no_reason.text
    dismissed = post_form("reviewer", f"/alerts/{caf}/dismiss", {"note": "already handled"},
                          follow_redirects=False)  # fmt: skip
    assert dismissed.status_code == 303
    evil = post_form("reviewer", f"/alerts/{sdn}/act",
                     {"note": "raised with the RC", "action_ref": "assess:action:9",
                      "back": "//evil.example/x"}, follow_redirects=False)  # fmt: skip
    assert evil.status_code == 303 and evil.headers["location"] == f"/alerts/{sdn}#alert-{sdn}"
    twin = reviewer.get(f"/alerts/{caf}.json").json()
    assert twin["alert"]["status"] == "dismissed"
    assert [e["action"] for e in twin["alert"]["events"]] == [
        "created",
        "acknowledged",
        "dismissed",
    ]
    assert twin["alert"]["events"][-1]["note"] == "already handled"
    assert reviewer.get("/alerts.json?status=acted").json()["inbox"]["total"] >= 1
    db = Database(web_database_url)
    with db.session() as session:
        actions = {e.action for e in list_audit(session, limit=200)}
    db.dispose()
    assert {"alerts.acknowledged", "alerts.dismissed", "alerts.acted"} <= actions


def test_restricted_views_are_audited(
    clients: dict[str, TestClient], alerts: dict[str, int], web_database_url: str
) -> None:
    clients["analyst"].get(f"/api/v1/alerts/inbox/{alerts['CAF']}")
    db = Database(web_database_url)
    with db.session() as session:
        entries = [e for e in list_audit(session, limit=500) if e.action == "alerts.view"]
    db.dispose()
    assert any(e.actor == "user:analyst" and f"alert:{alerts['CAF']}" in (e.target or "")
               for e in entries)  # fmt: skip


def test_the_team_list_audits_the_restricted_alerts_it_shows(
    clients: dict[str, TestClient], alerts: dict[str, int], web_database_url: str
) -> None:
    def views() -> list[tuple[str, str]]:
        db = Database(web_database_url)
        with db.session() as session:
            found = list_audit(session, limit=100_000)
        db.dispose()
        return [(e.actor, e.target or "") for e in found if e.action == "alerts.view"]

    before = views()
    listed = clients["analyst"].get("/api/v1/alerts", params={"country": "CAF"})
    assert listed.status_code == 200 and alerts["CAF"] in {a["id"] for a in listed.json()}
    new = views()[: len(views()) - len(before)]
    assert any(
        actor == "user:analyst" and f"alert:{alerts['CAF']}" in target for actor, target in new
    )
    # a reviewer is not shown restricted Signals: nothing to audit
    assert clients["reviewer"].get("/api/v1/alerts", params={"country": "CAF"}).status_code == 200
    assert len(views()) == len(before) + len(new)


def test_the_country_page_shows_open_alerts_and_actions(
    clients: dict[str, TestClient], alerts: dict[str, int]
) -> None:
    analyst = clients["analyst"].get("/countries/SDN.json").json()
    section = analyst["sections"]["alerts"]
    assert section["title"] == "Open alerts and actions"
    cells = [str(c) for t in section["tables"] for row in t["rows"] for c in row]
    assert str(alerts["SDN"]) in cells
    viewer = clients["viewer"].get("/countries/MMR.json").json()
    assert "alerts" not in viewer["sections"]  # MMR's alert rests on internal evidence
    assert "Open alerts and actions" in clients["analyst"].get("/countries/SDN").text


def _csrf(client: TestClient) -> str:
    from tests.web.fixtures import csrf_of

    return csrf_of(client)


def _menu_entry(html: str) -> str:
    start = html.index('href="/alerts"')
    return html[start - 80 : start + 40]
