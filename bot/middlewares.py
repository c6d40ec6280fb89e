"""Cross-cutting concerns for every update: de-duplication, one DB session, the user and role."""
from __future__ import annotations

import asyncio
import logging
import time
from functools import partial
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User as TgUser
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ProcessedUpdate
from bot.fsm_storage import update_session, update_task
from bot.metrics import Metrics
from bot.errors import store_unavailable
from workflows import reachability
from workflows.roles import load_principal, remember_telegram_name
from workflows.texts import t
from workflows.users import ensure_user

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateContextMiddleware(BaseMiddleware):
    """Outer middleware on dp.update.

    1. Records the update id in the update's own unit of work: an update Telegram delivers again
       is skipped (aiogram does not de-duplicate), and one whose work was not committed (the
       process killed, the database unreachable) stays unmarked, so a redelivery is handled. An
       update that fails on a bug is marked anyway, so it is not handled again and again.
    2. Opens one session for the handlers and commits it when they finish, then wakes the delivery
       worker if the outbox grew. Before any Bot API call the handlers make, what they wrote so far
       is committed (bot/commit_first.py): no transaction stays open while Telegram answers. 3. Loads the user, roles and language.
    A database outage propagates to the error handler of bot/errors.py, which answers the user.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], admin_ids: frozenset[int],
                 wake: Callable[[], None], metrics: Metrics | None = None):
        self._sm, self._admins, self._wake = sessionmaker, admin_ids, wake
        self._metrics = metrics or Metrics()

    async def _mark_processed(self, update_id: int) -> None:
        try:
            async with self._sm() as s, s.begin():
                s.add(ProcessedUpdate(update_id=update_id))
        except Exception as e:  # noqa: BLE001 - marked already (committed by the handler), or no database
            log.debug("update %s not marked processed (%s)", update_id, type(e).__name__)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        started = time.perf_counter()
        async with self._sm() as session:
            session.add(ProcessedUpdate(update_id=event.update_id))
            try:
                await session.flush()
            except IntegrityError:
                log.info("update %s already processed; skipped", event.update_id)
                return None
            token, task_token = update_session.set(session), update_task.set(asyncio.current_task())
            try:
                data["session"] = session
                tg_user: TgUser | None = data.get("event_from_user")
                if tg_user is not None and not tg_user.is_bot:
                    user = await ensure_user(session, tg_user.id, tg_user.language_code)
                    if session.info.pop("reactivated", None) is not None and "svc" in data:
                        # Telegram had refused them (403): the cards held for them go again
                        await reachability.reactivated(session, data["svc"], user.id)
                    data["user"] = user
                    data["principal"] = await load_principal(session, tg_user.id, self._admins)
                    remember_telegram_name(user, data["principal"], tg_user.full_name)  # staff only
                    data["lang"] = user.language
                else:
                    data["lang"] = "ko"
                data["tr"] = partial(t, data["lang"])
                result = await handler(event, data)
                await session.commit()
            except Exception as e:
                try:
                    await session.rollback()
                except Exception as again:  # a dropped connection: the server rolled back already
                    if not store_unavailable(again):
                        raise
                if not store_unavailable(e):
                    await self._mark_processed(event.update_id)
                raise
            finally:
                update_session.reset(token)
                update_task.reset(task_token)
                self._metrics.observe(time.perf_counter() - started)
                if session.info.pop("outbox_added", False):
                    self._wake()
            return result
