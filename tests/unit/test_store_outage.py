"""bot/store_outage.py: which errors mean "the database is unreachable", and the one answer the user
gets (an alert on a pressed button, else a chat message); bot/fsm_locks.py: locks of a dead poller."""
from __future__ import annotations

import asyncio

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.store_outage import ask_to_retry, store_unavailable
from tests import databases

RETRY = "잠시 후 다시 시도해 주세요"


@pytest.mark.parametrize("exc, expected", [
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
])
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
CALLBACK = Update.model_validate({"update_id": 2, "callback_query": {
    "id": "q1", "from": {**USER, "language_code": "en"}, "chat_instance": "c", "data": "x",
    "message": {**MESSAGE, "from": {"id": 1, "is_bot": True, "first_name": "bot"}}}})


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
    await ask_to_retry(bot, Update.model_validate({"update_id": 3, "poll_answer": {
        "poll_id": "p", "user": USER, "option_ids": [0], "option_persistent_ids": ["0"]}}))
    assert bot.calls == []


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
        assert await held.acquire(blocking=False)          # a process that died holding it
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
