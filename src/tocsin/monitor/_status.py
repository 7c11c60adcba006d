"""How current the monitored data is: each source's freshness and the watch's last cycle.

One function, :func:`monitor_status`, serves `tocsin monitor status`, the data page's
``monitor`` section; a source is stale by the rule of :func:`~tocsin.monitor.stale_sources`
(which the watch's stale-data alerts use): it has not brought new data for longer than it is
expected to publish (:func:`~tocsin.monitor.expected_update_interval`), or never brought any.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tocsin.monitor._state import read_watch_state
from tocsin.monitor._sync import _days, expected_update_interval, is_late
from tocsin.store import Database

__all__ = ["SourceFreshness", "monitor_status", "session_status", "source_freshness"]


@dataclass(frozen=True)
class SourceFreshness:
    """One source: when it last brought data, how far its data reaches, whether it is late."""

    source: str
    last_attempt_at: datetime | None
    last_new_data_at: datetime | None
    data_end: date | None
    expected_every: timedelta
    last_error: str | None
    n_items: int
    stale: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "last_attempt_at": _iso(self.last_attempt_at),
            "last_new_data_at": _iso(self.last_new_data_at),
            "data_end": self.data_end.isoformat() if self.data_end else None,
            "expected_every": _days(self.expected_every),
            "last_error": self.last_error,
            "n_items": self.n_items,
            "stale": self.stale,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def source_freshness(session: Session, *, now: datetime) -> list[SourceFreshness]:
    """Every source that has been synced at least once, with its freshness."""
    from tocsin.monitor._store import list_sync_states

    found = []
    for state in list_sync_states(session):
        expected = expected_update_interval(state.source)
        found.append(
            SourceFreshness(
                source=state.source,
                last_attempt_at=state.last_attempt_at,
                last_new_data_at=state.last_new_data_at,
                data_end=state.data_end,
                expected_every=expected,
                last_error=state.last_error,
                n_items=state.n_items,
                stale=is_late(state.last_new_data_at, expected, now),
            )
        )
    return found


def monitor_status(db: Database, *, now: datetime) -> dict[str, Any]:
    """The watch's last cycle (None if no watch ever ran) and every source's freshness."""
    with db.session() as session:
        return session_status(session, now=now)


def session_status(session: Session, *, now: datetime) -> dict[str, Any]:
    """:func:`monitor_status` within a caller's session (the web page's)."""
    state = read_watch_state(session)
    watch = None
    if state is not None:
        watch = {
            "owner": state.owner,
            "running": state.is_running(now),
            "last_started_at": _iso(state.last_started_at),
            "last_finished_at": _iso(state.last_finished_at),
            "last_error": state.last_error,
            "last_result": state.last_result,
        }
    return {
        "watch": watch,
        "sources": [s.to_dict() for s in source_freshness(session, now=now)],
    }
