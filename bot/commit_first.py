"""No database transaction stays open across a Telegram call (aiogram request middleware).

A handler decides, writes, and answers. Left alone, its writes would stay uncommitted — and on
SQLite, every other update's writer would wait on the write lock — for as long as Telegram takes to
answer each reply it sends. So before any Bot API call made by the update being handled, this
middleware commits the update's session (bot/middlewares.UpdateContextMiddleware: one session per
update, shared by the FSM storage): the work done so far, the FSM state and the processed-update
mark are saved first, and only then does the reply leave. A crash after that can repeat nothing
that was not saved, and a reply never tells of work that was not saved. Writes made after the reply
open a new, short transaction, committed when the handler ends.

Even a bare answer to a button press (it only stops the spinner) waits for the commit: if the
commit fails (the database is out), that answer is still free to carry the "try again" alert.

Only the task that handles the update commits its session: a task started from a handler inherits
the update's context, but not the right to commit someone else's transaction.

Install once, first: ``bot.session.middleware(CommitBeforeTelegram())``.
"""

from __future__ import annotations

import asyncio

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.fsm_storage import update_session, update_task


class CommitBeforeTelegram(BaseRequestMiddleware):
    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        session = update_session.get()
        if session is not None and session.in_transaction() and update_task.get() is asyncio.current_task():
            await session.commit()
        return await make_request(bot, method)
