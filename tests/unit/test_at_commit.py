"""Statements written with a session's commit (bot/db/at_commit.py): the processed-update mark and
the FSM row are queued, written once in the transaction's commit, and dropped by its rollback."""

from __future__ import annotations

from sqlalchemy import event, insert, select

from bot.db.at_commit import at_commit, queued
from workflows.models import ProcessedUpdate

MARK = insert(ProcessedUpdate.__table__)


async def _marks(sm) -> list[int]:
    async with sm() as s:
        return list(await s.scalars(select(ProcessedUpdate.update_id).order_by(ProcessedUpdate.update_id)))


async def test_a_queued_statement_is_written_once_by_the_commit_and_a_key_keeps_the_last(db_sessionmaker):
    inserts: list[str] = []
    engine = db_sessionmaker.kw["bind"].sync_engine

    def listen(*a) -> None:
        if a[2].lstrip().upper().startswith("INSERT"):
            inserts.append(a[2])

    event.listen(engine, "before_cursor_execute", listen)
    try:
        async with db_sessionmaker() as s:
            at_commit(s, "mark", MARK, {"update_id": 1})
            at_commit(s, "mark", MARK, {"update_id": 2})  # the same key: replaces the first
            at_commit(s, "other", MARK, {"update_id": 3})
            assert queued(s) and not s.in_transaction()  # nothing begun yet: the commit must still run
            assert not inserts
            await s.commit()
            assert not queued(s)
            await s.commit()  # a second commit writes nothing again
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(inserts) == 2
    assert await _marks(db_sessionmaker) == [2, 3]


async def test_a_savepoint_leaves_the_queue_to_its_transaction_and_a_rollback_drops_it(db_sessionmaker):
    async with db_sessionmaker() as s:
        at_commit(s, "mark", MARK, {"update_id": 10})
        async with s.begin_nested():  # a savepoint committed: not the transaction's commit
            pass
        assert queued(s)
        nested = await s.begin_nested()
        await nested.rollback()  # a savepoint undone (a receipt number retried): the queue stays
        assert queued(s)
        await s.rollback()  # the transaction undone: what it queued goes with it
        assert not queued(s)
        await s.commit()
    assert await _marks(db_sessionmaker) == []
    async with db_sessionmaker() as s:
        at_commit(s, "mark", MARK, {"update_id": 11})
        async with s.begin_nested():
            pass
        await s.commit()
    assert await _marks(db_sessionmaker) == [11]
