"""Cross-cutting concerns for every update: de-duplication, one DB session, the user and role."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from typing import Any, Awaitable, Callable, cast

from aiogram import BaseMiddleware
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import TelegramObject, Update, User as TgUser
from sqlalchemy import Select, Table, bindparam, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commit_first import owed_answers, send_owed_answers
from bot.db.at_commit import at_commit
from workflows.models import FsmRecord, ProcessedUpdate
from bot.fsm_storage import DatabaseStorage, Form, adopt_prefetched, update_session, update_task
from bot.metrics import Metrics
from handlers.turn import Turn
from bot.errors import store_unavailable
from workflows.complaints import reachability
from workflows.roles import (
    first_look_of,
    first_look_params,
    first_look_query,
    remember_telegram_name,
    user_and_principal,
)
from workflows.users import attach

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


FIRST_LOOK = "minwon_first_look"  # handler data: (user, principal, handled) of the update, read by FirstLook


async def first_look(
    reads: AsyncSession, update_id: int, tg_user: TgUser | None, admins: frozenset[int]
) -> tuple[Any, Any, bool]:
    """(the user's row or None, their principal or None, whether the update was handled already):
    one query."""
    if tg_user is not None and not tg_user.is_bot:
        return await user_and_principal(reads, tg_user.id, admins, update_id=update_id)
    return None, None, await reads.get(ProcessedUpdate, update_id) is not None


async def first_look_and_state(
    reads: AsyncSession,
    storage: DatabaseStorage,
    key: StorageKey,
    update_id: int,
    tg_user: TgUser | None,
    admins: frozenset[int],
) -> tuple[tuple[Any, Any, bool], Form | None]:
    """``first_look`` and the chat's FSM row, in one query (the row outer-joined to the first
    look's), kept for the update's session to adopt."""
    if tg_user is None or tg_user.is_bot:
        return await first_look(reads, update_id, tg_user, admins), await storage.prefetch(reads, key)
    k = storage.row_key(key)
    rows = (
        await reads.execute(_first_look_and_state(), {**first_look_params(tg_user.id, update_id), "fsm_key": k})
    ).all()
    found, state, data = rows[0][-3:]
    form = storage.remember(k, Form(state, data) if found is not None else None)
    return first_look_of(rows, tg_user.id, admins), form


_MARK = insert(cast(Table, ProcessedUpdate.__table__))  # the processed-update mark (parameter: update_id)


@functools.cache
def _first_look_and_state() -> Select:
    """``first_look_query`` with the chat's FSM row (parameter ``fsm_key``), built once."""
    fsm = FsmRecord.__table__.c
    return (
        first_look_query()
        .add_columns(fsm.key, fsm.state, fsm.data)
        .outerjoin(FsmRecord, fsm.key == bindparam("fsm_key"))
    )


class FirstLook(FSMContextMiddleware):
    """aiogram's FSM middleware (the chat's lock, then its state) with the update's first look read
    in the same query as the state: one statement per update, read without a transaction around it
    (``reads`` is make_read_sessionmaker(engine, one_statement=True); an update without a user
    reads two independent rows, each on its own). Used with the FSM in our database
    (DatabaseStorage); with Redis it is aiogram's middleware as it is, and UpdateContextMiddleware
    reads the first look itself. Its body is aiogram's FSMContextMiddleware.__call__ (3.31) with
    the state read in our read session."""

    def __init__(self, fsm: FSMContextMiddleware, reads: async_sessionmaker[AsyncSession], admins: frozenset[int]):
        super().__init__(fsm.storage, fsm.events_isolation, fsm.strategy)
        self._reads, self._admins = reads, admins

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        storage = self.storage
        context = self.resolve_event_context(data["bot"], data)
        if not isinstance(storage, DatabaseStorage) or context is None or not isinstance(event, Update):
            return await super().__call__(handler, event, data)
        data["fsm_storage"] = storage
        async with self.events_isolation.lock(key=context.key):  # the state is read inside the lock
            async with self._reads() as r:
                data[FIRST_LOOK], row = await first_look_and_state(
                    r, storage, context.key, event.update_id, data.get("event_from_user"), self._admins
                )
            data.update({"state": context, "raw_state": row.state if row else None})
            return await handler(event, data)


class UpdateContextMiddleware(BaseMiddleware):
    """Outer middleware on dp.update, inside aiogram's FSM middleware (so inside the chat's lock,
    taken in the order the updates arrived).

    1. Reads, in a read session that takes no write lock (bot/db/session.py), whether the update was
       handled already (aiogram does not de-duplicate: a redelivered update is skipped) and the
       user with their roles (one query), or takes what FirstLook read with the chat's FSM state.
    2. Opens the update's session, shared by the handlers and the FSM storage, and adds the
       processed-update mark to it: the mark, the FSM state and the handler's own writes are
       written in one short transaction at the end — before the first Bot API call the handler
       makes (bot/commit_first.py) or, if it makes none, when it finishes, still inside the chat's
       lock, so the chat's next update reads the state this one left. An update whose work was
       not committed (the process killed, the database unreachable) stays unmarked, so a
       redelivery is handled; one that fails on a bug is marked anyway, so it is not handled
       again and again.
    3. Wakes the delivery worker if the outbox grew.
    A database outage propagates to the error handler of bot/errors.py, which answers the user.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        admin_ids: frozenset[int],
        wake: Callable[[], None],
        metrics: Metrics | None = None,
        reads: async_sessionmaker[AsyncSession] | None = None,
    ):
        self._sm, self._admins, self._wake = sessionmaker, admin_ids, wake
        self._reads = reads or sessionmaker  # each read here is one statement (bot/app.py: first_looks)
        self._metrics = metrics or Metrics()

    async def _mark_processed(self, update_id: int) -> None:
        try:
            async with self._sm() as s, s.begin():
                await s.execute(_MARK, {"update_id": update_id})  # the same INSERT as the update's own
        except Exception as e:  # noqa: BLE001 - marked already (committed by the handler), or no database
            log.debug("update %s not marked processed (%s)", update_id, type(e).__name__)

    async def _processed(self, update_id: int) -> bool:
        async with self._reads() as r:
            return await r.get(ProcessedUpdate, update_id) is not None

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        started = time.perf_counter()
        tg_user: TgUser | None = data.get("event_from_user")
        look = data.pop(FIRST_LOOK, None)  # read with the FSM state (FirstLook), or here
        if look is None:
            async with self._reads() as r:
                look = await first_look(r, event.update_id, tg_user, self._admins)
        known, principal, handled = look
        if handled:
            log.info("update %s already processed; skipped", event.update_id)
            return None
        async with self._sm() as session:
            adopt_prefetched(session)  # the FSM row aiogram's middleware read for this update
            # written with the update's work, as a plain INSERT (bot/db/at_commit.py)
            at_commit(session, "processed", _MARK, {"update_id": event.update_id})
            token, task_token = update_session.set(session), update_task.set(asyncio.current_task())
            owed_token = owed_answers.set({})
            try:
                data["session"] = session
                if tg_user is not None and principal is not None:
                    user = await attach(session, known, tg_user.id, tg_user.language_code)
                    if session.info.pop("reactivated", None) is not None and "svc" in data:
                        # Telegram had refused them (403): the cards held for them go again
                        await reachability.reactivated(session, data["svc"], user.id)
                    data["user"], data["principal"] = user, principal
                    remember_telegram_name(user, principal, tg_user.full_name)  # staff only
                    data["lang"] = user.language
                else:
                    data["lang"] = "ko"
                if principal is not None and "state" in data and "svc" in data:  # handlers/turn.py
                    data["turn"] = Turn(data["state"], session, data["svc"], data["lang"], principal)
                result = await handler(event, data)
                await session.commit()
                await send_owed_answers(data["bot"])
            except Exception as e:
                try:
                    await session.rollback()
                except Exception as again:  # a dropped connection: the server rolled back already
                    if not store_unavailable(again):
                        raise
                if isinstance(e, IntegrityError) and await self._processed(event.update_id):
                    # the same update delivered twice at once: the other delivery did the work
                    log.info("update %s handled concurrently; this delivery dropped", event.update_id)
                    return None
                if not store_unavailable(e):
                    await self._mark_processed(event.update_id)
                raise
            finally:
                update_session.reset(token)
                update_task.reset(task_token)
                owed_answers.reset(owed_token)
                self._metrics.observe(time.perf_counter() - started)
                if session.info.pop("outbox_added", False):
                    self._wake()
            return result
