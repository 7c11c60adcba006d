"""Watchlist, country pages and the data page."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tocsin.datasets import list_datasets, load
from tocsin.store import list_dataset_versions
from tocsin.web._country_sections import country_section_registry
from tocsin.web._deps import ContextDep, Requires, SessionDep, WebContext
from tocsin.web._imports import MAX_UPLOAD_BYTES, ImportJobOut
from tocsin.web._map import (
    bounds,
    fit_point,
    svg_path,
    world_paths,
    world_shapes,
    world_use,
)
from tocsin.web._models import CountryPage, Watchlist
from tocsin.web._render import page, wants_json
from tocsin.web._routes_imports import router as imports_router
from tocsin.web._routes_imports import visible_jobs
from tocsin.web._security import PERMISSIONS, Principal, allowed_sensitivities
from tocsin.web._views import country_page, watchlist

router = APIRouter(include_in_schema=False)
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
    of them key the cache.
    """
    return context.memo(
        (
            "country",
            allowed_sensitivities(principal),
            principal.user.role,
            tuple(sorted(p for p in PERMISSIONS if principal.can(p))),
            iso3.upper(),
        ),
        lambda: country_page(
            session,
            principal,
            iso3.upper(),
            today=datetime.now(UTC).date(),
            frames=resilience_frames(context),
            sections=country_section_registry(context),
            memo=context.forever,
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
        from tocsin.store import list_countries

        context.cache["isonum"] = {
            c.isonum: c.iso3 for c in list_countries(session) if c.isonum and not c.is_historical
        }
    mapping: dict[int, str] = context.cache["isonum"]
    return mapping


@router.get("/")
def home() -> Response:
    return RedirectResponse("/watchlist", status_code=303)


@router.get("/watchlist")
def watchlist_page(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("watchlist:read"))],
    region: str | None = None,
    sort: str = "rank",
) -> Response:
    data = cached_watchlist(context, session, principal, region=region or None, sort=sort)
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


@router.get("/countries/{iso3}")
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


class DatasetOut(BaseModel):
    name: str
    title: str
    publisher: str
    licence: str
    citation: str
    source_url: str
    years: str


class VersionOut(BaseModel):
    name: str
    origin: str
    vintage: str | None
    sha256: str
    n_rows: int
    first_year: int | None
    last_year: int | None
    loaded_at: datetime | None
    is_current: bool


class DataPage(BaseModel):
    datasets: list[DatasetOut]
    versions: list[VersionOut]
    imports_note: str
    can_import: bool
    formats: dict[str, list[str]]
    max_upload_mb: int
    imports: list[ImportJobOut] = Field(
        description="The latest uploaded imports (only for roles that may import)."
    )


@router.get("/data")
def data_page(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("data:read"))],
) -> Response:
    current = {(v.name, v.sha256) for v in list_dataset_versions(session)}
    versions = [
        VersionOut(**vars(v), is_current=(v.name, v.sha256) in current)
        for v in list_dataset_versions(session, current_only=False)
    ]
    datasets = [
        DatasetOut(
            name=s.name,
            title=s.title,
            publisher=s.publisher,
            licence=s.licence,
            citation=s.citation,
            source_url=s.source_url,
            years=f"{s.data_years[0]}–{s.data_years[1]}",
        )
        for s in list_datasets()
    ]
    can_import = principal.can("data:import")
    note = (
        "Upload an event file (UCDP, ACLED, GDELT or CSV with a column mapping) or a speech "
        "file (CSV or JSON Lines); it is imported in the background. New releases of the "
        "data sets are loaded with `tocsin data update NAME`."
        if can_import
        else "Imports are made by analysts and admins."
    )
    data = DataPage(
        datasets=datasets,
        versions=versions,
        imports_note=note,
        can_import=can_import,
        formats={name: list(kind.formats) for name, kind in context.upload_kinds.items()},
        max_upload_mb=MAX_UPLOAD_BYTES // 2**20,
        imports=visible_jobs(context, session) if can_import else [],
    )
    return page(request, "data.html", data, title="Data")


@router.get("/data/imports")
def import_rows(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    _user: Annotated[Principal, Depends(Requires("data:import"))],
) -> Response:
    """The latest imports: the data page's table, refreshed by HTMX while one runs, or JSON."""
    jobs = visible_jobs(context, session)
    if wants_json(request):
        return JSONResponse(jsonable_encoder(jobs))
    return context.templates.TemplateResponse(request, "_import_rows.html", {"jobs": jobs})


router.include_router(imports_router)
