"""The same migrations build the same schema on SQLite and PostgreSQL, and undo cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tocsin.store import Database
from tocsin.store._tables import Base

CORE_TABLES = {
    "countries",
    "framework_codes",
    "sources",
    "imports",
    "dataset_versions",
    "signals",
    "signal_framework_codes",
    "audit_log",
}


def test_upgrade_from_empty_creates_every_table(empty_db: Database) -> None:
    assert empty_db.current_revision() is None
    empty_db.upgrade()
    assert empty_db.current_revision() == empty_db.head_revision()
    assert CORE_TABLES <= set(inspect(empty_db.engine).get_table_names())


def test_migrations_match_the_table_definitions(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_downgrade_to_base_removes_every_table_and_upgrade_again(db: Database) -> None:
    db.downgrade("base")
    assert not CORE_TABLES & set(inspect(db.engine).get_table_names())
    db.upgrade()
    assert CORE_TABLES <= set(inspect(db.engine).get_table_names())


def test_upgrade_twice_changes_nothing(db: Database) -> None:
    head = db.current_revision()
    db.upgrade()
    assert db.current_revision() == head
