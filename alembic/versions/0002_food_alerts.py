"""food-poisoning alerts for restaurant operators

Revision ID: 0002
Revises: 0001
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "food_operators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("business_name", sa.String(length=100), nullable=False),
        sa.Column("business_type", sa.String(length=20), nullable=False),
        sa.Column("dong", sa.String(length=20), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("invite_token", sa.String(length=40), nullable=True),
        sa.Column("import_key", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_food_operators_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_food_operators")),
        sa.UniqueConstraint("import_key", name=op.f("uq_food_operators_import_key")),
        sa.UniqueConstraint("invite_token", name=op.f("uq_food_operators_invite_token")),
        sa.UniqueConstraint("user_id", name=op.f("uq_food_operators_user_id")),
    )
    with op.batch_alter_table("food_operators") as batch:
        batch.create_index(batch.f("ix_food_operators_business_type"), ["business_type"], unique=False)
        batch.create_index(batch.f("ix_food_operators_dong"), ["dong"], unique=False)
        batch.create_index(batch.f("ix_food_operators_status"), ["status"], unique=False)

    op.create_table(
        "food_forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("zn_cd", sa.String(length=2), nullable=False),
        sa.Column("lowrnk_zn_cd", sa.String(length=5), nullable=False),
        sa.Column("risk", sa.SmallInteger(), nullable=False),
        sa.Column("cnt", sa.Integer(), nullable=True),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_food_forecasts")),
    )
    with op.batch_alter_table("food_forecasts") as batch:
        batch.create_index("ix_food_forecasts_area_day", ["lowrnk_zn_cd", "day"], unique=False)
        batch.create_index(batch.f("ix_food_forecasts_fetched_at"), ["fetched_at"], unique=False)

    op.create_table(
        "food_alert_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("risk", sa.SmallInteger(), nullable=False),
        sa.Column("previous_risk", sa.SmallInteger(), nullable=True),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_food_alert_runs")),
        sa.UniqueConstraint("day", "risk", name="uq_food_alert_runs_day_risk"),
    )

    op.create_table(
        "food_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=40), nullable=False),
        sa.Column("officer_id", sa.BigInteger(), nullable=False),
        sa.Column("audience", sa.String(length=10), nullable=False),
        sa.Column("audience_value", sa.String(length=40), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_food_notices")),
        sa.UniqueConstraint("form_id", name=op.f("uq_food_notices_form_id")),
    )


def downgrade() -> None:
    op.drop_table("food_notices")
    op.drop_table("food_alert_runs")
    with op.batch_alter_table("food_forecasts") as batch:
        batch.drop_index(batch.f("ix_food_forecasts_fetched_at"))
        batch.drop_index("ix_food_forecasts_area_day")
    op.drop_table("food_forecasts")
    with op.batch_alter_table("food_operators") as batch:
        batch.drop_index(batch.f("ix_food_operators_status"))
        batch.drop_index(batch.f("ix_food_operators_dong"))
        batch.drop_index(batch.f("ix_food_operators_business_type"))
    op.drop_table("food_operators")
