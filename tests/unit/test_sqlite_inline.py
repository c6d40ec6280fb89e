"""bot/db/sqlite_inline.py: an update's unit of work runs on the event loop's thread without a
hand-off; a long SELECT, a lock held by another process and writes outside a short transaction
go to the connection's thread, so the event loop is never held for long."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest
from sqlalchemy import text

from bot.db import sqlite_inline
from bot.db.session import make_engine, make_read_sessionmaker, make_sessionmaker

# ~3 million rows counted: hundreds of milliseconds in SQLite, far past the inline budget
LONG_SELECT = (
    "SELECT (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) FROM c)"
)


@pytest.fixture
async def engine(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    async with engine.begin() as c:
        await c.execute(text("CREATE TABLE seen (n INTEGER PRIMARY KEY, what TEXT)"))
    yield engine
    await engine.dispose()


def driver(session) -> sqlite_inline.InlineConnection:  # noqa: ANN001
    return session.sync_session.connection().connection.driver_connection


class Ticks:
    """The longest the event loop went without running a 1 ms ticker."""

    def __init__(self):
        self.longest, self._task = 0.0, None

    async def _run(self):
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.longest, last = max(self.longest, now - last), now

    async def __aenter__(self):
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc):
        self._task.cancel()


async def test_an_updates_unit_of_work_makes_no_hand_off_to_the_thread(engine):
    sm = make_sessionmaker(engine, short=True)
    async with sm() as s:
        await s.execute(text("SELECT 1"))  # connected (on the thread) and begun
        conn = driver(s)
        before = conn.on_thread
        await s.execute(text("INSERT INTO seen VALUES (1, 'a')"))
        async with s.begin_nested():
            await s.execute(text("INSERT INTO seen VALUES (2, 'b')"))
        rows = (await s.execute(text("SELECT n, what FROM seen ORDER BY n"))).all()
        returned = (await s.execute(text("UPDATE seen SET what = 'c' WHERE n = 2 RETURNING what"))).scalar()
        await s.commit()
        assert conn.on_thread == before
    assert [tuple(r) for r in rows] == [(1, "a"), (2, "b")] and returned == "c"
    async with make_read_sessionmaker(engine)() as r:
        assert (await r.execute(text("SELECT what FROM seen WHERE n = 2"))).scalar() == "c"


async def test_a_new_connections_set_up_makes_no_hand_off_to_the_thread(engine):
    """Its PRAGMAs and SQLAlchemy's functions are made inline: under load each hand-off waited
    behind every update in flight, and a burst that opened connections queued behind them."""
    await engine.dispose()  # the pool starts empty: all three are new
    reads = make_read_sessionmaker(engine)
    sessions = [reads() for _ in range(3)]  # held at once: three connections
    try:
        for s in sessions:
            await s.execute(text("SELECT 1"))
        drivers = [driver(s) for s in sessions]
        assert len({id(d) for d in drivers}) == 3
        assert [d.on_thread for d in drivers] == [0, 0, 0]
    finally:
        for s in sessions:
            await s.close()


async def test_writes_outside_a_short_transaction_go_to_the_thread(engine):
    async with make_sessionmaker(engine)() as s:
        await s.execute(text("SELECT 1"))
        conn = driver(s)
        before = conn.on_thread
        await s.execute(text("DELETE FROM seen WHERE n < 100"))  # a job's write: may be long
        await s.commit()
        assert (
            conn.on_thread == before + 2
        )  # the DELETE and the COMMIT (the pool's ROLLBACK after: no transaction, inline)


async def test_a_long_select_goes_to_the_thread_and_the_event_loop_keeps_running(engine):
    async with make_read_sessionmaker(engine)() as r:
        await r.execute(text("SELECT 1"))
        conn = driver(r)
        before = conn.on_thread
        async with Ticks() as ticks:
            started = time.perf_counter()
            count = (await r.execute(text(LONG_SELECT))).scalar()
            took = time.perf_counter() - started
    assert count == 3_000_000
    assert conn.on_thread == before + 2  # the statement again, then its rows
    assert took > 0.1, "the query is not long enough to show anything"
    assert ticks.longest < min(0.05, took / 3), f"event loop held {ticks.longest * 1000:.0f} ms of {took * 1000:.0f}"


async def test_a_long_select_in_a_short_transaction_keeps_what_it_wrote(engine):
    """An interrupted read-only statement leaves its transaction as it was (SQLite rolls back a
    whole transaction only for an interrupted write)."""
    async with make_sessionmaker(engine, short=True)() as s:
        await s.execute(text("INSERT INTO seen VALUES (7, 'kept')"))
        assert (await s.execute(text(LONG_SELECT))).scalar() == 3_000_000
        await s.execute(text("INSERT INTO seen VALUES (8, 'kept')"))
        await s.commit()
    async with make_read_sessionmaker(engine)() as r:
        assert (await r.execute(text("SELECT count(*) FROM seen WHERE what = 'kept'"))).scalar() == 2


async def test_a_lock_held_by_another_process_is_waited_for_on_the_thread(engine, tmp_path):
    other = sqlite3.connect(tmp_path / "inline.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write lock, let go after 0.3 s
    asyncio.get_running_loop().call_later(0.3, other.rollback)
    try:
        async with Ticks() as ticks:
            started = time.perf_counter()
            async with make_sessionmaker(engine, short=True)() as s:
                await s.execute(text("INSERT INTO seen VALUES (9, 'after')"))
                await s.commit()
            took = time.perf_counter() - started
    finally:
        other.close()
    assert took >= 0.28
    assert ticks.longest < 0.1, f"event loop held {ticks.longest * 1000:.0f} ms"
    async with make_read_sessionmaker(engine)() as r:
        assert (await r.execute(text("SELECT what FROM seen WHERE n = 9"))).scalar() == "after"
        assert (await r.execute(text("PRAGMA busy_timeout"))).scalar() > 0  # put back after the try


async def test_a_failed_inline_statement_is_an_error_like_any_other(engine):
    from sqlalchemy.exc import IntegrityError, OperationalError

    sm = make_sessionmaker(engine, short=True)
    async with sm() as s:
        await s.execute(text("INSERT INTO seen VALUES (1, 'a')"))
        await s.commit()
    async with sm() as s:
        with pytest.raises(IntegrityError):
            await s.execute(text("INSERT INTO seen VALUES (1, 'again')"))
        await s.rollback()
        with pytest.raises(OperationalError):
            await s.execute(text("SELECT nothing FROM nowhere"))
    async with make_read_sessionmaker(engine)() as r:
        assert (await r.execute(text("SELECT what FROM seen"))).scalars().all() == ["a"]


async def test_a_short_transaction_that_turns_out_long_lets_the_event_loop_run(engine):
    """An admin's broadcast in an update's session: a hundred thousand outbox rows. A large
    executemany goes to the thread; a loop of small writes is inline until the run of inline calls
    reaches its budget, then one goes to the thread and the event loop runs."""
    async with make_sessionmaker(engine, short=True)() as s:
        await s.execute(text("SELECT 1"))
        conn = driver(s)
        before = conn.on_thread
        await s.execute(text("INSERT INTO seen VALUES (:n, 'many')"), [{"n": n} for n in range(100_000)])
        assert conn.on_thread == before + 1
        async with Ticks() as ticks:
            started = time.perf_counter()
            for n in range(100_000, 103_000):  # one statement at a time, as a loop of small writes would
                await s.execute(text("INSERT INTO seen VALUES (:n, 'one')"), {"n": n})
            took = time.perf_counter() - started
        await s.commit()
    assert took > 0.1, "not long enough to show anything"
    assert ticks.longest < 0.05, f"event loop held {ticks.longest * 1000:.0f} ms of {took * 1000:.0f}"
    assert conn.on_thread > before + 2  # some of the 3,000 went to the thread
    async with make_read_sessionmaker(engine)() as r:
        assert (await r.execute(text("SELECT count(*) FROM seen"))).scalar() == 103_000


async def test_a_burst_of_updates_connections_are_kept_for_the_next(engine):
    """As many connections as updates handled at once stay open after a burst: with fewer, every
    burst (writers queued for their turn each hold one) opened and closed them again, a thread each."""
    from sqlalchemy import event

    from bot.db.session import IN_FLIGHT

    made: list[object] = []
    event.listen(engine.sync_engine, "connect", lambda *a: made.append(a))
    reads = make_read_sessionmaker(engine)
    for burst in range(2):
        sessions = [reads() for _ in range(IN_FLIGHT)]
        for s in sessions:
            await s.execute(text("SELECT 1"))
        for s in sessions:
            await s.close()
        if burst == 0:
            first = len(made)
    assert first >= IN_FLIGHT - 1 and len(made) == first  # the second burst made none
