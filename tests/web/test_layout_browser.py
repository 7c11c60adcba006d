"""The pages on a phone and on paper, in a real browser (headless Debian Chromium, as in
tests/web/test_browser.py, whose server and browser this reuses).

At 360 px wide nothing may widen the page itself (a wide table scrolls in its own box);
printed, a page is its content only: no navigation bar, forms or buttons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.web.fixtures import PASSWORD
from tests.web.test_browser import browser, server, shots
from tocsin.store import Database

__all__ = ["browser", "server", "shots"]  # the fixtures, used here by name

PAGES = (
    "/watchlist",
    "/countries/CAF",
    "/reports/new",
    "/reports",
    "/alerts",
    "/speech",
    "/account",
    "/admin/users",
    "/data",
)


def signed_in(browser: Any, base: str, **context_options: Any) -> tuple[Any, Any]:
    """A new browser context and page, signed in as the admin (who sees every page)."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/watchlist")
    return context, page


def test_pages_fit_a_360_pixel_wide_phone(
    server: tuple[str, Database], browser: Any, shots: Path
) -> None:
    base, _db = server
    context, page = signed_in(
        browser, base, viewport={"width": 360, "height": 740}, device_scale_factor=1
    )
    for path in PAGES:
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide at 360 px"
        # the navigation wraps on the screen rather than running off it
        nav = page.locator("header.top nav").bounding_box()
        assert nav is not None and nav["x"] + nav["width"] <= 360, path
    page.goto(f"{base}/watchlist")
    page.screenshot(path=str(shots / "watchlist-360.png"), full_page=True)
    page.goto(f"{base}/countries/CAF")
    page.screenshot(path=str(shots / "country-360.png"), full_page=True)
    context.close()


def test_a_printed_page_is_its_content_only(
    server: tuple[str, Database], browser: Any, shots: Path
) -> None:
    base, _db = server
    context, page = signed_in(browser, base, viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/countries/CAF")
    page.wait_for_load_state("networkidle")
    assert page.locator("header.top").is_visible()  # on screen it is there
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('header.top')).display") == (
        "none"
    )
    assert not page.locator("header.top nav").is_visible()
    assert not page.locator("footer").is_visible()
    hidden = page.evaluate(
        "[...document.querySelectorAll('main form, main button')]"
        ".every(e => getComputedStyle(e).display === 'none' || e.closest('form') &&"
        " getComputedStyle(e.closest('form')).display === 'none')"
    )
    assert hidden
    main = page.locator("main").bounding_box()
    assert main is not None and main["width"] >= 1200  # the full width, no max-width margin
    page.screenshot(path=str(shots / "country-print.png"), full_page=True)
    page.pdf(path=str(shots / "country.pdf"), format="A4")
    context.close()
