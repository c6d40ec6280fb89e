"""Sending one screen that a workflow rendered as several messages (workflows/texts.pack)."""
from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, Message


async def answer_all(message: Message, texts: list[str], reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Each message in order; the buttons go with the last one, under everything they act on."""
    for i, text in enumerate(texts):
        await message.answer(text, reply_markup=reply_markup if i == len(texts) - 1 else None)
