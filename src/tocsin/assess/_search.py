"""Search of assessments: titles, rationales, notes and, for the team, comments.

What a caller finds follows the capability's own access rule (:mod:`tocsin.assess._access`):
holders of ``assessment:draft:read`` search the latest version of every assessment, its
comments included; everyone else only assessments whose latest version is approved, and
never their comments (so a comment's or a draft's words find nothing for them).

Only the latest version of an assessment is searched. The index is the migration
``assess_0002_search``'s, over ``assessment_versions`` (each version's text from its
JSON content, the keys in :data:`TEXT_KEYS`): on SQLite an FTS5 table with two columns
(``body``, ``comments``) filled by triggers when a version is stored; on PostgreSQL two GIN
indexes on ``to_tsvector('simple', ...)`` of the body, and of the body with the comments
(``simple``: no stemming, assessments are written in many languages).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from tocsin.assess._access import may_read_drafts
from tocsin.assess._kinds import AssessmentStatus
from tocsin.assess._store import AssessmentRow, AssessmentVersionRow
from tocsin.web import (
    RANKED_CANDIDATES,
    Principal,
    SearchHit,
    SearchQuery,
    register_search_provider,
    search_snippet,
)

#: The keys of an assessment's content whose text values are searched (at any depth).
TEXT_KEYS = (
    "title",
    "area",
    "rationale",
    "note",
    "description",
    "reason",
    "text",
    "outcome",
    "size_note",
    "name",
)

_FTS = "assessment_versions_search"
_CONTENT = "assessment_versions.content::jsonb"
_BODY = (
    f"jsonb_path_query_array({_CONTENT} - 'comments', "
    '\'strict $.** ? (@.type() == "object").keyvalue() ? '
    f'(@.key like_regex "^({"|".join(TEXT_KEYS)})$" && @.value.type() == "string").value\', '
    "'{}', true)"
)
_COMMENTS = f"jsonb_path_query_array({_CONTENT}, '$.comments[*].text', '{{}}', true)"
#: The indexed documents on PostgreSQL, as the migration's index expressions.
BODY_SQL = f"to_tsvector('simple', {_BODY})"
WITH_COMMENTS_SQL = f"to_tsvector('simple', {_BODY} || {_COMMENTS})"


def search_assessments(
    session: Session, query: SearchQuery, *, with_drafts: bool
) -> list[tuple[AssessmentRow, AssessmentVersionRow, float]]:
    """Assessments whose latest version matches every word of ``query``, best first (at most
    ``query.limit``). Without ``with_drafts``, only approved ones, comments not searched."""
    if not query.terms:
        return []
    score: Any
    latest = (AssessmentVersionRow.assessment_id == AssessmentRow.id) & (
        AssessmentVersionRow.number == AssessmentRow.version
    )
    if session.get_bind().dialect.name == "postgresql":
        document: Any = literal_column(WITH_COMMENTS_SQL if with_drafts else BODY_SQL)
        wanted = func.websearch_to_tsquery(literal_column("'simple'"), query.websearch())
        score = func.ts_rank(document, wanted)
        matching = (
            select(AssessmentRow.id, score, AssessmentRow.updated_at)
            .join(AssessmentVersionRow, latest)
            .where(document.op("@@")(wanted))
        )
    else:
        fts = table(_FTS, column("rowid"))
        score = literal_column(f"-bm25({_FTS})")
        # a column filter keeps the comments out for those who may not read them
        match = query.fts5() if with_drafts else f"body : ({query.fts5()})"
        matching = (
            select(AssessmentRow.id, score, AssessmentRow.updated_at)
            .join(AssessmentVersionRow, latest)
            .join(fts, fts.c.rowid == AssessmentVersionRow.id)
            .where(text(f"{_FTS} MATCH :match").bindparams(match=match))
        )
    if not with_drafts:
        matching = matching.where(AssessmentRow.status == AssessmentStatus.APPROVED.value)
    # ranked among the first RANKED_CANDIDATES matches only (see tocsin.web)
    candidates = session.execute(matching.limit(RANKED_CANDIDATES)).all()
    best = sorted(candidates, key=lambda c: (-float(c[1] or 0.0), -c[2].timestamp(), -c[0]))
    scores = {ident: float(value or 0.0) for ident, value, _ in best[: query.limit]}
    chosen = (
        select(AssessmentRow, AssessmentVersionRow)
        .join(AssessmentVersionRow, latest)
        .where(AssessmentRow.id.in_(scores))
    )
    if not with_drafts:  # again: a draft saved since the match must not be shown
        chosen = chosen.where(AssessmentRow.status == AssessmentStatus.APPROVED.value)
    rows = {row.id: (row, version) for row, version in session.execute(chosen)}
    return [(*rows[ident], value) for ident, value in scores.items() if ident in rows]


def _texts(value: Any, *, comments: bool) -> list[str]:
    """The searched text values of a content, as the index reads them."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "comments":
                if comments and isinstance(item, list):
                    found += [c["text"] for c in item if isinstance(c, dict) and c.get("text")]
            elif key in TEXT_KEYS and isinstance(item, str):
                found.append(item)
            else:
                found += _texts(item, comments=False)
    elif isinstance(value, list):
        for item in value:
            found += _texts(item, comments=False)
    return found


def search_assessments_for(
    session: Session, principal: Principal, query: SearchQuery
) -> list[SearchHit]:
    """The search provider of assessments, as :func:`tocsin.assess.may_read_drafts` says."""
    drafts = may_read_drafts(principal)
    hits = []
    for row, version, score in search_assessments(session, query, with_drafts=drafts):
        body = " · ".join(t for t in _texts(version.content, comments=drafts) if t != row.title)
        status = "" if row.status == AssessmentStatus.APPROVED.value else f" ({row.status})"
        hits.append(
            SearchHit(
                kind="assessments",
                title=f"{row.title}{status}",
                snippet=search_snippet(body or row.title, query.terms),
                url=f"/assessments/{row.id}",
                date=row.period_end,
                iso3=row.iso3,
                score=score,
            )
        )
    return hits


def include_assessment_search(app: FastAPI) -> None:
    """Add assessments to the web app's search (from the web plug-in ``assessments``)."""
    register_search_provider(
        app,
        "assessments",
        "Assessments",
        search_assessments_for,
        permission="watchlist:read",
        order=40,
    )
