"""The outbox worker (bot/delivery.py) and the direct-reply retry middleware (bot/retry.py),
driven by a real aiogram Bot against the local fake Bot API server."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections import Counter
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from sqlalchemy import select, update

from workflows.models import OutboxMessage, User, utcnow
from bot.db.session import make_engine, make_sessionmaker
from bot.delivery import DeliveryWorker
from bot.retry import RetryAfterMiddleware
from tests import databases
from tests.fakes.telegram_server import FakeTelegram
from workflows.outbox import enqueue, rewrite

KEYS = itertools.count(1)
FAST = dict(rate=200.0, private_interval=0.2, group_interval=0.2, idle_poll=0.05)


def make_bot(fake: FakeTelegram, base_url: str | None = None) -> Bot:
    api = TelegramAPIServer.from_base(base_url or fake.base_url)
    return Bot(fake.token, session=AiohttpSession(api=api))


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    b = make_bot(fake)
    yield b
    await b.session.close()


@pytest.fixture
async def db(tmp_path):
    engine = make_engine(databases.new_database_url(tmp_path))
    yield make_sessionmaker(engine)
    await engine.dispose()


async def queue(db, *messages: dict) -> None:
    """Enqueue (chat_id=..., text=... or method=/params=) in one committed transaction."""
    async with db() as session:
        for m in messages:
            m = {"text": f"t{m['chat_id']}", **m} if "method" not in m else m
            assert await enqueue(session, key=f"k{next(KEYS)}", **m)
        await session.commit()


async def all_rows(db) -> list[OutboxMessage]:
    async with db() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def wait_rows(db, pred, timeout: float = 10.0) -> list[OutboxMessage]:
    deadline = asyncio.get_running_loop().time() + timeout
    while not pred(rows := await all_rows(db)):
        assert asyncio.get_running_loop().time() < deadline, [(r.id, r.status) for r in rows]
        await asyncio.sleep(0.05)
    return rows


def none_pending(rows) -> bool:
    return all(r.status != "pending" for r in rows)


@asynccontextmanager
async def running(worker: DeliveryWorker) -> AsyncIterator[asyncio.Task]:
    task = asyncio.create_task(worker.run())
    try:
        yield task
    finally:
        await worker.stop()
        await task


def ok_sends(fake: FakeTelegram, chat_id: int | None = None) -> list:
    return fake.sent(chat_id=chat_id)


def times(fake: FakeTelegram, chat_id: int) -> list[float]:
    return [c.time for c in ok_sends(fake, chat_id)]


def gaps(ts: list[float]) -> list[float]:
    return [b - a for a, b in zip(ts, ts[1:])]


# ---------------------------------------------------------------------- worker


async def test_every_row_sent_once_with_message_id(fake, bot, db) -> None:
    await queue(
        db,
        dict(chat_id=1, text="<b>hello</b>", buttons=[[("OK", "ok:1")]]),
        dict(chat_id=2, text="first"),
        dict(chat_id=2, text="second"),
        dict(chat_id=3, method="sendPhoto", params={"photo": "AgACfile", "caption": "c"}),
        dict(chat_id=4, method="sendLocation", params={"latitude": 37.5, "longitude": 127.0}),
        dict(
            chat_id=5,
            method="sendVenue",
            params={"latitude": 37.5, "longitude": 127.0, "title": "구청", "address": "1 Rd"},
        ),
        dict(chat_id=6, method="sendDocument", params={"document": "BQACdoc"}),
        dict(
            chat_id=7,
            method="sendMediaGroup",
            params={
                "media": [{"type": "photo", "media": "AgAC1", "caption": "a"}, {"type": "photo", "media": "AgAC2"}]
            },
        ),
        dict(chat_id=8, method="copyMessage", params={"from_chat_id": 1, "message_id": 1}),
        dict(chat_id=-100500, text="to a group"),
    )
    reported: list[int] = []

    async def on_sent(row: OutboxMessage) -> None:
        assert row.status == "sent" and row.telegram_message_id
        reported.append(row.id)

    worker = DeliveryWorker(bot, db, on_sent=on_sent, **FAST)
    async with running(worker):
        rows = await wait_rows(db, none_pending)

    assert [r.status for r in rows] == ["sent"] * 10
    assert sorted(reported) == [r.id for r in rows]
    assert worker.stats["sent"] == 10 and worker.stats["failed"] == 0
    calls = ok_sends(fake)
    assert len(calls) == 10 and len(fake.requests) == 10  # nothing sent twice, nothing retried
    for row in rows:
        chat_calls = [c for c in calls if c.params["chat_id"] == row.chat_id]
        assert [c.method for c in chat_calls] == [row.method] * len(chat_calls)
        results = [c.result[0] if isinstance(c.result, list) else c.result for c in chat_calls]
        assert row.telegram_message_id in [r["message_id"] for r in results]
        assert row.sent_at is not None and row.attempts == 1
    assert fake.texts(2) == ["first", "second"]
    assert fake.last_markup(1) == [[{"text": "OK", "callback_data": "ok:1"}]]
    assert fake.sent(chat_id=1)[0].params["parse_mode"] == "HTML"
    assert await worker.drain_once() == 0 and len(fake.requests) == 10


async def test_retry_after_pauses_all_sending_then_sends(fake, db) -> None:
    # The bot also has the direct-reply middleware: the worker must bypass it and pause globally.
    bot = make_bot(fake)
    bot.session.middleware(RetryAfterMiddleware())
    await queue(db, *[dict(chat_id=c) for c in range(1, 7)])
    fake.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=3)
    worker = DeliveryWorker(bot, db, **{**FAST, "rate": 10.0})
    try:
        async with running(worker):
            rows = await wait_rows(db, none_pending)
    finally:
        await bot.session.close()

    assert [r.status for r in rows] == ["sent"] * 6
    limited = [i for i, c in enumerate(fake.requests) if c.status == 429]
    assert len(limited) == 1 and worker.stats["retry_after"] == 1
    t429 = fake.requests[limited[0]].time
    before, after = fake.requests[: limited[0]], fake.requests[limited[0] + 1 :]
    # chat 3 again plus every chat not sent before the 429 (rows in flight wait too): all after the pause
    assert 3 in {c.params["chat_id"] for c in after} and len(before) + len(after) == 6
    assert all(c.time - t429 >= 0.95 for c in after), [c.time - t429 for c in after]
    assert Counter(c.params["chat_id"] for c in ok_sends(fake)) == dict.fromkeys(range(1, 7), 1)
    assert rows[2].attempts == 2 and rows[2].telegram_message_id == 1


async def test_forbidden_marks_failed_and_user_inactive(fake, bot, db) -> None:
    async with db() as session:
        session.add_all([User(id=42), User(id=43)])
        await session.commit()
    fake.block_user(42)
    fake.block_user(-600)
    await queue(
        db,
        dict(chat_id=42, text="a"),
        dict(chat_id=42, text="b"),
        dict(chat_id=43),
        dict(chat_id=-600),
        dict(chat_id=44),
    )  # 44 has no User row
    worker = DeliveryWorker(bot, db, **FAST)
    async with running(worker):
        rows = await wait_rows(db, none_pending)

    assert [(r.chat_id, r.status) for r in rows] == [
        (42, "failed"),
        (42, "failed"),
        (43, "sent"),
        (-600, "failed"),
        (44, "sent"),
    ]
    assert all("blocked" in r.last_error for r in rows if r.status == "failed")
    assert worker.stats["forbidden"] == 3 and worker.stats["failed"] == 3
    async with db() as session:
        assert (await session.get(User, 42)).is_active is False
        assert (await session.get(User, 43)).is_active is True
        assert await session.get(User, 44) is None


async def test_bad_request_fails_without_retry(fake, bot, db) -> None:
    fake.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found", chat_id=77)
    await queue(
        db,
        dict(chat_id=77),
        dict(chat_id=78),
        dict(chat_id=79, method="sendMessage", params={}),  # no text: invalid
        dict(chat_id=80, method="sendSticker", params={"sticker": "x"}),
    )  # not allowed
    worker = DeliveryWorker(bot, db, **FAST)
    assert await worker.drain_once() == 1
    await asyncio.sleep(0.25)  # past the per-chat interval
    assert await worker.drain_once() == 0

    rows = await all_rows(db)
    assert [r.status for r in rows] == ["failed", "sent", "failed", "failed"]
    assert "chat not found" in rows[0].last_error and rows[0].attempts == 1
    assert rows[2].last_error.startswith("invalid payload") and rows[2].attempts == 0
    assert rows[3].last_error == "unknown method sendSticker"
    assert [c.params["chat_id"] for c in fake.requests] == [77, 78]  # 77 once, 79/80 never


async def test_private_chat_spacing_does_not_block_others(fake, bot, db) -> None:
    await queue(db, *[dict(chat_id=1, text=f"m{i}") for i in range(3)], *[dict(chat_id=100 + c) for c in range(20)])
    worker = DeliveryWorker(bot, db, rate=100.0, private_interval=1.0, idle_poll=0.05)
    async with running(worker):
        await wait_rows(db, none_pending)

    own = times(fake, 1)
    assert fake.texts(1) == ["m0", "m1", "m2"]
    assert all(g >= 0.95 for g in gaps(own)), gaps(own)
    others = [t for c in range(20) for t in times(fake, 100 + c)]
    assert len(others) == 20 and max(others) - own[0] < 0.5  # not held up by chat 1


async def test_group_chat_spacing(fake, bot, db) -> None:
    group = -1001234567890
    await queue(
        db, *[dict(chat_id=group, text=f"g{i}") for i in range(3)], *[dict(chat_id=7, text=f"p{i}") for i in range(3)]
    )
    worker = DeliveryWorker(bot, db, rate=100.0, private_interval=0.1, group_interval=0.6, idle_poll=0.05)
    async with running(worker):
        await wait_rows(db, none_pending)

    assert fake.texts(group) == ["g0", "g1", "g2"] and fake.texts(7) == ["p0", "p1", "p2"]
    assert all(g >= 0.57 for g in gaps(times(fake, group))), gaps(times(fake, group))
    assert all(g >= 0.095 for g in gaps(times(fake, 7))), gaps(times(fake, 7))
    assert times(fake, 7)[-1] < times(fake, group)[1]  # the private chat was not held up
    defaults = DeliveryWorker(bot, db)
    assert (defaults.private_interval, defaults.group_interval, defaults.rate) == (1.0, 3.0, 25.0)


async def test_chat_order_kept_while_its_first_row_backs_off(fake, bot, db) -> None:
    await queue(db, *[dict(chat_id=5, text=f"m{i}") for i in range(1, 6)], dict(chat_id=6))
    fake.fail_next("sendMessage", error_code=500, chat_id=5)  # -> TelegramServerError
    worker = DeliveryWorker(bot, db, **{**FAST, "private_interval": 0.05})
    async with running(worker):
        rows = await wait_rows(db, lambda rs: rs[5].status == "sent")
        await asyncio.sleep(0.3)  # several passes: chat 5's later rows must not jump ahead
        rows = await all_rows(db)
        assert [r.status for r in rows[:5]] == ["pending"] * 5
        assert rows[0].attempts == 1 and "TelegramServerError" in rows[0].last_error
        backoff = (rows[0].not_before - utcnow()).total_seconds()
        assert 1.0 < backoff <= 2.0 and worker.stats["network_errors"] == 1
        assert fake.sent(chat_id=5) == []

        async with db() as session:  # let the back-off expire now
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == rows[0].id).values(not_before=utcnow())
            )
            await session.commit()
        worker.wake()
        await wait_rows(db, none_pending)
    assert fake.texts(5) == ["m1", "m2", "m3", "m4", "m5"]


async def test_network_error_backs_off_then_fails_after_max_attempts(fake, db) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bot = make_bot(fake, f"http://127.0.0.1:{port}")
    try:
        await queue(db, dict(chat_id=9))
        worker = DeliveryWorker(bot, db, max_attempts=3, **FAST)
        assert await worker.drain_once() == 0
        [row] = await all_rows(db)
        assert row.status == "pending" and row.attempts == 1 and row.last_error
        assert 1.5 < (row.not_before - utcnow()).total_seconds() <= 2.0  # 2**1 s
        assert worker.stats["network_errors"] == 1

        assert await worker.drain_once() == 0  # not due yet: not tried
        assert worker.stats["network_errors"] == 1
        async with db() as session:
            await session.execute(update(OutboxMessage).values(not_before=utcnow() - timedelta(seconds=1), attempts=2))
            await session.commit()
        worker._chat_ready.clear()
        assert await worker.drain_once() == 0
        [row] = await all_rows(db)
        assert row.status == "failed" and row.attempts == 3 and worker.stats["failed"] == 1
    finally:
        await bot.session.close()


async def test_restart_midway_delivers_all_exactly_once(fake, bot, db) -> None:
    await queue(db, *[dict(chat_id=1000 + i % 30, text=f"n{i:03d}") for i in range(300)])
    options = dict(rate=300.0, private_interval=0.02, idle_poll=0.05)
    first = asyncio.create_task(DeliveryWorker(bot, db, **options).run())
    await fake.wait_for(lambda c: len(ok_sends(fake)) >= 100, timeout=10)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    rows = await all_rows(db)
    sent_before = sum(r.status == "sent" for r in rows)
    assert sent_before == len(ok_sends(fake))  # everything Telegram accepted was recorded
    assert 100 <= sent_before < 300

    async with running(DeliveryWorker(bot, db, **options)):
        rows = await wait_rows(db, none_pending)
    assert all(r.status == "sent" and r.telegram_message_id for r in rows)
    texts = [c.params["text"] for c in ok_sends(fake)]
    assert len(texts) == 300 and len(set(texts)) == 300
    for chat in range(1000, 1030):
        assert fake.texts(chat) == sorted(fake.texts(chat))
        assert [r.telegram_message_id for r in rows if r.chat_id == chat] == list(range(1, 11))


async def test_a_row_rewritten_while_in_flight_keeps_what_telegram_got_and_is_edited(fake, bot, db) -> None:
    """A card taken while the worker's request is out (after Telegram accepted it, before the
    worker marks it sent): the message on screen must end as the rewrite, not as the stale text."""
    await queue(db, dict(chat_id=1, text="<b>new</b> case", buttons=[[("Take", "take:1")]]))
    rewritten = {"text": "<b>new</b> case · taken", "parse_mode": "HTML"}  # no buttons any more

    async def rewrite_in_flight(make_request, b, method):
        answer = await make_request(b, method)
        if method.__api_method__ == "sendMessage":
            async with db() as session, session.begin():
                row = await session.scalar(select(OutboxMessage))
                assert await rewrite(session, row, rewritten)  # still pending: the worker has not marked it
        return answer

    bot.session.middleware(rewrite_in_flight)
    worker = DeliveryWorker(bot, db, **FAST)
    async with running(worker):
        rows = await wait_rows(db, lambda rs: len(rs) == 2 and none_pending(rs))

    first, edit = rows
    assert first.status == "sent" and first.payload["text"] == "<b>new</b> case"  # what Telegram got
    assert first.payload["reply_markup"]["inline_keyboard"][0][0]["text"] == "Take"
    assert edit.dedup_key == f"rewritten:{first.id}" and edit.method == "editMessageText"
    assert edit.status == "sent" and edit.payload["message_id"] == first.telegram_message_id
    shown = fake._messages[(1, first.telegram_message_id)]
    assert shown["text"] == rewritten["text"] and "reply_markup" not in shown  # the fake echoes tags


async def test_a_rewrite_after_the_row_was_sent_says_so(fake, bot, db) -> None:
    await queue(db, dict(chat_id=1, text="card"))
    worker = DeliveryWorker(bot, db, **FAST)
    async with db() as session:
        stale = await session.scalar(select(OutboxMessage))  # read while pending
    assert stale.status == "pending"
    assert await worker.drain_once() == 1
    async with db() as session, session.begin():
        row = await session.merge(stale, load=False)
        assert not await rewrite(session, row, {"text": "card · taken"})
        assert row.status == "sent" and row.telegram_message_id  # re-read: the caller edits instead
    (sent,) = await all_rows(db)
    assert sent.payload["text"] == "card"


async def test_global_rate(fake, bot, db) -> None:
    await queue(db, *[dict(chat_id=2000 + c) for c in range(100)])
    worker = DeliveryWorker(bot, db, rate=50.0, idle_poll=0.05)
    async with running(worker):
        await wait_rows(db, none_pending)
    ts = sorted(c.time for c in ok_sends(fake))
    assert len(ts) == 100
    assert 1.9 <= ts[-1] - ts[0] < 4.0
    assert all(b - a >= 0.18 for a, b in zip(ts, ts[10:]))  # evenly spaced: no bursts


async def test_wake_and_stop_are_prompt(fake, bot, db) -> None:
    worker = DeliveryWorker(bot, db, idle_poll=5.0)
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.1)
    await queue(db, dict(chat_id=11))
    loop = asyncio.get_running_loop()
    start = loop.time()
    worker.wake()
    await fake.wait_for(lambda c: c.status == 200, timeout=1)
    assert loop.time() - start < 0.5
    start = loop.time()
    await worker.stop()
    await task
    assert loop.time() - start < 0.5


async def test_run_survives_an_exception(fake, bot, db) -> None:
    worker = DeliveryWorker(bot, db, **FAST)
    worker.error_pause = 0.1
    real_due, calls = worker._due, []

    async def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        return await real_due()

    worker._due = flaky
    await queue(db, dict(chat_id=12))
    async with running(worker):
        rows = await wait_rows(db, none_pending, timeout=3)
    assert rows[0].status == "sent" and len(calls) >= 2


async def test_a_database_outage_pauses_longer_each_time_and_logs_no_traceback(fake, bot, db, caplog) -> None:
    import logging
    import sqlite3

    from sqlalchemy.exc import OperationalError

    worker = DeliveryWorker(bot, db, **FAST)
    worker.error_pause, worker.max_error_pause = 0.05, 0.2
    real_due, calls = worker._due, []
    loop = asyncio.get_running_loop()

    async def down_then_up():
        calls.append(loop.time())
        if len(calls) <= 4:
            raise OperationalError("SELECT", None, sqlite3.OperationalError("database is locked"))
        return await real_due()

    worker._due = down_then_up
    await queue(db, dict(chat_id=13))
    with caplog.at_level(logging.WARNING, logger="bot.delivery"):
        async with running(worker):
            rows = await wait_rows(db, none_pending, timeout=5)
    assert rows[0].status == "sent"
    gaps = [b - a for a, b in zip(calls, calls[1:5])]
    assert gaps[0] >= 0.04 and gaps[1] >= 0.09 and gaps[2] >= 0.18 and gaps[3] < 0.35  # 0.05, 0.1, 0.2, 0.2
    outage = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(outage) == 4 and not any(r.exc_info for r in outage)


# ---------------------------------------------------------------------- direct replies


async def test_middleware_retries_429_for_direct_reply(fake) -> None:
    bot = make_bot(fake)
    bot.session.middleware(RetryAfterMiddleware())
    fake.fail_next("sendMessage", error_code=429, retry_after=1)
    loop = asyncio.get_running_loop()
    try:
        start = loop.time()
        message = await bot.send_message(9, "hello")
        assert loop.time() - start >= 0.95
    finally:
        await bot.session.close()
    assert message.text == "hello"
    assert [c.status for c in fake.requests] == [429, 200]


async def test_middleware_gives_up_and_retries_server_errors(fake) -> None:
    bot = make_bot(fake)
    bot.session.middleware(RetryAfterMiddleware(max_sleep=0.01, network_delays=(0.01, 0.02)))
    try:
        fake.fail_next("sendMessage", error_code=429, retry_after=1, times=4)
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(9, "x")
        assert [c.status for c in fake.requests] == [429] * 4  # 1 try + 3 retries

        fake.fail_next("sendMessage", error_code=502, times=2)
        await bot.send_message(9, "y")
        fake.fail_next("sendMessage", error_code=502, times=3)
        with pytest.raises(TelegramServerError):
            await bot.send_message(9, "z")
    finally:
        await bot.session.close()
    assert [c.status for c in fake.requests[4:]] == [502, 502, 200, 502, 502, 502]
