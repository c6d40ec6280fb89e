"""one rating table for complaints and one-stops (issue 18 §1): ``ratings`` gets a ``service``
(complaint / onestop), a nullable ``complaint_id`` and an ``application_id`` (SET NULL: a one-stop's
ratings stay when the application is destroyed), one row per complaint and one per (application,
department); the rows of ``onestop_ratings`` move into it (each id plus the highest ``ratings``
id; the same values, times and application link) and the table goes. The downgrade moves them
back.

Revision ID: 0014_one_ratings_table
Revises: 0013_processing_hours
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0014_one_ratings_table"
down_revision: Union[str, Sequence[str], None] = "0013_processing_hours"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SCORES = ("overall", "greeting", "guidance", "tone", "answer", "closing")
# the columns both tables have, copied as they are
SHARED = ("application_id", "department_code", "officer_id", "sent_at", *SCORES, "rated_at")
SUBJECT = (
    "service = 'complaint' AND complaint_id IS NOT NULL AND application_id IS NULL"
    " OR service = 'onestop' AND complaint_id IS NULL"
)
RATED_AT_OLD = ["rated_at", "overall", "complaint_id", "department_code"]
RATED_AT_NEW = ["rated_at", "overall", "service", "complaint_id", "department_code"]


def _table(name: str, *extra: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in ("id", *extra, *SHARED)))


def _move(source: sa.TableClause, target: sa.TableClause, where=None, **values) -> None:
    """Copy ``source``'s rows (``where``) into ``target`` with ids after target's own (the source's
    id plus target's highest), the shared columns as they are and ``values`` set; on PostgreSQL
    the id sequence then continues after them."""
    offset = op.get_bind().scalar(sa.select(sa.func.coalesce(sa.func.max(target.c.id), 0)))
    columns = ["id", *values, *SHARED]
    rows = sa.select(
        source.c.id + offset,
        *(sa.literal(v, sa.String(10)) for v in values.values()),
        *(source.c[c] for c in SHARED),
    )
    op.execute(target.insert().from_select(columns, rows if where is None else rows.where(where)))
    if op.get_bind().dialect.name == "postgresql":
        name = target.name
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
        )


def upgrade() -> None:
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("service", sa.String(length=10), nullable=False, server_default="complaint"),
        )
        batch_op.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch_op.alter_column("complaint_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_ratings_application_id_onestop_applications"),
            "onestop_applications",
            ["application_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint("uq_ratings_application_department", ["application_id", "department_code"])
        batch_op.create_check_constraint(batch_op.f("ck_ratings_subject"), SUBJECT)
        batch_op.drop_index("ix_ratings_rated_at")
        batch_op.create_index("ix_ratings_rated_at", RATED_AT_NEW, unique=False)
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.alter_column("service", existing_type=sa.String(length=10), server_default=None)

    _move(_table("onestop_ratings"), _table("ratings", "service"), service="onestop")
    op.drop_index(op.f("ix_onestop_ratings_department_code"), table_name="onestop_ratings")
    op.drop_index(op.f("ix_onestop_ratings_application_id"), table_name="onestop_ratings")
    op.drop_table("onestop_ratings")


def downgrade() -> None:
    op.create_table(
        "onestop_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("department_code", sa.String(length=40), nullable=False),
        sa.Column("officer_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(c, sa.SmallInteger(), nullable=True) for c in SCORES),
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

    ratings = _table("ratings", "service")
    onestop = ratings.c.service == "onestop"
    _move(ratings, _table("onestop_ratings"), onestop)
    op.execute(ratings.delete().where(onestop))

    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_ratings_rated_at")
        batch_op.create_index("ix_ratings_rated_at", RATED_AT_OLD, unique=False)
        batch_op.drop_constraint(batch_op.f("ck_ratings_subject"), type_="check")
        batch_op.drop_constraint("uq_ratings_application_department", type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_ratings_application_id_onestop_applications"), type_="foreignkey")
        batch_op.drop_column("application_id")
        batch_op.drop_column("service")
        batch_op.alter_column("complaint_id", existing_type=sa.Integer(), nullable=False)
