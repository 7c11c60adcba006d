"""Engine, sessions and migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import ast
import os
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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers run beside the one writer;
    # the busy timeout makes a second writer wait rather than fail at once.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_engine_for(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url``; for SQLite make its folder and set safe pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
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
