"""The Signals a caller may see: the one filter every page and API route that lists Signals
goes through (the web app's and its plug-ins')."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tocsin.domain import SignalKind
from tocsin.store import StoredSignal, list_signals
from tocsin.web._security import Principal, allowed_sensitivities


def visible_signals(
    session: Session,
    principal: Principal,
    *,
    iso3: str | None = None,
    kinds: Sequence[SignalKind] | None = None,
    codes: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[StoredSignal]:
    """Signals matching the filters that this caller may see (newest first)."""
    allowed = set(allowed_sensitivities(principal))
    found = list_signals(session, iso3=iso3, kinds=kinds, codes=codes)
    visible = [s for s in found if s.sensitivity.value in allowed]
    return visible[:limit] if limit else visible
