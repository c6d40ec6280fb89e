"""staff workspace (issue 16 §2–3): officers' names and card/digest choice, the officer in charge
after each event, the copies of a complaint's card (to edit them when it is taken)

Revision ID: 0011_staff_workspace
Revises: 0010_lt_area
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011_staff_workspace"
down_revision: Union[str, Sequence[str], None] = "0010_lt_area"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("staff_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("telegram_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("card_mode", sa.String(length=10), nullable=False, server_default="cards"))
    with op.batch_alter_table("complaint_events") as batch:
        batch.add_column(sa.Column("officer_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_complaints_officer_id", "complaints", ["officer_id"], unique=False)
    op.create_table(
        "complaint_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            ondelete="CASCADE",
            name=op.f("fk_complaint_cards_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_cards")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_complaint_cards_dedup_key")),
    )
    op.create_index(op.f("ix_complaint_cards_complaint_id"), "complaint_cards", ["complaint_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_complaint_cards_complaint_id"), table_name="complaint_cards")
    op.drop_table("complaint_cards")
    op.drop_index("ix_complaints_officer_id", table_name="complaints")
    with op.batch_alter_table("complaint_events") as batch:
        batch.drop_column("officer_id")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("card_mode")
        batch.drop_column("telegram_name")
        batch.drop_column("staff_name")
