"""monitor: the watch's lease and its last cycle

One row per lock name (``watch``): who holds the lease and until when, and the last
cycle's start, end, summary and error (see ``tocsin.monitor._state``).

Revision ID: monitor_0002_watch
Revises: monitor_0001_sync_state
Create Date: 2026-12-04 19:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tocsin.store._tables import UTCDateTime

revision: str = "monitor_0002_watch"
down_revision: str | None = "monitor_0001_sync_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monitor_watch",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("last_started_at", UTCDateTime(), nullable=True),
        sa.Column("last_finished_at", UTCDateTime(), nullable=True),
        sa.Column("last_result", sa.JSON(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_monitor_watch")),
    )


def downgrade() -> None:
    op.drop_table("monitor_watch")
