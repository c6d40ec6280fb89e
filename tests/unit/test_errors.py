"""bot/errors.py: which errors mean "the database is unreachable", and the one answer the user gets
(an alert on a pressed button, else a chat message); any other error: an apology with a way on, a
log with the traceback but without what the person wrote, and no loop when the apology fails;
bot/fsm_locks.py: locks of a dead poller."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import Update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.errors import apologise, ask_to_retry, describe, store_unavailable
from tests import databases

RETRY = "잠시 후 다시 시도해 주세요"


@pytest.mark.parametrize(
    "exc, expected",
    [
        (OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked")), True),
        (InterfaceError("SELECT 1", {}, Exception("connection is closed")), True),
        (DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True), True),
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (TimeoutError(), True),
        (PoolTimeout("QueuePool limit reached"), True),
        (IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")), False),
        (DBAPIError("SELECT 1", {}, Exception("syntax"), connection_invalidated=False), False),
        (KeyError("retention"), False),
        (ValueError("bad"), False),
    ],
)
def test_what_counts_as_unreachable(exc, expected):
    assert store_unavailable(exc) is expected


def test_redis_connection_errors_count_too():
    from redis.exceptions import ConnectionError as RedisConnectionError, ResponseError

    assert store_unavailable(RedisConnectionError("refused"))
    assert not store_unavailable(ResponseError("WRONGTYPE"))


class Bot:
    """Records calls; ``answered`` makes answerCallbackQuery fail as Telegram does for a query
    the handler already answered."""

    def __init__(self, answered: bool = False):
        self.calls, self.answered = [], answered

    async def answer_callback_query(self, query_id, text, show_alert=False):
        self.calls.append(("alert", query_id, text, show_alert))
        if self.answered:
            raise TelegramBadRequest(AnswerCallbackQuery(callback_query_id=query_id), "query is too old")
        return True

    async def send_message(self, chat_id, text):
        self.calls.append(("message", chat_id, text))


USER = {"id": 77, "is_bot": False, "first_name": "주민", "language_code": "ko"}
MESSAGE = {"message_id": 5, "date": 0, "chat": {"id": 77, "type": "private"}, "from": USER, "text": "안녕"}
CALLBACK = Update.model_validate(
    {
        "update_id": 2,
        "callback_query": {
            "id": "q1",
            "from": {**USER, "language_code": "en"},
            "chat_instance": "c",
            "data": "x",
            "message": {**MESSAGE, "from": {"id": 1, "is_bot": True, "first_name": "bot"}},
        },
    }
)


async def test_a_message_gets_one_message_in_korean():
    bot = Bot()
    await ask_to_retry(bot, Update.model_validate({"update_id": 1, "message": MESSAGE}))
    assert len(bot.calls) == 1 and bot.calls[0][:2] == ("message", 77) and RETRY in bot.calls[0][2]


async def test_a_button_gets_one_alert_in_the_users_language():
    bot = Bot()
    await ask_to_retry(bot, CALLBACK)
    assert bot.calls == [("alert", "q1", bot.calls[0][2], True)] and "try again shortly" in bot.calls[0][2]


async def test_a_button_already_answered_gets_a_message_instead():
    bot = Bot(answered=True)
    await ask_to_retry(bot, CALLBACK)
    assert [c[0] for c in bot.calls] == ["alert", "message"] and bot.calls[1][1] == 77


async def test_nothing_to_answer_for_a_poll_answer():
    bot = Bot()
    await ask_to_retry(
        bot,
        Update.model_validate(
            {
                "update_id": 3,
                "poll_answer": {"poll_id": "p", "user": USER, "option_ids": [0], "option_persistent_ids": ["0"]},
            }
        ),
    )
    assert bot.calls == []


SECRET = "010-1234-5678 제 전화번호로 연락 주세요"


def _raise_chain():
    try:
        int(SECRET)
    except ValueError as e:
        raise IntegrityError("INSERT INTO complaints", {"description": SECRET}, e) from e


def test_describe_keeps_frames_and_types_but_not_what_was_typed():
    try:
        _raise_chain()
    except IntegrityError as e:
        text = describe(e)
    assert SECRET not in text and "description" not in text.splitlines()[-1]
    assert text.startswith("Traceback (most recent call last):") and "_raise_chain" in text
    assert "ValueError: (message withheld" in text and "sqlalchemy.exc.IntegrityError: (message withheld" in text
    assert text.index("ValueError") < text.index("direct cause") < text.index("IntegrityError")


def test_describe_shows_messages_about_the_code():
    try:
        None.edit_reply_markup()
    except AttributeError as e:
        assert describe(e).endswith("AttributeError: 'NoneType' object has no attribute 'edit_reply_markup'")


class FailingBot(Bot):
    """Telegram refuses everything: the user blocked the bot."""

    async def answer_callback_query(self, query_id, text, show_alert=False):
        self.calls.append(("answer", query_id, text, show_alert))
        return True

    async def send_message(self, chat_id, text):
        self.calls.append(("message", chat_id, text))
        raise TelegramForbiddenError(SendMessage(chat_id=chat_id, text=text), "bot was blocked by the user")


async def test_a_bug_on_a_button_answers_it_and_says_sorry_in_the_chat_with_a_way_on():
    bot = Bot()
    await apologise(bot, CALLBACK)
    assert [c[:2] for c in bot.calls] == [("alert", "q1"), ("message", 77)]
    assert bot.calls[0][3] is False and "Sorry" in bot.calls[0][2]  # a toast, in English
    assert "/menu" in bot.calls[1][2] and "Sorry" in bot.calls[1][2]


async def test_a_bug_on_a_message_is_answered_in_the_language_chosen_in_the_bot():
    bot = Bot()
    await apologise(bot, Update.model_validate({"update_id": 1, "message": MESSAGE}), lang="en")
    assert bot.calls == [("message", 77, bot.calls[0][2])] and "/menu" in bot.calls[0][2]
    assert "Sorry" in bot.calls[0][2]


async def test_an_apology_that_cannot_be_sent_is_logged_once_and_not_retried(caplog):
    bot = FailingBot()
    await apologise(bot, CALLBACK)  # does not raise
    assert [c[0] for c in bot.calls] == ["answer", "message"]
    assert [r.getMessage() for r in caplog.records] == [
        "update 2: could not tell the user about the error (TelegramForbiddenError)"
    ]


@pytest.mark.skipif(not databases.TEST_REDIS_URL, reason="needs TEST_REDIS_URL (the PostgreSQL + Redis run)")
async def test_a_dead_pollers_isolation_locks_are_released_and_nobody_elses():
    from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
    from aiogram.fsm.storage.redis import RedisEventIsolation
    from redis.asyncio import Redis

    from bot.fsm_locks import release_dead_locks

    redis = Redis.from_url(databases.TEST_REDIS_URL)
    ours, other = databases.redis_prefix(), databases.redis_prefix()
    isolation = RedisEventIsolation(redis, key_builder=DefaultKeyBuilder(prefix=ours, with_destiny=True))
    try:
        key = StorageKey(bot_id=1, chat_id=77, user_id=77)
        held = redis.lock(isolation.key_builder.build(key, "lock"), timeout=60)
        assert await held.acquire(blocking=False)  # a process that died holding it
        await redis.set(f"{other}:77:77:default:lock", "another district's bot")
        await redis.set(f"{ours}:77:77:default:data", "{}")
        assert await release_dead_locks(isolation) == 1

        async def next_update_of_that_user():
            async with isolation.lock(key):
                pass

        await asyncio.wait_for(next_update_of_that_user(), 2)  # at once, not after the lock's 60 s
        assert await redis.exists(f"{other}:77:77:default:lock", f"{ours}:77:77:default:data") == 2
    finally:
        await redis.delete(f"{other}:77:77:default:lock", f"{ours}:77:77:default:data")
        await redis.aclose()
