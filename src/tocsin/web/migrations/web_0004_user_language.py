"""web: each user's interface language (None: the browser's Accept-Language decides)

Revision ID: web_0004_user_language
Revises: web_0003_totp_last_step
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "web_0004_user_language"
down_revision: str | None = "web_0003_totp_last_step"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, as web_0003: a batch copy of web_users is forbidden by the foreign
# keys other tables' rows hold to it.


def upgrade() -> None:
    op.add_column("web_users", sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("web_users", "language")
