"""When the database (or the Redis FSM store) cannot be reached: the user hears it once, nothing
is kept, the process goes on.

``install(dp)`` registers an error handler on the Dispatcher. It sees every exception an update
raises — also from aiogram's FSM middleware, which reads the state before our middlewares run —
and, for the errors ``store_unavailable`` recognises, answers the user once (an alert on the pressed
button, else a message in the chat) with a "try again shortly" text and logs the update id and the
error's type only: a driver's message can quote SQL parameters, i.e. what a resident wrote.
bot/middlewares.py rolls the update's unit of work back and does not mark the update processed.
Other exceptions are left to aiogram (logged with their traceback).
"""
from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import ErrorEvent, Update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from workflows.texts import norm_lang, t

log = logging.getLogger(__name__)


def store_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database or the FSM store cannot be reached right now (a refused
    or dropped connection, a lock held past busy_timeout, a pool timeout), not a bug."""
    if isinstance(exc, DBAPIError):
        return isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated
    if isinstance(exc, (OSError, PoolTimeout)):  # asyncpg's connect raises ConnectionRefusedError, TimeoutError
        return True
    from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeout

    return isinstance(exc, (RedisConnectionError, RedisTimeout))


async def on_store_unavailable(event: ErrorEvent, bot: Bot) -> None:
    update = event.update
    log.warning("update %s not handled, database unavailable (%s); the user was asked to retry",
                update.update_id, type(event.exception).__name__)
    await ask_to_retry(bot, update)


async def ask_to_retry(bot: Bot, update: Update) -> None:
    """One answer: an alert on the pressed button, or a message in the chat."""
    query, message = update.callback_query, update.message or update.edited_message
    user = query.from_user if query else message.from_user if message else None
    text = t(norm_lang(user.language_code if user else None), "error.store_unavailable")
    try:
        if query is not None:
            try:
                await bot.answer_callback_query(query.id, text, show_alert=True)
                return
            except TelegramBadRequest:  # the handler had answered it already: say it in the chat
                chat_id = query.message.chat.id if query.message else query.from_user.id
        elif message is not None:
            chat_id = message.chat.id
        else:
            return  # nobody to answer (a poll answer, a membership change)
        await bot.send_message(chat_id, text)
    except TelegramAPIError as e:
        log.warning("update %s: could not ask the user to retry (%s)", update.update_id, type(e).__name__)


def install(dp: Dispatcher) -> None:
    dp.errors.register(on_store_unavailable, lambda event: store_unavailable(event.exception))
