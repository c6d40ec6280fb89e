"""aiogram FSM storage in our own database, so a restart in the middle of a form loses nothing.

Used when REDIS_URL is not set (several instances use aiogram's RedisStorage instead).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, AsyncIterator

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import flag_modified

from workflows.models import FsmRecord, utcnow


# The session of the update being handled (set by bot.middlewares). FSM changes then commit in
# the same transaction as the domain change they belong to, and never wait on its write lock.
update_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)
# The task handling that update: only it commits the session before a Bot API call (bot/commit_first.py).
update_task: ContextVar[object | None] = ContextVar("update_task", default=None)


CONNECTED = "connected"  # in session.info while the session's transaction holds a connection


def track_connection(session: AsyncSession) -> None:
    """Keep ``session.info[CONNECTED]`` true while the session holds a database connection."""
    event.listen(session.sync_session, "after_begin", lambda s, _tx, _conn: s.info.__setitem__(CONNECTED, True))
    event.listen(
        session.sync_session,
        "after_transaction_end",
        lambda s, tx: s.info.pop(CONNECTED, None) if tx.parent is None else None,
    )


# The row aiogram's FSM middleware read for the update being handled (in the chat's lock, before
# the update's session opened): {key: row or DatabaseStorage._MISSING}, the last read only.
_prefetched: ContextVar[dict | None] = ContextVar("fsm_prefetched", default=None)


def adopt_prefetched(session: AsyncSession) -> None:
    """The update's session takes over the row read for it before it opened (bot/middlewares.py)."""
    rows = _prefetched.get()
    _prefetched.set(None)
    if rows:
        DatabaseStorage._cache(session).update(rows)


def _forget_rows(session, previous_transaction) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
    session.info["fsm_rows"] = {}


class DatabaseStorage(BaseStorage):
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], reads: async_sessionmaker[AsyncSession] | None = None
    ):
        self._sm = sessionmaker
        self._reads = reads  # a read session (no write lock) for the update's first look at a row
        self._keys = DefaultKeyBuilder(prefix="fsm", with_bot_id=True, with_destiny=True)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        current = update_session.get()
        if current is not None:
            yield current
            return
        async with self._sm() as s, s.begin():
            yield s

    _MISSING = object()

    @staticmethod
    def _cache(s: AsyncSession) -> dict:
        """Rows read in this update's session, by key (``_MISSING``: known to be absent), so the state
        and data are read from the database once per update, not at every get_state/get_data. A
        rollback forgets them (what they said may have been undone)."""
        if "fsm_rows" not in s.info:
            event.listen(s.sync_session, "after_soft_rollback", _forget_rows)
            s.info["fsm_rows"] = {}
        return s.info["fsm_rows"]

    async def _row(self, s: AsyncSession, k: str) -> FsmRecord | None:
        """The row as this update knows it. In an update, the first look goes through a read session
        (no write lock: the update's writes come in one short transaction at its end) and the row is
        remembered; the per-chat lock of aiogram's events isolation keeps it current."""
        if s is not update_session.get():
            return await s.get(FsmRecord, k)
        cache = self._cache(s)
        row = cache.get(k)
        if row is None:
            if self._reads is None or s.info.get(CONNECTED):
                row = await s.get(FsmRecord, k)  # it holds a connection: never wait for a second
            else:  # what this update wrote is in the cache; anything else was committed
                async with self._reads() as r:
                    row = await r.get(FsmRecord, k)
            cache[k] = row if row is not None else self._MISSING
        return None if row is self._MISSING else row

    async def _upsert(self, key: StorageKey, **values) -> None:
        k = self._keys.build(key)
        async with self._session() as s:
            row = await self._row(s, k)
            if row is not None and row not in s:
                row = await s.merge(row, load=False)  # read beside the writer: now this update's own
                self._cache(s)[k] = row
            state = values.get("state", row.state if row else None)
            data = values.get("data", row.data if row else {})
            if state is None and not data:
                if row is not None:
                    await s.delete(row)  # nothing left to keep
                    self._cache(s)[k] = self._MISSING
                return
            if row is None:
                row = FsmRecord(key=k, state=state, data=copy.deepcopy(dict(data)), updated_at=utcnow())
                s.add(row)
                self._cache(s)[k] = row
            else:
                row.state, row.data, row.updated_at = state, copy.deepcopy(dict(data)), utcnow()
                flag_modified(row, "data")  # a JSON value: its old and new forms may compare equal

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._upsert(key, state=state.state if isinstance(state, State) else state)

    async def _look(self, key: StorageKey) -> FsmRecord | None:
        """The row for a read. Outside an update's session (aiogram's FSM middleware reads the state
        before the update's session opens) through a read session, kept for the update to adopt
        (``adopt_prefetched``): read once per update, and no write transaction for a read."""
        if update_session.get() is None and self._reads is not None:
            async with self._reads() as r:
                return await self.prefetch(r, key)
        async with self._session() as s:
            return await self._row(s, self._keys.build(key))

    async def prefetch(self, reads: AsyncSession, key: StorageKey) -> FsmRecord | None:
        """The row read in ``reads`` before the update's session opens, kept for it to adopt
        (``adopt_prefetched``). bot/middlewares.FirstLook reads it in the update's first-look
        query instead (``row_key``, ``remember``)."""
        k = self._keys.build(key)
        row = await reads.get(FsmRecord, k)
        self.remember(k, row)
        return row

    def row_key(self, key: StorageKey) -> str:
        """The primary key of ``key``'s row in fsm_records."""
        return self._keys.build(key)

    def remember(self, k: str, row: FsmRecord | None) -> None:
        """Keep ``row`` (None: there is none), read before the update's session opened, for it to
        adopt (``adopt_prefetched``)."""
        _prefetched.set({k: row if row is not None else self._MISSING})  # this read only

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._look(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._upsert(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._look(key)
        return copy.deepcopy(row.data) if row and row.data else {}  # theirs to change: not the row's

    async def close(self) -> None:
        return None
