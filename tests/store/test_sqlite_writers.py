"""SQLite under concurrent sessions, on a real database file: readers run beside a writer
(WAL), writers queue on the busy timeout instead of failing "database is locked", and a
session that read before another's commit can still write.

The last is why the kernel keeps the driver's way of beginning transactions (at the first
write, reads before it seeing the latest commit): a transaction that holds a read snapshot
when it first writes cannot wait for the write lock (SQLite answers SQLITE_BUSY at once,
whatever the busy timeout), so beginning every transaction at its first read would turn
ordinary concurrency into "database is locked".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tocsin.store import Database


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'tocsin.db'}")
    with database.session() as session:
        session.execute(text("CREATE TABLE notes (what TEXT)"))
    yield database
    database.dispose()


def _write(session: Session, what: str) -> None:
    session.execute(text("INSERT INTO notes (what) VALUES (:what)"), {"what": what})


def _read(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM notes")).scalar_one())


def _count(db: Database) -> int:
    with db.session() as session:
        return _read(session)


def test_a_reader_is_not_held_up_by_an_open_write_transaction(sqlite_db: Database) -> None:
    with sqlite_db.session() as session:
        _write(session, "committed")
    with sqlite_db.session() as writer:
        _write(writer, "not committed yet")
        began = time.monotonic()
        assert _count(sqlite_db) == 1  # the committed row only, at once
        assert time.monotonic() - began < 1
    assert _count(sqlite_db) == 2


def test_a_second_writer_waits_for_the_first_and_succeeds(sqlite_db: Database) -> None:
    holding = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with sqlite_db.session() as session:
                _write(session, "first")
                holding.set()
                time.sleep(1.0)  # holds the write lock a while
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
            holding.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    began = time.monotonic()
    with sqlite_db.session() as session:
        _write(session, "second")
    waited = time.monotonic() - began
    thread.join()
    assert not errors
    assert waited > 0.5  # it queued behind the first writer's commit
    assert _count(sqlite_db) == 2


def test_a_session_that_read_before_another_commit_can_still_write(sqlite_db: Database) -> None:
    with sqlite_db.session() as session:
        assert _read(session) == 0
        with sqlite_db.session() as other:  # commits between this session's read and write
            _write(other, "meanwhile")
        _write(session, "after reading")
    assert _count(sqlite_db) == 2


def test_twenty_writers_at_once_all_succeed(sqlite_db: Database) -> None:
    start = threading.Barrier(20)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        start.wait()
        try:
            with sqlite_db.session() as session:
                _read(session)  # read, then write
                _write(session, f"writer {i}")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _count(sqlite_db) == 20
