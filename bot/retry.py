"""Retries for DIRECT replies (answers inside a conversation), as an aiogram request middleware.

Install once: ``bot.session.middleware(RetryAfterMiddleware())``.

* ``TelegramRetryAfter`` (429): sleep ``retry_after`` (each sleep capped at 60 s) and retry, up to
  3 retries, then re-raise.
* ``TelegramNetworkError`` / ``TelegramServerError``: retry twice, after 0.5 s and 1 s.
  A request that timed out may still have reached Telegram, so a retried send can, rarely, show
  up twice; for a conversational reply that is better than losing it.

``getUpdates`` is passed through (polling has its own back-off), and so is everything the outbox
worker (bot/delivery.py) sends: it runs inside ``bypass_retries()`` because it handles 429 itself
with a global pause instead of sleeping inside one request.
Logs name the method and the attempt only: never the message or the chat.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramEntityTooLarge, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)

_bypass: ContextVar[bool] = ContextVar("retry_bypass", default=False)


@contextmanager
def bypass_retries() -> Iterator[None]:
    """Requests made inside this block (in this task) are not retried by the middleware."""
    token = _bypass.set(True)
    try:
        yield
    finally:
        _bypass.reset(token)


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(
        self, *, max_retries: int = 3, max_sleep: float = 60.0, network_delays: tuple[float, ...] = (0.5, 1.0)
    ) -> None:
        self.max_retries, self.max_sleep, self.network_delays = max_retries, max_sleep, network_delays

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        if _bypass.get() or isinstance(method, GetUpdates):
            return await make_request(bot, method)
        name = type(method).__name__
        flood = network = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as e:
                if flood >= self.max_retries:
                    log.warning("%s: 429 after %d retries, giving up", name, flood)
                    raise
                flood += 1
                delay = min(float(e.retry_after), self.max_sleep)
                log.warning("%s: 429, retry %d/%d in %.1f s", name, flood, self.max_retries, delay)
            except TelegramEntityTooLarge:
                raise  # a subclass of TelegramNetworkError that retrying cannot fix
            except (TelegramNetworkError, TelegramServerError) as e:
                if network >= len(self.network_delays):
                    log.warning("%s: %s after %d retries, giving up", name, type(e).__name__, network)
                    raise
                delay = self.network_delays[network]
                network += 1
                log.warning(
                    "%s: %s, retry %d/%d in %.1f s", name, type(e).__name__, network, len(self.network_delays), delay
                )
            await asyncio.sleep(delay)
