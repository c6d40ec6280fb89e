"""bot/unchanged_edit.py against the fake Bot API: an edit that changes nothing succeeds quietly,
every other Bad Request still raises."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.unchanged_edit import UnchangedEditMiddleware
from tests.fakes.telegram_server import FakeTelegram


async def make_bot(fake: FakeTelegram, *, tolerant: bool) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    if tolerant:
        session.middleware(UnchangedEditMiddleware())
    return Bot(fake.token, session=session)


async def _message_with_button(bot: Bot):
    kb = InlineKeyboardBuilder()
    kb.button(text="제출", callback_data="cf:submit:x")
    return await bot.send_message(5, "신청 내용 확인", reply_markup=kb.as_markup())


@pytest.mark.parametrize("tolerant", [False, True])
async def test_removing_a_keyboard_twice(fake, tolerant):
    bot = await make_bot(fake, tolerant=tolerant)
    try:
        msg = await _message_with_button(bot)
        await bot.edit_message_reply_markup(chat_id=5, message_id=msg.message_id, reply_markup=None)
        if tolerant:  # the second removal (a redelivered press) is a success, and the answer after it goes out
            assert await bot.edit_message_reply_markup(chat_id=5, message_id=msg.message_id, reply_markup=None) is True
            await bot.send_message(5, "민원이 접수되었습니다.")
            assert fake.texts(5)[-1] == "민원이 접수되었습니다."
        else:  # without the middleware the fake answers as Telegram does
            with pytest.raises(TelegramBadRequest, match="message is not modified"):
                await bot.edit_message_reply_markup(chat_id=5, message_id=msg.message_id, reply_markup=None)
    finally:
        await bot.session.close()


async def test_other_bad_requests_still_raise(fake):
    bot = await make_bot(fake, tolerant=True)
    try:
        with pytest.raises(TelegramBadRequest) as e:
            await bot.edit_message_reply_markup(chat_id=5, message_id=424242, reply_markup=None)
        assert "not modified" not in e.value.message
        msg = await _message_with_button(bot)
        await bot.edit_message_text("바뀐 글", chat_id=5, message_id=msg.message_id)
        assert await bot.edit_message_text("바뀐 글", chat_id=5, message_id=msg.message_id) is True
    finally:
        await bot.session.close()
