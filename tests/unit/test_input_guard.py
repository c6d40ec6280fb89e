"""bot/input_guard.py: a NUL anywhere in an update is removed before a handler sees it — the rest
kept, the formatting still on the same characters, aiogram's user context taken from the clean
update — and an update without one passes untouched."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import Update

from bot.input_guard import StripNulMiddleware

BOT = Bot("123456:TEST-TOKEN")


def update(text: str, entities: list[dict], first_name: str = "주민") -> Update:
    return Update.model_validate(
        {
            "update_id": 7,
            "message": {
                "message_id": 1,
                "date": 1_700_000_000,
                "chat": {"id": 5, "type": "private"},
                "from": {"id": 5, "is_bot": False, "first_name": first_name},
                "text": text,
                "entities": entities,
            },
        },
        context={"bot": BOT},
    )


async def run(event: Update) -> tuple[Update, dict]:
    seen = []

    async def handler(e, data):
        seen.append((e, data))

    await StripNulMiddleware()(handler, event, {"bot": BOT, "event_from_user": event.message.from_user})
    return seen[0]


async def test_nul_removed_and_formatting_kept_on_the_same_words():
    # "/start 공원\x00 😀\x00<b>그네</b>" with the bold on 그네 (UTF-16 offsets: 😀 counts 2)
    text = "/start 공원\x00 😀\x00그네"
    event = update(
        text,
        [{"type": "bot_command", "offset": 0, "length": 6}, {"type": "bold", "offset": 14, "length": 2}],
        first_name="주\x00민",
    )
    clean, data = await run(event)
    assert clean.message.text == "/start 공원 😀그네"
    assert clean.message.html_text == "/start 공원 😀<b>그네</b>"
    assert clean.message.bot is BOT and clean.update_id == 7
    assert data["event_from_user"].first_name == "주민"


async def test_an_update_without_nul_is_passed_as_it_is():
    event = update("/start 공원", [{"type": "bot_command", "offset": 0, "length": 6}])
    clean, _ = await run(event)
    assert clean is event
