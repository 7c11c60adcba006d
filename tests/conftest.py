"""Fixtures shared by every test: real SQLite files and a real PostgreSQL schema."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from tocsin.store import Database

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
POSTGRES_URL = os.environ.get(
    "TOCSIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session", autouse=True)
def private_config_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A config folder of the test run's own: new key rings are made in the per-user config
    folder (``tocsin.settings.default_key_file``), never in the developer's."""
    folder = tmp_path_factory.mktemp("config-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(folder))
        yield folder


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Argon2id at its cheapest in this process (as Django's test settings advise): the
    suite hashes and checks passwords some thousand times, at 85 ms of CPU each with the
    production parameters. Hashes keep their own parameters, so both kinds verify; the
    servers and commands the tests start as processes, and
    tests/web/test_sign_in.py::test_passwords_are_hashed_with_the_production_parameters,
    use the real ones."""
    from argon2 import PasswordHasher

    from tocsin.web import _security

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            _security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        yield


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


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the head once per session: each test copies it, instead of
    running every migration again (0.2-0.4 s a test)."""
    path = tmp_path_factory.mktemp("migrated") / "tocsin.db"
    template = Database(f"sqlite:///{path}")
    template.upgrade()
    template.dispose()  # the last connection closes: the WAL is checkpointed into the file
    return path


@pytest.fixture(scope="session")
def migrated_postgres(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database migrated to the head once per session, the template each test's
    own database is created from (0.1 s, against 0.75 s for the migrations)."""
    name = f"tocsin_template_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    template = Database(_with_database(postgres_url, name))
    template.upgrade()
    template.dispose()  # CREATE DATABASE ... TEMPLATE needs the template without sessions
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database at the head revision, on each backend: a copy of the session's migrated
    template (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL)."""
    if request.param == "sqlite":
        path = tmp_path / "tocsin.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        database = Database(f"sqlite:///{path}")
        admin = None
        name = ""
    else:
        template: str = request.getfixturevalue("migrated_postgres")
        base: str = request.getfixturevalue("postgres_url")
        name = f"tocsin_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        database = Database(_with_database(base, name))
    database.require_current()
    yield database
    database.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
