"""Read sessions (bot/db/session.make_read_sessionmaker): they read beside the writer, take no write
lock, and refuse to write; the FSM storage's first look in an update goes through one, and its
writes wait for the update's one short transaction."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event, select

from workflows.models import FsmRecord, ProcessedUpdate
from bot.db.session import make_read_sessionmaker
from bot.fsm_storage import DatabaseStorage, update_session

KEY = StorageKey(bot_id=42, chat_id=9, user_id=9)


@pytest.fixture
def reads(db_sessionmaker):
    return make_read_sessionmaker(db_sessionmaker.kw["bind"])


async def test_a_reader_is_not_held_up_by_a_writer_that_holds_the_lock(db_sessionmaker, reads):
    async with db_sessionmaker() as s, s.begin():
        s.add(ProcessedUpdate(update_id=1))
    async with db_sessionmaker() as writer:
        writer.add(ProcessedUpdate(update_id=2))
        await writer.flush()  # the writer's transaction is open (on SQLite: the write lock is held)
        async with reads() as r:  # would wait for the writer's turn if it took the write lock
            seen = await asyncio.wait_for(r.scalars(select(ProcessedUpdate.update_id)), timeout=2)
            assert list(seen) == [1]  # what was committed; not the writer's open work
        await writer.commit()


async def test_a_read_session_refuses_to_write(reads):
    async with reads() as r:
        r.add(ProcessedUpdate(update_id=3))
        with pytest.raises(Exception, match="read session does not write"):
            await r.flush()


async def test_the_fsm_row_is_read_without_the_write_lock_and_written_once_at_the_end(db_sessionmaker, reads):
    storage = DatabaseStorage(db_sessionmaker, reads)
    async with db_sessionmaker() as s, s.begin():
        s.add(FsmRecord(key="fsm:42:9:9:default", state="Form:text", data={"a": 1}))
    statements: list[str] = []
    engine = db_sessionmaker.kw["bind"].sync_engine
    listen = lambda *a: statements.append(a[2].strip().split()[0].upper())  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    async with db_sessionmaker() as s:
        token = update_session.set(s)
        try:
            assert await storage.get_state(KEY) == "Form:text"
            await storage.update_data(KEY, {"b": 2})
            await storage.set_state(KEY, "Form:photos")
            assert "INSERT" not in statements  # nothing written yet: the writes wait for the commit
            await s.commit()
        finally:
            update_session.reset(token)
            event.remove(engine, "before_cursor_execute", listen)
    assert statements.count("INSERT") == 1  # state and data in one statement (an upsert)
    assert "UPDATE" not in statements
    assert statements.count("SELECT") == 1  # one look at the row for the whole update
    async with db_sessionmaker() as s:
        row = await s.get(FsmRecord, "fsm:42:9:9:default")
        assert (row.state, row.data) == ("Form:photos", {"a": 1, "b": 2})


async def test_an_update_that_failed_is_marked_and_never_handled_again(db_sessionmaker):
    """A handler's bug rolls its work back, but the update is marked in a session of its own
    (UpdateContextMiddleware._mark_processed), so Telegram's redelivery of it is skipped: the
    person was answered once (bot/errors.py), and a bug is not run again for every redelivery."""
    from aiogram.types import Update

    from bot.middlewares import UpdateContextMiddleware

    middleware = UpdateContextMiddleware(db_sessionmaker, frozenset(), lambda: None)
    calls: list[int] = []

    async def failing(update, data):  # noqa: ANN001
        calls.append(update.update_id)
        raise RuntimeError("a handler's bug")

    update = Update(update_id=7_001)
    with pytest.raises(RuntimeError):
        await middleware(failing, update, {})
    async with db_sessionmaker() as s:
        assert await s.get(ProcessedUpdate, 7_001) is not None  # marked, though its work was undone
    assert await middleware(failing, update, {}) is None  # the redelivery: skipped
    assert calls == [7_001]
