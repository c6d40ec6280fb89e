"""Tests of the fake Telegram Bot API server, driven by a real aiogram Bot and Dispatcher."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from typing import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import Command
from aiogram.methods import GetUpdates
from aiogram.types import BufferedInputFile, CallbackQuery, InputMediaPhoto, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from tests.fakes.telegram_server import FakeTelegram, Upload


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    api = TelegramAPIServer.from_base(fake.base_url)
    return Bot(token or fake.token, session=AiohttpSession(api=api))


@asynccontextmanager
async def polling(fake: FakeTelegram, router: Router) -> AsyncIterator[Bot]:
    """Run a real Dispatcher against the fake; stop it cleanly afterwards."""
    dp = Dispatcher()
    dp.include_router(router)
    bot = make_bot(fake)
    task = asyncio.create_task(dp.start_polling(bot, polling_timeout=1, handle_signals=False))
    try:
        await fake.wait_for(lambda c: c.method == "getMe", timeout=2)
        yield bot
    finally:
        if not task.done():
            await dp.stop_polling()
        await task
        await bot.session.close()


async def test_echo_round_trip(fake: FakeTelegram) -> None:
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    async with polling(fake, router):
        update = fake.message(42, "안녕하세요")
        call = await fake.wait_text(42, "echo: 안녕하세요")
        assert call.result["chat"] == {"id": 42, "type": "private", "first_name": "User"}
        assert call.result["message_id"] == update["message"]["message_id"] + 1
        assert fake.texts(42) == ["echo: 안녕하세요"]
        await fake.wait_idle()
        assert fake.updates_delivered == 1
        assert fake.requests[0].method == "getMe"
        assert fake.requests[1].params["allowed_updates"] == ["message"]


def test_command_entity_has_utf16_length() -> None:
    fake = FakeTelegram()  # queueing works without a running server
    update = fake.message(1, "/민원😀 도로 파손")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    assert "entities" not in fake.message(1, "그냥 텍스트")["message"]


async def test_callback_query_routed_and_message_attached(fake: FakeTelegram) -> None:
    router = Router()
    seen: list[tuple[str, str]] = []

    @router.message(Command("menu"))
    async def menu(message: Message) -> None:
        kb = InlineKeyboardBuilder()
        kb.button(text="민원 접수", callback_data="file")
        kb.button(text="처리 현황", callback_data="status")
        await message.answer("메뉴를 고르세요", reply_markup=kb.as_markup())

    @router.callback_query(F.data == "file")
    async def on_file(query: CallbackQuery) -> None:
        seen.append((query.message.text, query.data))
        await query.answer()
        await query.message.edit_text("접수를 시작합니다")

    async with polling(fake, router):
        fake.message(7, "/menu")
        sent = await fake.wait_text(7, "메뉴")
        assert [b["text"] for b in fake.last_markup(7)[0]] == ["민원 접수", "처리 현황"]
        message_id, data = fake.button(7, "접수")
        assert (message_id, data) == (sent.result["message_id"], "file")
        assert fake.button(sent, "현황") == (message_id, "status")
        mark = fake.mark()
        fake.callback(7, data, message_id=message_id)
        edit = await fake.wait_text(7, "접수를 시작", after=mark)
        assert edit.method == "editMessageText" and edit.params["message_id"] == message_id
        assert "reply_markup" not in edit.result  # editMessageText without markup drops it
        assert any(c.method == "answerCallbackQuery" for c in fake.requests[mark:])
        assert seen == [("메뉴를 고르세요", "file")]
        with pytest.raises(AssertionError, match="no callback button"):
            fake.button(7, "없는 버튼")


async def test_injected_429_surfaces_as_retry_after(fake: FakeTelegram) -> None:
    router = Router()
    errors: list[Exception] = []

    @router.message()
    async def reply(message: Message) -> None:
        try:
            await message.answer("first try")
        except TelegramRetryAfter as e:
            errors.append(e)
            await message.answer("second try")

    fake.fail_next("sendMessage", chat_id=5)
    async with polling(fake, router):
        fake.message(5, "hi")
        await fake.wait_text(5, "second try")
    assert len(errors) == 1 and errors[0].retry_after == 1
    failed = [c for c in fake.requests if c.method == "sendMessage" and c.status == 429]
    assert len(failed) == 1 and failed[0].params["text"] == "first try"
    assert fake.texts(5) == ["second try"]


async def test_block_user_and_fail_next_403_surface_as_forbidden(fake: FakeTelegram) -> None:
    router = Router()
    errors: list[Exception] = []

    @router.message()
    async def reply(message: Message) -> None:
        try:
            await message.answer("답변")
        except TelegramForbiddenError as e:
            errors.append(e)

    fake.block_user(9)
    async with polling(fake, router) as bot:
        fake.message(9, "hi")
        await fake.wait_for(lambda c: c.method == "sendMessage" and c.status == 403)
        fake.fail_next("sendChatAction", error_code=403, times=2)
        for _ in range(2):
            with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
                await bot.send_chat_action(10, "typing")
        assert await bot.send_chat_action(10, "typing") is True
        await bot.send_message(10, "not blocked")
    assert len(errors) == 1 and "bot was blocked by the user" in str(errors[0])
    assert fake.sent(9) == [] and fake.texts(10) == ["not blocked"]


async def test_photo_message_download_and_photo_upload(fake: FakeTelegram) -> None:
    router = Router()
    received: list[Message] = []

    @router.message(F.photo)
    async def on_photo(message: Message, bot: Bot) -> None:
        received.append(message)
        file = await bot.get_file(message.photo[-1].file_id)
        data = await bot.download_file(file.file_path)
        await message.answer_photo(
            BufferedInputFile(data.read(), "copy.jpg"), caption=f"사진 {len(message.photo)}장 받음"
        )

    async with polling(fake, router):
        update = fake.message(3, photo=True, caption="포트홀")
        call = await fake.wait_text(3, "사진 3장 받음")
    ids = {p["file_id"] for p in update["message"]["photo"]}
    assert len(ids) == 3 and received[0].caption == "포트홀"
    largest = update["message"]["photo"][-1]["file_id"]
    assert fake.downloads == [f"photos/{largest}.jpg"]
    upload = call.params["photo"]
    assert isinstance(upload, Upload) and upload.filename == "copy.jpg"
    assert upload.content.startswith(b"\xff\xd8") and call.result["photo"][-1]["width"] == 1280


async def test_location_message(fake: FakeTelegram) -> None:
    router = Router()

    @router.message(F.location)
    async def on_location(message: Message) -> None:
        loc = message.location
        await message.answer_location(loc.latitude, loc.longitude)
        await message.answer(f"위치 {loc.latitude:.4f},{loc.longitude:.4f}")

    async with polling(fake, router):
        fake.message(4, location=(37.5665, 126.978))
        await fake.wait_text(4, "위치 37.5665,126.9780")
    [loc_call] = fake.sent(4, method="sendLocation")
    assert loc_call.result["location"] == {"latitude": 37.5665, "longitude": 126.978}


async def test_replayed_update_is_delivered_again(fake: FakeTelegram) -> None:
    router = Router()
    seen: list[int] = []

    @router.message()
    async def on_message(message: Message) -> None:
        seen.append(message.message_id)
        await message.answer(f"handled {len(seen)}")

    async with polling(fake, router):
        update = fake.message(11, "once")
        await fake.wait_text(11, "handled 1")
        await fake.wait_idle()
        fake.raw_update(update)
        await fake.wait_text(11, "handled 2")
        await fake.wait_idle()
    assert seen == [update["message"]["message_id"]] * 2
    assert fake.updates_delivered == 2


async def test_wait_for_timeout_lists_recent_calls(fake: FakeTelegram) -> None:
    bot = make_bot(fake)
    try:
        await bot.get_me()
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(AssertionError, match=r"(?s)no call #0\+ matched in.*#0 getMe -> 200"):
            await fake.wait_for(lambda c: c.method == "sendMessage", timeout=0.1)
        assert loop.time() - start < 0.5
        with pytest.raises(AssertionError, match="not acknowledged"):
            fake.message(1, "never fetched")
            await fake.wait_idle(timeout=0.05)
    finally:
        await bot.session.close()


def test_invalid_raw_update_is_rejected() -> None:
    fake = FakeTelegram()
    with pytest.raises(ValueError, match="invalid update"):
        fake.raw_update({"update_id": 1, "message": {"text": "no id, date or chat"}})
    with pytest.raises(ValueError, match="update_id"):
        fake.raw_update({"message": {}})
    with pytest.raises(ValueError, match="exactly one"):
        fake.raw_update({"update_id": 2})
    with pytest.raises(ValueError):
        fake.message(1, "text", photo=True)
    assert fake._pending == []


async def test_button_is_found_on_the_message_that_shows_it_now(fake: FakeTelegram) -> None:
    """A chat's button is looked up on the message most recently sent or edited whose keyboard
    shows it now: a card edited after a list was sent does not hide the list's buttons."""

    def kb(*labels: str):
        b = InlineKeyboardBuilder()
        for label in labels:
            b.button(text=label, callback_data=f"cb:{label}")
        return b.as_markup()

    bot = make_bot(fake)
    try:
        card = await bot.send_message(1, "카드", reply_markup=kb("답변", "이송"))
        listing = await bot.send_message(1, "목록", reply_markup=kb("안내 01", "답변"))
        await bot.edit_message_text(
            "카드 (작성 중)", chat_id=1, message_id=card.message_id, reply_markup=kb("답변", "이송")
        )
        # the card was touched last, but only the list shows "안내 01"
        assert fake.button(1, "안내 01") == (listing.message_id, "cb:안내 01")
        # both show "답변": the one touched last
        assert fake.button(1, "답변") == (card.message_id, "cb:답변")
        # the list's keyboard edited away: its old button is not what a user sees now
        await bot.edit_message_reply_markup(chat_id=1, message_id=listing.message_id, reply_markup=kb("뒤로"))
        assert fake.button(1, "답변") == (card.message_id, "cb:답변")
        # a deleted card shows nothing: "답변" is found on no shown message, so the last keyboard
        # sent (the list's, as edited) is searched, and has none
        await bot.delete_message(1, card.message_id)
        with pytest.raises(AssertionError, match="no callback button containing '답변'"):
            fake.button(1, "답변")
        assert fake.button(1, "뒤로") == (listing.message_id, "cb:뒤로")
    finally:
        await bot.session.close()


