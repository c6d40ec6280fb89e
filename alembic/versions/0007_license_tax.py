"""registration license tax one-stop

Revision ID: 0007
Revises: 0006
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # The 등록면허세 one-stop; no row is ever deleted (events are append-only).
    op.create_table(
        "license_tax_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_license_tax_counters")),
    )
    op.create_table(
        "license_tax_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_no", sa.String(length=20), nullable=False),
        sa.Column("submit_key", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.BigInteger(), nullable=False),
        sa.Column("licence_code", sa.String(length=60), nullable=False),
        sa.Column("licence_name", sa.String(length=200), nullable=False),
        sa.Column("request_kind", sa.String(length=20), nullable=False),
        sa.Column("figure", sa.Integer(), nullable=True),
        sa.Column("tax_class", sa.SmallInteger(), nullable=True),
        sa.Column("class_confirmed", sa.Boolean(), nullable=False),
        sa.Column("rate_column", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("body_code", sa.String(length=40), nullable=False),
        sa.Column("business_name", sa.String(length=100), nullable=False),
        sa.Column("dong", sa.String(length=40), nullable=False),
        sa.Column("taxpayer_name_enc", sa.Text(), nullable=True),
        sa.Column("expected_issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("bank_code", sa.String(length=10), nullable=True),
        sa.Column("virtual_account", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("officer_id", sa.BigInteger(), nullable=True),
        sa.Column("paid_amount", sa.Integer(), nullable=True),
        sa.Column("verification_code", sa.String(length=20), nullable=True),
        sa.Column("refund_complaint_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["citizen_id"], ["users.id"], name=op.f("fk_license_tax_notices_citizen_id_users")),
        sa.ForeignKeyConstraint(
            ["refund_complaint_id"],
            ["complaints.id"],
            name=op.f("fk_license_tax_notices_refund_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_tax_notices")),
        sa.UniqueConstraint("notice_no", name=op.f("uq_license_tax_notices_notice_no")),
        sa.UniqueConstraint("submit_key", name=op.f("uq_license_tax_notices_submit_key")),
        sa.UniqueConstraint("virtual_account", name=op.f("uq_license_tax_notices_virtual_account")),
    )
    op.create_index(op.f("ix_license_tax_notices_citizen_id"), "license_tax_notices", ["citizen_id"], unique=False)
    op.create_index(op.f("ix_license_tax_notices_state"), "license_tax_notices", ["state"], unique=False)
    op.create_table(
        "license_tax_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("body_code", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["license_tax_notices.id"],
            name=op.f("fk_license_tax_confirmations_notice_id_license_tax_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_tax_confirmations")),
        sa.UniqueConstraint("notice_id", name=op.f("uq_license_tax_confirmations_notice_id")),
    )
    op.create_index(
        "ix_license_tax_confirmations_due", "license_tax_confirmations", ["status", "next_attempt_at"], unique=False
    )
    op.create_table(
        "license_tax_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("virtual_account", sa.String(length=40), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("officer_id", sa.BigInteger(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["license_tax_notices.id"],
            name=op.f("fk_license_tax_payments_notice_id_license_tax_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_tax_payments")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_license_tax_payments_transaction_id")),
    )
    op.create_index(op.f("ix_license_tax_payments_notice_id"), "license_tax_payments", ["notice_id"], unique=False)
    op.create_index(op.f("ix_license_tax_payments_status"), "license_tax_payments", ["status"], unique=False)
    op.create_table(
        "license_tax_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["license_tax_notices.id"], name=op.f("fk_license_tax_events_notice_id_license_tax_notices")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["license_tax_payments.id"],
            name=op.f("fk_license_tax_events_payment_id_license_tax_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_tax_events")),
    )
    op.create_index(op.f("ix_license_tax_events_notice_id"), "license_tax_events", ["notice_id"], unique=False)
    op.create_index(op.f("ix_license_tax_events_payment_id"), "license_tax_events", ["payment_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_license_tax_events_payment_id"), table_name="license_tax_events")
    op.drop_index(op.f("ix_license_tax_events_notice_id"), table_name="license_tax_events")
    op.drop_table("license_tax_events")
    op.drop_index(op.f("ix_license_tax_payments_status"), table_name="license_tax_payments")
    op.drop_index(op.f("ix_license_tax_payments_notice_id"), table_name="license_tax_payments")
    op.drop_table("license_tax_payments")
    op.drop_index("ix_license_tax_confirmations_due", table_name="license_tax_confirmations")
    op.drop_table("license_tax_confirmations")
    op.drop_index(op.f("ix_license_tax_notices_state"), table_name="license_tax_notices")
    op.drop_index(op.f("ix_license_tax_notices_citizen_id"), table_name="license_tax_notices")
    op.drop_table("license_tax_notices")
    op.drop_table("license_tax_counters")
