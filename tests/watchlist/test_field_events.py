"""Events made from incident reports on the country pages, the events API and the
Signals: a report without ``admin1`` does not break the pages, an internal report's event
is seen only by those who may see the report (``tocsin.incidents.report_visibility``), and
a trigger-event Signal resting on it is internal. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.fixtures import post_bare_report
from tocsin.domain import Sensitivity
from tocsin.events import event_signals, load_analysis_frame, run_monitoring_pass
from tocsin.incidents import non_public_report_events

PATHS = ("/countries/CAF", "/countries/CAF.json", "/api/v1/countries/CAF", "/api/v1/events")


def _token(post_form: Any, username: str, scopes: list[str]) -> str:
    page = post_form(username, "/account/tokens", {"name": "t", "scopes": scopes}).text
    start = page.index("tct_")
    return page[start : page.index("<", start)]


def test_a_report_without_admin1_keeps_the_country_page_up_for_every_role(
    clients: dict[str, TestClient], post_form: Any
) -> None:
    place = f"Nowhere-{uuid.uuid4().hex[:8]}"
    post_bare_report(post_form, "monitor", "public", place)
    for username, client in clients.items():
        for path in PATHS:
            response = client.get(path)
            assert response.status_code == 200, (username, path, response.text[-500:])
            assert place in response.text, (username, path)  # a public report's event
    event = next(
        e for e in clients["viewer"].get("/api/v1/events").json()["items"] if e["location"] == place
    )
    assert event["admin1"] is None and event["fatalities_best"] is None


def test_an_internal_reports_event_is_seen_only_by_who_may_see_the_report(
    app: FastAPI, clients: dict[str, TestClient], post_form: Any
) -> None:
    place = f"Internal-{uuid.uuid4().hex[:8]}"
    post_bare_report(post_form, "monitor", "internal", place)
    may_see = {"admin", "analyst", "reviewer", "monitor"}  # the owner, and who reads internal
    for username, client in clients.items():
        for path in PATHS:
            response = client.get(path)
            assert response.status_code == 200, (username, path)
            assert (place in response.text) == (username in may_see), (username, path)
    # the monthly counts leave it out too: one event fewer for those who may not see it
    counts = {
        u: clients[u].get("/api/v1/countries/CAF").json()["events"]["n_events"]
        for u in ("admin", "monitor2", "viewer")
    }
    assert counts["admin"] == counts["monitor2"] + 1 == counts["viewer"] + 1
    # a token reads reports only with the reports:read scope, and so these events
    api = TestClient(app, base_url="https://testserver")
    for scopes, seen in ((["read"], False), (["read", "reports:read"], True)):
        auth = {"Authorization": f"Bearer {_token(post_form, 'analyst', scopes)}"}
        for path in ("/api/v1/countries/CAF", "/api/v1/events?iso3=CAF"):
            response = api.get(path, headers=auth)
            assert response.status_code == 200
            assert (place in response.text) == seen, (scopes, path)


def test_a_trigger_event_signal_resting_on_an_internal_report_is_internal(
    app: FastAPI, clients: dict[str, TestClient], post_form: Any
) -> None:
    area = f"Vakaga-{uuid.uuid4().hex[:6]}"
    response = post_form(
        "monitor",
        "/reports",
        {
            "iso3": "CAF",
            "start_date": "2025-02-20",  # the newest event: within the pass's four weeks
            "event_type": "killing",
            "admin1": area,
            "fatalities_best": "3",
            "sensitivity": "internal",
            "idempotency_key": uuid.uuid4().hex,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    db = app.state.tocsin.db
    with db.session() as session:
        frame = load_analysis_frame(session)
        internal = non_public_report_events(session)
    # without the incidents' word, the events alone would make it public
    plain = [s for s in event_signals(frame, since=date(2025, 1, 1)) if s.area == area]
    assert plain and all(s.sensitivity is Sensitivity.PUBLIC for s in plain)
    run_monitoring_pass(db, now=datetime.now(UTC), internal_events=non_public_report_events)
    assert internal
    for username, client in clients.items():
        text = client.get("/api/v1/signals?iso3=CAF&limit=500").text
        assert (area in text) == (username != "viewer"), username  # internal: staff only
