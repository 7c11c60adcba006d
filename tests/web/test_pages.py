"""The web app's own pages and their JSON twins: home, data, menu, static assets; plug-ins."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

import tocsin.web
from tests.web.fixtures import sign_in
from tocsin.web import NavItem, WebSettings, add_capability, check_csrf, create_app


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


def test_the_served_app_runs_the_plug_ins_warmers_in_the_background(
    settings: object, web_settings: object
) -> None:
    import threading

    from tocsin.web import register_warmer
    from tocsin.web._app import warm_in_background

    app = create_app(settings, web_settings, plugins=[])  # type: ignore[arg-type]
    warmed: list[object] = []
    done = threading.Event()
    register_warmer(app, warmed.append)
    register_warmer(app, lambda _context: done.set())
    assert warm_in_background(app) is app
    assert done.wait(10) and warmed == [app.state.tocsin]
    app.state.tocsin.db.dispose()
