"""Pages and their JSON twins: watchlist, country, data, static assets."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

import tocsin.web
from tests.web.fixtures import sign_in
from tocsin.web import NavItem, WebSettings, add_capability, check_csrf, create_app


def test_the_watchlist_ranks_with_rank_changes_and_a_map(clients: dict[str, TestClient]) -> None:
    viewer = clients["viewer"]
    data = viewer.get("/watchlist.json").json()
    assert data["available"] and data["data_year"] == 2023
    assert [(r["iso3"], r["rank"], r["rank_change"]) for r in data["rows"]] == [
        ("CAF", 1, 1),
        ("SDN", 2, -1),
        ("COD", 3, 1),
        ("MMR", 4, -1),
    ]
    assert data["rows"][0]["drivers"][0] == {
        "code": "RF1",
        "title": "Situations of armed conflict or other forms of instability",
        "contribution": 0.4,
    }
    page = viewer.get("/watchlist")
    assert page.status_code == 200
    # the world: each country refers to its path in the cacheable geometry file
    assert page.text.count('<use href="/map/world.svg#c') > 150
    assert 'href="/countries/CAF"' in page.text
    same = viewer.get("/watchlist", headers={"Accept": "application/json"}).json()
    assert same == data


def test_the_watchlist_sorts_and_filters_by_region(clients: dict[str, TestClient]) -> None:
    viewer = clients["viewer"]
    by_name = viewer.get("/watchlist.json?sort=name").json()["rows"]
    assert [r["name"] for r in by_name] == sorted(r["name"] for r in by_name)
    descending = viewer.get("/watchlist.json?sort=-rank").json()["rows"]
    assert [r["rank"] for r in descending] == [4, 3, 2, 1]
    asia = viewer.get("/watchlist.json", params={"region": "Asia"}).json()
    assert [r["iso3"] for r in asia["rows"]] == ["MMR"] and "Africa" in asia["regions"]
    assert viewer.get("/watchlist.json?sort=nonsense").json()["sort"] == "rank"


def test_the_country_page_shows_forecast_history_resilience_and_says_what_is_missing(
    clients: dict[str, TestClient],
) -> None:
    viewer = clients["viewer"]
    data = viewer.get("/countries/CAF.json").json()
    assert data["country"]["name"] and data["forecast"]["rank"] == 1
    assert [h["data_year"] for h in data["history"]] == [2022, 2023]
    assert {r["dataset"] for r in data["resilience"]} == {"pts", "freedom_house", "vdem"}
    # Each of these is a capability's section, or a note saying it is not available yet.
    missing = {n["section"] for n in data["not_available"]}
    assert missing <= {"speech", "assessment", "alerts"} and not missing & set(data["sections"])
    page = viewer.get("/countries/caf")
    assert page.status_code == 200 and "Drivers by risk factor" in page.text
    assert 'class="countrymap"' in page.text
    assert ("Not available yet" in page.text) == bool(missing)
    assert viewer.get("/countries/XXX").status_code == 404
    assert viewer.get("/api/v1/countries/XXX").status_code == 404


def test_the_data_page_lists_data_sets_with_licences(clients: dict[str, TestClient]) -> None:
    data = clients["viewer"].get("/data.json").json()
    assert {"pts", "vdem", "freedom_house"} <= {d["name"] for d in data["datasets"]}
    assert all(d["licence"] for d in data["datasets"])


def test_every_asset_is_served_locally(clients: dict[str, TestClient]) -> None:
    client = clients["admin"]
    for path in ("/watchlist", "/countries/CAF", "/reports/new", "/admin/users", "/data"):
        html = client.get(path).text
        # links to publishers are fine; nothing is loaded from elsewhere
        assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', html)
        assert "url(http" not in html
    for asset in (
        "/static/htmx.min.js",
        "/static/report.js",
        "/static/tocsin.css",
        "/static/countries-110m.json",
    ):
        assert client.get(asset).status_code == 200
    licences = (Path(tocsin.web.__file__).parent / "static" / "LICENSES.md").read_text()
    assert "htmx" in licences and "Natural Earth" in licences


def test_the_menu_shows_only_what_a_role_may_open(clients: dict[str, TestClient]) -> None:
    assert 'href="/admin/users"' in clients["admin"].get("/watchlist").text
    viewer = clients["viewer"].get("/watchlist").text
    assert 'href="/admin/users"' not in viewer and 'href="/reports/new"' not in viewer


def test_a_capability_plugs_in_its_router_and_menu(settings: object, web_settings: object) -> None:
    app = create_app(settings, web_settings)  # type: ignore[arg-type]
    router = APIRouter(dependencies=[Depends(check_csrf)])

    @router.get("/alerts")
    def inbox() -> dict[str, str]:
        return {"inbox": "real"}

    add_capability(app, router, [NavItem("alerts", "Alerts inbox", "/alerts", "watchlist:read")])
    assert {i.key: i.label for i in app.state.nav.items()}["alerts"] == "Alerts inbox"
    assert TestClient(app).get("/alerts").json() == {"inbox": "real"}
    app.state.tocsin.db.dispose()


def test_the_openapi_document_describes_the_versioned_api(app: FastAPI) -> None:
    document = TestClient(app).get("/api/v1/openapi.json").json()
    mine = {
        path
        for path, operations in document["paths"].items()
        if any("api" in operation.get("tags", []) for operation in operations.values())
    }
    assert {"/api/v1/watchlist", "/api/v1/reports", "/api/v1/reports/{report_id}"} <= mine
    assert all(path.startswith("/api/v1/") for path in mine)


def test_cached_pages_are_kept_apart_by_what_the_caller_may_see(
    settings: object, home: Path, clients: dict[str, TestClient]
) -> None:
    web = WebSettings(
        identity_keys=None, identity_key_file=home / "identity-keys.json", page_cache_seconds=60
    )
    app = create_app(settings, web)  # type: ignore[arg-type]
    calls: list[str] = []
    context = app.state.tocsin
    assert context.memo(("k", ("public",)), lambda: calls.append("a") or 1) == 1
    assert context.memo(("k", ("public",)), lambda: calls.append("b") or 2) == 1
    assert context.memo(("k", ("public", "internal")), lambda: calls.append("c") or 3) == 3
    assert calls == ["a", "c"]
    analyst, viewer = sign_in(app, "analyst"), sign_in(app, "viewer")
    assert "Kaga-Bandoro" in analyst.get("/api/v1/countries/CAF").text
    assert "Kaga-Bandoro" not in viewer.get("/api/v1/countries/CAF").text
    assert "Kaga-Bandoro" not in viewer.get("/countries/CAF").text
    context.db.dispose()
