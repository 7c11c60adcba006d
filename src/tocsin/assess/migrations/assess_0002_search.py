"""assess: the search index of assessments (each version's text; comments apart)

The text of a version is the string values of its JSON content under the keys in ``KEYS``
(title, rationales, notes, descriptions, reasons, outcomes...), comments excepted; the
comments' texts are a second document, searched only for those who read drafts.
SQLite: an FTS5 table (``body``, ``comments``; rowid = the version's id) filled by triggers
when a version is stored or removed. PostgreSQL: GIN indexes on ``to_tsvector('simple',
...)`` of the body, and of the body with the comments (``simple``: no stemming, the texts
are in many languages). Both are filled from the versions already stored.

Revision ID: assess_0002_search
Revises: 0007_create_assess_tables
Create Date: 2026-12-04 19:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "assess_0002_search"
down_revision: str | None = "0007_create_assess_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = (
    "title",
    "area",
    "rationale",
    "note",
    "description",
    "reason",
    "text",
    "outcome",
    "size_note",
    "name",
)
_BODY = (
    "jsonb_path_query_array(content::jsonb - 'comments', "
    '\'strict $.** ? (@.type() == "object").keyvalue() ? '
    f'(@.key like_regex "^({"|".join(KEYS)})$" && @.value.type() == "string").value\', '
    "'{}', true)"
)
_COMMENTS = "jsonb_path_query_array(content::jsonb, '$.comments[*].text', '{}', true)"


def _sqlite_texts(row: str) -> tuple[str, str]:
    keys = ", ".join(f"'{key}'" for key in KEYS)
    body = (
        f"(SELECT group_concat(value, ' ') FROM json_tree({row}.content) WHERE type = 'text' "
        f"AND key IN ({keys}) AND fullkey NOT LIKE '$.comments%')"
    )
    comments = (
        f"(SELECT group_concat(value, ' ') FROM json_tree({row}.content, '$.comments') "
        "WHERE type = 'text' AND key = 'text')"
    )
    return body, comments


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_assessment_versions_search ON assessment_versions "
            f"USING gin (to_tsvector('simple', {_BODY}))"
        )
        op.execute(
            "CREATE INDEX ix_assessment_versions_search_all ON assessment_versions "
            f"USING gin (to_tsvector('simple', {_BODY} || {_COMMENTS}))"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE assessment_versions_search USING fts5(body, comments, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    body, comments = _sqlite_texts("new")
    insert = (
        "INSERT INTO assessment_versions_search(rowid, body, comments) "
        f"VALUES (new.id, {body}, {comments});"
    )
    delete = "DELETE FROM assessment_versions_search WHERE rowid = old.id;"
    op.execute(
        "CREATE TRIGGER assessment_versions_search_insert AFTER INSERT ON assessment_versions "
        f"BEGIN {insert} END"
    )
    op.execute(
        "CREATE TRIGGER assessment_versions_search_delete AFTER DELETE ON assessment_versions "
        f"BEGIN {delete} END"
    )
    op.execute(
        "CREATE TRIGGER assessment_versions_search_update AFTER UPDATE OF content "
        f"ON assessment_versions BEGIN {delete} {insert} END"
    )
    body, comments = _sqlite_texts("assessment_versions")
    op.execute(
        "INSERT INTO assessment_versions_search(rowid, body, comments) "
        f"SELECT id, {body}, {comments} FROM assessment_versions"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_assessment_versions_search_all")
        op.execute("DROP INDEX ix_assessment_versions_search")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER assessment_versions_search_{trigger}")
    op.execute("DROP TABLE assessment_versions_search")
