"""dubbing projects: ElevenLabs /v1/dubbing, each with its resource of segments

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dubbing_projects",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("source_language", sa.String(length=16), nullable=True),
        sa.Column("target_language", sa.String(length=16), nullable=False),
        sa.Column("num_speakers", sa.Integer(), nullable=True),
        sa.Column("background", sa.Boolean(), nullable=False),
        sa.Column("start_time", sa.Integer(), nullable=True),
        sa.Column("end_time", sa.Integer(), nullable=True),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("characters", sa.Integer(), nullable=False),
        sa.Column("resource", sa.JSON(), nullable=True),
        sa.Column("upstream_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dubbing_projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dubbing_projects_created_at"), ["created_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_dubbing_projects_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_dubbing_projects_user_id"), ["user_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dubbing_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dubbing_projects_user_id"))
        batch_op.drop_index(batch_op.f("ix_dubbing_projects_status"))
        batch_op.drop_index(batch_op.f("ix_dubbing_projects_created_at"))
    op.drop_table("dubbing_projects")
