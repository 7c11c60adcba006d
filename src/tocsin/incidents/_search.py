"""Search of incident reports, through the reports' own visibility rule.

Only what a report stores in clear is indexed (:data:`SEARCHED_FIELDS`: place, perpetrator,
victim group, narrative); identities are sealed ciphertext and never reach an index. The
index is the migration ``incidents_0003_search``'s: an FTS5 table over ``incident_reports``
kept in step by triggers on SQLite, a GIN index on ``to_tsvector('simple', ...)`` on
PostgreSQL (``simple``: reports are written in many languages, so words are not stemmed).

The caller's :class:`~tocsin.incidents.ReportVisibility` is part of the one query that
matches the words, so a report the caller may not see gives no hit and no count: its words
find nothing, exactly as words found nowhere.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from tocsin.incidents._access import report_visibility
from tocsin.incidents._store import IncidentReportRow, ReportVisibility, _visible
from tocsin.web import (
    RANKED_CANDIDATES,
    Principal,
    SearchHit,
    SearchQuery,
    register_search_provider,
    search_snippet,
)

#: The fields of a report that are searched: those stored in clear.
SEARCHED_FIELDS = ("location", "admin1", "perpetrator", "victim_group", "narrative")

_FTS = "incident_reports_search"
#: The indexed document on PostgreSQL; the same expression as the migration's index, so
#: the planner uses it.
DOCUMENT_SQL = (
    "to_tsvector('simple', "
    + " || ' ' || ".join(f"coalesce(incident_reports.{name}, '')" for name in SEARCHED_FIELDS)
    + ")"
)


def _matching(session: Session, query: SearchQuery) -> Any:
    """The select of matching reports' ids and scores, before visibility."""
    score: Any
    if session.get_bind().dialect.name == "postgresql":
        document: Any = literal_column(DOCUMENT_SQL)
        wanted = func.websearch_to_tsquery(literal_column("'simple'"), query.websearch())
        score = func.ts_rank(document, wanted)
        return select(IncidentReportRow.id, score).where(document.op("@@")(wanted))
    fts = table(_FTS, column("rowid"))
    score = literal_column(f"-bm25({_FTS})")
    return (
        select(IncidentReportRow.id, score)
        .join(fts, fts.c.rowid == IncidentReportRow.id)
        .where(text(f"{_FTS} MATCH :match").bindparams(match=query.fts5()))
    )


def search_incident_reports(
    session: Session, query: SearchQuery, *, visibility: ReportVisibility
) -> list[tuple[IncidentReportRow, float]]:
    """Reports matching every word of ``query`` that ``visibility`` admits, best first
    (at most ``query.limit``)."""
    if not query.terms or visibility.sensitivities == ():
        return []
    # Visibility is applied in the one query that matches, before the candidates are cut
    # to RANKED_CANDIDATES: reports the caller may not see take no place among them.
    candidates = session.execute(
        _visible(_matching(session, query), visibility).limit(RANKED_CANDIDATES)
    ).all()
    best = sorted(candidates, key=lambda c: (-float(c[1] or 0.0), -c[0]))  # newest first
    scores = {ident: float(value or 0.0) for ident, value in best[: query.limit]}
    rows = {
        row.id: row
        for row in session.scalars(
            _visible(select(IncidentReportRow).where(IncidentReportRow.id.in_(scores)), visibility)
        )
    }
    return [(rows[ident], value) for ident, value in scores.items() if ident in rows]


def search_reports_for(
    session: Session, principal: Principal, query: SearchQuery
) -> list[SearchHit]:
    """The search provider of incident reports: the caller's hits, as
    :func:`tocsin.incidents.report_visibility` lets them see reports."""
    hits = []
    for row, score in search_incident_reports(
        session, query, visibility=report_visibility(principal)
    ):
        place = ", ".join(p for p in (row.location, row.admin1) if p) or row.iso3
        body = " · ".join(str(v) for v in (row.narrative, row.perpetrator, row.victim_group) if v)
        hits.append(
            SearchHit(
                kind="incidents",
                title=f"{row.event_type.replace('_', ' ').capitalize()} in {place}",
                snippet=search_snippet(body or place, query.terms),
                url=f"/reports/{row.public_id}",
                date=row.start_date,
                iso3=row.iso3,
                score=score,
            )
        )
    return hits


def include_report_search(app: FastAPI) -> None:
    """Add incident reports to the web app's search (from the web plug-in ``incidents``)."""
    register_search_provider(
        app, "incidents", "Incident reports", search_reports_for, permission="report:read", order=10
    )
