"""speech: the search index of speech items (text, speaker, outlet)

SQLite: an FTS5 table over ``speech_items`` (external content: it holds the index, not a
second copy of the texts), kept in step by triggers. PostgreSQL: a GIN index on
``to_tsvector('simple', ...)`` of the same fields (``simple``: no stemming, the items are
in many languages). Both are filled from the items already stored.

Revision ID: speech_0002_search
Revises: 0002_create_speech_tables
Create Date: 2026-12-04 19:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "speech_0002_search"
down_revision: str | None = "0002_create_speech_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ("text", "speaker", "outlet")
DOCUMENT = (
    "to_tsvector('simple', " + " || ' ' || ".join(f"coalesce({name}, '')" for name in FIELDS) + ")"
)


def _values(prefix: str) -> str:
    return ", ".join(f"{prefix}.{name}" for name in FIELDS)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_speech_items_search ON speech_items USING gin ({DOCUMENT})")
        return
    columns = ", ".join(FIELDS)
    op.execute(
        f"CREATE VIRTUAL TABLE speech_items_search USING fts5({columns}, "
        "content='speech_items', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    delete = (
        f"INSERT INTO speech_items_search(speech_items_search, rowid, {columns}) "
        f"VALUES ('delete', old.id, {_values('old')});"
    )
    insert = f"INSERT INTO speech_items_search(rowid, {columns}) VALUES (new.id, {_values('new')});"
    op.execute(
        f"CREATE TRIGGER speech_items_search_insert AFTER INSERT ON speech_items BEGIN {insert} END"
    )
    op.execute(
        f"CREATE TRIGGER speech_items_search_delete AFTER DELETE ON speech_items BEGIN {delete} END"
    )
    op.execute(
        f"CREATE TRIGGER speech_items_search_update AFTER UPDATE OF {columns} ON speech_items "
        f"BEGIN {delete} {insert} END"
    )
    op.execute("INSERT INTO speech_items_search(speech_items_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_speech_items_search")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER speech_items_search_{trigger}")
    op.execute("DROP TABLE speech_items_search")
