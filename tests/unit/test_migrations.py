"""alembic/ matches bot/db/models.py, and the migrations go down and up again."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.migrate import alembic_config, upgrade_to_head
from bot.db.models import Base, UTCDateTime
from tests import databases

CORE_TABLES = {
    "users",
    "consents",
    "role_grants",
    "invites",
    "receipt_counters",
    "complaints",
    "complaint_photos",
    "complaint_events",
    "ratings",
    "outbox",
    "processed_updates",
    "fsm_records",
}


async def _on(url: str, fn):
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


async def _write(url: str, fn):
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


async def _diff(url: str) -> list:
    return await _on(url, lambda conn: compare_metadata(MigrationContext.configure(conn), Base.metadata))


async def _state(url: str) -> tuple[set[str], str | None]:
    def read(conn):
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        return tables, MigrationContext.configure(conn).get_current_revision()

    return await _on(url, read)


TABLES = set(Base.metadata.tables)


def test_models_cover_the_expected_tables():
    assert CORE_TABLES <= TABLES


async def test_migrations_match_models(tmp_path):
    url = databases.empty_database_url(tmp_path)
    await asyncio.to_thread(upgrade_to_head, url)
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    tables, rev = await _state(url)
    assert tables == TABLES and rev == head
    assert await _diff(url) == []


async def test_downgrade_base_then_upgrade_head(tmp_path):
    url = databases.empty_database_url(tmp_path)
    await asyncio.to_thread(upgrade_to_head, url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
    assert await _state(url) == (set(), None)
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    tables, rev = await _state(url)
    assert tables == TABLES and rev is not None
    assert await _diff(url) == []
    # upgrading an up-to-date database is a no-op
    await asyncio.to_thread(upgrade_to_head, url)
    assert (await _state(url))[1] == rev


def test_single_head_and_linear_history():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    revs = list(script.walk_revisions())
    assert revs[-1].down_revision is None
    assert all(not isinstance(r.down_revision, tuple) for r in revs)


async def test_instances_starting_together_migrate_once(tmp_path):
    """Several instances run upgrade_to_head at start; on PostgreSQL an advisory lock lets one
    migrate while the others wait and find the schema current (SQLite: one process per file)."""
    import pytest

    if not databases.POSTGRES:
        pytest.skip("several instances share a database only on PostgreSQL")
    import sys

    url = databases.empty_database_url(tmp_path)
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            f"from bot.db.migrate import upgrade_to_head; upgrade_to_head({url!r})",
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]  # alembic's context is per process
    for proc in procs:
        _, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()[-1500:]
    tables, rev = await _state(url)
    assert tables == TABLES and rev == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


# --- 0014: one ratings table for complaints and one-stops ---------------------------------------

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
SCORES = ("overall", "greeting", "guidance", "tone", "answer", "closing")


def _t(name: str, *cols: str, times: tuple[str, ...] = ()) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in cols), *(sa.column(c, UTCDateTime) for c in times))


RATING_TIMES = ("sent_at", "rated_at")
RATING_COLS = ("id", "department_code", "officer_id", *SCORES)
ONESTOP_RATINGS = _t("onestop_ratings", *RATING_COLS, "application_id", times=RATING_TIMES)
OLD_RATINGS = _t("ratings", *RATING_COLS, "complaint_id", "comment", times=RATING_TIMES)
NEW_RATINGS = _t("ratings", *RATING_COLS, "service", "complaint_id", "application_id", "comment", times=RATING_TIMES)


def _scores(*s: int | None) -> dict:
    return dict(zip(SCORES, s))


# at 0013: two complaint ratings (one with a comment, one unanswered) and three one-stop rows
# (two departments of a live application, one whose application was destroyed)
COMPLAINT_ROWS = [
    dict(
        id=1,
        complaint_id=1,
        department_code="ROADS",
        officer_id=501,
        sent_at=T0,
        rated_at=T0 + timedelta(hours=1),
        comment="친절했어요",
        **_scores(5, 5, 4, 5, 4, 5),
    ),
    dict(
        id=2,
        complaint_id=2,
        department_code="PARKS",
        officer_id=None,
        sent_at=T0,
        rated_at=None,
        comment=None,
        **_scores(None, None, None, None, None, None),
    ),
]
ONESTOP_ROWS = [
    dict(
        id=7,
        application_id=1,
        department_code="DONG-JUNGGOK1",
        officer_id=601,
        sent_at=T0 + timedelta(days=1),
        rated_at=T0 + timedelta(days=2),
        **_scores(4, 5, 3, 4, 5, 2),
    ),
    dict(
        id=8,
        application_id=1,
        department_code="HEALTH",
        officer_id=602,
        sent_at=T0 + timedelta(days=1),
        rated_at=T0 + timedelta(days=2),
        **_scores(4, 5, 3, 4, 5, 2),
    ),
    dict(
        id=9,
        application_id=None,
        department_code="HEALTH",
        officer_id=603,
        sent_at=T0 - timedelta(days=400),
        rated_at=T0 - timedelta(days=399),
        **_scores(3, None, None, None, None, None),
    ),
]


def _seed_0013(conn) -> None:
    conn.execute(
        sa.insert(_t("users", "id", "language", "language_chosen", "is_active", "card_mode", times=("created_at",))),
        [dict(id=100, language="ko", language_chosen=False, is_active=True, card_mode="cards", created_at=T0)],
    )
    complaint = _t(
        "complaints",
        "id",
        "receipt_no",
        "submit_key",
        "citizen_id",
        "category_code",
        "kind",
        "period",
        "description",
        "department_code",
        "state",
        "extended",
        times=("received_at", "deadline_at", "updated_at"),
    )
    conn.execute(
        sa.insert(complaint),
        [
            dict(
                id=i,
                receipt_no=f"R-{i}",
                submit_key=f"k{i}",
                citizen_id=100,
                category_code="road",
                kind="건의",
                period="7d",
                description="x" * 20,
                department_code=d,
                state="closed",
                extended=False,
                received_at=T0,
                deadline_at=T0,
                updated_at=T0,
            )
            for i, d in ((1, "ROADS"), (2, "PARKS"))
        ],
    )
    app = sa.table(
        "onestop_applications",
        *(sa.column(c) for c in ("id", "receipt_no", "submit_key", "kind", "citizen_id", "dong", "event_date")),
        *(sa.column(c) for c in ("report_made", "reminders_on", "state")),
        sa.column("facts", sa.JSON),
        sa.column("consents", sa.JSON),
        sa.column("created_at", UTCDateTime),
    )
    conn.execute(
        sa.insert(app).values(
            id=1,
            receipt_no="OS-1",
            submit_key="os1",
            kind="birth",
            citizen_id=100,
            dong="중곡1동",
            event_date=date(2026, 11, 2),
            report_made=True,
            facts={},
            consents={},
            reminders_on=True,
            state="completed",
            created_at=T0,
        )
    )
    conn.execute(sa.insert(OLD_RATINGS), COMPLAINT_ROWS)
    conn.execute(sa.insert(ONESTOP_RATINGS), ONESTOP_ROWS)


def _rows(conn, table: sa.TableClause) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.id))]


def _values(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("id", "service", "complaint_id", "comment")}


async def test_0014_moves_onestop_ratings_into_ratings_and_back(tmp_path):
    url = databases.empty_database_url(tmp_path)
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0013_processing_hours")
    await _write(url, _seed_0013)

    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    tables, _ = await _state(url)
    assert "onestop_ratings" not in tables
    rows = await _on(url, lambda conn: _rows(conn, NEW_RATINGS))
    assert rows[:2] == [dict(r, service="complaint", application_id=None) for r in COMPLAINT_ROWS]
    moved = rows[2:]
    assert [r["service"] for r in moved] == ["onestop"] * 3
    assert all(r["complaint_id"] is None and r["comment"] is None for r in moved)
    assert len({r["id"] for r in rows}) == 5 and all(r["id"] > 2 for r in moved)
    assert [_values(r) for r in moved] == [{k: v for k, v in r.items() if k != "id"} for r in ONESTOP_ROWS]

    def constraints(conn) -> None:
        # one per (application, department); a subject that fits the service; new rows get new ids
        for bad in (
            dict(service="onestop", application_id=1, department_code="HEALTH"),
            dict(service="complaint", complaint_id=None, department_code="ROADS"),
            dict(service="onestop", complaint_id=2, department_code="PARKS"),
            dict(service="complaint", complaint_id=1, department_code="ROADS"),
        ):
            with pytest.raises(IntegrityError), conn.begin_nested():
                conn.execute(sa.insert(NEW_RATINGS).values(sent_at=T0, **bad))
        conn.execute(
            sa.insert(NEW_RATINGS).values(service="onestop", application_id=None, department_code="TAX", sent_at=T0)
        )

    await _write(url, constraints)

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0013_processing_hours")
    back = await _on(url, lambda conn: (_rows(conn, OLD_RATINGS), _rows(conn, ONESTOP_RATINGS)))
    assert back[0] == COMPLAINT_ROWS
    assert [{k: v for k, v in r.items() if k != "id"} for r in back[1]] == [
        *({k: v for k, v in r.items() if k != "id"} for r in ONESTOP_ROWS),
        dict(
            application_id=None,
            department_code="TAX",
            officer_id=None,
            sent_at=T0,
            rated_at=None,
            **_scores(None, None, None, None, None, None),
        ),
    ]
    columns = await _on(url, lambda conn: {c["name"] for c in inspect(conn).get_columns("ratings")})
    assert "service" not in columns and "application_id" not in columns
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    assert await _diff(url) == []
