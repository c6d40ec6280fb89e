"""Engine and session factory. SQLite gets WAL, a busy timeout, foreign keys and real transactions."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def make_engine(url: str, **kw) -> AsyncEngine:
    # hide_parameters: a traceback of a failed statement would otherwise quote what a resident
    # typed (SQL parameters), past the log redaction in bot/logs.py
    engine = create_async_engine(url, **{"hide_parameters": True, **kw})
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            # The driver's own BEGIN handling is off: otherwise a SAVEPOINT opened before the first
            # write commits on its own, and an outbox row would outlive a rolled-back unit of work.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn):  # noqa: ANN001
            # IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so a transaction
            # that reads and then writes can never fail on a snapshot another writer moved on.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
