"""incidents: the search index of incident reports (only the fields stored in clear)

SQLite: an FTS5 table over ``incident_reports`` (external content: it holds the index, not
a second copy of the text), kept in step by triggers. PostgreSQL: a GIN index on
``to_tsvector('simple', ...)`` of the same fields (``simple``: no stemming, the reports are
in many languages). Identities are ciphertext and are not indexed. Both are filled from the
reports already stored.

Revision ID: incidents_0003_search
Revises: incidents_0002_field_intake
Create Date: 2026-12-04 19:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "incidents_0003_search"
down_revision: str | None = "incidents_0002_field_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ("location", "admin1", "perpetrator", "victim_group", "narrative")
DOCUMENT = (
    "to_tsvector('simple', " + " || ' ' || ".join(f"coalesce({name}, '')" for name in FIELDS) + ")"
)


def _values(prefix: str) -> str:
    return ", ".join(f"{prefix}.{name}" for name in FIELDS)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX ix_incident_reports_search ON incident_reports USING gin ({DOCUMENT})"
        )
        return
    columns = ", ".join(FIELDS)
    op.execute(
        f"CREATE VIRTUAL TABLE incident_reports_search USING fts5({columns}, "
        "content='incident_reports', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    delete = (
        f"INSERT INTO incident_reports_search(incident_reports_search, rowid, {columns}) "
        f"VALUES ('delete', old.id, {_values('old')});"
    )
    insert = (
        f"INSERT INTO incident_reports_search(rowid, {columns}) VALUES (new.id, {_values('new')});"
    )
    op.execute(
        "CREATE TRIGGER incident_reports_search_insert AFTER INSERT ON incident_reports "
        f"BEGIN {insert} END"
    )
    op.execute(
        "CREATE TRIGGER incident_reports_search_delete AFTER DELETE ON incident_reports "
        f"BEGIN {delete} END"
    )
    op.execute(
        f"CREATE TRIGGER incident_reports_search_update AFTER UPDATE OF {columns} "
        f"ON incident_reports BEGIN {delete} {insert} END"
    )
    op.execute("INSERT INTO incident_reports_search(incident_reports_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_incident_reports_search")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER incident_reports_search_{trigger}")
    op.execute("DROP TABLE incident_reports_search")
