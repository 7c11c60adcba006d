"""How old the data behind a Signal are: the day they end, and whether that is stale.

A Signal's ``end_date`` is the period it speaks of, which for a forecast or an escalation
Signal lies in the future; the data it rests on ended earlier. Pages and alerts show the
data's end so that a reader sees how old the evidence is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tocsin.domain._model import Signal, SignalKind

__all__ = ["STALE_DATA_AFTER", "data_end", "is_stale"]

#: Evidence whose data ended more than 90 days before now is marked "stale data": beyond a
#: quarter, most of the event data sets Tocsin reads have published newer weeks, so an
#: older end means an update is missing rather than that nothing happened.
STALE_DATA_AFTER = timedelta(days=90)


def data_end(signal: Signal) -> date:
    """The last day of the data ``signal`` rests on.

    In order: the producer's own ``data_end`` in the provenance details (escalation
    Signals carry it); for a forecast, the 31 December of its ``data_year`` (it forecasts
    the years after); otherwise the Signal's period end, but never later than when it was
    observed (nothing can be observed from days still to come).

    >>> from tocsin.domain import Provenance
    >>> data_end(Signal(iso3="CAF", kind=SignalKind.FORECAST, start_date=date(2025, 1, 1),
    ...     end_date=date(2026, 12, 31), framework_codes=["RF1"], strength=0.1, summary="x",
    ...     provenance=Provenance(capability="forecast", producer="m",
    ...                           details={"data_year": 2024})))
    datetime.date(2024, 12, 31)
    """
    details = signal.provenance.details
    given = details.get("data_end")
    if isinstance(given, str):
        try:
            return date.fromisoformat(given)
        except ValueError:
            pass  # a malformed note from a producer: fall back on the Signal's own dates
    year = details.get("data_year")
    if signal.kind == SignalKind.FORECAST and isinstance(year, int):
        return date(year, 12, 31)
    if signal.observed_at is not None:
        return min(signal.end_date, signal.observed_at.date())
    return signal.end_date


def is_stale(end: date, now: datetime | None = None) -> bool:
    """Whether data ending on ``end`` are stale at ``now`` (default: the present, UTC):
    more than :data:`STALE_DATA_AFTER` (90 days) old.

    >>> is_stale(date(2022, 12, 30), datetime(2026, 12, 4, tzinfo=UTC))
    True
    >>> is_stale(date(2026, 11, 1), datetime(2026, 12, 4, tzinfo=UTC))
    False
    """
    today = (now or datetime.now(UTC)).date()
    return today - end > STALE_DATA_AFTER
