"""Engine, sessions and migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import ast
import contextlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tocsin.errors import TocsinError
from tocsin.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
PACKAGE_DIR = Path(__file__).parents[1]


def migration_locations() -> list[Path]:
    """Every folder of Alembic revisions: the kernel's, then each capability's.

    A capability keeps its revisions in ``tocsin/<capability>/migrations/`` (its own
    branch, labelled with its name). They are found by that convention, as Django finds an
    app's migrations, so the kernel imports no capability to learn where they are.
    """
    found = sorted(p for p in PACKAGE_DIR.glob("*/migrations") if p != MIGRATIONS_DIR)
    return [MIGRATIONS_DIR / "versions", *found]


#: The kernel's module that declares the core tables.
STORE_TABLE_MODULES = ("tocsin.store._tables",)


def slice_table_modules() -> list[str]:
    """Every module that declares tables: the kernel's, then ``tocsin.<capability>._store``.

    For what needs every table in ``Base.metadata`` at once (migrations' autogenerate,
    the schema test); a running command imports only the modules it uses.
    """
    return [
        *STORE_TABLE_MODULES,
        *sorted(
            f"tocsin.{p.parent.name}._store"
            for p in PACKAGE_DIR.glob("*/_store.py")
            if (p.parent / "migrations").is_dir() and p.parent.name != "store"
        ),
    ]


VERSION_TABLE = "alembic_version"


def revision_heads(locations: list[Path]) -> set[str]:
    """The revisions no other revision stacks on (``down_revision``), in ``locations``."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for folder in locations:
        for path in folder.glob("*.py"):
            values: dict[str, Any] = {}
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
                    targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
                    for target in targets:
                        if isinstance(target, ast.Name):
                            try:
                                values[target.id] = ast.literal_eval(node.value)
                            except ValueError:
                                continue
            if not isinstance(values.get("revision"), str):
                continue
            revisions.add(values["revision"])
            down = values.get("down_revision")
            parents.update([down] if isinstance(down, str) else down or ())
    return revisions - parents


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if error is not None and str(error) else "?"


class DatabaseError(TocsinError):
    """The database cannot be reached or is not at the schema this Tocsin expects."""


#: How long a SQLite writer waits for the write lock before the database answers "locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_database_busy(error: BaseException) -> bool:
    """Whether ``error`` is SQLite's "database is locked": a writer waited for the write
    lock longer than :data:`SQLITE_BUSY_TIMEOUT_MS` (a long import holds it)."""
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers run beside the one writer;
    # the busy timeout makes a second writer wait rather than fail at once. The driver's
    # own transactions are kept on purpose: they begin at the first write, reads before it
    # seeing the latest commit, so a writer always waits for the lock. One that began at
    # its first read (a plain BEGIN) and wrote after another's commit would fail at once,
    # whatever the timeout (tests/store/test_sqlite_writers.py).
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
    cursor.close()


#: What SQLite keeps beside a database file: its write-ahead log, shared memory, journal.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private_sqlite_file(path: Path) -> None:
    """Make the database file (and its folder, if new) its owner's only, before SQLite
    opens it: the file holds sealed identities and password hashes.

    SQLite creates the ``-wal``, ``-shm`` and journal files with the database file's own
    permissions, so a 0600 database keeps them 0600 too. Files made by an older Tocsin
    (0644) are tightened here; a file of another owner is left as it is.
    """
    if not path.parent.is_dir():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        # Only a file that does not exist yet is opened here: closing a descriptor of a
        # file drops every POSIX lock this process holds on it, SQLite's included, so
        # opening a database another connection of this process uses would let SQLite
        # delete its -shm file under that connection (SQLITE_IOERR_SHORT_READ).
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another backend or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database))


