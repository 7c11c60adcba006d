"""Search of stored speech items: their text, speaker and outlet.

The raw texts are for those who hold ``speech:text`` (the review queue shows others the
scores only), so the provider is asked only for them. The index is the migration
``speech_0002_search``'s: an FTS5 table over ``speech_items`` (external content) kept in
step by triggers on SQLite; a GIN index on ``to_tsvector('simple', ...)`` on PostgreSQL
(``simple``: the items are in many languages, so words are not stemmed).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from tocsin.speech._store import SpeechItemRow
from tocsin.web import (
    RANKED_CANDIDATES,
    Principal,
    SearchHit,
    SearchQuery,
    register_search_provider,
    search_snippet,
)

#: The fields of a speech item that are searched.
SEARCHED_FIELDS = ("text", "speaker", "outlet")
#: Who may search speech items: those who may read their raw text.
SEARCH_PERMISSION = "speech:text"

_FTS = "speech_items_search"
#: The indexed document on PostgreSQL: the migration's index expression, so it is used.
DOCUMENT_SQL = (
    "to_tsvector('simple', "
    + " || ' ' || ".join(f"coalesce(speech_items.{name}, '')" for name in SEARCHED_FIELDS)
    + ")"
)


def search_speech_items(session: Session, query: SearchQuery) -> list[tuple[SpeechItemRow, float]]:
    """Items matching every word of ``query``, best first (at most ``query.limit``)."""
    if not query.terms:
        return []
    score: Any
    if session.get_bind().dialect.name == "postgresql":
        document: Any = literal_column(DOCUMENT_SQL)
        wanted = func.websearch_to_tsquery(literal_column("'simple'"), query.websearch())
        score = func.ts_rank(document, wanted)
        matching = select(SpeechItemRow.id, score, SpeechItemRow.published_date).where(
            document.op("@@")(wanted)
        )
    else:
        fts = table(_FTS, column("rowid"))
        score = literal_column(f"-bm25({_FTS})")
        matching = (
            select(SpeechItemRow.id, score, SpeechItemRow.published_date)
            .join(fts, fts.c.rowid == SpeechItemRow.id)
            .where(text(f"{_FTS} MATCH :match").bindparams(match=query.fts5()))
        )
    # ranked among the first RANKED_CANDIDATES matches only (see tocsin.web)
    candidates = session.execute(matching.limit(RANKED_CANDIDATES)).all()
    best = sorted(
        candidates,
        key=lambda c: (-float(c[1] or 0.0), -(c[2].toordinal() if c[2] else 0), -c[0]),
    )
    scores = {ident: float(value or 0.0) for ident, value, _ in best[: query.limit]}
    rows = {
        row.id: row
        for row in session.scalars(select(SpeechItemRow).where(SpeechItemRow.id.in_(scores)))
    }
    return [(rows[ident], value) for ident, value in scores.items() if ident in rows]


def search_speech_for(
    session: Session, principal: Principal, query: SearchQuery
) -> list[SearchHit]:
    """The search provider of speech items (for holders of ``speech:text`` only)."""
    if not principal.can(SEARCH_PERMISSION):
        return []
    hits = []
    for row, score in search_speech_items(session, query):
        who = " · ".join(p for p in (row.speaker, row.outlet) if p) or f"Speech item {row.id}"
        hits.append(
            SearchHit(
                kind="speech",
                title=who,
                snippet=search_snippet(row.text, query.terms),
                url=f"/speech/{row.id}",
                date=row.published_date,
                iso3=row.iso3,
                score=score,
            )
        )
    return hits


def include_speech_search(app: FastAPI) -> None:
    """Add speech items to the web app's search (from the web plug-in ``speech``)."""
    register_search_provider(
        app, "speech", "Speech items", search_speech_for, permission=SEARCH_PERMISSION, order=30
    )
