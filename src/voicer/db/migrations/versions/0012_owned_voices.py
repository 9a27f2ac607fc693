"""owned voices: each user's cloned and designed voices, private to them

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "owned_voices",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("engine", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=True),
        sa.Column("analysis", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("owned_voices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_owned_voices_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_owned_voices_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("owned_voices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_owned_voices_user_id"))
        batch_op.drop_index(batch_op.f("ix_owned_voices_created_at"))
    op.drop_table("owned_voices")
