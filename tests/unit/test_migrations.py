"""alembic/ matches bot/db/models.py, and the migrations go down and up again."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.migrate import alembic_config, upgrade_to_head
from bot.db.models import Base
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
