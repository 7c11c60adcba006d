"""Pre-filling a stored item's Rabat worksheet: the one function the CLI and the web call.

A worksheet is a shared record, so the same sensitivity rule holds wherever it is made:
only public and internal risk Signals of the item's country enter its context part, never
restricted ones (:func:`worksheet_signals`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from tocsin.domain import Direction, Sensitivity, Signal, SignalKind
from tocsin.speech._rabat import RabatWorksheet, prefill_worksheet

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["WORKSHEET_SENSITIVITIES", "prefill_stored_worksheet", "worksheet_signals"]

WORKSHEET_SENSITIVITIES = frozenset({Sensitivity.PUBLIC, Sensitivity.INTERNAL})


def worksheet_signals(signals: Sequence[Signal]) -> list[Signal]:
    """The Signals a worksheet may cite: risk Signals, public or internal, no speech surges."""
    return [
        s
        for s in signals
        if s.sensitivity in WORKSHEET_SENSITIVITIES
        and s.direction is Direction.RISK
        and s.kind is not SignalKind.SPEECH_SURGE
    ]


def prefill_stored_worksheet(
    session: Session, item_id: int, *, today: date | None = None
) -> RabatWorksheet:
    """A pre-filled worksheet for stored item ``item_id`` from its newest score and the
    country's shareable Signals. Raises ``LookupError`` if there is no such item."""
    from tocsin.speech._store import latest_speech_score, list_speech_items
    from tocsin.store import list_signals

    found = list_speech_items(session, ids=[item_id])
    if not found:
        raise LookupError(f"no speech item {item_id}")
    stored = found[0]
    score = latest_speech_score(session, item_id)
    signals: list[Signal] = []
    if stored.item.iso3:
        kinds = [k for k in SignalKind if k is not SignalKind.SPEECH_SURGE]
        signals = worksheet_signals(
            list_signals(session, iso3=stored.item.iso3, kinds=kinds, limit=500)
        )
    return prefill_worksheet(
        item_id,
        stored.item,
        scores=score.scores if score else {},
        target_groups=score.target_groups if score else [],
        country_signals=signals,
        today=today or stored.item.published_date or datetime.now(UTC).date(),
    )
