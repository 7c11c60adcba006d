"""Search across what the capabilities hold: ``register_search_provider`` and ``/search``.

Each capability owns its index and its *provider*, a function
``provider(session, principal, query) -> list[SearchHit]`` that answers from its own tables
and applies its own visibility rule inside the query, so a record the caller may not see
never becomes a hit, a count or a snippet. The web package only parses the query, asks each
provider the caller may use, and shows the hits grouped by kind (``/search``, its twin
``/search.json`` and ``/api/v1/search?q=``).

Terms are words (letters and digits); everything else a reader types, quotes and operators
included, only separates words. :meth:`SearchQuery.fts5` and :meth:`SearchQuery.websearch`
quote each word, so no input reaches SQLite's ``MATCH`` or PostgreSQL's
``websearch_to_tsquery`` as syntax: every term must be present (AND), nothing widens it.
The query travels in the URL, and the access log leaves query strings out
(:mod:`tocsin.web._http`), so what people search for is not logged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tocsin.web._app import add_capability
from tocsin.web._deps import ContextDep, Requires, SessionDep, WebContext, check_csrf
from tocsin.web._nav import NavItem
from tocsin.web._render import error_responses, page
from tocsin.web._security import Principal

__all__ = [
    "MAX_QUERY_CHARS",
    "RANKED_CANDIDATES",
    "SearchGroup",
    "SearchHit",
    "SearchProvider",
    "SearchQuery",
    "SearchResults",
    "register_search_provider",
    "run_search",
    "search_snippet",
]

#: The longest query accepted, in characters (longer ones are refused, not cut).
MAX_QUERY_CHARS = 200
#: At most this many words of a query are used, each at most ``MAX_TERM_CHARS`` long.
MAX_TERMS = 8
MAX_TERM_CHARS = 64
#: Hits shown per provider.
HITS_PER_KIND = 20
#: The most matches of one query a provider ranks (the first found, in index order): a
#: common word can match most of a million events, and ranking them all takes seconds.
#: A query with more matches shows the best of these, and says there are more.
RANKED_CANDIDATES = 1000
#: What the page and its twin need: every role holds it; each provider adds its own.
SEARCH_PERMISSION = "country:read"

# letters and digits of any script; "_" is a word character to ``\w`` but not to the
# backends' tokenizers, so it separates words here as there
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchQuery:
    """What a reader asked for: the text as typed, its words (lower-cased) and how many hits
    a provider should return at most.

    Examples
    --------
    >>> q = SearchQuery.parse('Bambari NEAR("market" OR *) -dawn')
    >>> q.terms
    ('bambari', 'near', 'market', 'or', 'dawn')
    >>> q.fts5()
    '"bambari" "near" "market" "or" "dawn"'
    >>> SearchQuery.parse('"" * ()').terms
    ()
    """

    text: str
    terms: tuple[str, ...]
    limit: int = HITS_PER_KIND

    @classmethod
    def parse(cls, text: str, *, limit: int = HITS_PER_KIND) -> SearchQuery:
        words: list[str] = []
        for word in _WORD.findall(text.casefold()):
            word = word[:MAX_TERM_CHARS]
            if word not in words:
                words.append(word)
        return cls(text=text, terms=tuple(words[:MAX_TERMS]), limit=limit)

    def fts5(self) -> str:
        """The terms as an SQLite FTS5 query: each a quoted phrase, all required."""
        return " ".join('"' + term.replace('"', '""') + '"' for term in self.terms)

    def websearch(self) -> str:
        """The terms for ``websearch_to_tsquery``: each quoted, so ``or`` and ``-`` are
        words, not operators."""
        return " ".join('"' + term.replace('"', " ") + '"' for term in self.terms)


class SearchHit(BaseModel):
    """One record found: what it is, a line of its text and where to open it."""

    kind: str = Field(description="The provider that found it (`incidents`, `events`, ...).")
    title: str
    snippet: str = Field(description="A short extract of the text around a matching word.")
    url: str
    date: dt.date | None = None
    iso3: str | None = None
    score: float = Field(description="Relevance as the backend ranks it (higher is better).")


class SearchGroup(BaseModel):
    name: str
    title: str
    hits: list[SearchHit]
    more: bool = Field(description="Whether more hits than those shown were found.")


class SearchResults(BaseModel):
    query: str
    terms: list[str]
    message: str | None = Field(
        default=None, description="Why there are no results, when the query had no words."
    )
    groups: list[SearchGroup]


SearchProvider = Callable[[Session, Principal, SearchQuery], list[SearchHit]]


@dataclass(frozen=True)
class _ProviderSpec:
    name: str
    title: str
    provider: SearchProvider
    permission: str
    order: int


def search_snippet(text: str, terms: tuple[str, ...], *, width: int = 160) -> str:
    """About ``width`` characters of ``text`` around the first word of ``terms`` in it.

    Examples
    --------
    >>> search_snippet("Armed men attacked the market of Bambari at dawn.", ("bambari",), width=24)
    '…market of Bambari at…'
    """
    flat = " ".join(text.split())
    folded = flat.casefold()
    found = [i for i in (folded.find(term) for term in terms) if i >= 0]
    if len(flat) <= width:
        return flat
    at = min(found) if found else 0
    start = max(0, at - width // 2)
    end = min(len(flat), start + width)
    start = max(0, end - width)
    cut = flat[start:end].strip()
    if start > 0 and " " in cut:
        cut = cut.split(" ", 1)[1]  # no word cut in half at either end
    if end < len(flat) and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return ("…" if start > 0 else "") + cut + ("…" if end < len(flat) else "")


router = APIRouter(dependencies=[Depends(check_csrf)])


def register_search_provider(
    app: FastAPI,
    name: str,
    title: str,
    provider: SearchProvider,
    *,
    permission: str,
    order: int = 100,
) -> None:
    """Add a provider of search hits to ``app`` (call before the app serves); a later
    registration of ``name`` replaces it. Callers without ``permission`` are not asked.

    The first registration adds the search page and its menu entry: an app without
    providers has nothing to search.

    Examples
    --------
    >>> import tempfile
    >>> from tocsin.settings import Settings
    >>> from tocsin.web import WebSettings, create_app
    >>> app = create_app(
    ...     Settings(home=tempfile.mkdtemp()), WebSettings(identity_keys=None), plugins=[]
    ... )
    >>> register_search_provider(app, "notes", "Notes", lambda s, p, q: [], permission="data:read")
    >>> [spec.name for spec in app.state.tocsin.cache["search_providers"].values()]
    ['notes']
    >>> [item.path for item in app.state.nav.items() if item.key == "search"]
    ['/search']
    >>> app.state.tocsin.db.dispose()
    """
    context: WebContext = app.state.tocsin
    specs: dict[str, _ProviderSpec] | None = context.cache.get("search_providers")
    if specs is None:
        specs = context.cache["search_providers"] = {}
        add_capability(app, router, [NavItem("search", "Search", "/search", SEARCH_PERMISSION, 65)])
    specs[name] = _ProviderSpec(name, title, provider, permission, order)


def run_search(
    context: WebContext, session: Session, principal: Principal, text: str
) -> SearchResults:
    """Ask every provider this caller may use; their hits, best first, one group each."""
    query = SearchQuery.parse(text, limit=HITS_PER_KIND + 1)
    if not query.terms:
        message = (
            "Type a word to search for."
            if not text.strip()
            else "Nothing to search for: the query has no letters or digits."
        )
        return SearchResults(query=text, terms=[], message=message, groups=[])
    specs: dict[str, _ProviderSpec] = context.cache.get("search_providers", {})
    groups = []
    for spec in sorted(specs.values(), key=lambda s: (s.order, s.name)):
        if not principal.can(spec.permission):
            continue
        hits = sorted(spec.provider(session, principal, query), key=lambda h: -h.score)
        groups.append(
            SearchGroup(
                name=spec.name,
                title=spec.title,
                hits=hits[:HITS_PER_KIND],
                more=len(hits) > HITS_PER_KIND,
            )
        )
    return SearchResults(query=text, terms=list(query.terms), groups=groups)


Searcher = Annotated[Principal, Depends(Requires(SEARCH_PERMISSION))]
QueryText = Annotated[
    str,
    Query(
        max_length=MAX_QUERY_CHARS,
        description=f"Words to find (at most {MAX_QUERY_CHARS} characters); quotes and "
        "operators are read as spaces, every word must be present.",
    ),
]


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    principal: Searcher,
    q: QueryText = "",
) -> Response:
    """The search page; ``/search.json`` is its JSON twin."""
    data = (
        run_search(context, session, principal, q)
        if q.strip()
        else SearchResults(query="", terms=[], groups=[])
    )
    return page(request, "search.html", data, title="Search")


@router.get(
    "/api/v1/search",
    response_model=SearchResults,
    tags=["api"],
    responses=error_responses({422: "The query is longer than allowed."}),
)
def search_api(
    context: ContextDep, session: SessionDep, principal: Searcher, q: QueryText = ""
) -> SearchResults:
    """Search incident reports, events, speech items and assessments, as far as the caller
    may see them; at most 20 hits of each kind, best first."""
    return run_search(context, session, principal, q)
