"""A real browser on the alerts inbox: an analyst signs in, opens the inbox from the menu,
reads why an alert fired, acknowledges it, then records what was done.

Headless Debian Chromium driven by Playwright against a real server (the fixtures of
test_browser.py). Screenshots go to $TOCSIN_SCREENSHOTS (default: the test's temporary
folder).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.web.fixtures import NOW, PASSWORD
from tests.web.test_browser import browser, server, shots
from tocsin.alerts import (
    RecipientCreate,
    RuleCreate,
    Scope,
    TriggerEvent,
    add_recipient,
    add_rule,
    get_alert,
    list_alerts,
    run_alert_pass,
)
from tocsin.framework import load_catalogue
from tocsin.store import Database

__all__ = ["browser", "server", "shots"]  # the fixtures, shared with test_browser.py


def test_an_analyst_acknowledges_and_acts_on_an_alert_in_the_browser(
    server: tuple[str, Database], browser: Any, shots: Path
) -> None:
    base, db = server
    with db.session() as session:
        rule = RuleCreate(
            name="Trigger event", condition=TriggerEvent(), scope=Scope(countries=["CAF"])
        )
        add_rule(session, rule, now=datetime.now(UTC))
        add_recipient(
            session,
            RecipientCreate(name="CAR desk", countries=["CAF"], username="analyst"),
            now=datetime.now(UTC),
        )
        # The fixture's Signals were stored at its NOW: evaluate an hour later.
        later = NOW + timedelta(hours=1)
        run_alert_pass(session, now=later, catalogue=load_catalogue(), base_url=base)
        (alert,) = list_alerts(session)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(f"{base}/alerts")
    assert "/login" in page.url
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/alerts")
    card = page.locator(f"#alert-{alert.id}")
    assert card.count() == 1
    text = card.inner_text()
    assert "Trigger event: Central African Republic" in text
    assert "Restricted signal naming Kaga-Bandoro" in text  # analysts are cleared for it
    assert "Policy options to consider" in text
    assert card.locator("a[href='/countries/CAF']").count() >= 1

    card.locator("button:has-text('Acknowledge')").click()
    page.wait_for_url(f"{base}/alerts#alert-{alert.id}")
    card = page.locator(f"#alert-{alert.id}")
    assert card.locator(".state").inner_text().lower() == "acknowledged"
    assert card.locator("button:has-text('Acknowledge')").count() == 0
    page.screenshot(path=str(shots / "alerts-acknowledged.png"), full_page=True)

    card.locator("summary:has-text('Mark acted on')").click()
    card.locator("textarea[name=note]").first.fill("Briefed the Special Adviser's office")
    card.locator("input[name=action_ref]").fill("assess:action:1")
    card.locator("button:has-text('Record action')").click()
    page.wait_for_url(f"{base}/alerts#alert-{alert.id}")
    assert page.locator(f"#alert-{alert.id} .state").inner_text().lower() == "acted"
    assert "Briefed the Special Adviser" in page.locator(f"#alert-{alert.id} .history").inner_text()
    page.screenshot(path=str(shots / "alerts-acted.png"), full_page=True)
    context.close()

    with db.session() as session:
        stored = get_alert(session, alert.id)
    assert stored is not None and stored.status == "acted"
    assert [e.action for e in stored.events] == ["created", "acknowledged", "acted"]
    assert stored.events[-1].actor == "user:analyst"
    assert stored.events[-1].details == {"action_ref": "assess:action:1"}