def create_engine_for(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url``; for SQLite make its folder and set safe pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            make_private_sqlite_file(path)
        engine = create_engine(url, echo=echo)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


class Database:
    """One database: its engine, a session factory and its migrations.

    Examples
    --------
    >>> db = Database("sqlite://")
    >>> db.upgrade()
    >>> db.current_revision() == db.head_revision()
    True
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine_for(url, echo=echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.database_url_or_default(), echo=settings.echo_sql)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def describe(self) -> str:
        """The URL with any password hidden, for messages and logs."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def _alembic_config(self) -> Config:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("path_separator", "os")
        config.set_main_option(
            "version_locations", os.pathsep.join(str(p) for p in migration_locations())
        )
        return config

    def upgrade(self, revision: str = "heads") -> None:
        """Apply migrations up to ``revision`` (every branch's head by default).

        Each capability keeps its tables on its own migration branch (labelled with the
        capability's name, depending on the core revision), so capabilities can add tables
        without ordering their revisions against each other.
        """
        from alembic import command

        self._run_alembic(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        """Undo migrations down to ``revision`` (``"base"`` for an empty database)."""
        from alembic import command

        self._run_alembic(command.downgrade, revision)

    def _run_alembic(self, action: Any, revision: str) -> None:
        config = self._alembic_config()
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                action(config, revision)
        except OperationalError as error:
            raise DatabaseError(
                f"cannot migrate the database at {self.describe()}: {_first_line(error.orig)}",
                fix="check TOCSIN_DATABASE_URL, that the server runs and the user may create "
                "tables",
            ) from error

    def current_revision(self) -> str | None:
        """The schema revisions of the database, joined by '+' (None if it has none yet).

        Read from Alembic's version table with a plain query: importing Alembic costs about
        a second of CPU, which every command and ``tocsin serve`` would pay for this check.
        """
        try:
            with self.engine.connect() as connection:
                if not inspect(connection).has_table(VERSION_TABLE):
                    return None
                heads = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
                found = sorted(str(head) for head in heads.scalars())
                return "+".join(found) if found else None
        except OperationalError as error:
            raise DatabaseError(
                f"cannot open the database at {self.describe()}: {_first_line(error.orig)}",
                fix="check TOCSIN_DATABASE_URL or --data-dir, and that the server runs",
            ) from error

    def head_revision(self) -> str | None:
        """The revisions this Tocsin's migrations lead to, joined by '+' like current_revision.

        Read from the revision files' ``revision`` and ``down_revision`` lines, not through
        Alembic's script directory (a second of imports, see :meth:`current_revision`);
        ``tests/store/test_migrations.py`` checks that both give the same heads.
        """
        heads = revision_heads(migration_locations())
        return "+".join(sorted(heads)) if heads else None

    def require_current(self) -> None:
        """Raise a helpful error unless the schema is at the head revision."""
        current = self.current_revision()
        if current != self.head_revision():
            raise DatabaseError(
                f"the database at {self.describe()} is at schema {current or 'none'}, "
                f"this Tocsin needs {self.head_revision()}",
                fix="run `tocsin up` (or `tocsin db upgrade`)",
            )

    def dispose(self) -> None:
        self.engine.dispose()


def backup_sqlite(url: str, destination: Path) -> None:
    """Copy the SQLite database of ``url`` to the new file ``destination`` (mode 0600).

    Uses SQLite's online backup, so it is consistent while a server writes; the copy is
    one file, and replaces nothing.
    PostgreSQL is dumped with ``pg_dump``.
    """
    source_path = sqlite_path(url)
    if source_path is None:
        raise DatabaseError(
            f"{make_url(url).render_as_string(hide_password=True)} is not a SQLite file",
            fix="dump PostgreSQL with `pg_dump --format=custom --file=tocsin.dump URL` "
            "(restore with `pg_restore --clean --dbname=URL tocsin.dump`)",
        )
    if not source_path.is_file():
        raise DatabaseError(f"no database at {source_path}", fix="check --data-dir")
    if destination.exists():
        raise DatabaseError(
            f"{destination} exists", fix="choose a new file: a backup never replaces one"
        )
    temporary = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.tmp")
    os.close(os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        copy_sqlite(source_path, temporary)
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy the database ``source`` into ``target`` (made or replaced as a whole) with
    SQLite's backup API, which also handles a ``target`` that is in use in WAL mode."""
    if not target.exists():
        make_private_sqlite_file(target)
    reader = sqlite3.connect(source)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
        check = writer.execute("PRAGMA integrity_check").fetchone()
        if check is None or check[0] != "ok":
            raise DatabaseError(
                f"the copy of {source} failed SQLite's integrity check: {check}",
                fix="check the disk, and the source with `sqlite3 FILE 'PRAGMA integrity_check'`",
            )
    except sqlite3.DatabaseError as error:
        raise DatabaseError(
            f"cannot copy the SQLite database {source}: {error}",
            fix="check that it is a Tocsin database file",
        ) from error
    finally:
        writer.close()
        reader.close()
