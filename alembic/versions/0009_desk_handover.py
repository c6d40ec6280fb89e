"""the first-contact desk may act on a complaint handed to it (issue 16 §1)

Revision ID: 0009_handover
Revises: 0008
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009_handover"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # the desk's code while a complaint is handed to it (its department had nobody reachable)
    op.add_column("complaints", sa.Column("handed_to", sa.String(length=40), nullable=True))
    op.create_index(op.f("ix_complaints_handed_to"), "complaints", ["handed_to"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_complaints_handed_to"), table_name="complaints")
    with op.batch_alter_table("complaints") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("handed_to")
