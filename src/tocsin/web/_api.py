"""The REST API under ``/api/v1``: the pages' data as JSON, with tokens, paging and filters.

Callers authenticate with ``Authorization: Bearer <token>`` (tokens are made on the
account page, each limited to scopes) or with a browser session. Every route declares
its response model, so nothing outside it can leak.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from tocsin.domain import SignalKind
from tocsin.store import list_countries
from tocsin.web._deps import CurrentUser, Requires, SessionDep
from tocsin.web._models import CountryOut, Page, SignalOut
from tocsin.web._security import Principal, role_permissions
from tocsin.web._signals import audit_restricted_signals, visible_signals

router = APIRouter(prefix="/api/v1", tags=["api"])

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]
Iso3 = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$", description="ISO 3166 alpha-3.")]


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    via: str
    permissions: list[str]


@router.get("/me", response_model=Me)
def me(principal: CurrentUser) -> Me:
    """Who the API thinks you are, and what you may do."""
    allowed = sorted(p for p in role_permissions(principal.user.role) if principal.can(p))
    user = principal.user
    return Me(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        via=principal.via,
        permissions=allowed,
    )


@router.get("/countries", response_model=Page[CountryOut])
def api_countries(
    session: SessionDep,
    _principal: Annotated[Principal, Depends(Requires("country:read"))],
    region: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[CountryOut]:
    """Current countries, by name, optionally of one UN region."""
    found = [
        CountryOut(
            iso3=c.iso3,
            name=c.name,
            iso2=c.iso2,
            un_region=c.un_region,
            un_subregion=c.un_subregion,
        )
        for c in list_countries(session, include_historical=False)
        if region is None or c.un_region == region
    ]
    return Page(items=found[offset : offset + limit], total=len(found), limit=limit, offset=offset)


@router.get("/signals", response_model=Page[SignalOut])
def api_signals(
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("signals:read"))],
    iso3: Iso3 = None,
    kind: SignalKind | None = None,
    code: Annotated[str | None, Query(pattern=r"^(RF\d{1,2}|\d{1,2}(\.\d{1,2})?)$")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SignalOut]:
    """Signals you may see, newest first, filtered by country, kind or framework code."""
    found = visible_signals(
        session,
        principal,
        iso3=iso3,
        kinds=[kind] if kind else None,
        codes=[code] if code else None,
    )
    items = [SignalOut.of(s) for s in found[offset : offset + limit]]
    audit_restricted_signals(session, principal, items, where="/api/v1/signals")
    return Page(items=items, total=len(found), limit=limit, offset=offset)
