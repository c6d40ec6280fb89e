"""business hours a transfer's sender held the complaint, stored with the transfer (issue 17):
complaint_events.held_hours, from the move that brought the complaint to the sending department
(its submit, transfer, return or move to the desk) to the transfer, by the working calendar. The
indicator report (flow: hours lost in transfers) sums it in SQL instead of running the calendar
over every transfer of the period: the last calendar pass the report had.

Existing transfers are filled here with the calendar as it is now (workflows/data/calendar.json,
the TIMEZONE setting): the same rule the report applied.

Revision ID: 0015_transfer_hours
Revises: 0014_one_ratings_table
"""

import os
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0015_transfer_hours"
down_revision: Union[str, Sequence[str], None] = "0014_one_ratings_table"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 5000
HOPS = ("submit", "transfer", "return", "to_desk")  # the moves that bring a complaint to a department


def backfill(conn) -> int:
    """held_hours of every transfer that has none and follows a move, in batches by id; returns
    how many were filled."""
    from workflows.models import UTCDateTime
    from workflows.business_time import BusinessCalendar

    hours = BusinessCalendar.from_file(tz=os.environ.get("TIMEZONE") or "Asia/Seoul").business_hours_between
    e = sa.table(
        "complaint_events",
        sa.column("id", sa.Integer),
        sa.column("complaint_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("at", UTCDateTime),
        sa.column("held_hours", sa.Float),
    )
    transferred = sa.select(e.c.complaint_id).where(e.c.action == "transfer")
    hops = (
        sa.select(
            e.c.id,
            e.c.action,
            e.c.at,
            e.c.held_hours,
            sa.func.lag(e.c.at, type_=UTCDateTime())
            .over(partition_by=e.c.complaint_id, order_by=e.c.id)
            .label("since"),
        )
        .where(e.c.action.in_(HOPS), e.c.complaint_id.in_(transferred))
        .subquery()
    )
    update = sa.update(e).where(e.c.id == sa.bindparam("eid")).values(held_hours=sa.bindparam("h"))
    last, done = 0, 0
    while True:
        rows = conn.execute(
            sa.select(hops.c.id, hops.c.since, hops.c.at)
            .where(
                hops.c.id > last,
                hops.c.action == "transfer",
                hops.c.held_hours.is_(None),
                hops.c.since.is_not(None),
            )
            .order_by(hops.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return done
        conn.execute(update, [{"eid": i, "h": hours(since, at)} for i, since, at in rows])
        last, done = rows[-1][0], done + len(rows)


def upgrade() -> None:
    with op.batch_alter_table("complaint_events") as batch:
        batch.add_column(sa.Column("held_hours", sa.Float(), nullable=True))
    backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("complaint_events") as batch:
        batch.drop_column("held_hours")
