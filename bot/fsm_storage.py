"""aiogram FSM storage in our own database, so a restart in the middle of a form loses nothing.

Used when REDIS_URL is not set (several instances use aiogram's RedisStorage instead).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, AsyncIterator, NamedTuple, cast

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy import Insert, Table, bindparam, delete, event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot.db.at_commit import at_commit, whole

from workflows.models import FsmRecord, utcnow


# The session of the update being handled (set by bot.middlewares). FSM changes then commit in
# the same transaction as the domain change they belong to, and never wait on its write lock.
update_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)
# The task handling that update: only it commits the session before a Bot API call (bot/commit_first.py).
update_task: ContextVar[object | None] = ContextVar("update_task", default=None)


CONNECTED = "connected"  # in session.info while the session's transaction holds a connection (_connected)


# Listened to on the Session class once, not per session (each event.listen costs ~30 µs): every
# session keeps the flag; only the update's is asked.
@event.listens_for(Session, "after_begin")
def _connected(session: Session, _transaction, _connection) -> None:  # noqa: ANN001
    session.info[CONNECTED] = True  # session.info: the AsyncSession's too


@event.listens_for(Session, "after_transaction_end")
def _released(session: Session, transaction) -> None:  # noqa: ANN001
    if transaction.parent is None:
        session.info.pop(CONNECTED, None)


class Form(NamedTuple):
    """A chat's FSM state and data as this update knows them (the row's two columns)."""

    state: str | None
    data: dict


_MISSING = object()  # in a session's cache: the chat has no row
_TABLE = cast(Table, FsmRecord.__table__)  # written and read as Core (bot/db/at_commit.py)


def _form(row: Any) -> Any:
    """A cache value from what was read of the row (a Row or Form of state and data; None: no row)."""
    return Form(row.state, row.data or {}) if row is not None else _MISSING


# The row aiogram's FSM middleware read for the update being handled (in the chat's lock, before
# the update's session opened): {key: Form or _MISSING}, the last read only.
_prefetched: ContextVar[dict | None] = ContextVar("fsm_prefetched", default=None)


def adopt_prefetched(session: AsyncSession) -> None:
    """The update's session takes over the row read for it before it opened (bot/middlewares.py)."""
    rows = _prefetched.get()
    _prefetched.set(None)
    if rows:
        DatabaseStorage._cache(session).update(rows)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rows(session: Session, previous) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
    if "fsm_rows" in session.info and whole(previous):
        session.info["fsm_rows"] = {}  # with the writes queued for it (bot/db/at_commit.py)


@functools.cache
def _put(dialect: str) -> Insert:
    """The row's one write, built once per dialect (parameters: ``_values``): an upsert, so it
    holds whether or not the row is there by then (a retention purge may have removed an abandoned
    form the chat has just come back to)."""
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    stmt = insert(_TABLE)
    return stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.key],
        set_={"state": stmt.excluded.state, "data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at},
    )


def _values(k: str, form: Form) -> dict[str, Any]:
    return {"key": k, "state": form.state, "data": form.data, "updated_at": utcnow()}


_READ = select(_TABLE.c.state, _TABLE.c.data).where(_TABLE.c.key == bindparam("k"))
_DROP = delete(_TABLE).where(_TABLE.c.key == bindparam("k"))


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

    @staticmethod
    def _cache(s: AsyncSession) -> dict:
        """Forms read or written in this update's session, by key (``_MISSING``: known to be
        absent), so the state and data are read from the database once per update, not at every
        get_state/get_data. A rollback forgets them (what they said may have been undone)."""
        return s.info.setdefault("fsm_rows", {})

    @staticmethod
    async def _read(s: AsyncSession, k: str) -> Any:
        return _form((await s.execute(_READ, {"k": k})).first())

    async def _row(self, s: AsyncSession, k: str) -> Form | None:
        """The form as this update knows it. In an update, the first look goes through a read session
        (no write lock: the update's writes come in one short transaction at its end) and is
        remembered; the per-chat lock of aiogram's events isolation keeps it current."""
        if s is not update_session.get():
            found = await self._read(s, k)
        else:
            cache = self._cache(s)
            found = cache.get(k)
            if found is None:
                if self._reads is None or s.info.get(CONNECTED):
                    found = await self._read(s, k)  # it holds a connection: never wait for a second
                else:  # what this update wrote is in the cache; anything else was committed
                    async with self._reads() as r:
                        found = await self._read(r, k)
                cache[k] = found
        return None if found is _MISSING else found

    async def _upsert(self, key: StorageKey, **values) -> None:
        """In an update's session the write waits for its commit (bot/db/at_commit.py), replacing
        any earlier one of this update; otherwise it is made at once."""
        k = self._keys.build(key)
        async with self._session() as s:
            known = await self._row(s, k)
            state = values.get("state", known.state if known else None)
            data = values.get("data", known.data if known else {})
            write: tuple[Any, dict[str, Any]] | None = None
            if state is None and not data:  # nothing left to keep
                form = _MISSING
                if known is not None:
                    write = _DROP, {"k": k}
            else:
                form = Form(state, copy.deepcopy(dict(data)))
                write = _put(s.get_bind().dialect.name), _values(k, form)
            if s is not update_session.get():
                if write is not None:
                    await s.execute(*write)
                return
            self._cache(s)[k] = form
            if write is not None:
                at_commit(s, ("fsm", k), *write)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._upsert(key, state=state.state if isinstance(state, State) else state)

    async def _look(self, key: StorageKey) -> Form | None:
        """The row for a read. Outside an update's session (aiogram's FSM middleware reads the state
        before the update's session opens) through a read session, kept for the update to adopt
        (``adopt_prefetched``): read once per update, and no write transaction for a read."""
        if update_session.get() is None and self._reads is not None:
            async with self._reads() as r:
                return await self.prefetch(r, key)
        async with self._session() as s:
            return await self._row(s, self._keys.build(key))

    async def prefetch(self, reads: AsyncSession, key: StorageKey) -> Form | None:
        """The row read in ``reads`` before the update's session opens, kept for it to adopt
        (``adopt_prefetched``). bot/middlewares.FirstLook reads it in the update's first-look
        query instead (``row_key``, ``remember``)."""
        k = self._keys.build(key)
        return self.remember(k, (await reads.execute(_READ, {"k": k})).first())

    def row_key(self, key: StorageKey) -> str:
        """The primary key of ``key``'s row in fsm_records."""
        return self._keys.build(key)

    def remember(self, k: str, row: Any) -> Form | None:
        """Keep ``row`` (its state and data; None: there is none), read before the update's
        session opened, for it to adopt (``adopt_prefetched``); returns it as a Form."""
        form = _form(row)
        _prefetched.set({k: form})  # this read only
        return None if form is _MISSING else form

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
