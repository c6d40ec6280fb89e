"""A NUL character in an update is removed once, before anything reads it (aiogram outer middleware).

PostgreSQL refuses NUL (U+0000) in text (asyncpg: "invalid byte sequence for encoding UTF8"), so a
NUL in a complaint, an address or a name would fail the update at the commit, whichever handler
took it. The character is invisible, so dropping it loses nothing the person meant; the rest of
what they typed is kept as it is.

Install once, on ``dp.update``: ``dp.update.outer_middleware(StripNulMiddleware())``.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.types import TelegramObject, Update

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


# Telegram's texts and the entities (bold, links, commands) that point into them by UTF-16 offset
ENTITY_FIELDS = (
    ("text", "entities"),
    ("caption", "caption_entities"),
    ("question", "question_entities"),
    ("explanation", "explanation_entities"),
)


def _shift_entities(text: str, entities: list[dict]) -> list[dict]:
    """The entities of ``text`` as they point into it once its NULs are removed."""
    nuls, at = [], 0
    for ch in text:
        if ch == "\x00":
            nuls.append(at)
        at += 2 if ord(ch) > 0xFFFF else 1

    def moved(offset: int) -> int:
        return offset - sum(n < offset for n in nuls)

    out = []
    for e in entities:
        start, end = moved(e["offset"]), moved(e["offset"] + e["length"])
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return out


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_strip_nul(v) for v in value]
    if isinstance(value, dict):
        value = dict(value)
        for text, entities in ENTITY_FIELDS:
            if isinstance(value.get(text), str) and "\x00" in value[text] and value.get(entities):
                value[entities] = _shift_entities(value[text], value[entities])
        return {k: _strip_nul(v) for k, v in value.items()}
    return value


class StripNulMiddleware(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        raw = event.model_dump_json(exclude_none=True, by_alias=True)
        if "\\u0000" not in raw:
            return await handler(event, data)
        log.info("update %s: NUL characters removed", event.update_id)
        clean = Update.model_validate(_strip_nul(json.loads(raw)), context={"bot": data["bot"]})
        # the user and chat aiogram put into ``data`` come from the update: take them from the clean one
        return await UserContextMiddleware()(handler, clean, data)
