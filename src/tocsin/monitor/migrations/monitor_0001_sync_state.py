"""monitor: the sync state of each connector

Revision ID: monitor_0001_sync_state
Revises: (a root; depends on the kernel's 0001)
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tocsin.store._tables import UTCDateTime

revision: str = "monitor_0001_sync_state"
# The monitor branch is a root of its own, like the alerts' and assessments': its tables
# reference none of the kernel's, and branching off the kernel's head would make that head
# (which the kernel's own tests downgrade and upgrade) no longer a head.
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("monitor",)
depends_on: str | Sequence[str] | None = "0001"


def upgrade() -> None:
    op.create_table(
        "monitor_sync_state",
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_success_at", UTCDateTime(), nullable=True),
        sa.Column("last_new_data_at", UTCDateTime(), nullable=True),
        sa.Column("data_end", sa.Date(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("n_items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_monitor_sync_state")),
    )


def downgrade() -> None:
    op.drop_table("monitor_sync_state")
