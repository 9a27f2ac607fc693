"""pronunciation dictionaries and their versions

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pronunciation_dictionaries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("latest_version_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pronunciation_dictionaries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pronunciation_dictionaries_created_at"),
                              ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_pronunciation_dictionaries_user_id"), ["user_id"],
                              unique=False)
    op.create_table(
        "pronunciation_dictionary_versions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("dictionary_id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dictionary_id"], ["pronunciation_dictionaries.id"],
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pronunciation_dictionary_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pronunciation_dictionary_versions_dictionary_id"),
                              ["dictionary_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pronunciation_dictionary_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pronunciation_dictionary_versions_dictionary_id"))
    op.drop_table("pronunciation_dictionary_versions")
    with op.batch_alter_table("pronunciation_dictionaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pronunciation_dictionaries_user_id"))
        batch_op.drop_index(batch_op.f("ix_pronunciation_dictionaries_created_at"))
    op.drop_table("pronunciation_dictionaries")
