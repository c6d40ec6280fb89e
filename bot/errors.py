"""No update ends in silence: one error handler for every update.

``install(dp)`` registers ``on_error`` on the Dispatcher. It sees every exception an update raises
— from a handler, from our middlewares, also from aiogram's FSM middleware, which reads the state
before ours run — and always answers the person once:

* the database (or the Redis FSM store) cannot be reached (``store_unavailable``): "try again
  shortly" (an alert on the pressed button, else a message in the chat); the log gets one warning
  line with the update id and the error's type, no traceback: an outage is not a bug;
* anything else (a bug): a short apology in their language with a way on (/menu) — the pressed
  button is answered and the chat gets the apology — and the log gets the update id and the
  exception with its traceback (``describe``).

No personal data in the log: a driver's message can quote SQL parameters, a ``ValueError`` the
text it could not parse, i.e. what a resident wrote. So ``describe`` prints the frames and the
exception types of the whole chain, and an exception's message only for types whose messages
are about the code (``AttributeError``, ``TypeError``, ...) or come from Telegram.

bot/middlewares.py rolls the update's unit of work back (and marks the update processed unless
it was an outage, so a bug is not run again and again). Sending the answer can fail too (the
person blocked the bot, Telegram is unreachable): that is logged in one line and the handler
returns — it never raises, so nothing loops.
"""

from __future__ import annotations

import logging
import traceback

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import ErrorEvent, Update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from workflows.texts import norm_lang, t

log = logging.getLogger(__name__)

# Exceptions whose message describes the code, not the data it was working on.
SAFE_MESSAGES = (
    AttributeError,
    NameError,
    TypeError,
    ImportError,
    NotImplementedError,
    RecursionError,
    TelegramAPIError,
)


def store_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database or the FSM store cannot be reached right now (a refused
    or dropped connection, a lock held past busy_timeout, a pool timeout), not a bug."""
    if isinstance(exc, DBAPIError):
        return isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated
    if isinstance(exc, (OSError, PoolTimeout)):  # asyncpg's connect raises ConnectionRefusedError, TimeoutError
        return True
    from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeout

    return isinstance(exc, (RedisConnectionError, RedisTimeout))


def describe(exc: BaseException) -> str:
    """The exception chain as Python prints it (causes first; frames, then type), each message left
    out unless its type is in SAFE_MESSAGES."""
    chain = [(exc, "")]  # (exception, what is printed between it and the one it led to)
    while True:
        e = chain[-1][0]
        if e.__cause__ is not None:
            cause, how = e.__cause__, "The above exception was the direct cause of the following exception:"
        elif e.__context__ is not None and not e.__suppress_context__:
            cause, how = e.__context__, "During handling of the above exception, another exception occurred:"
        else:
            break
        if any(cause is seen for seen, _ in chain):
            break
        chain.append((cause, how))
    parts: list[str] = []
    for e, how in reversed(chain):
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(e.__traceback__))
        name = f"{type(e).__module__}.{type(e).__qualname__}".removeprefix("builtins.")
        message = str(e) if isinstance(e, SAFE_MESSAGES) else "(message withheld: it may quote personal data)"
        parts.append(f"{name}: {message}\n" if message else f"{name}\n")
        if how:
            parts.append(f"\n{how}\n\n")
    return "".join(parts).rstrip("\n")


def _person(update: Update, lang: str | None) -> tuple[int | None, str | None, str]:
    """(chat to answer in, id of the pressed button's query, language) of an update."""
    query, message = update.callback_query, update.message or update.edited_message
    user = query.from_user if query else message.from_user if message else None
    lang = lang or norm_lang(user.language_code if user else None)
    if query is not None:
        return (query.message.chat.id if query.message else query.from_user.id), query.id, lang
    if message is not None:
        return message.chat.id, None, lang
    return None, None, lang  # nobody to answer (a poll answer, a membership change)


async def on_error(event: ErrorEvent, bot: Bot, lang: str | None = None) -> bool:
    update, exc = event.update, event.exception
    if store_unavailable(exc):
        log.warning(
            "update %s not handled, database unavailable (%s); the user was asked to retry",
            update.update_id,
            type(exc).__name__,
        )
        await ask_to_retry(bot, update, lang)
    else:
        log.error("update %s (%s) failed; the user was told:\n%s", update.update_id, update.event_type, describe(exc))
        await apologise(bot, update, lang)
    return True  # handled: aiogram does not log it again (with the messages)


async def ask_to_retry(bot: Bot, update: Update, lang: str | None = None) -> None:
    """The outage answer: an alert on the pressed button, or a message in the chat."""
    chat_id, query_id, lang = _person(update, lang)
    text = t(lang, "error.store_unavailable")
    try:
        if query_id is not None:
            try:
                await bot.answer_callback_query(query_id, text, show_alert=True)
                return
            except TelegramBadRequest:  # the handler had answered it already: say it in the chat
                pass
        if chat_id is not None:
            await bot.send_message(chat_id, text)
    except Exception as e:  # noqa: BLE001 - never raise from the error handler
        log.warning("update %s: could not ask the user to retry (%s)", update.update_id, type(e).__name__)


async def apologise(bot: Bot, update: Update, lang: str | None = None) -> None:
    """The answer to a bug: the pressed button stops spinning, the chat gets the apology and /menu."""
    chat_id, query_id, lang = _person(update, lang)
    try:
        if query_id is not None:
            try:
                await bot.answer_callback_query(query_id, t(lang, "error.generic_short"))
            except TelegramBadRequest:  # answered already by the handler
                pass
        if chat_id is not None:
            await bot.send_message(chat_id, t(lang, "error.generic"))
    except Exception as e:  # noqa: BLE001 - never raise from the error handler
        log.warning("update %s: could not tell the user about the error (%s)", update.update_id, type(e).__name__)


def install(dp: Dispatcher) -> None:
    dp.errors.register(on_error)
