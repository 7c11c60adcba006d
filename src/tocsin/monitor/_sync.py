"""How often each source publishes, and which sources have gone quiet for too long.

The sync state itself (cursor, last attempt and success, data end, last error, items
stored) is the table of :mod:`tocsin.monitor._store`; this module reads it to tell a
source that is late: one that has brought no new data for longer than it publishes
(:func:`stale_sources`), whether because the source has stopped or because the syncs fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tocsin.errors import TocsinError
from tocsin.monitor._store import list_sync_states
from tocsin.store import Database

__all__ = ["EXPECTED_UPDATE_INTERVALS", "StaleSource", "expected_update_interval", "stale_sources"]

#: How often each source publishes new data, at the slowest it normally does: GDELT every
#: 15 minutes (an hour without a file is late), ReliefWeb daily, ACLED weekly (on Tuesdays,
#: the week before's events), the UCDP Candidate events monthly (about a month after the
#: month's end), UCDP GED yearly (in June).
EXPECTED_UPDATE_INTERVALS: dict[str, timedelta] = {
    "gdelt": timedelta(hours=1),
    "reliefweb": timedelta(days=2),
    "acled": timedelta(days=14),
    "ucdp_candidate": timedelta(days=45),
    "ucdp_ged": timedelta(days=400),
}


def expected_update_interval(source: str) -> timedelta:
    """How long ``source`` may go without new data before it is stale.

    >>> expected_update_interval("gdelt")
    datetime.timedelta(seconds=3600)
    """
    try:
        return EXPECTED_UPDATE_INTERVALS[source]
    except KeyError:
        known = ", ".join(EXPECTED_UPDATE_INTERVALS)
        raise TocsinError(f"unknown source {source!r}", fix=f"use one of {known}") from None


@dataclass(frozen=True)
class StaleSource:
    """A source that has brought no new data for longer than it publishes.

    ``last_update`` is when a sync last stored new items from it (None: never).
    """

    source: str
    last_update: datetime | None
    expected_every: timedelta
    last_success_at: datetime | None
    data_end: date | None
    last_error: str | None

    def reason(self, now: datetime) -> str:
        """One line saying why, e.g. ``acled: no new data for 20 days (expected every 14)``."""
        if self.last_update is None:
            why = "never brought data"
        else:
            why = f"no new data for {_days(now - self.last_update)}"
        tail = f"; last error: {self.last_error}" if self.last_error else ""
        return f"{self.source}: {why} (expected every {_days(self.expected_every)}){tail}"


def is_late(last_new_data_at: datetime | None, every: timedelta, now: datetime) -> bool:
    """The one rule of staleness: no new data yet, or none within ``every``."""
    return last_new_data_at is None or now - last_new_data_at > every


def _days(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.0f} days"


def stale_sources(
    db: Database, *, now: datetime, names: Iterable[str] | None = None
) -> list[StaleSource]:
    """The sources whose last new data are older than their expected update interval.

    Every source with a sync state is looked at; ``names`` adds those never synced (each
    of them is stale: it never brought data) and limits the answer to them.
    """
    with db.session() as session:
        states = {s.source: s for s in list_sync_states(session)}
    wanted = list(names) if names is not None else sorted(states)
    found: list[StaleSource] = []
    for name in wanted:
        if name not in EXPECTED_UPDATE_INTERVALS:
            continue  # a source of someone else's naming: no schedule to judge it by
        every = EXPECTED_UPDATE_INTERVALS[name]
        state = states.get(name)
        last = state.last_new_data_at if state is not None else None
        if not is_late(last, every, now):
            continue
        found.append(
            StaleSource(
                source=name,
                last_update=last,
                expected_every=every,
                last_success_at=state.last_success_at if state else None,
                data_end=state.data_end if state else None,
                last_error=state.last_error if state else None,
            )
        )
    return found
