"""new-resident information and the monthly newsletter

Revision ID: 0005
Revises: 0004
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "new_residents",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("dong", sa.String(length=20), nullable=False),
        sa.Column("moved_in_on", sa.Date(), nullable=False),
        sa.Column("head_age", sa.String(length=8), nullable=True),
        sa.Column("children_under_7", sa.Boolean(), nullable=True),
        sa.Column("school_age_children", sa.Boolean(), nullable=True),
        sa.Column("seniors_65", sa.Boolean(), nullable=True),
        sa.Column("pet", sa.Boolean(), nullable=True),
        sa.Column("car", sa.Boolean(), nullable=True),
        sa.Column("subscribed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_new_residents_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_new_residents")),
        sa.UniqueConstraint("token", name=op.f("uq_new_residents_token")),
    )
    with op.batch_alter_table("new_residents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_new_residents_moved_in_on"), ["moved_in_on"], unique=False)

    op.create_table(
        "newsletter_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photo_file_id", sa.String(length=200), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("editor_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fanned_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_count", sa.Integer(), nullable=True),
        sa.Column("blocked_count", sa.Integer(), nullable=True),
        sa.Column("failed_count", sa.Integer(), nullable=True),
        sa.Column("cancelled_count", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_issues")),
        sa.UniqueConstraint("month", name=op.f("uq_newsletter_issues_month")),
    )
    with op.batch_alter_table("newsletter_issues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_newsletter_issues_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("newsletter_issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_newsletter_issues_status"))

    op.drop_table("newsletter_issues")
    with op.batch_alter_table("new_residents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_new_residents_moved_in_on"))

    op.drop_table("new_residents")
