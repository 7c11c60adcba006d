"""The watchlist and country pages, their JSON twins and API (the web plug-in ``watchlist``)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.web.fixtures import sign_in
from tocsin.settings import Settings
from tocsin.watchlist.web import include_watchlist
from tocsin.web import WebSettings, create_app


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


def test_home_leads_to_the_watchlist_and_without_the_plug_in_to_the_next_menu_entry(
    settings: Settings, home: Path, clients: dict[str, TestClient]
) -> None:
    assert clients["viewer"].get("/", follow_redirects=False).headers["location"] == "/watchlist"
    web = WebSettings(identity_keys=None, identity_key_file=home / "identity-keys.json")
    bare = create_app(settings, web, plugins=[])
    try:
        anonymous = TestClient(bare).get("/", follow_redirects=False)
        assert anonymous.headers["location"] == "/login"
        viewer = sign_in(bare, "viewer")
        assert (
            viewer.get("/", follow_redirects=False).headers["location"] == "/data"
        )  # the menu's first
        assert viewer.get("/watchlist").status_code == 404
        assert "/api/v1/countries/{iso3}" not in bare.openapi()["paths"]
    finally:
        bare.state.tocsin.db.dispose()
    alone = create_app(settings, web, plugins=[include_watchlist])
    try:
        paths = set(alone.openapi()["paths"])
        assert {"/api/v1/watchlist", "/api/v1/countries/{iso3}", "/api/v1/events"} <= paths
        assert sign_in(alone, "viewer").get("/countries/CAF.json").json()["forecast"]["rank"] == 1
    finally:
        alone.state.tocsin.db.dispose()