async def test_edits_unknown_and_unchanged_messages_are_bad_requests(fake: FakeTelegram) -> None:
    bot = make_bot(fake)
    try:
        with pytest.raises(TelegramBadRequest, match="message to edit not found"):
            await bot.edit_message_text("새 내용", chat_id=1, message_id=999)
        sent = await bot.send_message(1, "원래 내용")
        with pytest.raises(TelegramBadRequest, match="message is not modified"):
            await bot.edit_message_text("원래 내용", chat_id=1, message_id=sent.message_id)
        edited = await bot.edit_message_text("새 내용", chat_id=1, message_id=sent.message_id)
        assert edited.text == "새 내용" and edited.edit_date is not None
        user_msg = fake.message(1, "사용자 메시지")["message"]
        with pytest.raises(TelegramBadRequest, match="can't be edited"):
            await bot.edit_message_text("x", chat_id=1, message_id=user_msg["message_id"])
        kb = InlineKeyboardBuilder().button(text="x", callback_data="y" * 65).as_markup()
        fake.expect_refusals()
        with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
            await bot.send_message(1, "too long callback data", reply_markup=kb)
    finally:
        await bot.session.close()
    assert fake.texts(1) == ["원래 내용", "새 내용"]


async def test_get_updates_offset_limit_long_poll_and_conflict(fake: FakeTelegram) -> None:
    bot = make_bot(fake)
    loop = asyncio.get_running_loop()
    try:
        first, second = fake.message(1, "a"), fake.message(1, "b")
        assert [u.update_id for u in await bot.get_updates(limit=1)] == [first["update_id"]]
        got = await bot.get_updates(offset=first["update_id"] + 1, timeout=0)
        assert [u.update_id for u in got] == [second["update_id"]]
        assert await bot.get_updates(offset=second["update_id"] + 1, timeout=0) == []
        await fake.wait_idle(timeout=0.1)
        poll = asyncio.create_task(bot.get_updates(timeout=5))  # wakes as soon as one is queued
        await fake.wait_for(lambda c: c.method == "getUpdates" and c.status == 0)
        start = loop.time()
        third = fake.message(2, "c")
        assert [u.update_id for u in await poll] == [third["update_id"]]
        assert loop.time() - start < 0.5
        stale = asyncio.create_task(bot(GetUpdates(offset=third["update_id"] + 1, timeout=5)))
        await fake.wait_for(lambda c: c.method == "getUpdates" and c.status == 0)
        assert await bot.get_updates(offset=third["update_id"] + 1, timeout=0) == []
        with pytest.raises(TelegramConflictError):
            await stale
    finally:
        await bot.session.close()


