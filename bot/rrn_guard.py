"""A 주민등록번호 is refused in every message, before any handler can store or forward it (aiogram
outer middleware on messages and edited messages).

개인정보 보호법 §24의2 lets the district process a resident registration number (or a foreigner's
registration number, the same form) only where a law requires it, and nothing done in this chat
needs one, so the notices promise it is never stored. One detector (workflows/contact.looks_like_rrn,
which also takes the dashes, dots, spaces and full-width digits people type) looks at every text
and caption, from residents and officers alike, in private chats and groups: the message goes no
further, the person is told why in their language, and the form they were filling in stays on the
step it was on, so they send it again without the number. Nothing of it is logged.

Install once, on the dispatcher's message observers (after the update middlewares, which give the
language): ``dp.message.outer_middleware(RrnGuardMiddleware())`` and the same on
``dp.edited_message``.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject

from workflows.contact import looks_like_rrn
from workflows.texts import t

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def holds_rrn(message: Message) -> bool:
    """What a person typed into this message — its text, or a photo's or file's caption."""
    return looks_like_rrn(message.text) or looks_like_rrn(message.caption)


class RrnGuardMiddleware(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Message) or not holds_rrn(event):
            return await handler(event, data)
        log.info("a message holding a resident registration number was refused (chat type %s)", event.chat.type)
        edited = event.edit_date is not None  # an edit of an earlier message: what came before stays
        await event.answer(t(data.get("lang", "ko"), "rrn.refused_edit" if edited else "rrn.refused"))
        return None
