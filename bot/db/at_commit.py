"""Rows an update writes whatever its handler does, written as plain statements when its session
commits: the processed-update mark (bot/middlewares.py) and the chat's FSM row
(bot/fsm_storage.py).

Both were ORM objects, so every update's commit went through SQLAlchemy's unit of work (state
tracking, a dependency sort, the mapper's INSERT/UPDATE) for one or two rows whose values are known
outright: about a third of an update's CPU in the filing conversation (py-spy,
benchmarks/bench_throughput.py). A statement queued here runs in the session's transaction right
before it commits (before the ORM's flush of the handler's own rows), then leaves the queue.
Queue statements on tables (``Model.__table__``), not on mapped classes: they run as Core. A statement queued under a key replaces the one
queued under it before: the FSM row is written once per transaction however often the handler
changed it.

A rollback of the session's transaction drops the queue (its owner queues again, or not: the
middleware marks a failed update in a session of its own). A savepoint's commit or rollback leaves
it alone: the queue belongs to the whole transaction.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql import Executable

_QUEUE = "minwon_at_commit"  # key in session.info: {key: (statement, params)}, in the order first queued


def at_commit(
    session: AsyncSession, key: Hashable, statement: Executable, params: dict[str, Any] | None = None
) -> None:
    """Run ``statement`` with ``params`` in ``session``'s transaction when it commits (replacing
    what ``key`` held). A statement built once, its values given as ``params``, is compiled once."""
    session.info.setdefault(_QUEUE, {})[key] = (statement, params)


def queued(session: AsyncSession) -> bool:
    """Whether a commit of ``session`` has statements to write (so it must commit, though no ORM
    object is pending and no transaction is open yet)."""
    return bool(session.info.get(_QUEUE))


# Listened to on the Session class once (a listener per session cost more than the rest of this):
# a session that queued nothing has no queue to look at.
@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's commit: the queue goes with the whole transaction
    queue = session.info.get(_QUEUE)
    while queue:
        key = next(iter(queue))
        # Core on the transaction's connection, not Session.execute (the ORM's statement handling);
        # in SQLAlchemy's greenlet, where the async driver is awaited
        session.connection().execute(*queue.pop(key))


def whole(previous: SessionTransaction) -> bool:
    """In an "after_soft_rollback" listener: the transaction itself was rolled back, not a
    savepoint in it (what else is kept for the transaction is dropped on the same test)."""
    return previous.parent is None and not previous.nested


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous: SessionTransaction) -> None:
    if whole(previous):
        session.info.get(_QUEUE, {}).clear()
