"""The assessment editor in the browser's pages, through the real app on SQLite and
PostgreSQL: a draft carried to approval with forms only (rating with evidence, a stale save
refused, the review workflow, versions), every change audited, what each role sees and may
do; and one headless Chromium run rating with the keyboard and reloading."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import IN_CI
from tests.web import fixtures as web
from tests.web.fixtures import PASSWORD, csrf_of, serving
from tocsin.domain import Provenance, Signal, SignalKind
from tocsin.store import list_audit, record_signals

PostForm = Callable[..., Any]
# the web app's fixtures (a real database per backend, users of every role), by name
web_database_url, home, settings, web_settings = (
    web.web_database_url,
    web.home,
    web.settings,
    web.web_settings,
)
app, clients, post_form = web.app, web.clients, web.post_form
CHROMIUM = Path("/usr/bin/chromium")


def _create(post_form: PostForm, title: str, user: str = "analyst") -> int:
    response = post_form(
        user,
        "/assessments",
        {
            "iso3": "CAF",
            "title": title,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/assessments/(\d+)", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def _token(page_html: str, code: str) -> str:
    """The concurrency token of indicator ``code``'s rating form on a page."""
    form = re.search(
        rf'action="/assessments/\d+/indicators/{re.escape(code)}".*?name="token" value="([^"]+)"',
        page_html,
        re.S,
    )
    assert form, f"no rating form for {code}"
    return form.group(1)


def _rate(post_form: PostForm, user: str, ident: int, code: str, token: str, **values: str) -> Any:
    return post_form(
        user,
        f"/assessments/{ident}/indicators/{code}",
        {"token": token} | values,
        follow_redirects=False,
    )


def _content(app: FastAPI, ident: int) -> dict[str, Any]:
    from tocsin.assess import get_assessment

    with app.state.tocsin.db.session() as session:
        return get_assessment(session, ident).content


def _indicator(app: FastAPI, ident: int, code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in _content(app, ident)["indicators"] if i["code"] == code)
    return found


