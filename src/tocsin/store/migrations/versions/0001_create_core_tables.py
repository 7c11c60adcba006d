"""create countries sources signals imports audit

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 23:42:29.424326
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "countries",
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("iso2", sa.String(length=2), nullable=True),
        sa.Column("isonum", sa.Integer(), nullable=True),
        sa.Column("un_region", sa.String(length=100), nullable=True),
        sa.Column("un_subregion", sa.String(length=100), nullable=True),
        sa.Column("gw", sa.Integer(), nullable=True),
        sa.Column("cow", sa.Integer(), nullable=True),
        sa.Column("fips", sa.String(length=4), nullable=True),
        sa.Column("is_historical", sa.Boolean(), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("iso3", name=op.f("pk_countries")),
    )
    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("vintage", sa.String(length=60), nullable=True),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=True),
        sa.Column("last_year", sa.Integer(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_versions")),
        sa.UniqueConstraint("name", "sha256", name=op.f("uq_dataset_versions_name")),
    )
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_versions_name"), ["name"], unique=False)

    op.create_table(
        "framework_codes",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("factor_code", sa.String(length=10), nullable=False),
        sa.Column("catalogue_version", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_framework_codes")),
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        sa.UniqueConstraint("kind", "sha256", name=op.f("uq_imports_kind")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column("credibility", sa.String(length=1), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("sensitivity", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "credibility IN ('1','2','3','4','5','6')", name=op.f("ck_sources_credibility")
        ),
        sa.CheckConstraint(
            "reliability IN ('A','B','C','D','E','F')", name=op.f("ck_sources_reliability")
        ),
        sa.CheckConstraint(
            "sensitivity IN ('public', 'internal', 'restricted')",
            name=op.f("ck_sources_sensitivity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("key", name=op.f("uq_sources_key")),
    )
    op.create_table(
        "signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedup_key", sa.String(length=64), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("capability", sa.String(length=40), nullable=False),
        sa.Column("producer", sa.String(length=200), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("sensitivity", sa.String(length=20), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "direction IN ('risk', 'resilience')", name=op.f("ck_signals_direction")
        ),
        sa.CheckConstraint(
            "sensitivity IN ('public', 'internal', 'restricted')",
            name=op.f("ck_signals_sensitivity"),
        ),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_signals_span_ordered")),
        sa.CheckConstraint(
            "strength >= 0 AND strength <= 1", name=op.f("ck_signals_strength_range")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_signals_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["iso3"], ["countries.iso3"], name=op.f("fk_signals_iso3_countries")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_signals_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signals")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_signals_dedup_key")),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signals_country_span", ["iso3", "start_date", "end_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_signals_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_signals_stored_at"), ["stored_at"], unique=False)

    op.create_table(
        "signal_framework_codes",
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"],
            ["framework_codes.code"],
            name=op.f("fk_signal_framework_codes_code_framework_codes"),
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signals.id"],
            name=op.f("fk_signal_framework_codes_signal_id_signals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("signal_id", "code", name=op.f("pk_signal_framework_codes")),
    )


def downgrade() -> None:
    op.drop_table("signal_framework_codes")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals_stored_at"))
        batch_op.drop_index(batch_op.f("ix_signals_kind"))
        batch_op.drop_index("ix_signals_country_span")

    op.drop_table("signals")
    op.drop_table("sources")
    op.drop_table("imports")
    op.drop_table("framework_codes")
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_versions_name"))

    op.drop_table("dataset_versions")
    op.drop_table("countries")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
