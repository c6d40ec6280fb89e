"""No database transaction stays open across a Telegram call (aiogram request middleware).

A handler decides, writes, and answers. Left alone, its writes would stay uncommitted — and on
SQLite, every other update's writer would wait on the write lock — for as long as Telegram takes to
answer each reply it sends. So before any Bot API call made by the update being handled, this
middleware commits the update's session (bot/middlewares.UpdateContextMiddleware: one session per
update, shared by the FSM storage): the work done so far, the FSM state and the processed-update
mark are saved first, and only then does the reply leave. A crash after that can repeat nothing
that was not saved, and a reply never tells of work that was not saved. Writes made after the reply
open a new, short transaction, committed when the handler ends.

A bare answer to a button press (no text: it only stops the spinner) is owed, not sent: most
handlers answer the press first and then do the work, which would split the update's writes into
two transactions around it. The owed answer leaves right before the update's next Bot API call
(after the commit), or when the handler ends and its writes are committed
(``send_owed_answers``), so the update writes once. If the work fails (the database is out, a bug),
it is never sent: the error handler's answer (bot/errors.py, "try again" as an alert, or the
apology) is the press's only answer. An answer with text or an alert is sent as it comes, and
replaces an owed bare one for the same press.

Only the task that handles the update commits its session, or owes answers: a task started from a
handler inherits the update's context, but not the right to commit someone else's transaction.

Install once, first: ``bot.session.middleware(CommitBeforeTelegram())``.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import AnswerCallbackQuery, Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.db.at_commit import queued
from bot.fsm_storage import update_session, update_task
from bot.response_types import response_type

log = logging.getLogger(__name__)

# The bare answers the update being handled owes (callback query id -> method); set per update by
# bot/middlewares.UpdateContextMiddleware.
owed_answers: ContextVar[dict[str, AnswerCallbackQuery] | None] = ContextVar("owed_answers", default=None)


def _bare(method: TelegramMethod) -> bool:
    return isinstance(method, AnswerCallbackQuery) and not method.text and not method.show_alert and not method.url


class CommitBeforeTelegram(BaseRequestMiddleware):
    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        session = update_session.get()
        if session is None or update_task.get() is not asyncio.current_task():
            return await make_request(bot, method)
        owed = owed_answers.get()
        if owed is not None and isinstance(method, AnswerCallbackQuery):
            if _bare(method):
                owed[method.callback_query_id] = method  # sent after the update's writes are committed
                return response_type(bool)(ok=True, result=True)  # what Telegram answers
            owed.pop(method.callback_query_id, None)  # this answer says more: it replaces the bare one
        if session.in_transaction() or queued(session):  # the mark and the FSM row are queued (bot/db/at_commit.py)
            await session.commit()
        while owed:
            _, answer = owed.popitem()
            await _send(answer, make_request(bot, cast(Any, answer)))  # on through the rest of the chain
        return await make_request(bot, method)


async def _send(answer: AnswerCallbackQuery, request) -> None:  # noqa: ANN001 - the pending request
    """An owed answer only stops a spinner: if Telegram refuses it (the press is too old), say so and go on."""
    try:
        await request
    except Exception as e:  # noqa: BLE001 - never fail the update for it
        log.warning("callback %s: the owed answer was not delivered (%s)", answer.callback_query_id, type(e).__name__)


async def send_owed_answers(bot: Bot) -> None:
    """At the end of an update whose writes are committed: the bare answers it still owes."""
    owed = owed_answers.get()
    if not owed:
        return
    answers = list(owed.values())
    owed.clear()
    token = owed_answers.set(None)  # sent as they are, not owed again
    try:
        for answer in answers:
            await _send(answer, bot(answer))
    finally:
        owed_answers.reset(token)
