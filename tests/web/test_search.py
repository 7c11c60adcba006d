"""The search page and API: the query read as words only, its length bounded, providers
asked only for callers holding their permission, results grouped and limited."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from tocsin.web import SearchHit, SearchQuery, register_search_provider, search_snippet
from tocsin.web._http import WithoutQueryStrings
from tocsin.web._search import HITS_PER_KIND, MAX_QUERY_CHARS, MAX_TERMS


def test_a_query_is_its_words_and_nothing_else() -> None:
    query = SearchQuery.parse('Kaga-Bandoro "NEAR(x, 2)" OR *dawn* -AND_ex')
    assert query.terms == ("kaga", "bandoro", "near", "x", "2", "or", "dawn", "and")
    assert query.fts5() == '"kaga" "bandoro" "near" "x" "2" "or" "dawn" "and"'
    assert query.websearch() == query.fts5()
    assert SearchQuery.parse("Élysée العربية Ёлка").terms == ("élysée", "العربية", "ёлка")
    assert len(SearchQuery.parse(" ".join(f"w{i}" for i in range(30))).terms) == MAX_TERMS
    assert SearchQuery.parse("a a A").terms == ("a",)


def test_a_snippet_is_the_text_around_the_first_matching_word() -> None:
    text = " ".join(f"word{i}" for i in range(100)) + " Bambari " + "tail " * 50
    snippet = search_snippet(text, ("bambari",), width=60)
    assert "Bambari" in snippet and snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) <= 62
    assert search_snippet("short text", ("absent",)) == "short text"


@pytest.fixture(scope="module")
def probed(app: FastAPI) -> FastAPI:
    """The app with one more provider, for admins only, that finds many hits."""

    def provider(session: object, principal: object, query: SearchQuery) -> list[SearchHit]:
        return [
            SearchHit(
                kind="probe",
                title=f"Probe {i} for {' '.join(query.terms)}",
                snippet="",
                url=f"/probe/{i}",
                date=date(2025, 1, 1),
                score=float(i),
            )
            for i in range(query.limit)
        ]

    register_search_provider(app, "probe", "Probe", provider, permission="admin:users")
    return app


def test_providers_are_asked_only_for_callers_with_their_permission(
    probed: FastAPI, clients: dict[str, TestClient]
) -> None:
    admin = clients["admin"].get("/api/v1/search", params={"q": "anything"}).json()
    groups = {g["name"]: g for g in admin["groups"]}
    assert {"incidents", "events", "speech", "assessments", "probe"} <= set(groups)
    probe = groups["probe"]
    assert len(probe["hits"]) == HITS_PER_KIND and probe["more"] is True
    scores = [hit["score"] for hit in probe["hits"]]
    assert scores == sorted(scores, reverse=True)
    viewer = clients["viewer"].get("/api/v1/search", params={"q": "anything"}).json()
    assert {g["name"] for g in viewer["groups"]} == {"incidents", "events", "assessments"}


def test_the_page_its_twin_and_the_menu(probed: FastAPI, clients: dict[str, TestClient]) -> None:
    page = clients["admin"].get("/search", params={"q": "kaga <b>"})
    assert page.status_code == 200
    assert 'href="/search"' in page.text  # the menu entry
    assert (
        f"Probe {HITS_PER_KIND} for kaga b" in page.text
        and "<b>" not in page.text.split("<main", 1)[-1]
    )
    twin = clients["admin"].get("/search.json", params={"q": "kaga"}).json()
    assert twin["terms"] == ["kaga"] and twin["groups"]
    empty = clients["viewer"].get("/search.json").json()
    assert empty == {"query": "", "terms": [], "message": None, "groups": []}


def test_bad_queries_say_why(clients: dict[str, TestClient]) -> None:
    viewer = clients["viewer"]
    garbage = viewer.get("/api/v1/search", params={"q": '"* ()'}).json()
    assert garbage["groups"] == [] and "no letters or digits" in garbage["message"]
    blank = viewer.get("/api/v1/search", params={"q": "   "}).json()
    assert blank["message"] == "Type a word to search for."
    long = viewer.get("/api/v1/search", params={"q": "x" * (MAX_QUERY_CHARS + 1)})
    assert long.status_code == 422 and "q" in long.json()["detail"]
    assert viewer.get("/api/v1/search", params={"q": "x" * MAX_QUERY_CHARS}).status_code == 200


def test_search_needs_a_signed_in_caller(app: FastAPI) -> None:
    with TestClient(app) as anonymous:
        assert anonymous.get("/api/v1/search", params={"q": "x"}).status_code == 401


def test_each_capabilitys_index_is_kept_and_used(app: FastAPI) -> None:
    """The queries repeat the migrations' index expressions exactly, or PostgreSQL would
    read every row: checked on the plan, with sequential scans made unattractive. On SQLite
    the FTS5 tables are kept by triggers, which a later migration that copies a table (batch
    mode) would lose: all must be there."""
    db = app.state.tocsin.db
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            triggers = set(
                connection.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                ).scalars()
            )
        tables = ("events", "incident_reports", "speech_items", "assessment_versions")
        wanted_triggers = {
            f"{t}_search_{w}" for t in tables for w in ("insert", "update", "delete")
        }
        assert wanted_triggers <= triggers
        return
    from tocsin.assess._search import BODY_SQL, WITH_COMMENTS_SQL
    from tocsin.events._search import DOCUMENT_SQL as EVENTS
    from tocsin.incidents._search import DOCUMENT_SQL as REPORTS
    from tocsin.speech._search import DOCUMENT_SQL as SPEECH

    wanted = "websearch_to_tsquery('simple', '\"word\"')"
    with db.engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        for table, document, index in (
            ("events", EVENTS, "ix_events_search"),
            ("incident_reports", REPORTS, "ix_incident_reports_search"),
            ("speech_items", SPEECH, "ix_speech_items_search"),
            ("assessment_versions", BODY_SQL, "ix_assessment_versions_search "),
            ("assessment_versions", WITH_COMMENTS_SQL, "ix_assessment_versions_search_all"),
        ):
            plan = connection.execute(
                text(f"EXPLAIN SELECT 1 FROM {table} WHERE {document} @@ {wanted}")
            ).scalars()
            assert index in "\n".join(plan) + " ", (table, index)


def test_the_access_log_keeps_no_search_terms() -> None:
    """Search terms may be names: uvicorn's access line for a search keeps the path only."""
    for path in ("/search?q=Zawadi+Mbeki", "/api/v1/search?q=Zawadi", "/search.json?q=Zawadi"):
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("10.0.0.1:5", "GET", path, "1.1", 200),
            None,
        )
        assert WithoutQueryStrings().filter(record)
        assert "Zawadi" not in record.getMessage() and path.split("?")[0] in record.getMessage()
