"""SQLite calls made on the event loop's own thread when they are short, on the connection's
thread when they may not be.

aiosqlite runs every call (cursor, execute, fetchall, close, commit) on the connection's thread:
each is a hand-off there and back, and its answer waits its turn behind everything else ready
on the event loop. An update's statements are point reads and writes of a few rows (SQLite runs
each in tens of microseconds), so its write transaction was some twenty hand-offs, and the
process's one writer turn (bot/db/session.WriterTurn) was held through all of them: ~7 ms a
transaction under load, the ceiling of the whole process. Here (InlineConnection, made by
``connector`` for SQLAlchemy's async_creator):

- A **SELECT** runs inline, its rows read with it, within INLINE_BUDGET_S. Past that SQLite
  interrupts it (an interrupted read-only statement leaves its transaction as it was) and it runs
  again on the connection's thread: a long list or report never holds the event loop.
- **BEGIN IMMEDIATE** of a short transaction is tried inline without waiting; if another process
  holds the write lock, it waits on the thread as before (SQLite's busy_timeout).
- **Everything else in a short transaction** (``short`` is set per transaction by
  bot/db/session.py: the update's own unit of work, and read transactions) runs inline: writes of
  a few rows, SAVEPOINTs, COMMIT (p50 ~40 µs; ~1 in 150 runs the WAL checkpoint, a few ms), an
  executemany of at most EXECUTEMANY_INLINE rows. Outside one (jobs: retention, fan-outs, the
  delivery worker) writes stay on the thread, where a DELETE of a year of rows holds nobody up. A
  COMMIT or ROLLBACK with no transaction open (the pool's, when a connection comes back) is inline.
- An inline call does not let the event loop run (it never suspends), so neither do many in a
  row: a loop of small writes (an admin's broadcast to every resident) would hold it for as long
  as it lasts. A task's inline calls since it last let the loop run are a run (_Streak); past
  STREAK_BUDGET_S its next call goes to the thread, and the loop runs.
- Making a cursor and closing one are inline (no I/O), and so is a new connection's set-up
  (its PRAGMAs, SQLAlchemy's functions): under load each was a hand-off waiting behind every
  update in flight, ~40 ms a connection, and a burst of 64 updates opens ~50 (the writers queued
  for their turn each hold one). Connecting and closing stay on the thread.

The sqlite3 connection is opened with check_same_thread=False: calls on one connection never
overlap (SQLAlchemy makes them one after the other), whichever thread makes them.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from functools import partial
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

INLINE_BUDGET_S = 0.002  # a SELECT inline for longer than this goes to the connection's thread
STREAK_BUDGET_S = 0.02  # inline calls without the event loop running anything else, at most this long
EXECUTEMANY_INLINE = 100  # rows of an executemany made inline in a short transaction
SLOW_INLINE_S = 0.05  # an inline call longer than this (it cannot be interrupted) is logged
_PROGRESS_EVERY = 1000  # SQLite virtual-machine steps between looks at the clock
# PRAGMAs that set a connection's own settings (bot/db/session.py, as each connection is made),
# inline in any transaction: no I/O (journal_mode=WAL is a look at the header once the file is in
# WAL; the file's first connection, which switches it, is made at start, before any load)
_SETTINGS = (
    "PRAGMA BUSY_TIMEOUT",
    "PRAGMA SYNCHRONOUS",
    "PRAGMA FOREIGN_KEYS",
    "PRAGMA JOURNAL_MODE",
    "PRAGMA READ_UNCOMMIT",
)
_SQLITE_BUSY, _SQLITE_INTERRUPT = 5, 9


class _Streak:
    """When each task's current run of inline calls began. A run ends when the task lets the
    event loop run something else: the callback given at its start is queued before the task's
    own wake-up, so it has run by the time the task resumes."""

    def __init__(self) -> None:
        self._started: dict[asyncio.Task | None, float] = {}

    def allows(self) -> bool:
        task, now = asyncio.current_task(), time.perf_counter()
        started = self._started.get(task)
        if started is None:  # a new run
            self._started[task] = started = now
            asyncio.get_running_loop().call_soon(self._started.pop, task, None)
        return now - started < STREAK_BUDGET_S


_streak = _Streak()


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection, with short calls made inline (see the module's docstring)."""

    def __init__(self, connector, iter_chunk_size: int = 64):  # noqa: ANN001
        super().__init__(connector, iter_chunk_size)
        self.short = False  # the current transaction is short (set by bot/db/session.py as it begins)
        self._deadline: float | None = None
        self._rows: dict[int, list] = {}  # rows read inline, by the sqlite3 cursor that read them
        self.on_thread = 0  # calls handed to the thread since connecting (tests, benchmarks)

    async def _connect(self) -> InlineConnection:
        await super()._connect()
        self._conn.set_progress_handler(self._past_budget, _PROGRESS_EVERY)
        return self

    def _past_budget(self) -> bool:
        return self._deadline is not None and time.perf_counter() > self._deadline

    async def _execute(self, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if self._connection is None:
            return await super()._execute(fn, *args, **kwargs)
        owner, name = getattr(fn, "__self__", None), getattr(fn, "__name__", "")
        if isinstance(owner, sqlite3.Cursor):
            if name == "execute" and args:
                return await self._statement(owner, fn, args)
            if name in ("fetchall", "fetchone", "fetchmany") and id(owner) in self._rows:
                return self._fetch(owner, name, *args)
            if name == "close":
                self._rows.pop(id(owner), None)
                return fn()
            if name == "executemany" and self.short and len(args[1]) <= EXECUTEMANY_INLINE and _streak.allows():
                return self._timed(fn, args, name)
        elif owner is self._connection:
            if name == "cursor" or name == "create_function":  # no I/O: SQLAlchemy's set-up of a new connection
                return fn(*args, **kwargs)
            if name in ("commit", "rollback") and (self.short or not owner.in_transaction) and _streak.allows():
                return self._timed(fn, (), name)
        self.on_thread += 1
        return await super()._execute(fn, *args, **kwargs)

    async def _statement(self, cursor: sqlite3.Cursor, fn, args: tuple) -> Any:  # noqa: ANN001
        head, inline = args[0].lstrip()[:24].upper(), _streak.allows()
        if inline and head.startswith("SELECT"):
            self._deadline = time.perf_counter() + INLINE_BUDGET_S
            try:
                return self._run(cursor, fn, args)
            except sqlite3.OperationalError as e:
                if getattr(e, "sqlite_errorcode", None) != _SQLITE_INTERRUPT:
                    raise
                self._rows.pop(id(cursor), None)  # interrupted: its transaction is as it was
            finally:
                self._deadline = None
        elif head.startswith("BEGIN IMMEDIATE"):
            if inline and self.short and self._begin_without_waiting(cursor, fn, args):
                return cursor
        elif inline and (self.short or head.startswith(("BEGIN", *_SETTINGS))):
            return self._timed(partial(self._run, cursor, fn, args), (), head)
        self.on_thread += 1
        return await super()._execute(fn, *args)

    def _run(self, cursor: sqlite3.Cursor, fn, args: tuple) -> sqlite3.Cursor:  # noqa: ANN001
        fn(*args)
        if cursor.description is not None:  # its rows now, while the statement is inline
            self._rows[id(cursor)] = cursor.fetchall()
        return cursor

    def _begin_without_waiting(self, cursor: sqlite3.Cursor, fn, args: tuple) -> bool:  # noqa: ANN001
        """BEGIN IMMEDIATE inline with SQLite's busy_timeout at 0 for it; False if another
        process holds the write lock (the caller then waits for it on the thread)."""
        conn = self._conn
        waits = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        conn.execute("PRAGMA busy_timeout=0")
        try:
            fn(*args)
            return True
        except sqlite3.OperationalError as e:
            if getattr(e, "sqlite_errorcode", None) != _SQLITE_BUSY:
                raise
            return False
        finally:
            conn.execute(f"PRAGMA busy_timeout={int(waits)}")

    def _fetch(self, cursor: sqlite3.Cursor, name: str, size: int | None = None) -> Any:
        rows = self._rows[id(cursor)]
        if name == "fetchall":
            del self._rows[id(cursor)]
            return rows
        if name == "fetchone":
            return rows.pop(0) if rows else None
        n = cursor.arraysize if size is None else size
        taken, self._rows[id(cursor)] = rows[:n], rows[n:]
        return taken

    def _timed(self, fn, args: tuple, what: str) -> Any:  # noqa: ANN001
        started = time.perf_counter()
        try:
            return fn(*args)
        finally:
            took = time.perf_counter() - started
            if took > SLOW_INLINE_S:
                log.warning("SQLite %s inline took %.0f ms", what.split()[0].lower(), took * 1000)


def connector(database: str, **kwargs: Any):  # noqa: ANN201
    """SQLAlchemy's async_creator for ``database``: an InlineConnection."""

    async def connect() -> InlineConnection:
        conn = InlineConnection(partial(sqlite3.connect, database, **{**kwargs, "check_same_thread": False}))
        conn._thread.daemon = True  # as SQLAlchemy makes aiosqlite's own
        await conn
        return conn

    return connect
