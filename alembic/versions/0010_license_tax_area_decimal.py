"""등록면허세: the 영업장 면적 as typed (85.5 ㎡, 30평 = 99.17 ㎡), not rounded to whole ㎡

Revision ID: 0010_lt_area
Revises: 0009_handover
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = "0010_lt_area"
down_revision: Union[str, Sequence[str], None] = "0009_handover"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("license_tax_notices") as batch:
        batch.alter_column("figure", existing_type=sa.Integer(), type_=sa.Float(), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("license_tax_notices") as batch:
        batch.alter_column(
            "figure",
            existing_type=sa.Float(),
            type_=sa.Integer(),
            existing_nullable=True,
            postgresql_using="round(figure)::integer",
        )
