"""speech tasks: Voice API scripts spoken in the background (/v1/tts)

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "speech_tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("characters", sa.Integer(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("speech_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speech_tasks_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_speech_tasks_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_speech_tasks_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("speech_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speech_tasks_user_id"))
        batch_op.drop_index(batch_op.f("ix_speech_tasks_status"))
        batch_op.drop_index(batch_op.f("ix_speech_tasks_created_at"))
    op.drop_table("speech_tasks")
