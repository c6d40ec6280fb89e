"""The database engine the suite runs on.

SQLite files by default, each a copy of a template file migrated once per run (a migration from
scratch takes about 1.6 s, a copy a few ms). With ``TEST_DATABASE_URL=postgresql+asyncpg://user@host:port/db`` every
test gets a PostgreSQL database of its own, created from a template migrated once per run (about
60 ms per test) and dropped when the test ends. ``db`` in that URL is only the maintenance
connection; the suite never writes to it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import tempfile
import threading
from pathlib import Path

from bot.db.migrate import upgrade_to_head

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
BACKEND = "postgresql" if POSTGRES else "sqlite"
PREFIX = f"minwon_test_{os.getpid()}_"
# With TEST_REDIS_URL the end-to-end bot keeps FSM state and event isolation in Redis; each test's
# keys have their own prefix and are deleted when it ends.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
_redis_prefixes: list[str] = []
_seq = itertools.count(1)
_created: list[str] = []
_template: str | None = None
_sqlite_template: Path | None = None
_lock = threading.Lock()


def _server_url(db: str, driver: bool = True) -> str:
    base, _, _ = TEST_DATABASE_URL.rpartition("/")
    url = f"{base}/{db}"
    return url if driver else url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _in_thread(fn, *args):
    """Run ``fn`` in a thread of its own and re-raise here: alembic/env.py and asyncio.run start
    their own event loops, which must stay off any loop of ours (sync fixtures and async tests)."""
    result: list = []
    error: list[BaseException] = []

    def runner():
        try:
            result.append(fn(*args))
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            error.append(e)

    th = threading.Thread(target=runner)
    th.start()
    th.join()
    if error:
        raise error[0]
    return result[0]


async def _maintenance():
    import asyncpg

    return await asyncpg.connect(_server_url(TEST_DATABASE_URL.rpartition("/")[2], driver=False))


def _admin(*sql: str) -> None:
    """Run maintenance SQL (CREATE/DROP DATABASE)."""

    async def go():
        conn = await _maintenance()
        try:
            for s in sql:
                await conn.execute(s)
        finally:
            await conn.close()

    _in_thread(asyncio.run, go())


def _migrate_in_thread(url: str) -> None:
    _in_thread(upgrade_to_head, url)


def _postgres_template() -> str:
    global _template
    with _lock:
        if _template is None:
            name = PREFIX + "template"
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
            _created.append(name)
            _migrate_in_thread(_server_url(name))
            _template = name
        return _template


def _sqlite_template_path() -> Path:
    global _sqlite_template
    with _lock:
        if _sqlite_template is None:
            path = Path(tempfile.mkdtemp(prefix=PREFIX)) / "template.db"
            _migrate_in_thread(f"sqlite+aiosqlite:///{path}")
            _sqlite_template = path
        return _sqlite_template


def new_database_url(tmp_path: Path, name: str = "bot.db") -> str:
    """A migrated, empty database for one test."""
    if not POSTGRES:
        path = tmp_path / name
        if not path.exists():
            shutil.copyfile(_sqlite_template_path(), path)
        return f"sqlite+aiosqlite:///{path}"
    template = _postgres_template()
    db = f"{PREFIX}{next(_seq)}"
    _admin(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
    with _lock:
        _created.append(db)
    return _server_url(db)


def empty_database_url(tmp_path: Path, name: str = "bot.db") -> str:
    """A database with no schema at all (for tests of the migrations themselves)."""
    if not POSTGRES:
        return f"sqlite+aiosqlite:///{tmp_path / name}"
    db = f"{PREFIX}{next(_seq)}"
    _admin(f'CREATE DATABASE "{db}"')
    with _lock:
        _created.append(db)
    return _server_url(db)


def drop_test_databases(keep_template: bool = True) -> None:
    """Drop what the tests created (the template too at the end of the run)."""
    global _sqlite_template
    if not POSTGRES:
        if not keep_template and _sqlite_template is not None:
            shutil.rmtree(_sqlite_template.parent, ignore_errors=True)
            _sqlite_template = None
        return
    with _lock:
        names = [n for n in _created if not (keep_template and n == _template)]
        _created[:] = [n for n in _created if n not in names]
    if names:
        _admin(*(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names))


def drop_stale_databases() -> None:
    """Databases left by an earlier run that was killed (its process is gone)."""
    if not POSTGRES:
        return

    async def names():
        conn = await _maintenance()
        try:
            return [
                r[0] for r in await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE 'minwon\\_test\\_%'")
            ]
        finally:
            await conn.close()

    stale = []
    for n in _in_thread(asyncio.run, names()):
        pid = n.split("_")[2]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            stale.append(n)
    if stale:
        _admin(*(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in stale))


def redis_prefix() -> str:
    prefix = f"{PREFIX}{next(_seq)}"
    _redis_prefixes.append(prefix)
    return prefix


def drop_test_redis_keys() -> None:
    if not _redis_prefixes:
        return
    from redis import Redis

    r = Redis.from_url(TEST_REDIS_URL)
    try:
        for prefix in _redis_prefixes:
            keys = list(r.scan_iter(f"{prefix}:*", count=1000))
            if keys:
                r.delete(*keys)
    finally:
        r.close()
    _redis_prefixes.clear()
