"""Search of stored events: their notes, actors and places.

The index is the migration ``events_0002_search``'s: an FTS5 table over ``events``
(external content, keyed on the table's rowid) kept in step by triggers on SQLite, so the
bulk import path (raw ``executemany``) is covered without a change; on PostgreSQL a GIN
index on ``to_tsvector('simple', ...)`` of the same fields (``simple``: the notes come in
many languages, so words are not stemmed).

Events made from field incident reports (data set ``field``) are left out: they are found
as incident reports, under the reports' own visibility rule, and an internal report's event
must stay hidden from those who may not see the report.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from tocsin.events._store import EventRow
from tocsin.web import (
    RANKED_CANDIDATES,
    Principal,
    SearchHit,
    SearchQuery,
    register_search_provider,
    search_snippet,
)

#: The fields of an event that are searched.
SEARCHED_FIELDS = ("location", "admin1", "admin2", "perpetrator", "target", "target_group", "notes")
#: Events of these data sets are not searched here (see the module's text).
NOT_SEARCHED_DATASETS = ("field",)

_FTS = "events_search"
#: The indexed document on PostgreSQL: the migration's index expression, so it is used.
DOCUMENT_SQL = (
    "to_tsvector('simple', "
    + " || ' ' || ".join(f"coalesce(events.{name}, '')" for name in SEARCHED_FIELDS)
    + ")"
)


def search_events(session: Session, query: SearchQuery) -> list[tuple[EventRow, float]]:
    """Events matching every word of ``query``, best first (at most ``query.limit``); none
    of :data:`NOT_SEARCHED_DATASETS`."""
    if not query.terms:
        return []
    score: Any
    if session.get_bind().dialect.name == "postgresql":
        document: Any = literal_column(DOCUMENT_SQL)
        wanted = func.websearch_to_tsquery(literal_column("'simple'"), query.websearch())
        score = func.ts_rank(document, wanted)
        matching = select(EventRow.uid, score, EventRow.start_date).where(document.op("@@")(wanted))
    else:
        fts = table(_FTS, column("rowid"))
        score = literal_column(f"-bm25({_FTS})")
        matching = (
            select(EventRow.uid, score, EventRow.start_date)
            .join(fts, fts.c.rowid == literal_column("events.rowid"))
            .where(text(f"{_FTS} MATCH :match").bindparams(match=query.fts5()))
        )
    # ranked among the first RANKED_CANDIDATES matches only: a common word matches most of
    # a million events, and ranking them all took seconds
    candidates = session.execute(
        matching.where(EventRow.dataset.not_in(NOT_SEARCHED_DATASETS)).limit(RANKED_CANDIDATES)
    ).all()
    best = sorted(candidates, key=lambda c: (-float(c[1] or 0.0), -c[2].toordinal(), c[0]))
    scores = {uid: float(value or 0.0) for uid, value, _ in best[: query.limit]}
    rows = {
        row.uid: row for row in session.scalars(select(EventRow).where(EventRow.uid.in_(scores)))
    }
    return [(rows[uid], value) for uid, value in scores.items() if uid in rows]


def search_events_for(
    session: Session, principal: Principal, query: SearchQuery
) -> list[SearchHit]:
    """The search provider of events (every reader of country pages sees them)."""
    hits = []
    for row, score in search_events(session, query):
        place = ", ".join(p for p in (row.location, row.admin2, row.admin1) if p) or "unknown place"
        body = " · ".join(
            str(v) for v in (row.notes, row.perpetrator, row.target, row.target_group) if v
        )
        hits.append(
            SearchHit(
                kind="events",
                title=f"{row.event_type.replace('_', ' ').capitalize()} in {place} ({row.dataset})",
                snippet=search_snippet(body or place, query.terms),
                url=f"/countries/{row.iso3}" if row.iso3 else "/data",
                date=row.start_date,
                iso3=row.iso3,
                score=score,
            )
        )
    return hits


def include_event_search(app: FastAPI) -> None:
    """Add events to the web app's search (from the web plug-in ``events``)."""
    register_search_provider(
        app, "events", "Events", search_events_for, permission="country:read", order=20
    )
