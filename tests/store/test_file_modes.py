"""The SQLite database, its -wal and -shm files and the data folder are their owner's only."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tocsin.settings import Settings
from tocsin.store import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems give a user (022): files are made world-readable."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_sqlite_alone_makes_a_world_readable_database(tmp_path: Path) -> None:
    """What happened before: the file of identities and password hashes was 0644."""
    connection = sqlite3.connect(tmp_path / "plain.db")
    connection.execute("CREATE TABLE t (x)")
    connection.close()
    assert mode(tmp_path / "plain.db") == 0o644


def test_a_new_database_its_wal_and_shm_and_its_folder_are_private(tmp_path: Path) -> None:
    home = tmp_path / "data"
    db = Database.from_settings(Settings(home=home))
    with db.engine.connect() as connection:  # open while the -wal and -shm files exist
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        connection.commit()
        files = {p.name: mode(p) for p in home.iterdir()}
        assert files == {"tocsin.db": 0o600, "tocsin.db-wal": 0o600, "tocsin.db-shm": 0o600}
    db.dispose()
    assert mode(home) == 0o700


def test_files_an_older_tocsin_made_readable_are_tightened(tmp_path: Path) -> None:
    path = tmp_path / "tocsin.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.commit()  # kept open: its -wal and -shm stay, 0644 like the database
    assert {mode(p) for p in tmp_path.iterdir()} == {0o644}
    db = Database(f"sqlite:///{path}")
    with db.engine.connect() as opened:
        opened.execute(text("SELECT * FROM t"))
    assert {p.name: mode(p) for p in tmp_path.iterdir()} == {
        "tocsin.db": 0o600,
        "tocsin.db-wal": 0o600,
        "tocsin.db-shm": 0o600,
    }
    db.dispose()
    connection.close()
