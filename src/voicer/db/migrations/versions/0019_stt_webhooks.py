"""stt webhooks: the callback URL a recognition task names

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stt_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stt_tasks", schema=None) as batch_op:
        batch_op.drop_column("webhook_url")
