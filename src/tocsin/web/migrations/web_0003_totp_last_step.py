"""web: the last TOTP time step each user signed in with, so a code is never used twice

Revision ID: web_0003_totp_last_step
Revises: web_0002_import_jobs_attachments
Create Date: 2026-12-04 01:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "web_0003_totp_last_step"
down_revision: str | None = "web_0002_import_jobs_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: on SQLite a batch copies web_users into a new table
# and drops the old one, which foreign keys from other tables' rows (import jobs, reports)
# forbid. SQLite adds and (since 3.35) drops a column in place.


def upgrade() -> None:
    op.add_column("web_users", sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("web_users", "totp_last_step")
