"""processing time stored when a complaint is answered (issue 17, speed): complaints.processing_hours,
business hours from receipt to the answer by the working calendar, so the indicator report reads
it in SQL instead of running the calendar over every answered complaint of the period. Four
indexes grow to cover the report's grouped queries: answered-at (speed: department, officer,
hours), closed-at (first-contact resolution), rated-at (trend and ranking with the staff-rating
filter), a complaint's events (with the action: ever transferred or reopened) and the events
by action and time (with complaint, department and officer: the event counts).

Existing answered complaints are filled here with the calendar as it is now
(workflows/data/calendar.json, the TIMEZONE setting): the same rule the report applied.

Revision ID: 0013_processing_hours
Revises: 0012_casework_resident
"""

import os
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0013_processing_hours"
down_revision: Union[str, Sequence[str], None] = "0012_casework_resident"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 5000
# Covering indexes for the report's grouped queries (same names, more columns).
NEW_INDEXES = [
    (
        "complaints",
        "ix_complaints_answered_at",
        ["answered_at", "deadline_at", "department_code", "answered_by", "processing_hours"],
    ),
    ("complaints", "ix_complaints_closed_at", ["closed_at", "state", "department_code", "answered_by"]),
    ("ratings", "ix_ratings_rated_at", ["rated_at", "overall", "complaint_id", "department_code"]),
    ("complaint_events", "ix_complaint_events_complaint_id", ["complaint_id", "action"]),
    (
        "complaint_events",
        "ix_complaint_events_action_at",
        ["action", "at", "complaint_id", "department_code", "actor_id"],
    ),
]
OLD_INDEXES = [
    ("complaints", "ix_complaints_answered_at", ["answered_at", "deadline_at"]),
    ("complaints", "ix_complaints_closed_at", ["closed_at"]),
    ("ratings", "ix_ratings_rated_at", ["rated_at", "overall"]),
    ("complaint_events", "ix_complaint_events_complaint_id", ["complaint_id"]),
    ("complaint_events", "ix_complaint_events_action_at", ["action", "at"]),
]


def backfill(conn) -> int:
    """processing_hours of every answered complaint that has none, in batches by id; returns how
    many were filled."""
    from workflows.models import UTCDateTime
    from workflows.business_time import BusinessCalendar

    hours = BusinessCalendar.from_file(tz=os.environ.get("TIMEZONE") or "Asia/Seoul").business_hours_between
    c = sa.table(
        "complaints",
        sa.column("id", sa.Integer),
        sa.column("received_at", UTCDateTime),
        sa.column("answered_at", UTCDateTime),
        sa.column("processing_hours", sa.Float),
    )
    update = sa.update(c).where(c.c.id == sa.bindparam("cid")).values(processing_hours=sa.bindparam("h"))
    last, done = 0, 0
    while True:
        rows = conn.execute(
            sa.select(c.c.id, c.c.received_at, c.c.answered_at)
            .where(c.c.id > last, c.c.answered_at.is_not(None), c.c.processing_hours.is_(None))
            .order_by(c.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return done
        conn.execute(update, [{"cid": i, "h": hours(received, answered)} for i, received, answered in rows])
        last, done = rows[-1][0], done + len(rows)


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("processing_hours", sa.Float(), nullable=True))
    backfill(op.get_bind())
    for table, name, columns in NEW_INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, columns in OLD_INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("processing_hours")
