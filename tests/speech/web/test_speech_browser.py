"""A real browser against a real server: an analyst opens the speech review queue, reads a
flagged item, completes the Rabat worksheet and decides; a viewer then sees the decision but
not the text.

Headless Debian Chromium driven by Playwright, as in test_browser.py. Screenshots go to
$TOCSIN_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.speech.web.test_speech_access import VIOLENT, store_and_score
from tests.web.fixtures import PASSWORD, populate, serving
from tests.web.test_browser import CHROMIUM, FLAGS
from tocsin.settings import Settings
from tocsin.speech import list_rabat_assessments
from tocsin.store import Database, list_audit
from tocsin.web import WebSettings, create_app


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Database, int]]:
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("/usr/bin/chromium is missing: .ci/run must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    settings = Settings(home=tmp_path_factory.mktemp("speech-browser"))
    db = Database.from_settings(settings)
    populate(db)
    item_id = store_and_score(db)["violent"]
    app = create_app(settings, WebSettings(identity_keys=None, identity_key_file=None))
    with serving(app) as base:
        yield base, db, item_id
    app.state.tocsin.db.dispose()
    db.dispose()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("TOCSIN_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sign_in(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/watchlist")
    return page


def test_an_analyst_reviews_a_flagged_item_and_decides(
    server: tuple[str, Database, int], shots: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, db, item_id = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = _sign_in(browser, base, "analyst")
        page.click("header nav a:has-text('Speech review')")
        page.wait_for_url(f"{base}/speech")
        assert page.locator("table.speech-queue tbody tr").count() == 2
        page.select_option("select[name=state]", "open")
        page.click("#speech-filters button[type=submit]")
        page.wait_for_url("**/speech?*state=open*")
        page.screenshot(path=str(shots / "speech-queue.png"), full_page=True)
        page.click(f"table.speech-queue a[href='/speech/{item_id}']")
        page.wait_for_url(f"{base}/speech/{item_id}")
        assert page.inner_text("#speech-text") == VIOLENT
        # the tool pre-filled speaker, extent and content; the analyst rates the rest
        assert page.input_value("select[name=speaker_rating]") == "3"
        assert page.input_value("select[name=extent_rating]") == "3"
        assert page.input_value("select[name=intent_rating]") == ""
        page.select_option("select[name=intent_rating]", "3")
        page.fill("textarea[name=intent_evidence]", "An explicit call to kill, repeated.")
        page.select_option("select[name=likelihood_rating]", "3")
        page.select_option("select[name=is_imminent]", "yes")
        page.select_option("select[name=decision]", "incitement")
        page.fill("textarea[name=reasons]", "An official calls for killing refugees.")
        page.click("form#rabat-form button[type=submit]")
        page.wait_for_selector("#decision")
        assert page.inner_text("#decision") == "incitement"
        assert page.inner_text("#suggested") == "incitement"
        page.screenshot(path=str(shots / "speech-worksheet.png"), full_page=True)
        page.goto(f"{base}/countries/CAF")  # the speech trends section of the country page
        assert page.locator("#section-speech table.speech-weekly tbody tr").count() == 12
        page.locator("#section-speech").screenshot(path=str(shots / "speech-country.png"))
        page.click("#section-speech a:has-text('Review queue for this country')")
        page.wait_for_url(f"{base}/speech?country=CAF")
        assert page.locator("table.speech-queue tbody tr").count() == 1

        viewer = _sign_in(browser, base, "viewer")
        viewer.goto(f"{base}/speech/{item_id}")
        assert VIOLENT not in viewer.content() and "text withheld" in viewer.content()
        assert viewer.inner_text("#decision") == "incitement"
        assert viewer.locator("form#rabat-form").count() == 0
        viewer.screenshot(path=str(shots / "speech-viewer.png"), full_page=True)
        browser.close()
    with db.session() as session:
        versions = list_rabat_assessments(session, item_id)
        views = [e for e in list_audit(session, limit=500) if e.action == "speech.text.view"]
    assert [v.worksheet.decision for v in versions] == ["incitement"]
    assert versions[0].analyst == "user:analyst"
    assert versions[0].worksheet.intent.evidence == "An explicit call to kill, repeated."
    assert {e.actor for e in views} == {"user:analyst"} and len(views) == 2
