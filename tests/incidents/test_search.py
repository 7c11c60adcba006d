"""Searching incident reports never shows a report the reader may not see, on SQLite and
PostgreSQL: a word found only in a restricted (or internal, or another monitor's) report
gives such a reader exactly the answer a word found nowhere gives. Identities are sealed
and never searchable, not even by admins."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.web.fixtures import USERS
from tocsin.domain import Country
from tocsin.incidents import (
    IncidentReportCreate,
    ReportVisibility,
    save_incident_report,
    search_incident_reports,
)
from tocsin.store import Database, upsert_countries
from tocsin.web import SearchQuery, create_user

NOW = datetime(2025, 3, 1, tzinfo=UTC)

ALL_ROLES = tuple(USERS)


def word() -> str:
    """A word no report holds yet (letters only, so it is one token on both backends)."""
    return "zq" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:10])


def submit(post_form: Any, username: str, sensitivity: str, narrative: str, **extra: str) -> str:
    data = {
        "iso3": "CAF",
        "start_date": "2025-01-10",
        "event_type": "killing",
        "admin1": "Ouaka",
        "location": "Bambari",
        "perpetrator": "Armed group X",
        "perpetrator_kind": "militia",
        "victim_group": "herders",
        "victim_kind": "civilians",
        "fatalities_best": "4",
        "civilian_deaths": "4",
        "narrative": narrative,
        "sensitivity": sensitivity,
        "idempotency_key": uuid.uuid4().hex,
        **extra,
    }
    response: Any = post_form(username, "/reports", data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def search(client: TestClient, q: str) -> dict[str, Any]:
    response = client.get("/api/v1/search", params={"q": q})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def report_group(answer: dict[str, Any]) -> list[dict[str, Any]]:
    groups = {g["name"]: g for g in answer["groups"]}
    hits: list[dict[str, Any]] = groups["incidents"]["hits"] if "incidents" in groups else []
    return hits


def without_query(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in ("query", "terms")}


def test_a_restricted_reports_words_find_nothing_for_those_who_may_not_see_it(
    clients: dict[str, TestClient], post_form: Any
) -> None:
    secret, internal, public, never = word(), word(), word(), word()
    restricted_id = submit(post_form, "analyst", "restricted", f"Seen at the {secret} well.")
    internal_id = submit(post_form, "analyst", "internal", f"Fled towards {internal}.")
    public_id = submit(post_form, "analyst", "public", f"Market of {public} burned.")
    may_see = {
        restricted_id: {"admin", "analyst"},
        internal_id: {"admin", "analyst", "reviewer"},
        public_id: {"admin", "analyst", "reviewer", "viewer"},
    }
    nothing = {u: without_query(search(clients[u], never)) for u in ALL_ROLES}
    for term, report in ((secret, restricted_id), (internal, internal_id), (public, public_id)):
        for username in ALL_ROLES:
            answer = search(clients[username], term)
            urls = [hit["url"] for hit in report_group(answer)]
            if username in may_see[report]:
                assert urls == [f"/reports/{report}"], (username, term)
            else:
                assert urls == [], (username, term)
                # the same answer as for a word nobody wrote: no count, no group difference
                assert without_query(answer) == nothing[username]
    page = clients["viewer"].get("/search", params={"q": secret})
    assert page.status_code == 200 and restricted_id not in page.text and secret in page.text


def test_a_monitor_finds_their_own_reports_only(
    clients: dict[str, TestClient], post_form: Any
) -> None:
    term = word()
    own = submit(post_form, "monitor", "restricted", f"The {term} crossing was closed.")
    assert [h["url"] for h in report_group(search(clients["monitor"], term))] == [f"/reports/{own}"]
    assert report_group(search(clients["monitor2"], term)) == []
    assert [h["url"] for h in report_group(search(clients["admin"], term))] == [f"/reports/{own}"]


def test_identities_are_never_searchable(clients: dict[str, TestClient], post_form: Any) -> None:
    name = word()
    submit(
        post_form,
        "analyst",
        "public",
        "Nothing special.",
        victims=f"Zawadi {name}",
        witnesses=f"Issa {name}",
        sources=f"Pastor {name}",
    )
    for username in ("admin", "analyst"):
        answer = search(clients[username], name)
        assert all(group["hits"] == [] for group in answer["groups"]), username


def test_query_syntax_is_harmless(clients: dict[str, TestClient], post_form: Any) -> None:
    term = word()
    report = submit(post_form, "analyst", "restricted", f"Shots near {term} at night.")
    analyst, viewer = clients["analyst"], clients["viewer"]
    for q in ('"', "*", "()", '"" * - :', "^:*"):
        answer = search(analyst, q)
        assert answer["groups"] == [] and "no letters or digits" in answer["message"], q
    # syntax is read as spaces: the answer is the one for the bare words
    for q, words in (
        ("NEAR(", "near"),
        ("OR", "or"),
        ("NEAR(shots night", "near shots night"),
        (f'{{narrative}} : "{term}', f"narrative {term}"),
    ):
        assert without_query(search(analyst, q)) == without_query(search(analyst, words)), q
    # operators are words: every word must be present, nothing widens the query
    assert report_group(search(analyst, f"{term} OR anything")) == []
    assert report_group(search(analyst, f'"{term}" NEAR(shots')) != []
    assert [h["url"] for h in report_group(search(analyst, f"{term}*"))] == [f"/reports/{report}"]
    for q in (f"{term} OR *", f"* OR {term}", f"NOT {term}", f"-{term}", f"{term}:*"):
        assert report_group(search(viewer, q)) == [], q


def test_the_index_follows_changes_and_deletions(
    clients: dict[str, TestClient], post_form: Any, app: Any
) -> None:
    old, new = word(), word()
    report = submit(post_form, "analyst", "public", f"First account: {old}.")
    analyst = clients["analyst"]
    assert len(report_group(search(analyst, old))) == 1
    with app.state.tocsin.db.session() as session:
        session.execute(
            text("UPDATE incident_reports SET narrative = :n WHERE public_id = :p"),
            {"n": f"Corrected account: {new}.", "p": report},
        )
    assert report_group(search(analyst, old)) == []
    assert [h["url"] for h in report_group(search(analyst, new))] == [f"/reports/{report}"]
    with app.state.tocsin.db.session() as session:
        session.execute(text("DELETE FROM incident_reports WHERE public_id = :p"), {"p": report})
    assert report_group(search(analyst, new)) == []


def test_ranking_puts_the_report_with_more_of_the_words_first(
    clients: dict[str, TestClient], post_form: Any
) -> None:
    term = word()
    once = submit(post_form, "analyst", "public", f"{term} once, among many other words here.")
    often = submit(post_form, "analyst", "public", f"{term} {term} {term}.", location=term)
    urls = [h["url"] for h in report_group(search(clients["analyst"], term))]
    assert urls == [f"/reports/{often}", f"/reports/{once}"]


def test_reports_hidden_from_the_reader_take_no_place_among_the_ranked_matches(
    clients: dict[str, TestClient], post_form: Any, monkeypatch: Any
) -> None:
    """Only so many matches are ranked (RANKED_CANDIDATES); had the cut come before the
    visibility rule, restricted reports could crowd a visible one out, and how many
    visible ones a reader gets would tell them restricted ones exist."""
    import tocsin.incidents._search as incident_search

    monkeypatch.setattr(incident_search, "RANKED_CANDIDATES", 2)
    term = word()
    hidden = [submit(post_form, "analyst", "restricted", f"{term} {term} {term}") for _ in range(3)]
    public = submit(post_form, "analyst", "public", f"{term} once.")
    assert [h["url"] for h in report_group(search(clients["viewer"], term))] == [
        f"/reports/{public}"
    ]
    analyst = [h["url"] for h in report_group(search(clients["analyst"], term))]
    assert len(analyst) == 2 and set(analyst) <= {f"/reports/{r}" for r in [*hidden, public]}


def test_the_migration_fills_the_index_from_stored_reports(db: Database) -> None:
    """Reports stored before the search index existed are found once it is made; their
    sealed identities (here a stand-in ciphertext) are not."""
    db.downgrade("incidents_0002_field_intake")
    term, sealed = word(), word()
    with db.session() as session:
        upsert_countries(session, [(Country(iso3="CAF", name="Central African Republic"), [])])
        owner = create_user(
            session, username="m", display_name="M", role="monitor", password_hash="x", now=NOW
        )
        save_incident_report(
            session,
            IncidentReportCreate(
                public_id="r-old",
                owner_id=owner.id,
                idempotency_key="k",
                sensitivity="restricted",
                iso3="CAF",
                start_date=date(2025, 1, 1),
                end_date=date(2025, 1, 1),
                event_type="killing",
                perpetrator_kind="militia",
                victim_kind="civilians",
                narrative=f"Before the index: {term}.",
                identities_ciphertext=sealed,
                identities_key_id="k1",
            ),
            now=NOW,
        )
    db.upgrade()
    with db.session() as session:
        everything = ReportVisibility()
        found = search_incident_reports(session, SearchQuery.parse(term), visibility=everything)
        assert [row.public_id for row, _ in found] == ["r-old"]
        assert (
            search_incident_reports(session, SearchQuery.parse(sealed), visibility=everything) == []
        )
        viewer = ReportVisibility(sensitivities=("public",))
        assert search_incident_reports(session, SearchQuery.parse(term), visibility=viewer) == []
