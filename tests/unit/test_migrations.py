"""alembic/ matches workflows/models.py, and the migrations go down and up again."""

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

from bot.db.migrate import alembic_config, at_head, head_revision, upgrade_to_head
from workflows.models import Base, UTCDateTime
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


def test_the_quick_look_names_alembics_head(tmp_path):
    """bot.db.migrate reads the head from the scripts' text (a restart need not import Alembic): it
    must be Alembic's own answer, and give none when the history is not one line."""
    assert head_revision() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    for name, text in {
        "a.py": 'revision = "a"\ndown_revision = None\n',
        "b.py": 'revision = "b"\ndown_revision = "a"\n',
        "c.py": 'revision = "c"\ndown_revision = "a"\n',  # a branch: two heads
    }.items():
        (tmp_path / name).write_text(text)
    assert head_revision(tmp_path) is None
    (tmp_path / "c.py").write_text('revision = "c"\ndown_revision = "b"\n')
    assert head_revision(tmp_path) == "c"
    (tmp_path / "d.py").write_text("revision = make_it()\n")  # not a plain string: Alembic decides
    assert head_revision(tmp_path) is None


async def test_a_database_behind_head_is_upgraded_and_one_at_head_left_alone(tmp_path):
    url = databases.empty_database_url(tmp_path)
    assert not await asyncio.to_thread(at_head, url)  # no schema yet
    await asyncio.to_thread(upgrade_to_head, url)
    assert await asyncio.to_thread(at_head, url)
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    previous = script.get_revision(script.get_current_head()).down_revision
    await asyncio.to_thread(command.downgrade, alembic_config(url), previous)
    assert not await asyncio.to_thread(at_head, url)
    await asyncio.to_thread(upgrade_to_head, url)
    tables, rev = await _state(url)
    assert tables == TABLES and rev == script.get_current_head()
    assert await _diff(url) == []


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
UNRATED = (None,) * len(SCORES)


def _t(name: str, *cols: str, times: tuple[str, ...] = ("sent_at", "rated_at")) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in cols), *(sa.column(c, UTCDateTime) for c in times))


RATING_COLS = ("id", "department_code", "officer_id", *SCORES)
ONESTOP_RATINGS = _t("onestop_ratings", *RATING_COLS, "application_id")
OLD_RATINGS = _t("ratings", *RATING_COLS, "complaint_id", "comment")
NEW_RATINGS = _t("ratings", *RATING_COLS, "service", "complaint_id", "application_id", "comment")


def _rating(id: int, dept: str, officer: int | None, sent: datetime, rated: datetime | None, scores, **subject):
    return dict(
        id=id,
        department_code=dept,
        officer_id=officer,
        sent_at=sent,
        rated_at=rated,
        **dict(zip(SCORES, scores)),
        **subject,
    )


# at 0013: two complaint ratings (one with a comment, one unanswered) and three one-stop rows
# (two departments of a live application, one whose application was destroyed)
RATED = T0 + timedelta(hours=1)
COMPLAINT_ROWS = [
    _rating(1, "ROADS", 501, T0, RATED, (5, 5, 4, 5, 4, 5), complaint_id=1, comment="친절했어요"),
    _rating(2, "PARKS", None, T0, None, UNRATED, complaint_id=2, comment=None),
]
ONESTOP_ROWS = [
    _rating(7, "DONG-JUNGGOK1", 601, T0, RATED, (4, 5, 3, 4, 5, 2), application_id=1),
    _rating(8, "HEALTH", 602, T0, RATED, (4, 5, 3, 4, 5, 2), application_id=1),
    _rating(
        9, "HEALTH", 603, T0 - timedelta(days=400), T0 - timedelta(days=399), (3, *UNRATED[1:]), application_id=None
    ),
]


def _insert(conn, name: str, rows: list[dict]) -> None:
    """Rows into a table as it is at this revision (not as the models have it now)."""
    typed = {datetime: UTCDateTime, dict: sa.JSON}
    table = sa.table(name, *(sa.column(k, typed.get(type(v))) for k, v in rows[0].items()))
    conn.execute(sa.insert(table), rows)


def _seed_0013(conn) -> None:
    _insert(conn, "users", [dict(id=100, language="ko", language_chosen=False, is_active=True, created_at=T0)])
    complaint = dict(citizen_id=100, category_code="road", kind="건의", period="7d", description="x" * 20)
    times = dict(received_at=T0, deadline_at=T0, updated_at=T0)
    _insert(
        conn,
        "complaints",
        [
            dict(id=i, receipt_no=f"R-{i}", submit_key=f"k{i}", department_code=d, state="closed", extended=False)
            | complaint
            | times
            for i, d in ((1, "ROADS"), (2, "PARKS"))
        ],
    )
    application = dict(id=1, receipt_no="OS-1", submit_key="os1", kind="birth", citizen_id=100, dong="중곡1동")
    facts = dict(event_date=date(2026, 11, 2), report_made=True, facts={}, consents={}, reminders_on=True)
    _insert(conn, "onestop_applications", [application | facts | dict(state="completed", created_at=T0)])
    _insert(conn, "ratings", COMPLAINT_ROWS)
    _insert(conn, "onestop_ratings", ONESTOP_ROWS)


def _rows(conn, table: sa.TableClause) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.id))]


def _without(row: dict, *keys: str) -> dict:
    return {k: v for k, v in row.items() if k not in keys}


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
    assert [r["id"] for r in moved] == [9, 10, 11]  # their own ids after the complaints' highest
    assert [_without(r, "id", "service", "complaint_id", "comment") for r in moved] == [
        _without(r, "id") for r in ONESTOP_ROWS
    ]

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
    assert [_without(r, "id") for r in back[1]] == [
        _without(r, "id") for r in [*ONESTOP_ROWS, _rating(0, "TAX", None, T0, None, UNRATED, application_id=None)]
    ]
    columns = await _on(url, lambda conn: {c["name"] for c in inspect(conn).get_columns("ratings")})
    assert "service" not in columns and "application_id" not in columns
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    assert await _diff(url) == []
