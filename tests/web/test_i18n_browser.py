"""Arabic in a real browser: the sign-in page and the watchlist laid out right to left
(headless Debian Chromium, with the server and browser of tests/web/test_browser.py).

The browser asks for Arabic as a reader's would (its locale sets ``Accept-Language``);
screenshots go where tests/web/test_browser.py puts its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.web.fixtures import PASSWORD
from tests.web.test_browser import browser, server, shots
from tocsin.store import Database

__all__ = ["browser", "server", "shots"]  # the fixtures, used here by name

WIDTH = 1280


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return dict(found)


def test_arabic_pages_run_right_to_left(
    server: tuple[str, Database], browser: Any, shots: Path
) -> None:
    base, _db = server
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale="ar")
    page = context.new_page()
    page.goto(f"{base}/login")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.locator("h1").inner_text() == "تسجيل الدخول"
    # the brand starts the header on the right, and the form sits on the right too
    brand = box(page, "header.top .brand")
    assert brand["x"] + brand["width"] > WIDTH - 60, brand
    form = box(page, "section.narrow")
    assert form["x"] + form["width"] > WIDTH - 60 and form["x"] > WIDTH / 2, form
    page.screenshot(path=str(shots / "login-ar.png"), full_page=True)

    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("section.narrow button[type=submit]")
    page.wait_for_url(f"{base}/watchlist")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    nav = box(page, "header.top nav")
    brand = box(page, "header.top .brand")
    # the menu follows the brand leftwards, starting right of the middle
    assert nav["x"] + nav["width"] <= brand["x"] + 1, (nav, brand)
    assert nav["x"] + nav["width"] > WIDTH / 2, nav
    assert page.locator("header.top nav a[href='/watchlist']").inner_text() == "قائمة المراقبة"
    # the signed-in user's box is pushed to the far (left) end
    who = box(page, "header.top .who")
    assert who["x"] < WIDTH / 4, who
    page.screenshot(path=str(shots / "watchlist-ar.png"), full_page=True)
    context.close()
