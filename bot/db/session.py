"""Engine and session factories. SQLite gets WAL, a busy timeout, foreign keys, real transactions
and, within this process, writer turns given out in arrival order (WriterTurn).

Two kinds of session: the writer's (every SQLite transaction BEGIN IMMEDIATE, one at a time) and
the reader's (make_read_sessionmaker): a deferred transaction that takes no write lock and no
writer turn, so reports, lists, /status and the start of every update read beside the writer
(SQLite WAL: readers and the one writer do not block each other). A read session refuses to flush.
On PostgreSQL the reader's transactions are READ ONLY."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.util.concurrency import await_, in_greenlet

from bot.db.sqlite_inline import InlineConnection, connector

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 10.0
IN_FLIGHT = 64  # updates handled at once (aiogram's tasks_concurrency_limit, bot/app.py)
_HOLDS_TURN = "writer_turn"  # key in the pooled connection's info while its transaction holds the turn
READ_ONLY = "minwon_read_only"  # execution option of the reader's engine (make_read_sessionmaker)
SHORT = "minwon_short"  # execution option: the transaction writes a few rows (bot/db/sqlite_inline.py)
ONE_STATEMENT = "minwon_one_statement"  # execution option of a reader that reads one statement: no BEGIN


class WriterTurn:
    """One SQLite transaction at a time in this process, in the order they asked.

    Every SQLite transaction here is BEGIN IMMEDIATE (one writer at a time). Left to SQLite, the
    transactions that wait poll the lock with sleeps of up to 100 ms and in no order: under load
    the lock sits idle between holders, and some updates waited seconds while later ones went
    first (p95 1.5 s at 8 updates in flight, against 46 ms one at a time). Here they queue on an
    asyncio lock instead: handed over at once, first come first served. SQLite's busy_timeout
    still covers other processes (a CLI, a migration). A transaction that cannot get its turn
    within the timeout fails as SQLite would ("database is locked"), which the bot answers as a
    short outage (bot/errors.py).
    """

    def __init__(self, timeout: float = BUSY_TIMEOUT_S):
        self.timeout = timeout
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task | None = None
        self._turn = 0  # numbers the turns, so a stale give-back cannot end a later holder's turn

    def take(self, info: dict) -> float:
        """In SQLAlchemy's "begin" event (inside its greenlet): wait for this process's turn.
        Returns the seconds waited for it."""
        if not in_greenlet():
            return 0.0  # used synchronously: no event loop to wait in (SQLite's busy_timeout applies)
        if info.get(_HOLDS_TURN) == self._turn and self._lock.locked():
            return 0.0  # this connection holds the current turn already
        started = time.monotonic()
        await_(self._acquire())
        info[_HOLDS_TURN] = self._turn
        return time.monotonic() - started

    def give_back(self, info: dict) -> None:
        """On commit or rollback (and, as a safety net, when the connection returns to the pool)."""
        if info.pop(_HOLDS_TURN, None) == self._turn and self._lock.locked():
            self._holder = None
            self._lock.release()

    async def _acquire(self) -> None:
        try:
            await asyncio.wait_for(self._lock.acquire(), self.timeout)
        except TimeoutError:
            holder = self._holder
            if holder is None or not holder.done():
                raise OperationalError(
                    "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked (waiting for a writer turn)")
                ) from None
            # the holder finished without commit, rollback or returning its connection (a session
            # dropped without closing): its transaction is gone, so is its claim
            log.error("SQLite writer turn held by a finished task; taken back")
            self._lock.release()
            await asyncio.wait_for(self._lock.acquire(), self.timeout)
        self._holder = asyncio.current_task()
        self._turn += 1


_BUSY_MS = "busy_timeout_ms"  # key in the pooled connection's info: the busy_timeout it has now
MIN_BUSY_MS = 100  # a transaction that used up its time waiting for the turn still rides out a checkpoint


def _bound_busy_wait(conn, waited: float) -> None:  # noqa: ANN001
    """A transaction waits at most BUSY_TIMEOUT_S in all: what it waited for its turn is taken off
    SQLite's busy_timeout for its BEGIN IMMEDIATE. Otherwise, while another process holds the lock
    (an outage), the writers queued behind the first would each wait the whole timeout once they
    get the turn: the n-th resident would be told "try again" after n × 10 s. The PRAGMA runs only
    when the value changes (a turn that took more than a tenth of the timeout, at most a second,
    and the first one after it). The threshold follows the timeout: a fixed second let a writer that
    waited 0.99 s of a 1 s timeout wait another whole second (seen in test_writer_turn, in CI)."""
    small = min(1.0, BUSY_TIMEOUT_S / 10)  # waits below this keep the whole timeout: no PRAGMA
    ms = int(BUSY_TIMEOUT_S * 1000) if waited < small else max(MIN_BUSY_MS, int((BUSY_TIMEOUT_S - waited) * 1000))
    if conn.info.get(_BUSY_MS, int(BUSY_TIMEOUT_S * 1000)) != ms:
        cursor = conn.connection.dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={ms}")
        cursor.close()
        conn.info[_BUSY_MS] = ms


def make_engine(url: str, **kw) -> AsyncEngine:
    # hide_parameters: a traceback of a failed statement would otherwise quote what a resident
    # typed (SQL parameters), past the log redaction in bot/logs.py
    if url.startswith("sqlite") and ":memory:" not in url:
        # Room for every update's read session beside the writers queued for their turn (each
        # holds a pooled connection while it waits): the one holding the turn must never wait for
        # a connection. Connections past pool_size are closed when they come back, so pool_size
        # is the updates handled at once (bot/app.py: 64), made as a burst needs them and kept:
        # with 16, updates waiting on a 50 ms Telegram kept ~40 writers queued, and a connection
        # was opened and closed every third update (a thread each), 4.8 ms of CPU per update
        # against 3.8 (benchmarks/bench_throughput.py --telegram-ms 50); with 5, every ninth
        # update at 0 ms. Kept connections cost ~0.2 MiB each.
        kw = {"pool_size": IN_FLIGHT, "max_overflow": 200, **kw}
    if url.startswith("sqlite"):  # short calls on the event loop's thread (bot/db/sqlite_inline.py)
        from sqlalchemy.dialects.sqlite.aiosqlite import dialect

        (database, *_), params = dialect().create_connect_args(make_url(url))
        kw = {"async_creator": connector(database, **params), **kw}
    engine = create_async_engine(url, **{"hide_parameters": True, **kw})
    if engine.dialect.name == "sqlite":
        turn = WriterTurn(BUSY_TIMEOUT_S)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            # The driver's own BEGIN handling is off: otherwise a SAVEPOINT opened before the first
            # write commits on its own, and an outbox row would outlive a rolled-back unit of work.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn):  # noqa: ANN001
            options = conn.get_execution_options()
            _short(conn.connection, bool(options.get(READ_ONLY) or options.get(SHORT)))
            if options.get(READ_ONLY):
                if not options.get(ONE_STATEMENT):  # one statement reads one snapshot by itself
                    conn.exec_driver_sql("BEGIN")  # a reader: a snapshot, no write lock, no writer turn
                return
            # IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so a transaction
            # that reads and then writes can never fail on a snapshot another writer moved on.
            waited = turn.take(conn.info)
            try:
                _bound_busy_wait(conn, waited)
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                turn.give_back(conn.info)
                raise

        @event.listens_for(engine.sync_engine, "commit")
        @event.listens_for(engine.sync_engine, "rollback")
        def _end(conn):  # noqa: ANN001
            turn.give_back(conn.info)  # (before the COMMIT or ROLLBACK: a short one is made inline, at once)

        @event.listens_for(engine.sync_engine, "checkin")
        def _returned(_dbapi_conn, record):  # noqa: ANN001
            turn.give_back(record.info)
            _short(record, False)

    return engine


def _short(record, short: bool) -> None:  # noqa: ANN001
    driver = getattr(record, "driver_connection", None)
    if isinstance(driver, InlineConnection):
        driver.short = short


def make_sessionmaker(engine: AsyncEngine, short: bool = False) -> async_sessionmaker[AsyncSession]:
    """``short``: each transaction writes a few rows (an update's unit of work), so on SQLite all
    of it runs on the event loop's thread (bot/db/sqlite_inline.py)."""
    return async_sessionmaker(engine.execution_options(**{SHORT: True}) if short else engine, expire_on_commit=False)


class ReadOnlySession(Session):
    """The reader's session: writing through it is a programming error."""


@event.listens_for(ReadOnlySession, "before_flush")
def _refuse_flush(session, _flush_context, _instances):  # noqa: ANN001
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a read session does not write: use the update's session")


def make_read_sessionmaker(engine: AsyncEngine, one_statement: bool = False) -> async_sessionmaker[AsyncSession]:
    """Sessions that read beside the writer (see the module's docstring). ``one_statement``: each
    session reads one statement (the update's first look, bot/middlewares.FirstLook), so it opens
    no transaction around it: SQLite and PostgreSQL read a single statement from one snapshot
    anyway, and BEGIN and its end would be two more calls (on PostgreSQL, two round trips)."""
    options: dict = {READ_ONLY: True}
    if one_statement:
        options[ONE_STATEMENT] = True
        if engine.dialect.name == "postgresql":
            options["isolation_level"] = "AUTOCOMMIT"  # SQLAlchemy puts the connection back as it was
    elif engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return async_sessionmaker(
        engine.execution_options(**options), expire_on_commit=False, autoflush=False, sync_session_class=ReadOnlySession
    )


@dataclass(frozen=True)
class ReadsAt:
    """Read sessions on the database at ``url``, for another process: it pickles (a URL), and
    calling it there opens an engine of that process's own, yields its read sessionmaker and
    disposes of the engine after. The report process reads the figures through it
    (workflows.indicators.reports.produce), so their seconds of SQL and row handling run beside
    the bot's event loop, not on it. The URL may hold a password: it is kept out of the repr."""

    url: str = field(repr=False)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
        # pre-ping: the report process keeps this open from report to report (reports._kept_reads),
        # and a connection the server closed meanwhile is replaced, not met by a report
        engine = make_engine(self.url, pool_pre_ping=True)
        try:
            yield make_read_sessionmaker(engine)
        finally:
            await engine.dispose()
