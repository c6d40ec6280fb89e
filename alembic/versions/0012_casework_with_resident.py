"""working the case with the resident (issue 16 §4): a 보완 request pauses the processing period
(민원처리법 §22), answers carry photos and documents, departments keep answer templates

Revision ID: 0012_casework_resident
Revises: 0011_staff_workspace
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0012_casework_resident"
down_revision: Union[str, Sequence[str], None] = "0011_staff_workspace"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("pause_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "answer_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("file_id", sa.String(length=200), nullable=False),
        sa.Column("file_unique_id", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            ondelete="CASCADE",
            name=op.f("fk_answer_files_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_files")),
    )
    op.create_index(op.f("ix_answer_files_complaint_id"), "answer_files", ["complaint_id"], unique=False)
    op.create_table(
        "answer_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_templates")),
    )
    op.create_index(op.f("ix_answer_templates_department_code"), "answer_templates", ["department_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_answer_templates_department_code"), table_name="answer_templates")
    op.drop_table("answer_templates")
    op.drop_index(op.f("ix_answer_files_complaint_id"), table_name="answer_files")
    op.drop_table("answer_files")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("pause_due_at")
        batch.drop_column("paused_at")
