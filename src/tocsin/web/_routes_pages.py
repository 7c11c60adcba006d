"""The home page (where the menu's first entry leads) and the data page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from tocsin.datasets import list_datasets
from tocsin.store import list_dataset_versions
from tocsin.web._country_sections import CountrySection
from tocsin.web._data_sections import data_sections
from tocsin.web._deps import ContextDep, OptionalPrincipal, Requires, SessionDep
from tocsin.web._imports import MAX_UPLOAD_BYTES, ImportJobOut
from tocsin.web._render import page, wants_json
from tocsin.web._routes_imports import router as imports_router
from tocsin.web._routes_imports import visible_jobs
from tocsin.web._security import Principal

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, principal: OptionalPrincipal) -> Response:
    """The first page of the menu this caller may open (the watchlist, where it is
    installed); sign-in first, the account page if no menu entry is open to them."""
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    entries = request.app.state.nav.for_principal(principal)
    return RedirectResponse(entries[0].path if entries else "/account", status_code=303)


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
    sections: dict[str, CountrySection] = Field(
        default_factory=dict,
        description="What capabilities add (e.g. the watch and its sources: `monitor`).",
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
        sections=data_sections(context, session, principal),
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
