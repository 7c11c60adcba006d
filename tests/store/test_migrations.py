"""The same migrations build the same schema on SQLite and PostgreSQL, and undo cleanly."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from tocsin.store import Database, migration_locations, slice_table_modules
from tocsin.store._tables import Base

for _module in slice_table_modules():  # every capability's tables, as the migrations see them
    importlib.import_module(_module)

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


def _not_a_search_index(name: str | None, _type: str, _parents: object) -> bool:
    """Search indexes are made by SQL in their capability's migration, outside the table
    definitions: SQLite FTS5 tables (``events_search`` and its shadow tables) and
    PostgreSQL expression indexes (``ix_events_search``). Their names say so."""
    return "_search" not in (name or "")


def test_migrations_match_the_table_definitions(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": _not_a_search_index}
        )
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


def test_every_slice_is_collected_with_its_own_branch() -> None:
    slices = {module.split(".")[1] for module in slice_table_modules()} - {"store"}
    assert {"alerts", "assess", "events", "forecast", "incidents", "speech", "web"} <= slices
    locations = migration_locations()
    for name in slices:
        folder = Path(importlib.import_module(f"tocsin.{name}").__file__ or "").parent
        assert folder / "migrations" in locations
    script = ScriptDirectory.from_config(Database("sqlite://")._alembic_config())
    for revision in script.walk_revisions():
        folder = Path(revision.path).parent
        if folder.name == "migrations" and folder.parent.name in slices:
            # a slice's revisions are on the slice's branch: its first revision in the
            # slice's folder carries the label (its parent, if any, is the core's)
            first = revision
            while first.down_revision is not None:
                parent = script.get_revision(str(first.down_revision))
                if parent is None or Path(parent.path).parent != folder:
                    break
                first = parent
            assert folder.parent.name in first.branch_labels, revision.path


def test_the_light_revision_reading_agrees_with_alembic(db: Database) -> None:
    """`head_revision` and `current_revision` avoid importing Alembic (start-up time); they
    must give what Alembic's own script directory and migration context give."""
    script = ScriptDirectory.from_config(db._alembic_config())
    assert db.head_revision() == "+".join(sorted(script.get_heads()))
    with db.engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    assert db.current_revision() == "+".join(sorted(heads))
    db.require_current()
