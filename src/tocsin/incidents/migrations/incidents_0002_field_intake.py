"""incidents: field intake (where each pulled form stopped, the text-message queue)

``incident_intake_cursors`` keeps the newest submission time of each KoboToolbox or ODK
Central form pulled, so the next pull asks only for newer ones; ``incident_drafts`` is
the verification queue of reports sent by text message, each once per gateway message
id, with the sender's number sealed.

Revision ID: incidents_0002_field_intake
Revises: incidents_0001_own_tables
Create Date: 2026-12-04 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tocsin.store._tables import UTCDateTime

revision: str = "incidents_0002_field_intake"
down_revision: str | None = "incidents_0001_own_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident_intake_cursors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("form_key", sa.String(length=500), nullable=False),
        sa.Column("last_submission_time", sa.String(length=40), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_intake_cursors")),
        sa.UniqueConstraint("source", "form_key", name=op.f("uq_incident_intake_cursors_source")),
    )
    op.create_table(
        "incident_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sender_ciphertext", sa.Text(), nullable=False),
        sa.Column("sender_key_id", sa.String(length=40), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'verified', 'rejected')",
            name=op.f("ck_incident_drafts_status"),
        ),
        sa.ForeignKeyConstraint(
            ["iso3"], ["countries.iso3"], name=op.f("fk_incident_drafts_iso3_countries")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["incident_reports.id"],
            name=op.f("fk_incident_drafts_report_id_incident_reports"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["web_users.id"], name=op.f("fk_incident_drafts_decided_by_web_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_drafts")),
        sa.UniqueConstraint("channel", "message_id", name=op.f("uq_incident_drafts_channel")),
        sa.UniqueConstraint("public_id", name=op.f("uq_incident_drafts_public_id")),
    )
    op.create_index(op.f("ix_incident_drafts_status"), "incident_drafts", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_incident_drafts_status"), table_name="incident_drafts")
    op.drop_table("incident_drafts")
    op.drop_table("incident_intake_cursors")
