"""Cross-cutting concerns for every update: de-duplication, one DB session, the user and role."""
from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User as TgUser
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ProcessedUpdate
from bot.fsm_storage import update_session
from bot.metrics import Metrics
from workflows.roles import load_principal
from workflows.texts import t
from workflows.users import ensure_user

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateContextMiddleware(BaseMiddleware):
    """Outer middleware on dp.update.

    1. Records the update id; an update Telegram delivers again is skipped (aiogram does not
       de-duplicate). 2. Opens one session for the handlers and commits it when they finish, then
       wakes the delivery worker if the outbox grew. 3. Loads the user, roles and language.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], admin_ids: frozenset[int],
                 wake: Callable[[], None], metrics: Metrics | None = None):
        self._sm, self._admins, self._wake = sessionmaker, admin_ids, wake
        self._metrics = metrics or Metrics()

    async def _first_time(self, update_id: int) -> bool:
        try:
            async with self._sm() as s, s.begin():
                s.add(ProcessedUpdate(update_id=update_id))
            return True
        except IntegrityError:
            return False

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if not await self._first_time(event.update_id):
            log.info("update %s already processed; skipped", event.update_id)
            return None
        started = time.perf_counter()
        async with self._sm() as session:
            token = update_session.set(session)
            data["session"] = session
            tg_user: TgUser | None = data.get("event_from_user")
            if tg_user is not None and not tg_user.is_bot:
                user = await ensure_user(session, tg_user.id, tg_user.language_code)
                data["user"] = user
                data["principal"] = await load_principal(session, tg_user.id, self._admins)
                data["lang"] = user.language
            else:
                data["lang"] = "ko"
            data["tr"] = partial(t, data["lang"])
            try:
                result = await handler(event, data)
                await session.commit()
            except Exception:
                await session.rollback()
                raise
            finally:
                update_session.reset(token)
                self._metrics.observe(time.perf_counter() - started)
                if session.info.pop("outbox_added", False):
                    self._wake()
            return result
