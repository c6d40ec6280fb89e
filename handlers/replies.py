"""Sending one screen that a workflow rendered as several messages (workflows/texts.pack), the
one-text answer a form step gives to a message it cannot take, and the alert for a button pressed by
someone it is not for."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from handlers.filters import NOT_COMMAND
from workflows.texts import t


async def answer_all(message: Message, texts: list[str], reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Each message in order; the buttons go with the last one, under everything they act on."""
    for i, text in enumerate(texts):
        await message.answer(text, reply_markup=reply_markup if i == len(texts) - 1 else None)


def answer_in(router: Router, key: str, *states: State) -> None:
    """In these form steps, a message the step cannot take (text where buttons are asked for, a photo
    where text is; not a command) is answered with the text ``key``; the step stays as it was."""

    async def step_answer(message: Message, lang: str) -> None:
        await message.answer(t(lang, key))

    router.message.register(step_answer, StateFilter(*states), NOT_COMMAND)


async def allowed(query: CallbackQuery, lang: str, ok: bool, key: str = "not_allowed") -> bool:
    """A staff button pressed by someone it is not for (their role ended since it was shown, or a
    forged press): answered with an alert saying so, and False; nothing else happens."""
    if not ok:
        await query.answer(t(lang, key), show_alert=True)
    return ok
