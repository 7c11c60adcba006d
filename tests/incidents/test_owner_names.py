"""A field monitor's account name is not shown to whoever may read their public reports,
on SQLite and PostgreSQL: only to the monitor and to those who may read identities."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.incidents.test_access import report_data
from tests.web.fixtures import csrf_of, new_user, sign_in


def test_a_public_report_does_not_name_its_monitor(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    username = new_user(app, "monitor")
    monitor = sign_in(app, username)
    sent = monitor.post(
        "/reports",
        data=report_data("public") | {"csrf_token": csrf_of(monitor)},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    report_id = str(sent.headers["location"]).rsplit("/", 1)[1]
    pages = (f"/reports/{report_id}", f"/reports/{report_id}.json", "/reports", "/reports.json")
    for reader in ("viewer", "reviewer"):
        for path in pages + (f"/api/v1/reports/{report_id}",):
            response = clients[reader].get(path)
            assert response.status_code == 200, (reader, path)
            assert username not in response.text, (reader, path)
    for reader in ("analyst", "admin"):
        assert username in clients[reader].get(f"/reports/{report_id}").text
    assert username in monitor.get(f"/reports/{report_id}").text
    assert monitor.get(f"/api/v1/reports/{report_id}").json()["owner"] == username
