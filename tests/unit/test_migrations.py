"""alembic/ matches bot/db/models.py, and the migrations go down and up again."""
from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from bot.db.migrate import alembic_config, upgrade_to_head
from bot.db.models import Base

CORE_TABLES = {"users", "consents", "role_grants", "invites", "receipt_counters", "complaints",
          "complaint_photos", "complaint_events", "ratings", "outbox", "processed_updates", "fsm_records"}


def _diff(path) -> list:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()


def _state(path) -> tuple[set[str], str | None]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
            return tables, MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


TABLES = set(Base.metadata.tables)


def test_models_cover_the_expected_tables():
    assert CORE_TABLES <= TABLES


async def test_migrations_match_models(tmp_path):
    path = tmp_path / "t.db"
    await asyncio.to_thread(upgrade_to_head, f"sqlite+aiosqlite:///{path}")
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    tables, rev = _state(path)
    assert tables == TABLES and rev == head
    assert _diff(path) == []


async def test_downgrade_base_then_upgrade_head(tmp_path):
    path = tmp_path / "t.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade_to_head, url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
    assert _state(path) == (set(), None)
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    tables, rev = _state(path)
    assert tables == TABLES and rev is not None
    assert _diff(path) == []
    # upgrading an up-to-date database is a no-op
    await asyncio.to_thread(upgrade_to_head, url)
    assert _state(path)[1] == rev


def test_single_head_and_linear_history():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    revs = list(script.walk_revisions())
    assert revs[-1].down_revision is None
    assert all(not isinstance(r.down_revision, tuple) for r in revs)
