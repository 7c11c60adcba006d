"""The watch's lock and its last cycle, in one row of the database.

Two watches must never run a cycle at once (they would fetch the same files twice and race
to advance the sync cursors), and they may run on different machines against one
PostgreSQL database, so the lock lives in the database, not in a file. It is a *lease*: a
row ``monitor_watch`` named ``watch`` holds its owner and when the lease ends. Taking it is
one conditional ``UPDATE`` (owner empty, lease over, or already ours), which both SQLite
(one writer at a time) and PostgreSQL (the row's lock) make atomic; the owner renews it
between the steps of a long cycle, and a watch that crashed frees it when its lease runs
out. An advisory lock would be freed at once on a crash, but PostgreSQL's are tied to one
connection and SQLite has none; one mechanism for both backends is easier to trust.

The same row keeps the last cycle's start, end, summary and error, which the data page and
``/health`` show.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.store import Base, Database, UTCDateTime

__all__ = [
    "WATCH_LOCK",
    "WatchLock",
    "WatchRow",
    "WatchState",
    "hold_watch_lock",
    "read_watch_state",
    "record_watch_cycle",
]

WATCH_LOCK = "watch"


class WatchRow(Base):
    """The watch's lease and its last cycle (one row, ``name = 'watch'``)."""

    __tablename__ = "monitor_watch"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class WatchState:
    """What the data page and ``/health`` say of the watch."""

    owner: str | None
    lease_until: datetime | None
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_result: dict[str, Any] = field(default_factory=dict)
    last_error: str | None = None

    def is_running(self, now: datetime) -> bool:
        """Whether some watch holds the lock now (a cycle is under way)."""
        return self.owner is not None and self.lease_until is not None and self.lease_until > now


class WatchLock:
    """A held lease: :meth:`renew` it between long steps; it is freed on leaving
    :func:`hold_watch_lock`."""

    def __init__(self, db: Database, owner: str, lease: timedelta, name: str) -> None:
        self.db, self.owner, self.lease, self.name = db, owner, lease, name

    def renew(self, now: datetime) -> bool:
        """Extend the lease from ``now``; False if it was lost (it ran out and another
        watch took it), in which case the caller must stop writing."""
        with self.db.session() as session:
            result = session.execute(
                update(WatchRow)
                .where(WatchRow.name == self.name, WatchRow.owner == self.owner)
                .values(lease_until=now + self.lease)
            )
            return bool(getattr(result, "rowcount", 0))


def _ensure_row(db: Database, name: str) -> None:
    with db.session() as session:
        if session.get(WatchRow, name) is None:
            session.add(WatchRow(name=name))
    # two watches starting at once may both insert: the loser's commit fails on the
    # primary key, and the row it wanted exists, which is all that matters


@contextmanager
def hold_watch_lock(
    db: Database, owner: str, *, lease: timedelta, now: datetime, name: str = WATCH_LOCK
) -> Iterator[WatchLock | None]:
    """Take the lock for one cycle; yields None (and takes nothing) if another holds it.

    Examples
    --------
    >>> import tempfile
    >>> from datetime import UTC
    >>> db = Database(f"sqlite:///{tempfile.mkdtemp()}/t.db"); db.upgrade()
    >>> t = datetime(2026, 12, 4, tzinfo=UTC)
    >>> with hold_watch_lock(db, "a", lease=timedelta(minutes=5), now=t) as mine:
    ...     with hold_watch_lock(db, "b", lease=timedelta(minutes=5), now=t) as theirs:
    ...         (mine is not None, theirs is None)
    (True, True)
    >>> db.dispose()
    """
    from sqlalchemy.exc import IntegrityError

    try:
        _ensure_row(db, name)
    except IntegrityError:
        pass
    with db.session() as session:
        taken = session.execute(
            update(WatchRow)
            .where(
                WatchRow.name == name,
                (WatchRow.owner.is_(None))
                | (WatchRow.lease_until.is_(None))
                | (WatchRow.lease_until <= now)
                | (WatchRow.owner == owner),
            )
            .values(owner=owner, lease_until=now + lease)
        )
        got = bool(getattr(taken, "rowcount", 0))
    if not got:
        yield None
        return
    try:
        yield WatchLock(db, owner, lease, name)
    finally:
        with db.session() as session:
            session.execute(
                update(WatchRow)
                .where(WatchRow.name == name, WatchRow.owner == owner)
                .values(owner=None, lease_until=None)
            )


def record_watch_cycle(
    db: Database,
    *,
    started_at: datetime,
    finished_at: datetime,
    result: dict[str, Any],
    error: str | None,
    name: str = WATCH_LOCK,
) -> None:
    """Keep the summary of the cycle just run (what the data page and /health show)."""
    with db.session() as session:
        session.execute(
            update(WatchRow)
            .where(WatchRow.name == name)
            .values(
                last_started_at=started_at,
                last_finished_at=finished_at,
                last_result=result,
                last_error=error,
            )
        )


def read_watch_state(session: Session, *, name: str = WATCH_LOCK) -> WatchState | None:
    """The watch's row, or None if no watch has ever run against this database."""
    row = session.scalars(select(WatchRow).where(WatchRow.name == name)).first()
    if row is None:
        return None
    return WatchState(
        owner=row.owner,
        lease_until=row.lease_until,
        last_started_at=row.last_started_at,
        last_finished_at=row.last_finished_at,
        last_result=dict(row.last_result or {}),
        last_error=row.last_error,
    )
