"""voice previews: the designs a voice-design preview offers, kept until they expire

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voice_previews",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("design", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("voice_previews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voice_previews_expires_at"), ["expires_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_voice_previews_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("voice_previews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_previews_user_id"))
        batch_op.drop_index(batch_op.f("ix_voice_previews_expires_at"))
    op.drop_table("voice_previews")
