"""The monitor's tables: what each connector has fetched so far (its sync state).

One row per source (``monitor_sync_state``): the cursor the source's connector reads to
fetch only what is new (JSON), when a sync was last tried and last succeeded, when one last
brought new items, the date of the newest data fetched, the last error (None after a
success) and the number of items stored in all. The kernel's migration runner finds this
module by its name (``tocsin.store.slice_table_modules``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.store import Base, UTCDateTime

__all__ = [
    "SyncState",
    "SyncStateRow",
    "get_sync_state",
    "list_sync_states",
    "record_sync_failure",
    "record_sync_success",
]


class SyncStateRow(Base):
    __tablename__ = "monitor_sync_state"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_new_data_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    data_end: Mapped[date | None] = mapped_column(Date)
    last_error: Mapped[str | None] = mapped_column(Text)
    n_items: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class SyncState:
    """What one source's connector has fetched so far."""

    source: str
    cursor: dict[str, Any] | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_new_data_at: datetime | None  # the last sync that stored new items
    data_end: date | None
    last_error: str | None
    n_items: int


def _state(row: SyncStateRow) -> SyncState:
    return SyncState(
        source=row.source,
        cursor=json.loads(row.cursor) if row.cursor else None,
        last_attempt_at=row.last_attempt_at,
        last_success_at=row.last_success_at,
        last_new_data_at=row.last_new_data_at,
        data_end=row.data_end,
        last_error=row.last_error,
        n_items=row.n_items,
    )


def get_sync_state(session: Session, source: str) -> SyncState | None:
    """The sync state of ``source``, or None if it was never synced."""
    row = session.get(SyncStateRow, source)
    return _state(row) if row is not None else None


def list_sync_states(session: Session) -> list[SyncState]:
    """Every source's sync state, by name."""
    rows = session.scalars(select(SyncStateRow).order_by(SyncStateRow.source))
    return [_state(row) for row in rows]


def _row(session: Session, source: str) -> SyncStateRow:
    row = session.get(SyncStateRow, source)
    if row is None:
        row = SyncStateRow(source=source, n_items=0)
        session.add(row)
    return row


def record_sync_success(
    session: Session,
    source: str,
    *,
    cursor: dict[str, Any] | None,
    data_end: date | None,
    n_items: int,
    now: datetime,
) -> SyncState:
    """Advance ``source``'s cursor after its data were stored, in the same transaction.

    ``data_end`` None keeps the date already recorded (nothing new was fetched);
    ``n_items`` (the items stored by this sync) is added to the total.
    """
    row = _row(session, source)
    row.cursor = json.dumps(cursor, sort_keys=True) if cursor is not None else None
    row.last_attempt_at = now
    row.last_success_at = now
    if data_end is not None and (row.data_end is None or data_end > row.data_end):
        row.data_end = data_end
    if n_items > 0:
        row.last_new_data_at = now
    row.last_error = None
    row.n_items = (row.n_items or 0) + n_items
    session.flush()
    return _state(row)


def record_sync_failure(session: Session, source: str, *, error: str, now: datetime) -> SyncState:
    """Note a failed sync of ``source``: its cursor and data are left as they were."""
    row = _row(session, source)
    row.last_attempt_at = now
    row.last_error = error[:4000]
    session.flush()
    return _state(row)


# The kernel's migration runner and tests/store/test_migrations.py collect a slice's tables
# by importing its `_store` module only: the watch's table lives in `_state`, so bring it
# into the metadata from here (at the end: `_state` may import from this module).
from tocsin.monitor._state import WatchRow  # noqa: E402, F401
