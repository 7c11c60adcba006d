"""One idempotency key, one report, on SQLite and PostgreSQL: a repeat of the same report
answers the stored one; the same key with a different report (other text, other names)
answers 409 and stores nothing, through the API and through the form."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.incidents.test_access import NAMES, report_data
from tests.web.fixtures import csrf_of
from tocsin.incidents import ReportVisibility, list_incident_reports


def _reports_with(app: FastAPI, text: str) -> int:
    with app.state.tocsin.db.session() as session:
        _found, total = list_incident_reports(session, visibility=ReportVisibility(), text=text)
        return total


def _api_body(marker: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "iso3": "CAF",
        "start_date": "2025-01-10",
        "event_type": "killing",
        "location": "Bambari",
        "narrative": f"Attack on a market {marker}",
        "sensitivity": "internal",
        "identities": {"witnesses": ["A witness"]},
    }
    return body | changes


def test_the_api_refuses_a_key_reused_for_another_report(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    client = clients["monitor"]
    headers = {"X-CSRF-Token": csrf_of(client), "Idempotency-Key": uuid.uuid4().hex}
    marker = uuid.uuid4().hex
    first = client.post("/api/v1/reports", json=_api_body(marker), headers=headers)
    assert first.status_code == 201
    for changed in (
        _api_body(marker, narrative=f"Another text {marker}"),
        _api_body(marker, fatalities_best=2),
        _api_body(marker, identities={"witnesses": ["Someone else"]}),
        _api_body(marker, identities={}),
    ):
        refused = client.post("/api/v1/reports", json=changed, headers=headers)
        assert refused.status_code == 409, refused.text
        assert "different report" in refused.json()["detail"]
    # the same report again (names in another form that means the same) is a retry
    again = client.post(
        "/api/v1/reports",
        json=_api_body(marker, identities={"witnesses": "A witness\n"}),
        headers=headers,
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert _reports_with(app, marker) == 1


def test_the_form_refuses_a_key_reused_for_another_report_and_offers_a_new_key(
    app: FastAPI, post_form: Any
) -> None:
    marker = uuid.uuid4().hex
    form = report_data("restricted", narrative=f"At dawn {marker}")
    first = post_form("monitor", "/reports", form, follow_redirects=False)
    assert first.status_code == 303
    edited = form | {"victims": NAMES["victims"] + "\nA second victim"}
    refused = post_form("monitor", "/reports", edited, follow_redirects=False)
    assert refused.status_code == 409
    assert "different report" in refused.text
    shown = re.search(r'name="idempotency_key" value="([^"]+)"', refused.text)
    assert shown is not None and shown.group(1) != form["idempotency_key"]
    assert _reports_with(app, marker) == 1
    # sent again with the key the page gives, the edited version is a report of its own
    second = post_form(
        "monitor", "/reports", edited | {"idempotency_key": shown.group(1)}, follow_redirects=False
    )
    assert second.status_code == 303 and second.headers["location"] != first.headers["location"]
    assert _reports_with(app, marker) == 2
