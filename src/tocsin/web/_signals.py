"""The Signals a caller may see: the one filter every page and API route that lists Signals
goes through (the web app's and its plug-ins')."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from tocsin.domain import Sensitivity, SignalKind
from tocsin.store import StoredSignal, audit, list_signals
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
    """Signals matching the filters that this caller may see, newest observed first.

    "Newest" is when a Signal was observed (made by its producer), not the end of the
    period it speaks of: the store's order, by period end, would put a forecast for the
    next two years before yesterday's escalation Signal.
    """
    allowed = set(allowed_sensitivities(principal))
    found = list_signals(session, iso3=iso3, kinds=kinds, codes=codes)
    visible = sorted(
        (s for s in found if s.sensitivity.value in allowed),
        key=lambda s: (s.observed_at or s.stored_at, s.id),
        reverse=True,
    )
    return visible[:limit] if limit else visible


class ShownSignal(Protocol):
    """A Signal as a page or the API shows it (``StoredSignal``, ``SignalOut``)."""

    @property
    def id(self) -> int: ...

    @property
    def sensitivity(self) -> str: ...


def audit_restricted_signals(
    session: Session,
    principal: Principal,
    signals: Iterable[ShownSignal],
    *,
    where: str,
    now: datetime | None = None,
) -> None:
    """Put in the audit log who was shown which restricted Signals, and where (a path).

    For every page and API route that shows Signals, the plug-ins' too, after
    :func:`visible_signals` has let them through; nothing is written if none is restricted.
    Names the Signals by id only: their summaries may name places and people.
    """
    seen = sorted({s.id for s in signals if s.sensitivity == Sensitivity.RESTRICTED})
    if seen:
        audit(
            session,
            actor=principal.actor,
            action="signal.restricted.view",
            now=now or datetime.now(UTC),
            details={"where": where, "signal_ids": seen},
        )
