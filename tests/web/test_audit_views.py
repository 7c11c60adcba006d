"""What the audit log records of reads and refusals, on SQLite and PostgreSQL: who was shown
which restricted Signals and where, and every permission a caller was refused."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tocsin.store import AuditEntry, list_audit

SECRET = "Kaga-Bandoro"  # in the restricted Signal's summary (tests/web/fixtures.py)


def _entries(app: FastAPI, action: str) -> list[AuditEntry]:
    with app.state.tocsin.db.session() as session:
        return [e for e in list_audit(session, limit=100_000) if e.action == action]


def _new(app: FastAPI, action: str, before: int) -> list[AuditEntry]:
    """The entries of ``action`` written since there were ``before`` (newest first)."""
    found = _entries(app, action)
    return found[: len(found) - before]


def _restricted_id(client: TestClient) -> int:
    items = client.get("/api/v1/signals", params={"iso3": "CAF", "limit": 500}).json()["items"]
    (found,) = [s["id"] for s in items if s["sensitivity"] == "restricted"]
    return int(found)


def test_restricted_signals_shown_are_audited_by_id_and_place(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    analyst = clients["analyst"]
    signal_id = _restricted_id(analyst)
    for path, where in (
        ("/api/v1/signals?iso3=CAF", "/api/v1/signals"),
        ("/api/v1/countries/CAF", "/api/v1/countries/CAF"),
        ("/countries/CAF", "/countries/CAF"),
        ("/countries/CAF.json", "/countries/CAF"),
        ("/api/v1/watchlist", "/api/v1/watchlist"),
        ("/watchlist.json", "/watchlist"),
    ):
        before = len(_entries(app, "signal.restricted.view"))
        response = analyst.get(path)
        assert response.status_code == 200 and SECRET in response.text, path
        # served from the page cache the second time: still audited
        assert analyst.get(path).status_code == 200
        new = _new(app, "signal.restricted.view", before)
        assert len(new) == 2, path
        for entry in new:
            assert entry.actor == "user:analyst"
            assert entry.details["where"] == where
            assert signal_id in entry.details["signal_ids"]
            assert SECRET not in json.dumps(entry.details)  # ids, never the summary


def test_no_view_is_audited_where_no_restricted_signal_is_shown(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    before = len(_entries(app, "signal.restricted.view"))
    for username in ("reviewer", "viewer"):
        for path in ("/api/v1/signals?iso3=CAF", "/api/v1/countries/CAF", "/countries/CAF"):
            assert clients[username].get(path).status_code == 200
    analyst = clients["analyst"]
    assert analyst.get("/api/v1/signals?iso3=MMR").status_code == 200  # none restricted there
    assert len(_entries(app, "signal.restricted.view")) == before


def test_a_refused_permission_is_audited_with_principal_permission_and_path(
    app: FastAPI, clients: dict[str, TestClient], post_form: Any
) -> None:
    viewer = clients["viewer"]
    before = len(_entries(app, "access.denied"))
    assert viewer.get("/admin/audit").status_code == 403
    assert viewer.get("/reports/export.csv", params={"iso3": "CAF", "q": SECRET}).status_code == 403
    page = post_form("reviewer", "/account/tokens", {"name": "t", "scopes": ["read"]}).text
    start = page.index("tct_")
    token = page[start : page.index("<", start)]
    api = TestClient(app, base_url="https://testserver")
    refused = api.get("/api/v1/reports", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403
    new = _new(app, "access.denied", before)
    seen = {(e.actor, e.details["method"], e.details["path"]): e.details for e in new}
    assert set(seen) >= {
        ("user:viewer", "GET", "/admin/audit"),
        ("user:viewer", "GET", "/reports/export.csv"),  # the path only: no query string
        ("user:reviewer (api)", "GET", "/api/v1/reports"),
    }
    assert seen[("user:viewer", "GET", "/admin/audit")]["role"] == "viewer"
    for entry in new:
        assert entry.details["permission"]
        assert SECRET not in json.dumps(entry.details) and token not in json.dumps(entry.details)
