"""Every denial, proven on SQLite and PostgreSQL: who may see which report, identity, Signal."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.web.fixtures import PASSWORD, sign_in
from tocsin.events import list_events
from tocsin.store import Database, list_audit

NAMES = {
    "victims": "Zawadi Mbeki-Ouattara",
    "witnesses": "Issa Kongbo-Ndala",
    "sources": "Pastor Ferdinand Yakite +236 7000 0000",
}


def report_data(sensitivity: str, **extra: str) -> dict[str, str]:
    return {
        "iso3": "CAF",
        "start_date": "2025-01-10",
        "event_type": "killing",
        "admin1": "Ouaka",
        "location": "Bambari",
        "perpetrator": "Armed group X",
        "perpetrator_kind": "militia",
        "victim_group": "Fulani herders",
        "victim_kind": "civilians",
        "fatalities_best": "4",
        "civilian_deaths": "4",
        "narrative": "Attack on a market at dawn.",
        "sensitivity": sensitivity,
        "idempotency_key": uuid.uuid4().hex,
        **NAMES,
        **extra,
    }


def submit(post_form: Any, username: str, sensitivity: str, **extra: str) -> str:
    response = post_form(
        username, "/reports", report_data(sensitivity, **extra), follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def leaks(text_: str) -> bool:
    return any(name in text_ for name in NAMES.values())


def test_anonymous_callers_are_sent_to_sign_in_or_refused(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")
    for path in ("/watchlist", "/countries/CAF", "/reports", "/data", "/admin/audit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/login" in response.headers["location"]
    for path in ("/api/v1/watchlist", "/api/v1/reports", "/watchlist.json"):
        assert client.get(path).status_code == 401


def test_monitor_cannot_read_another_monitors_report(
    clients: dict[str, TestClient], post_form: Any
) -> None:
    report_id = submit(post_form, "monitor", "restricted", narrative="Only for monitor one.")
    mine = clients["monitor"].get(f"/reports/{report_id}")
    assert mine.status_code == 200 and "Only for monitor one." in mine.text
    other = clients["monitor2"]
    assert other.get(f"/reports/{report_id}").status_code == 404
    assert other.get(f"/reports/{report_id}.json").status_code == 404
    assert other.get(f"/api/v1/reports/{report_id}").status_code == 404
    listed = other.get("/api/v1/reports", params={"q": "monitor one", "limit": 500}).json()
    assert report_id not in {r["id"] for r in listed["items"]}
    assert "Only for monitor one." not in other.get("/reports", params={"q": "monitor"}).text
    # a monitor also cannot read a public report of another monitor: monitors see their own
    public_id = submit(post_form, "monitor", "public")
    assert other.get(f"/reports/{public_id}").status_code == 404
    assert other.get("/reports/export.csv").status_code == 403


def test_a_guessed_id_and_a_forbidden_id_look_the_same(
    clients: dict[str, TestClient], post_form: Any
) -> None:
    restricted = submit(post_form, "analyst", "restricted")
    for username in ("viewer", "reviewer", "monitor2"):
        client = clients[username]
        forbidden = client.get(f"/api/v1/reports/{restricted}")
        guessed = client.get(f"/api/v1/reports/{uuid.uuid4().hex[:24]}")
        assert forbidden.status_code == guessed.status_code == 404
        assert forbidden.json() == guessed.json()


def test_sensitivity_decides_what_viewers_and_reviewers_see(
    clients: dict[str, TestClient], post_form: Any
) -> None:
    ids = {s: submit(post_form, "analyst", s) for s in ("public", "internal", "restricted")}
    expected = {
        "viewer": {"public"},
        "reviewer": {"public", "internal"},
        "analyst": {"public", "internal", "restricted"},
    }
    for username, allowed in expected.items():
        client = clients[username]
        listed = {r["id"] for r in client.get("/api/v1/reports?limit=500").json()["items"]}
        for sensitivity, report_id in ids.items():
            visible = sensitivity in allowed
            assert (report_id in listed) is visible, (username, sensitivity)
            status = client.get(f"/reports/{report_id}").status_code
            assert status == (200 if visible else 404), (username, sensitivity)
        # filtering by sensitivity cannot widen what is visible
        filtered = client.get("/api/v1/reports", params={"sensitivity": "restricted"}).json()
        assert all("restricted" in allowed for _ in filtered["items"])


def test_viewers_and_monitors_never_see_identities(
    clients: dict[str, TestClient], post_form: Any
) -> None:
    public_id = submit(post_form, "monitor", "public")
    for username in ("viewer", "monitor", "reviewer"):
        client = clients[username]
        for path in (
            f"/reports/{public_id}?identities=true",
            f"/reports/{public_id}.json?identities=true",
            f"/api/v1/reports/{public_id}?identities=true",
            "/api/v1/reports?limit=500",
            "/reports?limit=200",
        ):
            response = client.get(path)
            assert response.status_code == 200, (username, path)
            assert not leaks(response.text), (username, path)
        body = client.get(f"/api/v1/reports/{public_id}?identities=true").json()
        assert body["has_identities"] is True and body["identities"] is None


def test_analysts_see_identities_only_on_request_and_it_is_audited(
    app: FastAPI, clients: dict[str, TestClient], post_form: Any
) -> None:
    report_id = submit(post_form, "monitor", "restricted")
    analyst = clients["analyst"]
    assert not leaks(analyst.get(f"/reports/{report_id}").text)
    shown = analyst.get(f"/api/v1/reports/{report_id}?identities=true").json()
    assert shown["identities"]["victims"] == [NAMES["victims"]]
    assert NAMES["witnesses"] in analyst.get(f"/reports/{report_id}?identities=true").text
    with app.state.tocsin.db.session() as session:
        entries = [(e.actor, e.action, e.target) for e in list_audit(session, limit=1000)]
    assert ("user:analyst", "report.identities.view", report_id) in entries
    assert ("user:analyst", "report.view", report_id) in entries
    assert ("user:monitor", "report.view", report_id) not in entries  # not viewed yet


def test_identities_are_ciphertext_in_the_database(
    app: FastAPI, post_form: Any, clients: dict[str, TestClient]
) -> None:
    report_id = submit(post_form, "monitor", "internal")
    db: Database = app.state.tocsin.db
    with db.engine.connect() as connection:
        row = (
            connection.execute(
                text("SELECT * FROM incident_reports WHERE public_id = :id"), {"id": report_id}
            )
            .mappings()
            .one()
        )
    assert row["identities_key_id"] == "k1"
    assert not leaks(" ".join(str(v) for v in row.values()))
    # the non-restricted report reached the events store, without any identity
    with db.session() as session:
        events = [e for e in list_events(session, iso3="CAF") if e.uid == f"field:{report_id}"]
    assert len(events) == 1 and not leaks(events[0].model_dump_json())


def test_restricted_reports_stay_out_of_the_events_store(app: FastAPI, post_form: Any) -> None:
    report_id = submit(post_form, "monitor", "restricted")
    with app.state.tocsin.db.session() as session:
        assert f"field:{report_id}" not in {e.uid for e in list_events(session, iso3="CAF")}


def test_exports_are_for_analysts_carry_no_identities_and_are_audited(
    app: FastAPI, clients: dict[str, TestClient], post_form: Any
) -> None:
    report_id = submit(post_form, "monitor", "restricted")
    for username in ("viewer", "reviewer", "monitor"):
        assert clients[username].get("/reports/export.csv").status_code == 403
    export = clients["analyst"].get("/reports/export.csv")
    assert export.status_code == 200 and report_id in export.text and not leaks(export.text)
    with app.state.tocsin.db.session() as session:
        actions = {(e.action, e.target) for e in list_audit(session, limit=1000)}
    assert ("report.export", report_id) in actions
    assert ("report.export.csv", None) in actions


def test_restricted_signals_are_hidden_from_those_without_the_right(
    clients: dict[str, TestClient],
) -> None:
    secret = "Kaga-Bandoro"
    for username in ("viewer", "monitor", "reviewer"):
        client = clients[username]
        for path in (
            "/watchlist",
            "/watchlist.json",
            "/countries/CAF",
            "/countries/CAF.json",
            "/api/v1/signals?iso3=CAF",
            "/api/v1/countries/CAF",
        ):
            assert secret not in client.get(path).text, (username, path)
    assert "Bambari" not in clients["viewer"].get("/api/v1/signals?iso3=CAF").text
    assert "Bambari" in clients["monitor"].get("/api/v1/signals?iso3=CAF").text
    assert secret in clients["analyst"].get("/api/v1/signals?iso3=CAF").text


def test_roles_without_a_permission_get_403(clients: dict[str, TestClient]) -> None:
    for username in ("analyst", "reviewer", "monitor", "viewer"):
        for path in ("/admin/users", "/admin/audit"):
            assert clients[username].get(path).status_code == 403
    for username in ("viewer", "reviewer"):
        assert clients[username].get("/reports/new").status_code == 403


def test_state_changes_need_the_csrf_token(app: FastAPI, clients: dict[str, TestClient]) -> None:
    client = clients["monitor"]
    data = report_data("public")
    assert client.post("/reports", data=data).status_code == 403
    assert client.post("/reports", data=data | {"csrf_token": "forged"}).status_code == 403
    assert client.post("/logout").status_code == 403
    fresh = TestClient(app, base_url="https://testserver")
    response = fresh.post("/login", data={"username": "viewer", "password": PASSWORD})
    assert response.status_code == 403  # no pre-session token: a forged cross-site sign-in


def test_failed_sign_ins_are_rate_limited(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")
    client.get("/login")
    token = client.cookies.get("tocsin_csrf")

    def attempt(password: str) -> int:
        data = {"username": "reviewer", "password": password, "csrf_token": token}
        return client.post("/login", data=data, follow_redirects=False).status_code

    statuses = [attempt("wrong password") for _ in range(5)]
    assert statuses == [401] * 5
    assert attempt(PASSWORD) == 429  # even the right password waits out the window


def test_api_tokens_are_limited_by_scope_and_by_role(
    app: FastAPI, post_form: Any, clients: dict[str, TestClient]
) -> None:
    def make_token(username: str, scopes: list[str]) -> str:
        page = post_form(username, "/account/tokens", {"name": "t", "scopes": scopes}).text
        start = page.index("tct_")
        return page[start : page.index("<", start)]

    read_only = make_token("analyst", ["read"])
    api = TestClient(app, base_url="https://testserver")
    auth = {"Authorization": f"Bearer {read_only}"}
    assert api.get("/api/v1/watchlist", headers=auth).status_code == 200
    assert api.get("/api/v1/reports", headers=auth).status_code == 403
    body = report_data("public")
    del body["idempotency_key"]
    payload = {k: v for k, v in body.items() if k not in NAMES}
    headers = auth | {"Idempotency-Key": uuid.uuid4().hex}
    assert api.post("/api/v1/reports", json=payload, headers=headers).status_code == 403
    # a viewer's token cannot create reports even with the scope: the role forbids it
    viewer = {"Authorization": f"Bearer {make_token('viewer', ['reports:write'])}"}
    assert (
        api.post(
            "/api/v1/reports", json=payload, headers=viewer | {"Idempotency-Key": uuid.uuid4().hex}
        ).status_code
        == 403
    )
    assert api.get("/api/v1/me", headers={"Authorization": "Bearer tct_guess"}).status_code == 401


def test_a_retried_submission_is_stored_once(
    app: FastAPI, post_form: Any, clients: dict[str, TestClient]
) -> None:
    writer = {
        "Authorization": "Bearer " + _token(post_form, "monitor", ["reports:write", "reports:read"])
    }
    api = TestClient(app, base_url="https://testserver")
    payload = {k: v for k, v in report_data("internal").items() if k != "idempotency_key"}
    payload = {k: v for k, v in payload.items() if k not in NAMES} | {
        "identities": {"witnesses": [NAMES["witnesses"]]}
    }
    headers = writer | {"Idempotency-Key": "retry-" + uuid.uuid4().hex}
    first = api.post("/api/v1/reports", json=payload, headers=headers)
    second = api.post("/api/v1/reports", json=payload, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    form = report_data("public")
    one = post_form("monitor", "/reports", form, follow_redirects=False)
    two = post_form("monitor", "/reports", form, follow_redirects=False)
    assert one.headers["location"] == two.headers["location"]


def _token(post_form: Any, username: str, scopes: list[str]) -> str:
    page = post_form(username, "/account/tokens", {"name": "t", "scopes": scopes}).text
    start = page.index("tct_")
    return str(page[start : page.index("<", start)])


def test_a_new_user_must_change_the_one_time_password(app: FastAPI, post_form: Any) -> None:
    username = f"new{uuid.uuid4().hex[:6]}"
    page = post_form(
        "admin", "/admin/users", {"username": username, "display_name": "New", "role": "monitor"}
    ).text
    start = page.index('<code id="otp">') + len('<code id="otp">')
    one_time = page[start : page.index("<", start)]
    client = sign_in(app, username, one_time)
    response = client.get("/watchlist", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/account/password"
    assert client.get("/api/v1/me").status_code == 403


@pytest.mark.parametrize("path", ["/reports/new", "/account"])
def test_pages_for_signed_in_users_render(clients: dict[str, TestClient], path: str) -> None:
    assert clients["monitor"].get(path).status_code == 200
