"""monthly opinion days

Revision ID: 0003
Revises: 0002
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "opinion_subscriptions",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("dong", sa.String(length=20), nullable=True),
        sa.Column("subscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_opinion_subscriptions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_opinion_subscriptions")),
    )
    with op.batch_alter_table("opinion_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opinion_subscriptions_active"), ["active"], unique=False)

    op.create_table(
        "opinion_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_code", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("background", sa.Text(), nullable=False),
        sa.Column("image_file_id", sa.String(length=200), nullable=True),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("poll_options", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announce_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("close_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("analysis_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("analysis", sa.JSON(), nullable=True),
        sa.Column("analysis_text", sa.Text(), nullable=True),
        sa.Column("analysis_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("analysis_published_by", sa.BigInteger(), nullable=True),
        sa.Column("answer_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_published_by", sa.BigInteger(), nullable=True),
        sa.Column("analysis_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("analysis_escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opinion_topics")),
        sa.UniqueConstraint("day", name=op.f("uq_opinion_topics_day")),
    )
    with op.batch_alter_table("opinion_topics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opinion_topics_status"), ["status"], unique=False)

    op.create_table(
        "opinion_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("theme", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["opinion_topics.id"],
            name=op.f("fk_opinion_entries_topic_id_opinion_topics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_opinion_entries_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opinion_entries")),
        sa.UniqueConstraint("topic_id", "user_id", "slot", name="uq_opinion_entries_topic_user_slot"),
    )
    with op.batch_alter_table("opinion_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opinion_entries_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "opinion_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("dong", sa.String(length=20), nullable=True),
        sa.Column("poll_choice", sa.JSON(), nullable=True),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["opinion_topics.id"],
            name=op.f("fk_opinion_participants_topic_id_opinion_topics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_opinion_participants_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opinion_participants")),
        sa.UniqueConstraint("topic_id", "user_id", name="uq_opinion_participants_topic_user"),
    )
    with op.batch_alter_table("opinion_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opinion_participants_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "opinion_polls",
        sa.Column("poll_id", sa.String(length=64), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["opinion_topics.id"],
            name=op.f("fk_opinion_polls_topic_id_opinion_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", name=op.f("pk_opinion_polls")),
    )
    with op.batch_alter_table("opinion_polls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opinion_polls_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "opinion_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("keyword", sa.String(length=40), nullable=False),
        sa.Column("opinions", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("policy_status", sa.String(length=12), nullable=True),
        sa.Column("policy_note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["opinion_topics.id"],
            name=op.f("fk_opinion_themes_topic_id_opinion_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opinion_themes")),
        sa.UniqueConstraint("topic_id", "rank", name="uq_opinion_themes_topic_rank"),
    )
    with op.batch_alter_table("opinion_themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opinion_themes_topic_id"), ["topic_id"], unique=False)


def downgrade() -> None:
    for table in ("opinion_themes", "opinion_polls", "opinion_participants", "opinion_entries"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_topic_id"))
        op.drop_table(table)
    with op.batch_alter_table("opinion_topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opinion_topics_status"))
    op.drop_table("opinion_topics")
    with op.batch_alter_table("opinion_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opinion_subscriptions_active"))
    op.drop_table("opinion_subscriptions")
