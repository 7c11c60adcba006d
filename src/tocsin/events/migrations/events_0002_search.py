"""events: the search index of events (notes, actors, places)

SQLite: an FTS5 table over ``events`` (external content, keyed on the rowid), kept in step
by triggers, so every write path (the bulk import's raw ``executemany`` too) updates it.
PostgreSQL: a GIN index on ``to_tsvector('simple', ...)`` of the same fields (``simple``:
no stemming, the notes are in many languages). Both are filled from the events already
stored.

Revision ID: events_0002_search
Revises: events_0001_create_tables
Create Date: 2026-12-04 19:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "events_0002_search"
down_revision: str | None = "events_0001_create_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ("location", "admin1", "admin2", "perpetrator", "target", "target_group", "notes")
DOCUMENT = (
    "to_tsvector('simple', " + " || ' ' || ".join(f"coalesce({name}, '')" for name in FIELDS) + ")"
)


def _values(prefix: str) -> str:
    return ", ".join(f"{prefix}.{name}" for name in FIELDS)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_events_search ON events USING gin ({DOCUMENT})")
        return
    columns = ", ".join(FIELDS)
    op.execute(
        f"CREATE VIRTUAL TABLE events_search USING fts5({columns}, content='events', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    delete = (
        f"INSERT INTO events_search(events_search, rowid, {columns}) "
        f"VALUES ('delete', old.rowid, {_values('old')});"
    )
    insert = f"INSERT INTO events_search(rowid, {columns}) VALUES (new.rowid, {_values('new')});"
    op.execute(f"CREATE TRIGGER events_search_insert AFTER INSERT ON events BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER events_search_delete AFTER DELETE ON events BEGIN {delete} END")
    op.execute(
        f"CREATE TRIGGER events_search_update AFTER UPDATE OF {columns} ON events "
        f"BEGIN {delete} {insert} END"
    )
    op.execute("INSERT INTO events_search(events_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_events_search")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER events_search_{trigger}")
    op.execute("DROP TABLE events_search")
