"""Per-user flood limit: more than `limit` updates in `window` seconds from one user get one polite
pause message and are dropped until the window clears, so one account cannot swamp officers.

Kept in this process's memory (one polling process); several webhook instances would each count
their own share, which still bounds a flood.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update

from workflows.texts import norm_lang, t

log = logging.getLogger(__name__)


class FloodLimitMiddleware(BaseMiddleware):
    def __init__(self, limit: int = 20, window: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def allow(self, user_id: int) -> bool:
        now = self.clock()
        q = self._seen.setdefault(user_id, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        if len(q) >= self.limit:
            return False
        q.append(now)
        if len(self._seen) > 50_000:  # forget idle users now and then
            for uid in [u for u, d in self._seen.items() if not d or d[-1] <= now - self.window]:
                self._seen.pop(uid, None)
                self._warned.pop(uid, None)
        return True

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("event_from_user")
        if user is None or user.is_bot or self.allow(user.id):
            return await handler(event, data)
        now = self.clock()
        if now - self._warned.get(user.id, -self.window) >= self.window:
            self._warned[user.id] = now
            log.info("flood limit: user updates dropped for %.0f s", self.window)
            await self._pause_message(data["bot"], event, norm_lang(user.language_code))
        return None

    @staticmethod
    async def _pause_message(bot: Bot, update: TelegramObject, lang: str) -> None:
        assert isinstance(update, Update)
        try:
            if update.callback_query is not None:
                await bot.answer_callback_query(update.callback_query.id, t(lang, "flood"), show_alert=True)
            elif update.message is not None:
                await bot.send_message(update.message.chat.id, t(lang, "flood"))
        except TelegramAPIError:
            pass
