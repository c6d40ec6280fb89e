"""bot/inaccessible.py against the fake Bot API: a callback whose message Telegram reports as
inaccessible reaches the handlers with a message that can be edited like any other — a keyboard
that cannot be removed any more counts as removed, text that cannot be edited in is sent anew."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import CallbackQuery, Chat, InaccessibleMessage, Message, Update

from bot.inaccessible import GoneMessage, InaccessibleMessageMiddleware

CHAT = 5


@pytest.fixture
async def bot(fake):
    b = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
    yield b
    await b.session.close()


def gone(bot: Bot, message_id: int) -> GoneMessage:
    return GoneMessage(chat=Chat(id=CHAT, type="private"), message_id=message_id).as_(bot)


async def test_the_middleware_hands_handlers_a_message_they_can_edit(bot):
    update = Update.model_validate(
        {
            "update_id": 1,
            "callback_query": {
                "id": "q",
                "chat_instance": "c",
                "data": "x",
                "from": {"id": CHAT, "is_bot": False, "first_name": "U"},
                "message": {"message_id": 7, "date": 0, "chat": {"id": CHAT, "type": "private"}},
            },
        },
        context={"bot": bot},
    )
    assert type(update.callback_query.message) is InaccessibleMessage  # how aiogram reads date 0
    seen = []

    async def handler(event, data):
        seen.append(event)

    await InaccessibleMessageMiddleware()(handler, update.callback_query, {"bot": bot})
    query: CallbackQuery = seen[0]
    assert isinstance(query.message, GoneMessage) and query.message.message_id == 7 and query.data == "x"
    assert query.bot is bot and query.message.bot is bot


async def test_a_keyboard_on_a_message_telegram_refuses_to_edit_counts_as_removed(bot, fake):
    assert await gone(bot, 424242).edit_reply_markup(reply_markup=None) is True
    assert [c.status for c in fake.requests if c.method == "editMessageReplyMarkup"] == [400]


async def test_a_keyboard_on_a_message_that_still_exists_is_removed(bot, fake):
    sent = await bot.send_message(
        CHAT, "확인", reply_markup={"inline_keyboard": [[{"text": "예", "callback_data": "y"}]]}
    )
    result = await gone(bot, sent.message_id).edit_reply_markup(reply_markup=None)
    assert isinstance(result, Message) and result.reply_markup is None


async def test_text_that_cannot_be_edited_in_is_sent_as_a_new_message(bot, fake):
    result = await gone(bot, 424242).edit_text("처리되었습니다")
    assert isinstance(result, Message) and fake.texts(CHAT) == ["처리되었습니다"]


async def test_other_errors_are_not_hidden(bot, fake):
    fake.block_user(CHAT)
    with pytest.raises(TelegramForbiddenError):
        await gone(bot, 424242).edit_text("처리되었습니다")
