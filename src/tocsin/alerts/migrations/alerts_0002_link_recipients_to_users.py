"""link alert recipients to web users (whose in-app inbox a recipient is)

Revision ID: alerts_0002_recipient_username
Revises: 0006_create_alerts_tables
Create Date: 2026-11-29 02:34:09.825630
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "alerts_0002_recipient_username"
down_revision: str | None = "0006_create_alerts_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A username, not a foreign key to web_users: the alerts branch does not depend on the
    # web branch, and recipients without a user (a partner's webhook) stay valid.
    with op.batch_alter_table("alert_recipients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username", sa.String(length=80), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_alert_recipients_username"), ["username"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_recipients_username"))
        batch_op.drop_column("username")
