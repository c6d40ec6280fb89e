"""birth and death one-stop

Revision ID: 0006
Revises: 0005
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "onestop_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_no", sa.String(length=20), nullable=False),
        sa.Column("submit_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("citizen_id", sa.BigInteger(), nullable=False),
        sa.Column("dong", sa.String(length=40), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("report_made", sa.Boolean(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("consents", sa.JSON(), nullable=False),
        sa.Column("contact_phone_enc", sa.Text(), nullable=True),
        sa.Column("reminders_on", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["citizen_id"], ["users.id"], name=op.f("fk_onestop_applications_citizen_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onestop_applications")),
        sa.UniqueConstraint("receipt_no", name=op.f("uq_onestop_applications_receipt_no")),
        sa.UniqueConstraint("submit_key", name=op.f("uq_onestop_applications_submit_key")),
    )
    op.create_index(op.f("ix_onestop_applications_citizen_id"), "onestop_applications", ["citizen_id"], unique=False)
    op.create_index(op.f("ix_onestop_applications_state"), "onestop_applications", ["state"], unique=False)
    op.create_table(
        "onestop_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("department_code", sa.String(length=40), nullable=True),
        sa.Column("agency_code", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("first_year_amount", sa.Integer(), nullable=True),
        sa.Column("amount_confirmed", sa.Boolean(), nullable=False),
        sa.Column("officer_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["onestop_applications.id"],
            name=op.f("fk_onestop_items_application_id_onestop_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onestop_items")),
        sa.UniqueConstraint("application_id", "code", name="uq_onestop_items_application_code"),
    )
    op.create_index(op.f("ix_onestop_items_application_id"), "onestop_items", ["application_id"], unique=False)
    op.create_index(op.f("ix_onestop_items_department_code"), "onestop_items", ["department_code"], unique=False)
    op.create_index(op.f("ix_onestop_items_state"), "onestop_items", ["state"], unique=False)
    op.create_table(
        "onestop_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("department_code", sa.String(length=40), nullable=False),
        sa.Column("officer_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overall", sa.SmallInteger(), nullable=True),
        sa.Column("greeting", sa.SmallInteger(), nullable=True),
        sa.Column("guidance", sa.SmallInteger(), nullable=True),
        sa.Column("tone", sa.SmallInteger(), nullable=True),
        sa.Column("answer", sa.SmallInteger(), nullable=True),
        sa.Column("closing", sa.SmallInteger(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["onestop_applications.id"],
            name=op.f("fk_onestop_ratings_application_id_onestop_applications"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onestop_ratings")),
        sa.UniqueConstraint("application_id", "department_code", name="uq_onestop_ratings_application_department"),
    )
    op.create_index(op.f("ix_onestop_ratings_application_id"), "onestop_ratings", ["application_id"], unique=False)
    op.create_index(op.f("ix_onestop_ratings_department_code"), "onestop_ratings", ["department_code"], unique=False)
    op.create_table(
        "onestop_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("days_before", sa.SmallInteger(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["onestop_applications.id"],
            name=op.f("fk_onestop_reminders_application_id_onestop_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onestop_reminders")),
        sa.UniqueConstraint("application_id", "code", "days_before", name="uq_onestop_reminders_application_code_days"),
    )
    op.create_index(op.f("ix_onestop_reminders_application_id"), "onestop_reminders", ["application_id"], unique=False)
    op.create_index("ix_onestop_reminders_due", "onestop_reminders", ["status", "due_at"], unique=False)
    op.create_table(
        "agency_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ack_ref", sa.String(length=200), nullable=True),
        sa.Column("ack_by", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["onestop_items.id"],
            name=op.f("fk_agency_notifications_item_id_onestop_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_notifications")),
        sa.UniqueConstraint("item_id", name=op.f("uq_agency_notifications_item_id")),
    )
    op.create_index("ix_agency_notifications_due", "agency_notifications", ["status", "next_attempt_at"], unique=False)
    op.create_table(
        "onestop_item_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["onestop_items.id"],
            name=op.f("fk_onestop_item_events_item_id_onestop_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onestop_item_events")),
    )
    op.create_index(op.f("ix_onestop_item_events_item_id"), "onestop_item_events", ["item_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_onestop_item_events_item_id"), table_name="onestop_item_events")
    op.drop_table("onestop_item_events")
    op.drop_index("ix_agency_notifications_due", table_name="agency_notifications")
    op.drop_table("agency_notifications")
    op.drop_index("ix_onestop_reminders_due", table_name="onestop_reminders")
    op.drop_index(op.f("ix_onestop_reminders_application_id"), table_name="onestop_reminders")
    op.drop_table("onestop_reminders")
    op.drop_index(op.f("ix_onestop_ratings_department_code"), table_name="onestop_ratings")
    op.drop_index(op.f("ix_onestop_ratings_application_id"), table_name="onestop_ratings")
    op.drop_table("onestop_ratings")
    op.drop_index(op.f("ix_onestop_items_state"), table_name="onestop_items")
    op.drop_index(op.f("ix_onestop_items_department_code"), table_name="onestop_items")
    op.drop_index(op.f("ix_onestop_items_application_id"), table_name="onestop_items")
    op.drop_table("onestop_items")
    op.drop_index(op.f("ix_onestop_applications_state"), table_name="onestop_applications")
    op.drop_index(op.f("ix_onestop_applications_citizen_id"), table_name="onestop_applications")
    op.drop_table("onestop_applications")
