"""A real browser against a real server: sign in, browse, report an incident offline.

Headless Debian Chromium driven by Playwright (never Playwright's own browser download).
Skipped where /usr/bin/chromium is absent, except in CI, where `.ci/run` installs it.
Screenshots go to $TOCSIN_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.incidents.test_attachments import png
from tests.web.fixtures import PASSWORD, populate, serving
from tocsin.events import (
    Act,
    Actor,
    ActorKind,
    Event,
    EventType,
    Fatalities,
    count_events,
    parse_events,
    record_field_events,
)
from tocsin.incidents import ReportVisibility, list_named_reports
from tocsin.settings import Settings
from tocsin.store import Database
from tocsin.web import WebSettings, create_app

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Database]]:
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("/usr/bin/chromium is missing: .ci/run must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    home = tmp_path_factory.mktemp("browser")
    settings = Settings(home=home)
    db = Database.from_settings(settings)
    populate(db)
    events = [
        Event(
            dataset="ucdp_ged",
            source_event_id=f"b{i}",
            start_date=date(2025, 1 + i % 10, 3),
            iso3="CAF",
            admin1="Ouaka",
            latitude=5.7 + i * 0.05,
            longitude=20.6 - i * 0.1,
            acts=[
                Act(
                    type=EventType.KILLING,
                    perpetrator=Actor(kind=ActorKind.MILITIA),
                    victim=Actor(kind=ActorKind.CIVILIANS),
                    fatalities=Fatalities(best=i),
                )
            ],
        )
        for i in range(12)
    ]
    with db.session() as session:
        record_field_events(session, events, now=datetime.now(UTC), reporter="browser test")
    app = create_app(settings, WebSettings(identity_keys=None, identity_key_file=None))
    with serving(app) as base:
        yield base, db
    app.state.tocsin.db.dispose()
    db.dispose()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("TOCSIN_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser(server: tuple[str, Database]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


def test_a_monitor_signs_in_browses_and_reports_through_a_lost_connection(
    server: tuple[str, Database], browser: Any, shots: Path
) -> None:
    base, db = server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/watchlist")
    assert "/login" in page.url
    page.fill("input[name=username]", "monitor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/watchlist")
    assert page.locator("figure.map svg use").count() > 150
    # the geometry came from /map/world.svg: a referenced country has a size on screen
    box = page.locator("figure.map svg a[href='/countries/CAF'] use").bounding_box()
    assert box is not None and box["width"] > 5 and box["height"] > 5
    assert page.locator("table.sortable tbody tr").count() == 4
    page.screenshot(path=str(shots / "watchlist.png"), full_page=True)

    page.click("table.sortable th >> text=Country")  # HTMX swaps the sorted table in
    page.wait_for_url("**/watchlist?sort=name")
    page.wait_for_selector("th a:has-text('Country ▲')")
    names = page.locator("table.sortable tbody tr td:nth-child(2)").all_inner_texts()
    assert names == sorted(names) and len(names) == 4

    page.click("table.sortable a[href='/countries/CAF']")
    page.wait_for_url(f"{base}/countries/CAF")
    assert page.locator("svg.countrymap circle").count() == 12
    assert page.locator("svg.timeline rect").count() == 10
    page.screenshot(path=str(shots / "country.png"), full_page=True)

    page.goto(f"{base}/reports/new")
    page.select_option("select[name=iso3]", "CAF")
    page.fill("input[name=start_date]", "2025-02-14")
    page.select_option("select[name=event_type]", "attack_on_civilians")
    page.fill("input[name=location]", "Grimari market")
    page.fill("textarea[name=narrative]", "Browser test: armed men opened fire at the market.")
    page.fill("textarea[name=witnesses]", "Browser Witness One")
    page.reload()  # the draft survives, names included (same tab)
    assert page.input_value("input[name=location]") == "Grimari market"
    assert page.input_value("textarea[name=witnesses]") == "Browser Witness One"
    assert "draft was restored" in page.inner_text("#status")
    # Files are not part of the draft (the form says so): attach after the reload.
    assert "not kept in the draft" in page.inner_text("#attachments-note")
    page.set_input_files(
        "input[name=attachments]",
        files=[{"name": "market.png", "mimeType": "image/png", "buffer": png()}],
    )

    context.set_offline(True)
    page.click("form#report-form button[type=submit]")
    page.wait_for_function(
        "document.querySelector('#status').textContent.includes('No connection')"
    )
    page.screenshot(path=str(shots / "report-offline.png"), full_page=True)
    context.set_offline(False)
    page.wait_for_url(re.compile(r".*/reports/[0-9a-f]{24}$"), timeout=20_000)
    assert "Grimari market" in page.inner_text("main")
    assert "Browser Witness One" not in page.content()  # monitors do not see identities back
    attachment = page.locator("ul.attachments a")
    assert attachment.inner_text() == "market.png"  # sent with the retry after going online
    downloaded = page.request.get(f"{base}{attachment.get_attribute('href')}")
    assert downloaded.ok and downloaded.body() == png()
    page.screenshot(path=str(shots / "report-sent.png"), full_page=True)

    with db.session() as session:
        found, total = list_named_reports(
            session, visibility=ReportVisibility(), text="opened fire at the market"
        )
    assert total == 1 and found[0].owner_username == "monitor"
    page.goto(f"{base}/reports/new")
    assert page.input_value("input[name=location]") == ""  # the sent draft was cleared
    context.close()


def test_an_analyst_uploads_an_event_file_and_watches_it_imported(
    server: tuple[str, Database], browser: Any, shots: Path
) -> None:
    base, db = server
    ucdp = Path(__file__).parents[1] / "data" / "events" / "ucdp_ged231_caf_2014.csv"
    with db.session() as session:
        before = count_events(session, dataset="ucdp_ged")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/watchlist")
    page.goto(f"{base}/data")
    assert page.locator("form#import-form").count() == 1
    page.set_input_files("form#import-form input[name=file]", str(ucdp))
    page.select_option("select[name=format]", "events:ucdp")
    page.click("form#import-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/data/imports/[0-9]+$"))
    # HTMX polls the status until the import is done, then stops.
    page.wait_for_selector("#import-status[data-status=done]", timeout=60_000)
    n_rows = len(parse_events(ucdp.read_bytes(), "ucdp", file_name=ucdp.name).frame)
    assert f"{n_rows} of {n_rows} rows stored" in page.inner_text("#import-status")
    page.screenshot(path=str(shots / "import-done.png"), full_page=True)
    page.goto(f"{base}/data")
    assert page.locator("#import-rows tr[data-status=done]").count() == 1
    page.screenshot(path=str(shots / "data.png"), full_page=True)
    with db.session() as session:
        assert count_events(session, dataset="ucdp_ged") == before + n_rows
    context.close()


def test_the_pages_run_under_the_content_security_policy(
    server: tuple[str, Database], browser: Any, shots: Path
) -> None:
    """The CSP allows no inline script and no other origin: no page breaks a rule of it
    (the browser reports each broken one), the API docs render from the app's own files."""
    base, _db = server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{base}/login")
    assert page.evaluate("window.__violations") == []
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/watchlist")
    for path in (
        "/watchlist",
        "/countries/CAF",
        "/reports/new",
        "/reports",
        "/account",
        "/admin/users",
        "/data",
        "/alerts",
        "/speech",
    ):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.ok, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == [], path
    page.goto(f"{base}/watchlist")
    page.click("table.sortable th >> text=Country")  # HTMX still swaps the table in
    page.wait_for_url("**/watchlist?sort=name")
    page.goto(f"{base}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "Tocsin" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".swagger-ui .opblock").count() > 5
    page.screenshot(path=str(shots / "api-docs.png"), full_page=True)
    assert page.evaluate("window.__violations") == []
    assert not [line for line in console if "Content Security Policy" in line], console
    context.close()
