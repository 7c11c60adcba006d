"""incidents: the incident reports' tables become the incidents slice's

The web slice's first revisions created ``web_incident_reports`` and
``web_report_attachments``. This revision gives the incidents capability its own tables
(``incident_reports``, ``incident_attachments``) with the naming convention's constraint
names, copies every row (ids kept, so attachments stay with their reports), and drops the
old tables. Downgrade copies back.

Revision ID: incidents_0001_own_tables
Revises: web_0002_import_jobs_attachments
Create Date: 2026-12-02 12:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tocsin.store._tables import UTCDateTime

revision: str = "incidents_0001_own_tables"
# It branches off the web slice's last revision (whose tables it moves), so the
# incidents branch starts there and each slice's later revisions keep their own heads.
down_revision: str | None = "web_0002_import_jobs_attachments"
branch_labels: str | Sequence[str] | None = ("incidents",)
depends_on: str | Sequence[str] | None = None

REPORT_COLUMNS = (
    "id, public_id, owner_id, idempotency_key, sensitivity, iso3, start_date, end_date, "
    "event_type, location, admin1, latitude, longitude, perpetrator, perpetrator_kind, "
    "victim_group, victim_kind, fatalities_best, civilian_deaths, narrative, "
    "identities_ciphertext, identities_key_id, event_uid, created_at"
)
ATTACHMENT_COLUMNS = (
    "id, public_id, report_id, content_type, n_bytes, key_id, sealed, content, created_by, "
    "created_at"
)


def _create_tables(reports: str, attachments: str) -> None:
    op.create_table(
        reports,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("sensitivity", sa.String(length=20), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("admin1", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("perpetrator", sa.Text(), nullable=True),
        sa.Column("perpetrator_kind", sa.String(length=20), nullable=False),
        sa.Column("victim_group", sa.Text(), nullable=True),
        sa.Column("victim_kind", sa.String(length=20), nullable=False),
        sa.Column("fatalities_best", sa.Integer(), nullable=True),
        sa.Column("civilian_deaths", sa.Integer(), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.Column("identities_ciphertext", sa.Text(), nullable=True),
        sa.Column("identities_key_id", sa.String(length=40), nullable=True),
        sa.Column("event_uid", sa.String(length=160), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "sensitivity IN ('public', 'internal', 'restricted')",
            name=op.f(f"ck_{reports}_sensitivity"),
        ),
        sa.ForeignKeyConstraint(
            ["iso3"], ["countries.iso3"], name=op.f(f"fk_{reports}_iso3_countries")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["web_users.id"], name=op.f(f"fk_{reports}_owner_id_web_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{reports}")),
        sa.UniqueConstraint("owner_id", "idempotency_key", name=op.f(f"uq_{reports}_owner_id")),
        sa.UniqueConstraint("public_id", name=op.f(f"uq_{reports}_public_id")),
    )
    for column in ("created_at", "iso3", "owner_id"):
        op.create_index(op.f(f"ix_{reports}_{column}"), reports, [column], unique=False)
    op.create_table(
        attachments,
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
            ["created_by"], ["web_users.id"], name=op.f(f"fk_{attachments}_created_by_web_users")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            [f"{reports}.id"],
            name=op.f(f"fk_{attachments}_report_id_{reports}"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{attachments}")),
        sa.UniqueConstraint("public_id", name=op.f(f"uq_{attachments}_public_id")),
    )
    op.create_index(op.f(f"ix_{attachments}_report_id"), attachments, ["report_id"], unique=False)


def _move(old: tuple[str, str], new: tuple[str, str]) -> None:
    """Create the ``new`` (reports, attachments) tables, copy every row, drop ``old``."""
    _create_tables(*new)
    for source, target, columns in (
        (old[0], new[0], REPORT_COLUMNS),
        (old[1], new[1], ATTACHMENT_COLUMNS),
    ):
        op.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {source}")
        if op.get_bind().dialect.name == "postgresql":
            # the copied ids were given explicitly: the serial must continue after them
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{target}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {target}), 0) + 1, false)"
            )
    for column in ("report_id",):
        op.drop_index(op.f(f"ix_{old[1]}_{column}"), table_name=old[1])
    op.drop_table(old[1])
    for column in ("created_at", "iso3", "owner_id"):
        op.drop_index(op.f(f"ix_{old[0]}_{column}"), table_name=old[0])
    op.drop_table(old[0])


def upgrade() -> None:
    _move(
        ("web_incident_reports", "web_report_attachments"),
        ("incident_reports", "incident_attachments"),
    )


def downgrade() -> None:
    _move(
        ("incident_reports", "incident_attachments"),
        ("web_incident_reports", "web_report_attachments"),
    )
