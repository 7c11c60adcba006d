"""Sections that capabilities add to the country page (``register_country_section``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from tests.web.fixtures import sign_in
from tocsin.settings import Settings
from tocsin.web import (
    CountrySection,
    Principal,
    SectionLink,
    SectionTable,
    WebSettings,
    allowed_sensitivities,
    create_app,
    register_country_section,
    visible_signals,
)


class SignalDigest(CountrySection):
    """A typed section: its own fields reach the JSON twin and its own template."""

    n_signals: int
    areas: list[str]


def signal_digest(session: Session, principal: Principal, iso3: str) -> SignalDigest | None:
    """The areas named by the Signals this caller may see (None where there are none)."""
    signals = visible_signals(session, principal, iso3=iso3)
    if not signals:
        return None
    return SignalDigest(
        summary=f"Signals visible at {'/'.join(allowed_sensitivities(principal))}.",
        n_signals=len(signals),
        areas=sorted(s.area or "" for s in signals),
    )


@pytest.fixture
def fresh_app(settings: Settings, home: Path, tmp_path: Path) -> Iterator[FastAPI]:
    """An app of its own (sections are registered per app), with the page cache on."""
    web = WebSettings(
        identity_keys=None, identity_key_file=home / "identity-keys.json", page_cache_seconds=60
    )
    application = create_app(settings, web)
    yield application
    application.state.tocsin.db.dispose()


def test_a_typed_section_with_its_own_template_shows_only_what_the_caller_may_see(
    fresh_app: FastAPI, tmp_path: Path
) -> None:
    template = tmp_path / "digest.html"
    template.write_text(
        '<p class="digest">{{ section.n_signals }} Signals in '
        "{{ section.areas|join(', ') }} ({{ data.country.iso3 }})</p>\n"
    )
    register_country_section(
        fresh_app, "speech", "Signal digest", signal_digest, template=template, order=5
    )
    analyst, viewer = sign_in(fresh_app, "analyst"), sign_in(fresh_app, "viewer")

    seen = analyst.get("/countries/CAF.json").json()
    digest = seen["sections"]["speech"]
    assert digest["title"] == "Signal digest" and digest["n_signals"] == 3
    assert digest["areas"] == ["Bambari", "Kaga-Bandoro", "Ouaka"]
    # The section replaces the page's "not available" note of the same name.
    assert "speech" not in {n["section"] for n in seen["not_available"]}

    # The viewer asks second, inside the cache's lifetime, and still sees only public ones.
    public = viewer.get("/countries/CAF.json").json()["sections"]["speech"]
    assert public["areas"] == ["Ouaka"] and public["summary"] == "Signals visible at public."
    html = viewer.get("/countries/CAF").text
    assert '<p class="digest">1 Signals in Ouaka (CAF)</p>' in html
    assert 'id="section-speech"' in html and "Kaga-Bandoro" not in html
    assert "Kaga-Bandoro" not in viewer.get("/api/v1/countries/CAF").text

    # A country without visible Signals: the provider returns None and the section is absent.
    assert "speech" not in analyst.get("/countries/SDN.json").json()["sections"]


def test_the_generic_rendering_and_permission_gated_sections(fresh_app: FastAPI) -> None:
    def plan(_session: Session, principal: Principal, iso3: str) -> CountrySection:
        return CountrySection(
            summary=f"Actions for {iso3}, seen as {principal.user.role}",
            items=["convene the focal points"],
            tables=[SectionTable(caption="Steps", columns=["step", "score"], rows=[["a", 0.5]])],
            links=[SectionLink(label="All actions", href=f"/actions?iso3={iso3}")],
        )

    # Reviewers and monitors see the same sensitivities; only monitors may create reports.
    register_country_section(fresh_app, "actions", "Actions", plan, permission="report:create")
    monitor, reviewer = sign_in(fresh_app, "monitor"), sign_in(fresh_app, "reviewer")
    shown = monitor.get("/countries/COD.json").json()["sections"]["actions"]
    assert shown["summary"] == "Actions for COD, seen as monitor"
    assert shown["tables"][0]["rows"] == [["a", 0.5]]
    html = monitor.get("/countries/COD").text
    assert "<caption>Steps</caption>" in html and 'href="/actions?iso3=COD"' in html
    assert "<li>convene the focal points</li>" in html and "<h2>Actions</h2>" in html
    # Asked within the cache's lifetime by a role without the permission: not shown.
    assert "actions" not in reviewer.get("/countries/COD.json").json()["sections"]
    assert 'id="section-actions"' not in reviewer.get("/countries/COD").text


def test_a_section_needs_a_plain_name_and_an_existing_template(
    fresh_app: FastAPI, tmp_path: Path
) -> None:
    def nothing(_session: Session, _principal: Principal, _iso3: str) -> None:
        return None

    with pytest.raises(ValueError, match="lower-case"):
        register_country_section(fresh_app, "Bad Name", "x", nothing)
    with pytest.raises(ValueError, match="does not exist"):
        register_country_section(fresh_app, "ok", "x", nothing, template=tmp_path / "no.html")


def test_the_country_page_shows_the_current_assessment_by_risk_factor(
    app: FastAPI, settings: Settings
) -> None:
    """The newest approved assessment wins over a newer draft; viewers see approved ones only."""
    from datetime import UTC, date, datetime

    from tocsin import assess
    from tocsin.framework import load_catalogue
    from tocsin.store import Database

    catalogue = load_catalogue()
    db = Database.from_settings(settings)
    with db.session() as session:
        example = assess.example_path().read_text(encoding="utf-8")
        approved = assess.import_assessment(
            session, example, catalogue, author="user:analyst", now=datetime(2025, 1, 2, tzinfo=UTC)
        )
        for iso3, title in (("CAF", "CAR draft 2025"), ("MMR", "Myanmar draft 2025")):
            assess.new_assessment(
                session,
                catalogue,
                iso3=iso3,
                title=title,
                period_start=date(2025, 1, 1),
                period_end=date(2025, 12, 31),
                author="user:analyst",
                now=datetime(2025, 2, 1, tzinfo=UTC),
            )
    db.dispose()
    analyst, viewer = sign_in(app, "analyst"), sign_in(app, "viewer")

    data = analyst.get("/countries/CAF.json").json()
    section = data["sections"]["assessment"]
    assert "assessment" not in {n["section"] for n in data["not_available"]}
    assert section["assessment_id"] == approved and section["status"] == "approved"
    expected = assess.risk_profile(assess.example_assessment(), catalogue)
    assert [(f["code"], f["level"]) for f in section["factors"]] == [
        (f.code, f.level.value) for f in expected.factors
    ]
    assert section["overall"] == expected.overall.value
    assert [p["name"] for p in section["populations"]] == [
        p.name for p in assess.example_assessment().populations
    ]
    assert len(section["structures"]) == 15 and all(s["title"] for s in section["structures"])
    html = analyst.get("/countries/CAF").text
    assert "Risk profile by risk factor" in html and "Internally displaced people" in html
    assert f'href="/assessments/{approved}/report"' in html
    assert "illustrative example, not a real assessment" in html

    # Only a draft for Myanmar: staff see it, flagged as not approved; a viewer sees none.
    draft = analyst.get("/countries/MMR.json").json()["sections"]["assessment"]
    assert draft["assessment_title"] == "Myanmar draft 2025" and draft["status"] == "draft"
    assert draft["items"][0].startswith("Not approved yet")
    assert draft["overall"] == "unknown" and draft["n_rated"] == 0
    for_viewer = viewer.get("/countries/MMR.json").json()
    assert "assessment" not in for_viewer["sections"]
    assert viewer.get("/countries/CAF.json").json()["sections"]["assessment"]["status"] == (
        "approved"
    )
    assert "Myanmar draft 2025" not in viewer.get("/countries/MMR").text