async def test_wrong_token_unknown_method_and_multipart_fields(fake: FakeTelegram) -> None:
    bad = make_bot(fake, token="999:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bad.get_me()
    finally:
        await bad.session.close()
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{fake.base_url}/bot{fake.token}/fooBar", data={"a": "1"}) as r:
            assert r.status == 404
            assert await r.json() == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        form = aiohttp.FormData()
        form.add_field("chat_id", "5")
        form.add_field("text", "123")
        markup = {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}
        form.add_field("reply_markup", json.dumps(markup))
        async with http.post(f"{fake.base_url}/bot{fake.token}/sendMessage", data=form) as r:
            assert (await r.json())["result"]["text"] == "123"
    call = fake.sent(5)[0]
    assert call.params["chat_id"] == 5 and call.params["text"] == "123"
    assert fake.button(5, "a") == (call.result["message_id"], "b")


async def test_other_methods_return_objects_aiogram_accepts(fake: FakeTelegram) -> None:
    bot = make_bot(fake)
    try:
        kb = InlineKeyboardBuilder().button(text="확인", callback_data="ok").as_markup()
        photo = await bot.send_photo(2, BufferedInputFile(b"img", "a.jpg"), caption="사진", reply_markup=kb)
        edited = await bot.edit_message_caption(
            chat_id=2, message_id=photo.message_id, caption="새 설명", reply_markup=kb
        )
        assert edited.caption == "새 설명" and edited.photo
        bare = await bot.edit_message_reply_markup(chat_id=2, message_id=photo.message_id)
        assert bare.reply_markup is None
        doc = await bot.send_document(2, BufferedInputFile(b"%PDF", "민원.pdf"))
        assert doc.document.file_name == "민원.pdf"
        venue = await bot.send_venue(2, 37.5, 127.0, "구청", "서울시 중구")
        assert venue.venue.title == "구청" and venue.location.latitude == 37.5
        poll = await bot.send_poll(2, "만족하셨나요?", ["예", "아니오"])
        assert [o.text for o in poll.poll.options] == ["예", "아니오"]
        media = [
            InputMediaPhoto(media=BufferedInputFile(b"1", "1.jpg"), caption="첫째"),
            InputMediaPhoto(media=BufferedInputFile(b"2", "2.jpg")),
        ]
        group = await bot.send_media_group(2, media)
        assert len(group) == 2 and group[0].media_group_id == group[1].media_group_id
        assert isinstance(fake.sent(2, "sendMediaGroup")[0].params["media"][1]["media"], Upload)
        copied = await bot.copy_message(3, from_chat_id=2, message_id=doc.message_id)
        forwarded = await bot.forward_message(3, from_chat_id=2, message_id=venue.message_id)
        assert copied.message_id == 1 and forwarded.message_id == 2 and forwarded.venue
        assert await bot.delete_message(2, photo.message_id) is True
        with pytest.raises(TelegramBadRequest, match="not found"):
            await bot.edit_message_caption(chat_id=2, message_id=photo.message_id, caption="x")
    finally:
        await bot.session.close()
    assert fake.texts(2) == ["사진", "새 설명", "첫째"]
    assert [c.method for c in fake.sent(3)] == ["copyMessage", "forwardMessage"]


async def test_polling_can_restart_against_the_same_fake(fake: FakeTelegram) -> None:
    def make_router() -> Router:  # a Router can be attached to one Dispatcher only
        router = Router()

        @router.message()
        async def reply(message: Message) -> None:
            await message.answer(f"pong {message.text}")

        return router

    async with polling(fake, make_router()):
        fake.message(1, "1")
        await fake.wait_text(1, "pong 1")
    fake.message(1, "2")  # queued while no bot polls
    async with polling(fake, make_router()):
        await fake.wait_text(1, "pong 2")
        await fake.wait_idle()
    assert fake.texts(1) == ["pong 1", "pong 2"]
