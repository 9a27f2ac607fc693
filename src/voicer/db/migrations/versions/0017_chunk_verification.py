"""chunk verification: a verified task's chunks heard back, their word error rates

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task_chunks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("word_error_rate", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("heard", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task_chunks", schema=None) as batch_op:
        batch_op.drop_column("attempts")
        batch_op.drop_column("heard")
        batch_op.drop_column("word_error_rate")
