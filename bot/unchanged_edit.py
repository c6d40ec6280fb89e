"""An edit that changes nothing is not an error (aiogram request middleware).

Handlers remove a keyboard or rewrite a message after acting on a button. When the same message
was already edited — a button pressed twice, or an update handled again after a restart whose
first run had already edited it — Telegram answers 400 "message is not modified". The handler's
work is done and committed by then; failing the update there would lose the answer that follows
(a receipt, a confirmation). So that one error on an edit method is treated as success.

Install once: ``bot.session.middleware(UnchangedEditMiddleware())``.
"""

from __future__ import annotations

import logging

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageCaption, EditMessageReplyMarkup, EditMessageText, Response, TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)

EDITS = (EditMessageReplyMarkup, EditMessageText, EditMessageCaption)


class UnchangedEditMiddleware(BaseRequestMiddleware):
    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as e:
            if isinstance(method, EDITS) and "message is not modified" in e.message:
                log.debug("%s: message already as requested", type(method).__name__)
                return True  # what Telegram returns for an edit of a message it does not return
            raise
