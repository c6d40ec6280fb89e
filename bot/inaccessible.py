"""A button on a message Telegram no longer shows the bot still works (aiogram outer middleware).

When the message carrying a pressed button was deleted or is too old, Telegram sends the callback
query with an ``InaccessibleMessage`` (``date`` 0, no text): only the chat and the message id.
aiogram's ``InaccessibleMessage`` can ``answer`` but has no ``edit_*``, so every handler that drops
the keyboard after acting (``query.message.edit_reply_markup``) would fail after the action's work
— the update rolled back, the person told nothing. Instead of a check in each handler, this
middleware hands the handlers a ``GoneMessage`` in its place: the edits are tried (the message may
still be there) and, where Telegram refuses them, removing a keyboard counts as done and new text
is sent as a new message.

Install once: ``dp.callback_query.outer_middleware(InaccessibleMessageMiddleware())``.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InaccessibleMessage, TelegramObject

log = logging.getLogger(__name__)


class GoneMessage(InaccessibleMessage):
    """An inaccessible message that can be "edited" like a Message."""

    async def edit_reply_markup(self, reply_markup=None, **kwargs: Any) -> Any:
        try:
            return await self.bot.edit_message_reply_markup(
                chat_id=self.chat.id, message_id=self.message_id, reply_markup=reply_markup, **kwargs
            )
        except TelegramBadRequest as e:  # gone: its buttons do nothing any more
            log.debug("keyboard of an inaccessible message not changed (%s)", e.message)
            return True

    async def edit_text(self, text: str, reply_markup=None, **kwargs: Any) -> Any:
        try:
            return await self.bot.edit_message_text(
                text, chat_id=self.chat.id, message_id=self.message_id, reply_markup=reply_markup, **kwargs
            )
        except TelegramBadRequest as e:
            log.debug("inaccessible message not edited (%s); sent anew", e.message)
            return await self.answer(text, reply_markup=reply_markup, **kwargs)

    async def edit_caption(self, caption: str | None = None, reply_markup=None, **kwargs: Any) -> Any:
        try:
            return await self.bot.edit_message_caption(
                chat_id=self.chat.id, message_id=self.message_id, caption=caption, reply_markup=reply_markup, **kwargs
            )
        except TelegramBadRequest as e:
            log.debug("caption of an inaccessible message not edited (%s); sent anew", e.message)
            if caption:
                return await self.answer(caption, reply_markup=reply_markup, **kwargs)
            return True

    async def delete(self, **kwargs: Any) -> bool:
        try:
            return await self.bot.delete_message(chat_id=self.chat.id, message_id=self.message_id, **kwargs)
        except TelegramBadRequest:
            return True


class InaccessibleMessageMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if (
            isinstance(event, CallbackQuery)
            and isinstance(event.message, InaccessibleMessage)
            and not isinstance(event.message, GoneMessage)
        ):
            gone = GoneMessage(chat=event.message.chat, message_id=event.message.message_id).as_(data["bot"])
            event = event.model_copy(update={"message": gone})
        return await handler(event, data)
