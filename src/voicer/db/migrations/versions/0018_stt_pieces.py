"""stt pieces: a recognition task's audio in pieces, each heard on its own and recorded once

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stt_pieces",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("end", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["stt_tasks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id", "index"),
    )


def downgrade() -> None:
    op.drop_table("stt_pieces")
