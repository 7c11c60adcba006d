"""web: import jobs of the data page, encrypted attachments of incident reports

Revision ID: web_0002_import_jobs_attachments
Revises: 0005_create_web_tables
Create Date: 2026-11-29 02:40:03.400835
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tocsin.store._tables import UTCDateTime

revision: str = "web_0002_import_jobs_attachments"
down_revision: str | None = "0005_create_web_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("n_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("skip_invalid", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=True),
        sa.Column("n_done", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("n_problems", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("rejected_csv", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=120), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'parsing', 'storing', 'done', 'refused', 'failed')",
            name=op.f("ck_web_import_jobs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["web_users.id"], name=op.f("fk_web_import_jobs_created_by_web_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_import_jobs")),
    )
    with op.batch_alter_table("web_import_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_import_jobs_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "web_report_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("n_bytes", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["web_users.id"],
            name=op.f("fk_web_report_attachments_created_by_web_users"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["web_incident_reports.id"],
            name=op.f("fk_web_report_attachments_report_id_web_incident_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_report_attachments")),
        sa.UniqueConstraint("public_id", name=op.f("uq_web_report_attachments_public_id")),
    )
    with op.batch_alter_table("web_report_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_report_attachments_report_id"), ["report_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("web_report_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_report_attachments_report_id"))

    op.drop_table("web_report_attachments")
    with op.batch_alter_table("web_import_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_import_jobs_created_at"))

    op.drop_table("web_import_jobs")
