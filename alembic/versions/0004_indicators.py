"""satisfaction and performance indicators

Files sent through the outbox (report charts and spreadsheets), and the indexes the period
filters of workflows/indicators/service.py read.

Revision ID: 0004
Revises: 0003
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = (
    ("ix_complaints_received_at", "complaints", ["received_at"]),
    ("ix_complaints_answered_at", "complaints", ["answered_at", "deadline_at"]),
    ("ix_complaints_closed_at", "complaints", ["closed_at"]),
    ("ix_ratings_sent_at", "ratings", ["sent_at"]),
    ("ix_ratings_rated_at", "ratings", ["rated_at", "overall"]),
    ("ix_complaint_events_action_at", "complaint_events", ["action", "at"]),
)


def upgrade() -> None:
    op.create_table(
        "outbox_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_files")),
    )
    op.create_index(op.f("ix_outbox_files_created_at"), "outbox_files", ["created_at"], unique=False)
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index(op.f("ix_outbox_files_created_at"), table_name="outbox_files")
    op.drop_table("outbox_files")
