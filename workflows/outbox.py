"""Queue a message for the delivery worker (bot/delivery.py) inside the caller's transaction.

A row is the Bot API method and its parameters as plain JSON; the dedup key makes a second
enqueue of the same notification a no-op, so a job that runs twice sends once.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, utcnow

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback_data)


def keyboard(buttons: Buttons | None) -> dict | None:
    if not buttons:
        return None
    return {"inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row]
                                for row in buttons]}


async def enqueue(session: AsyncSession, *, key: str, chat_id: int, text: str | None = None,
                  buttons: Buttons | None = None, method: str = "sendMessage",
                  params: dict | None = None, not_before: datetime | None = None) -> bool:
    """Add one outbound message; False when a message with this key already exists."""
    if await session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)):
        return False
    payload = dict(params or {})
    if text is not None:
        payload.setdefault("text", text)
        payload.setdefault("parse_mode", "HTML")
    markup = keyboard(buttons)
    if markup:
        payload["reply_markup"] = markup
    try:
        async with session.begin_nested():
            session.add(OutboxMessage(dedup_key=key[:200], chat_id=chat_id, method=method,
                                      payload=payload, not_before=not_before or utcnow()))
    except IntegrityError:
        return False  # a concurrent enqueue of the same key won
    session.info["outbox_added"] = True
    return True
