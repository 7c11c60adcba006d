"""Fixtures shared by every test: real SQLite files and a real PostgreSQL schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tocsin.store import Database

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
POSTGRES_URL = os.environ.get(
    "TOCSIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The developers' ../shared folder; tests that need it skip on a user's machine."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"{SHARED_DIR} is not here (it exists only on developer machines and in CI)")
    return SHARED_DIR


def _postgres_available() -> str | None:
    """None if the server answers, else why not."""
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except OperationalError as error:
        return str(error.orig).strip().splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL test database: skipped outside CI if absent, a failure in CI."""
    problem = _postgres_available()
    if problem:
        message = f"PostgreSQL at {POSTGRES_URL} does not answer: {problem}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the PostgreSQL tests must run)")
        pytest.skip(message)
    return POSTGRES_URL


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL whose connections work in a fresh, private schema, dropped afterwards."""
    schema = f"tocsin_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    yield f"{postgres_url}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tocsin.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def empty_db(database_url: str) -> Iterator[Database]:
    """A database with no tables yet, on each backend."""
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A database migrated to the head revision, on each backend."""
    empty_db.upgrade()
    return empty_db