def test_a_draft_is_rated_reviewed_and_approved_through_the_pages(
    app: FastAPI, clients: dict[str, TestClient], post_form: PostForm, web_database_url: str
) -> None:
    analyst, reviewer = clients["analyst"], clients["reviewer"]
    title = f"CAR editor {uuid.uuid4().hex[:6]}"
    # the form pre-fills the structures from the bundled data sets (seconds, and the same
    # on either backend): through the form once, on SQLite
    on_sqlite = web_database_url.startswith("sqlite")
    ident = _create(post_form, title) if on_sqlite else _quick(app, title)
    base = f"/assessments/{ident}"
    listing = analyst.get("/assessments")
    assert listing.status_code == 200 and 'action="/assessments"' in listing.text
    assert f'href="{base}"' in listing.text and 'class="status draft"' in listing.text
    assert 'class="brand"' in listing.text  # inside the app's layout

    # a Signal tagged with 9.3, in the period: offered as evidence on 9.3's form
    marker = f"Editor signal {uuid.uuid4().hex[:6]}"
    _record_signal(app, marker)

    factor = analyst.get(f"{base}/factors/RF9")
    assert factor.status_code == 200 and marker in factor.text
    signal_id = int(
        re.search(rf"{base}/indicators/9\.3/suggestions/(\d+)", factor.text).group(1)  # type: ignore[union-attr]
    )
    saved = _rate(
        post_form,
        "analyst",
        ident,
        "9.1",
        _token(factor.text, "9.1"),
        rating="high",
        trend="worsening",
        confidence="medium",
        rationale="Hate speech against Muslims on local radio.",
        evidence_kind="document",
        evidence_ref="https://example.org/radio-report",
        evidence_grade="b2",
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{base}/factors/RF9?saved=9.1#ind-9.1"
    _rate(
        post_form,
        "analyst",
        ident,
        "9.2",
        _token(factor.text, "9.2"),
        rating="moderate",
        rationale="Discriminatory decrees in two prefectures.",
        evidence_kind="source",
        evidence_ref="ngo:hrw",
    )
    _rate(
        post_form,
        "analyst",
        ident,
        "9.3",
        _token(factor.text, "9.3"),
        rating="high",
        rationale="Massacres of 2014 went unpunished.",
    )
    accepted = post_form(
        "analyst",
        f"{base}/indicators/9.3/suggestions/{signal_id}",
        {"verdict": "accept"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    one, two, three = (_indicator(app, ident, c) for c in ("9.1", "9.2", "9.3"))
    assert (one["rating"], one["trend"], one["confidence"]) == ("high", "worsening", "medium")
    assert one["evidence"][0] | {"note": ""} == {
        "kind": "document",
        "ref": "https://example.org/radio-report",
        "note": "",
        "grade": "B2",
        "suggested": False,
    }
    assert two["evidence"][0]["kind"] == "source" and two["rating"] == "moderate"
    assert three["evidence"] == [
        {"kind": "signal", "ref": str(signal_id), "note": "", "grade": None, "suggested": True}
    ]
    page = analyst.get(f"{base}/factors/RF9")
    assert marker not in page.text  # accepted: no longer suggested
    assert "https://example.org/radio-report" in page.text and "ngo:hrw" in page.text

    # a rating without a rationale is refused on the form, the typed values kept
    refused = _rate(post_form, "analyst", ident, "9.4", _token(page.text, "9.4"), rating="low")
    assert refused.status_code == 422 and "without a rationale" in refused.text

    # two analysts open 9.5; the admin saves first; the analyst's stale save is refused
    token = _token(page.text, "9.5")
    first = _rate(
        post_form, "admin", ident, "9.5", token, rating="low", rationale="Admin: few reports."
    )
    assert first.status_code == 303
    stale = _rate(
        post_form, "analyst", ident, "9.5", token, rating="high", rationale="Analyst: many."
    )
    assert stale.status_code == 409
    assert "Admin: few reports." in stale.text and "Analyst: many." in stale.text
    assert _indicator(app, ident, "9.5")["rationale"] == "Admin: few reports."
    kept = _rate(
        post_form,
        "analyst",
        ident,
        "9.5",
        _token(stale.text, "9.5"),  # the conflict page's form carries the current token
        rating="high",
        rationale="Analyst: many, after reading the admin's.",
    )
    assert kept.status_code == 303
    assert _indicator(app, ident, "9.5")["rating"] == "high"

    # the JSON API checks the same token
    api = {"x-csrf-token": csrf_of(analyst)}
    view = analyst.get(f"/api/v1/assessments/{ident}").json()
    fresh = view["indicator_tokens"]["9.6"]
    body = {"rating": "low", "rationale": "API", "expected_token": fresh}
    url = f"/api/v1/assessments/{ident}/indicators/9.6"
    assert analyst.put(url, json=body, headers=api).is_success
    again = analyst.put(url, json=body | {"rating": "high"}, headers=api)
    assert again.status_code == 409 and "changed by someone else" in again.json()["detail"]

    # the workflow: submit, return with a comment, submit again, approve
    assert 'action="' + base + '/approve"' not in analyst.get(base).text
    assert post_form("analyst", f"{base}/submit", {}, follow_redirects=False).status_code == 303
    in_review = reviewer.get(base).text
    assert f'action="{base}/approve"' in in_review and f'action="{base}/return"' in in_review
    assert f'action="{base}/submit"' not in in_review
    comment = f"Cite the source for 9.3 ({uuid.uuid4().hex[:4]})"
    returned = post_form(
        "reviewer", f"{base}/return", {"target": "9.3", "text": comment}, follow_redirects=False
    )
    assert returned.status_code == 303
    assert _content(app, ident)["status"] == "draft"
    assert html.escape(comment) in analyst.get(base).text
    assert html.escape(comment) in analyst.get(f"{base}/factors/RF9").text
    assert post_form("reviewer", f"{base}/return", {"text": ""}).status_code in (400, 409)
    post_form("analyst", f"{base}/submit", {}, follow_redirects=False)
    approved = post_form("reviewer", f"{base}/approve", {}, follow_redirects=False)
    assert approved.status_code == 303 and _content(app, ident)["status"] == "approved"
    frozen = analyst.get(f"{base}/factors/RF9")
    assert 'name="token"' not in frozen.text and "is approved" in frozen.text
    late = _rate(post_form, "analyst", ident, "9.7", "x", rating="low", rationale="late")
    assert late.status_code == 409

    # the history: every change a version, each shown, comparable and audited
    final = analyst.get(base).text
    for note in ("created", "rated 9.1 high", "comment on 9.3", "return", "approve"):
        assert f"<td>{note}</td>" in final, note
    assert f'href="{base}/report"' in final and f'href="{base}/brief.pdf"' in final
    versions = analyst.get(f"/api/v1/assessments/{ident}/versions").json()
    compare = analyst.get(f"{base}/compare?from=1&to={versions[-1]['number']}")
    assert compare.status_code == 200
    assert re.search(r"<td>9\.1</td><td>rating</td><td>unknown</td><td>high</td>", compare.text)
    with app.state.tocsin.db.session() as session:
        saves = [
            e
            for e in list_audit(session, limit=1000)
            if e.target == f"assessment:{ident}" and e.action == "assessment.save"
        ]
    assert len(saves) == len(versions) - 1  # every version after the first is an audited save
    assert any("indicators[9.1].rating" in e.details.get("changed", []) for e in saves)
    assert all("Analyst: many" not in str(e.details) for e in saves)  # fields named, not text


def _record_signal(app: FastAPI, summary: str) -> None:
    from tocsin.web import utc_now

    with app.state.tocsin.db.session() as session:
        record_signals(
            session,
            [
                Signal(
                    iso3="CAF",
                    kind=SignalKind.TRIGGER_EVENT,
                    start_date=date(2025, 2, 1),
                    end_date=date(2025, 2, 1),
                    framework_codes=["9.3"],
                    strength=0.7,
                    summary=summary,
                    provenance=Provenance(capability="tests", producer="editor"),
                )
            ],
            now=utc_now(),
        )


def _quick(app: FastAPI, title: str) -> int:
    """A draft made by the service directly (the form's way pre-fills the structures from
    the bundled data sets, seconds of work: the flow above covers it once per backend)."""
    from tocsin.assess import new_assessment
    from tocsin.framework import load_catalogue
    from tocsin.web import utc_now

    with app.state.tocsin.db.session() as session:
        return new_assessment(
            session,
            load_catalogue(),
            iso3="CAF",
            title=title,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            author="user:analyst",
            now=utc_now(),
        )


def _rate_as(app: FastAPI, ident: int, code: str, rationale: str) -> None:
    """A save by someone else, through the service the pages use."""
    from tocsin.assess import Rating, rate
    from tocsin.web import utc_now

    with app.state.tocsin.db.session() as session:
        rate(
            session,
            ident,
            code,
            author="user:admin",
            now=utc_now(),
            rating=Rating.MODERATE,
            rationale=rationale,
        )


def test_what_each_role_sees_and_may_do(
    app: FastAPI, clients: dict[str, TestClient], post_form: PostForm
) -> None:
    title = f"Roles {uuid.uuid4().hex[:6]}"
    ident = _quick(app, title)
    base = f"/assessments/{ident}"
    token = _token(clients["analyst"].get(f"{base}/factors/RF1").text, "1.1")
    rating = {"rating": "low", "rationale": "by role"}
    for user in ("viewer", "monitor"):  # approved work only: a draft is as if absent
        listing = clients[user].get("/assessments")
        assert listing.status_code == 200 and title not in listing.text
        assert 'action="/assessments"' not in listing.text  # no "New assessment" form
        assert clients[user].get(base).status_code == 404
        assert clients[user].get(f"{base}/factors/RF1").status_code == 404
        assert _rate(post_form, user, ident, "1.1", token, **rating).status_code == 403
        assert post_form(user, "/assessments", {"iso3": "CAF"}).status_code == 403
    reviewer = clients["reviewer"].get(f"{base}/factors/RF1")
    assert reviewer.status_code == 200 and 'name="token"' not in reviewer.text
    assert "your role does not rate" in reviewer.text
    assert _rate(post_form, "reviewer", ident, "1.1", token, **rating).status_code == 403
    assert post_form("reviewer", f"{base}/submit", {}).status_code == 403
    assert post_form("analyst", f"{base}/approve", {}).status_code == 403
    assert post_form("analyst", f"{base}/return", {"text": "no"}).status_code == 403
    assert post_form("monitor", f"{base}/comments", {"text": "hi"}).status_code == 403
    commented = post_form(
        "reviewer",
        f"{base}/comments",
        {"target": "1.1", "text": "Which source?"},
        follow_redirects=False,
    )
    assert commented.status_code == 303
    # a form sent without its CSRF token is refused, whoever sends it
    bare = clients["analyst"].post(f"{base}/indicators/1.1", data={"token": token} | rating)
    assert bare.status_code == 403 and _indicator(app, ident, "1.1")["rating"] == "unknown"
    analyst = clients["analyst"].get(base).text
    assert f'action="{base}/submit"' in analyst and f'action="{base}/approve"' not in analyst
    assert "Which source?" in analyst
    # approved: viewers read it, without the team's comments, and change nothing
    post_form("analyst", f"{base}/submit", {})
    assert post_form("admin", f"{base}/approve", {}, follow_redirects=False).status_code == 303
    seen = clients["viewer"].get(base)
    assert seen.status_code == 200 and title in seen.text
    assert (
        "Which source?" not in seen.text
        and 'name="csrf_token"' not in seen.text.split("<main>")[1].split("</main>")[0]
    )
    assert title in clients["viewer"].get("/assessments").text
    twin = clients["viewer"].get(f"{base}.json").json()
    assert twin["may"] == [] and twin["assessment"]["comments"] == []
    assert "Which source?" not in clients["viewer"].get(f"{base}/factors/RF1.json").text


def test_groups_structures_options_and_the_checklist_are_edited_in_the_page(
    app: FastAPI, clients: dict[str, TestClient], post_form: PostForm
) -> None:
    ident = _quick(app, f"Parts {uuid.uuid4().hex[:6]}")
    base = f"/assessments/{ident}"
    page = clients["analyst"].get(base).text
    assert f'action="{base}/populations"' in page and f'action="{base}/comments"' in page
    group = {
        "name": "Peuhl herders",
        "kind": "ethnic",
        "areas": "Ouham, Nana-Grébizi",
        "size": "120000",
        "factor_codes": "RF9, 9.3",
        "description": "Targeted on transhumance routes.",
    }
    assert post_form("analyst", f"{base}/populations", group).status_code == 200
    edited = post_form("analyst", f"{base}/populations", group | {"size": "95000"})
    assert edited.status_code == 200  # the redirect followed back to the page
    assert "95000" in edited.text and "Targeted on transhumance routes." in edited.text
    (stored,) = _content(app, ident)["populations"]
    assert stored["areas"] == ["Ouham", "Nana-Grébizi"] and stored["size"] == 95000
    assert post_form("analyst", f"{base}/populations", group | {"kind": "x"}).status_code == 422
    post_form(
        "analyst",
        f"{base}/structures/rule_of_law_judiciary",
        {"rating": "weak", "rationale": "Courts absent outside Bangui."},
    )
    rule = next(s for s in _content(app, ident)["structures"] if s["id"] == "rule_of_law_judiciary")
    assert (rule["rating"], rule["rationale"]) == ("weak", "Courts absent outside Bangui.")
    options = clients["analyst"].get(f"{base}.json").json()["policy_options"]
    assert options, "a weak structure ranks the options that build it"
    first = options[0]["option_id"]
    post_form("analyst", f"{base}/options/{first}", {"decision": "adopted", "reason": "agreed"})
    post_form("analyst", f"{base}/steps/S71b", {"status": "in_progress", "note": "team named"})
    content = _content(app, ident)
    assert {"option_id": first, "decision": "adopted", "text": "", "reason": "agreed"} in content[
        "policy_decisions"
    ]
    assert {"step_id": "S71b", "status": "in_progress", "note": "team named"} in content["steps"]
    removed = post_form("analyst", f"{base}/populations/remove", {"name": "Peuhl herders"})
    assert removed.status_code == 200 and _content(app, ident)["populations"] == []
    listing = clients["analyst"].get("/assessments.json").json()
    assert listing["may_create"] is True
    assert any(a["id"] == ident for a in listing["assessments"])
    factor = clients["analyst"].get(f"{base}/factors/RF9.json").json()
    assert [i["code"] for i in factor["indicators"]][:2] == ["9.1", "9.2"]
    assert all(len(i["token"]) == 16 for i in factor["indicators"])
    assert clients["analyst"].get(f"{base}/factors/RF15").status_code == 422
    # a Signal tagged only with RF1 (the web fixtures' public one) is placed on an indicator
    rf1 = clients["analyst"].get(f"{base}/factors/RF1")
    found = re.search(
        rf'Public signal about Ouaka.*?action="{base}/indicators/RF1/suggestions/(\d+)"',
        rf1.text,
        re.S,
    )
    assert found, "the factor-level suggestion is offered"
    placed = post_form(
        "analyst",
        f"{base}/indicators/RF1/suggestions/{found.group(1)}",
        {"verdict": "accept", "place": "1.2"},
        follow_redirects=False,
    )
    assert placed.status_code == 303 and placed.headers["location"].endswith("RF1#ind-1.2")
    assert _indicator(app, ident, "1.2")["evidence"][0]["ref"] == found.group(1)
    nowhere = post_form(
        "analyst",
        f"{base}/indicators/RF1/suggestions/{found.group(1)}",
        {"verdict": "accept", "place": "RF1"},
    )
    assert nowhere.status_code == 400  # a factor is no place for evidence


def test_a_rating_is_typed_with_the_keyboard_and_kept_across_reloads(
    app: FastAPI, web_database_url: str, tmp_path: Path
) -> None:
    if not web_database_url.startswith("sqlite"):
        pytest.skip("one browser run is enough: the pages are the same on PostgreSQL")
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("/usr/bin/chromium is missing: .ci/run must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ident = _quick(app, f"Browser {uuid.uuid4().hex[:6]}")
    with serving(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        factor = f"/assessments/{ident}/factors/RF9"
        page.goto(f"{base}/login?next={factor}")
        page.fill("input[name=username]", "analyst")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}{factor}")
        form = f"form[action='/assessments/{ident}/indicators/9.3']"
        page.focus(f"{form} select[name=rating]")
        page.keyboard.press("ArrowUp")  # from unknown (the last) to high
        page.keyboard.press("Tab")  # to the trend
        page.keyboard.press("End")  # the last trend: worsening
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")  # to the rationale
        page.keyboard.type("Past massacres went unpunished.")
        assert page.input_value(f"{form} select[name=rating]") == "high"
        page.focus(f"{form} button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/factors/RF9#ind-9\.3$"))  # ?saved= taken away
        assert page.locator("#ind-9\\.3 .saved").count() == 1
        page.reload()
        assert page.input_value(f"{form} select[name=rating]") == "high"
        assert page.input_value(f"{form} textarea") == "Past massacres went unpunished."
        assert page.input_value(f"{form} select[name=trend]") == "worsening"
        # typed, not saved: kept in this browser across a reload, and said so
        page.focus(f"{form} textarea")
        page.keyboard.press("End")
        page.keyboard.type(" Draft sentence.")
        page.reload()
        assert page.input_value(f"{form} textarea").endswith("unpunished. Draft sentence.")
        assert "restored" in page.inner_text(f"{form} .draft-status")
        page.locator("#ind-9\\.3").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "factor.png"), full_page=False)
        # meanwhile another analyst saves 9.3: this draft's save shows both, applies neither
        _rate_as(app, ident, "9.3", "Another analyst's reading.")
        page.focus(f"{form} button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_selector("h1:has-text('was changed while you edited it')")
        assert "Another analyst's reading." in page.inner_text("section.theirs")
        assert page.input_value("section.mine textarea").endswith("Draft sentence.")
        page.screenshot(path=str(tmp_path / "conflict.png"), full_page=True)
        page.focus("section.mine button[type=submit]")
        page.keyboard.press("Enter")  # keep mine, knowingly
        page.wait_for_url(re.compile(r".*/factors/RF9#ind-9\.3$"))
        page.goto(f"{base}/assessments/{ident}")
        page.screenshot(path=str(tmp_path / "assessment.png"))
        browser.close()
    kept = "Past massacres went unpunished. Draft sentence."
    assert _indicator(app, ident, "9.3")["rationale"] == kept
    assert _indicator(app, ident, "9.3")["trend"] == "worsening"
    assert _indicator(app, ident, "9.3")["rating"] == "high"
