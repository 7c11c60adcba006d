"""The watchlist and the country pages in the web app (the web plug-in ``watchlist``):
``/watchlist`` and ``/countries/{iso3}`` (with ``.json`` twins), their exports
(``/watchlist.csv``/``.xlsx``, ``/countries/{iso3}/events.csv``/``.xlsx``/``.geojson``) and
their API under ``/api/v1`` (``watchlist``, ``countries/{iso3}``, ``events``).

The pages gather what the capabilities know of a country: the forecast's rank and drivers,
the events of the last three years with their map and monthly bars, the escalation Signals,
resilience indicators from the bundled data sets, and the sections other plug-ins add
(``tocsin.web.register_country_section``). The web app's dependencies give each request its
session, caller and permissions, so access rules stay in one place.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from tocsin.datasets import load
from tocsin.events import TEXT_COLUMNS, list_events, load_events_frame
from tocsin.incidents import hidden_report_events
from tocsin.store import audit, get_country, list_countries
from tocsin.watchlist._exports import (
    EVENT_COLUMNS,
    WATCHLIST_COLUMNS,
    event_rows,
    geojson_response,
    table_response,
    watchlist_rows,
)
from tocsin.watchlist._models import CountryPage, EventOut, Watchlist
from tocsin.watchlist._views import country_page, warm_events, watchlist
from tocsin.web import (
    PERMISSIONS,
    ContextDep,
    NavItem,
    Page,
    Principal,
    Requires,
    SessionDep,
    WebContext,
    add_capability,
    allowed_sensitivities,
    audit_restricted_signals,
    bounds,
    check_csrf,
    country_section_registry,
    fit_point,
    page,
    register_warmer,
    svg_path,
    utc_now,
    world_paths,
    world_shapes,
    world_use,
)

__all__ = ["include_watchlist", "router"]

HERE = Path(__file__).parent
router = APIRouter(dependencies=[Depends(check_csrf)])

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Iso3 = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$", description="ISO 3166 alpha-3.")]

_frames_lock = threading.Lock()


def resilience_frames(context: WebContext) -> dict[str, pd.DataFrame]:
    """The PTS, Freedom House and V-Dem frames, loaded once per application."""
    with _frames_lock:
        if "frames" not in context.cache:
            context.cache["frames"] = {
                name: load(name, settings_or_dir=context.settings)
                for name in ("pts", "freedom_house", "vdem")
            }
    frames: dict[str, pd.DataFrame] = context.cache["frames"]
    return frames


def cached_watchlist(
    context: WebContext,
    session: Session,
    principal: Principal,
    *,
    region: str | None,
    sort: str,
) -> Watchlist:
    """The watchlist, reused for a few seconds by callers who may see the same Signals."""
    return context.memo(
        ("watchlist", allowed_sensitivities(principal), region, sort),
        lambda: watchlist(session, principal, region=region, sort=sort, cache_store=context.cache),
    )


def cached_country(
    context: WebContext, session: Session, principal: Principal, iso3: str
) -> CountryPage | None:
    """The country page's data, reused for a few seconds like the watchlist.

    Sections added by capabilities may depend on the caller's role and effective
    permissions (a token's scopes) as well as on the sensitivities they may see, so all
    of them key the cache; so do the events hidden from the caller (internal incident
    reports' events, which differ between two monitors of the same role).
    """
    hidden = hidden_report_events(session, principal, iso3=iso3.upper())
    return context.memo(
        (
            "country",
            allowed_sensitivities(principal),
            principal.user.role,
            tuple(sorted(p for p in PERMISSIONS if principal.can(p))),
            iso3.upper(),
            hidden,
        ),
        lambda: country_page(
            session,
            principal,
            iso3.upper(),
            today=datetime.now(UTC).date(),
            frames=resilience_frames(context),
            sections=country_section_registry(context),
            memo=context.forever,
            hidden_events=hidden,
        ),
    )


BANDS = (0.01, 0.02, 0.04, 0.08)


def world_map(data: Watchlist, to_iso3: dict[int, str]) -> Markup:
    """The world coloured by risk band, each country linking to its page.

    Each country refers to its path in the cacheable geometry file (``world_use``), so
    the page carries colours, links and labels, not the 210 kB of geometry.
    """
    if not data.available:
        return Markup("")
    risk = {row.iso3: row for row in data.rows}
    parts = []
    for isonum, name, _path in world_paths():
        iso3 = to_iso3.get(isonum)
        row = risk.get(iso3) if iso3 else None
        band = 0 if row is None else 1 + sum(row.risk >= t for t in BANDS)
        label = f"{row.name}: {row.risk:.1%} (rank {row.rank})" if row else name
        shape = f'{world_use(isonum)} class="band{band}"><title>{escape(label)}</title></use>'
        parts.append(f'<a href="/countries/{iso3}">{shape}</a>' if iso3 else shape)
    return Markup("".join(parts))


def _isonum_to_iso3(context: WebContext, session: SessionDep) -> dict[int, str]:
    if "isonum" not in context.cache:
        context.cache["isonum"] = {
            c.isonum: c.iso3 for c in list_countries(session) if c.isonum and not c.is_historical
        }
    mapping: dict[int, str] = context.cache["isonum"]
    return mapping


@router.get("/watchlist", include_in_schema=False)
def watchlist_page(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("watchlist:read"))],
    region: str | None = None,
    sort: str = "rank",
) -> Response:
    data = cached_watchlist(context, session, principal, region=region or None, sort=sort)
    audit_restricted_signals(session, principal, data.signals, where="/watchlist")
    key = ("map", allowed_sensitivities(principal), region or None, sort)
    world = context.memo(key, lambda: world_map(data, _isonum_to_iso3(context, session)))
    return page(
        request,
        "watchlist.html",
        data,
        title="Watchlist",
        extra={"world_map": world},
        fragment="watchlist_body.html",
    )


@router.get("/countries/{iso3}", include_in_schema=False)
def country(
    request: Request,
    iso3: str,
    context: ContextDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("country:read"))],
) -> Response:
    data = cached_country(context, session, principal, iso3)
    if data is None:
        raise HTTPException(404, "no such country")
    _audit_country(session, principal, data)
    return page(
        request,
        "country.html",
        data,
        title=data.country.name,
        extra=_country_drawing(context, session, data),
        fragment="country_body.html",
    )


_DRAWINGS_KEPT = 256
_drawings: dict[int, tuple[CountryPage, dict[str, Any]]] = {}
_drawings_lock = threading.Lock()


def _country_drawing(context: WebContext, session: SessionDep, data: CountryPage) -> dict[str, Any]:
    """The outline, event points and monthly bars drawn from ``data``, once per such object.

    Cached page data is the same object for everyone sharing its cache key, so the same
    drawing values are returned for it, which lets :func:`page` reuse the rendered body
    (its fragment cache compares values by identity). The data object is kept beside its
    drawing so that its id is not reused while the entry lives.
    """
    with _drawings_lock:
        found = _drawings.get(id(data))
    if found is not None and found[0] is data:
        return found[1]
    outline, points = None, []
    to_iso3 = {v: k for k, v in _isonum_to_iso3(context, session).items()}
    shape = next((s for s in world_shapes() if s.isonum == to_iso3.get(data.country.iso3)), None)
    if shape is not None:
        frame = bounds(shape)
        outline = svg_path(shape, frame)
        points = [
            fit_point(e.longitude, e.latitude, frame) + (e.event_type,)
            for e in data.events.recent
            if e.latitude is not None and e.longitude is not None
        ]
    months = data.events.by_month[-36:]
    peak = max((m.n_events for m in months), default=0) or 1
    drawing = {
        "outline": outline,
        "points": points,
        "months": months,
        "peak": peak,
        "section_templates": country_section_registry(context).templates(),
    }
    with _drawings_lock:
        if len(_drawings) >= _DRAWINGS_KEPT:
            _drawings.pop(next(iter(_drawings)))
        _drawings[id(data)] = (data, drawing)
    return drawing


@router.get("/api/v1/watchlist", response_model=Watchlist, tags=["api"])
def api_watchlist(
    context: ContextDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("watchlist:read"))],
    region: Annotated[str | None, Query(max_length=100)] = None,
    sort: Annotated[str, Query(pattern=r"^-?(rank|risk|name|change)$")] = "rank",
) -> Watchlist:
    """The current forecast, ranked, with rank changes and the latest Signals."""
    data = cached_watchlist(context, session, principal, region=region, sort=sort)
    audit_restricted_signals(session, principal, data.signals, where="/api/v1/watchlist")
    return data


@router.get(
    "/api/v1/countries/{iso3}", response_model=CountryPage, responses={404: {}}, tags=["api"]
)
def api_country(
    iso3: str,
    context: ContextDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("country:read"))],
) -> CountryPage:
    """Everything the country page shows."""
    data = cached_country(context, session, principal, iso3)
    if data is None:
        raise HTTPException(404, "no such country")
    _audit_country(session, principal, data, api=True)
    return data


def _audit_country(
    session: Session, principal: Principal, data: CountryPage, *, api: bool = False
) -> None:
    # after the cache: each caller shown the page's restricted Signals is recorded
    where = f"{'/api/v1' if api else ''}/countries/{data.country.iso3}"
    audit_restricted_signals(session, principal, [*data.signals, *data.escalation], where=where)


@router.get("/api/v1/events", response_model=Page[EventOut], tags=["api"])
def api_events(
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("country:read"))],
    iso3: Iso3 = None,
    since: date | None = None,
    until: date | None = None,
    limit: Limit = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Page[EventOut]:
    """Stored events, oldest first (``total`` is not counted), less those of incident
    reports the caller may not read."""
    hidden = hidden_report_events(session, principal, iso3=iso3)
    found = list_events(
        session, iso3=iso3, since=since, until=until, limit=offset + limit, hidden=hidden
    )
    items = [
        EventOut(
            uid=e.uid,
            dataset=e.dataset,
            start_date=e.start_date,
            event_type=e.event_type.value,
            admin1=e.admin1,
            location=e.location,
            latitude=e.latitude,
            longitude=e.longitude,
            fatalities_best=e.acts[0].fatalities.best,
        )
        for e in found[offset:]
    ]
    return Page(items=items, total=None, limit=limit, offset=offset)


#: The most events one export holds (newest first), as many as a busy country has in three years.
EXPORT_EVENTS_LIMIT = 100_000


@router.get("/watchlist.{fmt}", include_in_schema=False)
def export_watchlist(
    fmt: Annotated[Literal["csv", "xlsx"], PathParam()],
    context: ContextDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("watchlist:read"))],
    region: Annotated[str | None, Query(max_length=100)] = None,
    sort: Annotated[str, Query(pattern=r"^-?(rank|risk|name|change)$")] = "rank",
) -> Response:
    """The watchlist's table (region and order as on the page) as CSV or XLSX; audited."""
    data = cached_watchlist(context, session, principal, region=region or None, sort=sort)
    rows = watchlist_rows(data)
    audit(
        session,
        actor=principal.actor,
        action="watchlist.export",
        now=utc_now(),
        details={"format": fmt, "n_rows": len(rows), "region": region or None, "sort": sort},
    )
    return table_response(WATCHLIST_COLUMNS, rows, fmt, "watchlist")


@router.get("/countries/{iso3}/events.{fmt}", include_in_schema=False)
def export_events(
    iso3: str,
    fmt: Annotated[Literal["csv", "xlsx", "geojson"], PathParam()],
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("country:read"))],
) -> Response:
    """The country's events of the last three years (the page's), newest first, less those
    hidden from the caller (internal incident reports' events), as CSV, XLSX or GeoJSON;
    audited."""
    iso3 = iso3.upper()
    if get_country(session, iso3) is None:
        raise HTTPException(404, "no such country")
    hidden = hidden_report_events(session, principal, iso3=iso3)
    since = datetime.now(UTC).date() - timedelta(days=3 * 365)  # as the page's events
    frame = load_events_frame(
        session,
        iso3=iso3,
        since=since,
        newest_first=True,
        limit=EXPORT_EVENTS_LIMIT,
        without=TEXT_COLUMNS,
        hidden=hidden,
    )
    audit(
        session,
        actor=principal.actor,
        action="events.export",
        target=iso3,
        now=utc_now(),
        details={"format": fmt, "n_rows": len(frame), "since": since.isoformat()},
    )
    if fmt == "geojson":
        return geojson_response(frame, f"events-{iso3}")
    return table_response(EVENT_COLUMNS, event_rows(frame), fmt, f"events-{iso3}")


def include_watchlist(app: FastAPI) -> None:
    """Add the watchlist (the menu's first entry, where ``/`` leads), the country pages,
    their API and templates to the web app, and warm the top countries' events at start."""
    env = app.state.tocsin.templates.env
    env.loader = ChoiceLoader([env.loader, FileSystemLoader(HERE / "templates")])
    add_capability(
        app, router, [NavItem("watchlist", "Watchlist", "/watchlist", "watchlist:read", 10)]
    )
    register_warmer(app, lambda context: warm_events(context.db, context.forever))
