"""bot/db/session.WriterTurn: SQLite transactions of this process take turns in arrival order;
a turn not given within the timeout fails like a locked database; a turn left behind by a task
that ended is taken back."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.db.session import WriterTurn, make_engine, make_sessionmaker
from bot.errors import store_unavailable


@pytest.fixture
async def sm(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    async with engine.begin() as c:
        await c.execute(text("CREATE TABLE seen (n INTEGER)"))
    yield make_sessionmaker(engine)
    await engine.dispose()


async def test_transactions_take_turns_in_arrival_order(sm):
    order: list[int] = []

    async def unit(n: int) -> None:
        async with sm() as s:
            await s.execute(text("INSERT INTO seen VALUES (:n)"), {"n": n})
            order.append(n)
            await asyncio.sleep(0.4 if n == 0 else 0.01)  # awaiting Telegram while holding the lock
            await s.commit()

    tasks = []
    for n in range(12):  # each arrives once the one before is waiting (opening a connection included)
        tasks.append(asyncio.create_task(unit(n)))
        await asyncio.sleep(0.03)
    await asyncio.gather(*tasks)
    assert order == list(range(12))
    async with sm() as s:
        assert (await s.execute(text("SELECT count(*) FROM seen"))).scalar() == 12


async def test_a_session_reuses_its_turn_after_commit_and_rollback(sm):
    async with sm() as s:  # begin → commit → begin → rollback → begin: no waiting on itself
        await s.execute(text("INSERT INTO seen VALUES (1)"))
        await s.commit()
        await s.execute(text("INSERT INTO seen VALUES (2)"))
        await s.rollback()
        await asyncio.wait_for(s.execute(text("INSERT INTO seen VALUES (3)")), 2)
        await s.commit()
    async with sm() as s:
        assert [r[0] for r in await s.execute(text("SELECT n FROM seen ORDER BY n"))] == [1, 3]


async def test_no_turn_within_the_timeout_is_a_locked_database():
    turn = WriterTurn(timeout=0.1)
    await turn._acquire()
    with pytest.raises(OperationalError) as e:
        await turn._acquire()
    assert store_unavailable(e.value) and "database is locked" in str(e.value.orig)
    info = {"writer_turn": turn._turn}
    turn.give_back(info)
    turn.give_back(info)  # a second give-back (rollback, then the connection's checkin) is a no-op
    await asyncio.wait_for(turn._acquire(), 1)


async def test_a_turn_left_by_a_finished_task_is_taken_back(caplog):
    turn = WriterTurn(timeout=0.1)
    await asyncio.create_task(turn._acquire())  # that task ends holding the turn
    left_behind = {"writer_turn": turn._turn}  # ... on a connection that is returned later
    with caplog.at_level(logging.ERROR):
        await asyncio.wait_for(turn._acquire(), 2)
    assert "taken back" in caplog.text
    mine = {"writer_turn": turn._turn}
    turn.give_back(left_behind)  # the late give-back of the old turn does not end the new one
    assert turn._lock.locked()
    turn.give_back(mine)
    assert not turn._lock.locked()


async def test_writers_queued_behind_another_process_lock_wait_the_timeout_once_in_all(tmp_path, monkeypatch):
    """Another process holds the write lock (an outage, a CLI): the writers of this process queued
    for their turn are each refused within about one timeout of their start, not one after the
    other (the n-th after n timeouts): what a writer waited for its turn is taken off SQLite's
    busy_timeout for its BEGIN IMMEDIATE."""
    import sqlite3
    import time

    from bot.db import session as db_session

    monkeypatch.setattr(db_session, "BUSY_TIMEOUT_S", 1.0)
    path = tmp_path / "held.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as c:
        await c.execute(text("CREATE TABLE seen (n INTEGER)"))
    sm = make_sessionmaker(engine)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other process's write lock
    try:
        started = time.monotonic()

        async def writer(n: int) -> float:
            with pytest.raises(OperationalError):
                async with sm() as s:
                    await s.execute(text("INSERT INTO seen VALUES (:n)"), {"n": n})
            return time.monotonic() - started

        took = await asyncio.gather(*(writer(n) for n in range(3)))
    finally:
        other.rollback()
        other.close()
    assert max(took) < 1.6, f"refused after {[round(t, 2) for t in took]} s (timeout 1 s each)"
    async with sm() as s:  # the lock is free again: a writer goes through at once, with the whole timeout
        await asyncio.wait_for(s.execute(text("INSERT INTO seen VALUES (9)")), 2)
        await s.commit()
    await engine.dispose()


@pytest.mark.parametrize(
    "timeout, waited, left_ms",
    [(1.0, 0.99, 100), (1.0, 0.5, 500), (1.0, 0.05, 1000), (10.0, 0.99, 10000), (10.0, 4.0, 6000)],
)
def test_time_waited_for_the_turn_comes_off_the_busy_timeout(monkeypatch, timeout, waited, left_ms):
    """What a writer waited for its turn is taken off SQLite's busy_timeout once it is more than a
    tenth of the timeout (at most a second): with a 1 s timeout, 0.99 s waited left the whole
    second before (2 s in all)."""
    import sqlite3
    from types import SimpleNamespace

    from bot.db import session as db_session

    monkeypatch.setattr(db_session, "BUSY_TIMEOUT_S", timeout)
    raw = sqlite3.connect(":memory:")
    raw.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    conn = SimpleNamespace(info={}, connection=SimpleNamespace(dbapi_connection=raw))
    db_session._bound_busy_wait(conn, waited)
    assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == left_ms
