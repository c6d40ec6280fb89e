"""Queue a message for the delivery worker (bot/delivery.py) inside the caller's transaction.

A row is the Bot API method and its parameters as plain JSON; the dedup key makes a second
enqueue of the same notification a no-op, so a job that runs twice sends once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from workflows.models import OutboxFile, OutboxMessage, utcnow
from workflows.links import is_link

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback_data or an https:// link)


def keyboard(buttons: Buttons | None) -> dict | None:
    if not buttons:
        return None
    return {
        "inline_keyboard": [
            [{"text": label, "url" if is_link(data) else "callback_data": data} for label, data in row]
            for row in buttons
        ]
    }


async def attach(session: AsyncSession, filename: str, content: bytes, content_type: str) -> dict:
    """Store a file for the outbox; the returned value goes into a payload field (bot/delivery.py
    uploads it when the row is sent)."""
    f = OutboxFile(filename=filename, content=content, content_type=content_type)
    session.add(f)
    await session.flush()
    return {"outbox_file": f.id}


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    chat_id: int,
    text: str | None = None,
    buttons: Buttons | None = None,
    method: str = "sendMessage",
    params: dict | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Add one outbound message; False when a message with this key already exists."""
    if await session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)):
        return False
    try:
        async with session.begin_nested():
            session.add(_row(Queued(key, chat_id, text, buttons, method, params, not_before)))
    except IntegrityError:
        return False  # a concurrent enqueue of the same key won
    session.info["outbox_added"] = True
    return True


@dataclass(frozen=True)
class Queued:
    """One message for enqueue_many: the same fields as enqueue's keywords."""

    key: str
    chat_id: int
    text: str | None = None
    buttons: Buttons | None = None
    method: str = "sendMessage"
    params: dict | None = None
    not_before: datetime | None = None


def _row(m: Queued) -> OutboxMessage:
    payload = dict(m.params or {})
    if m.text is not None:
        payload.setdefault("text", m.text)
        payload.setdefault("parse_mode", "HTML")
    markup = keyboard(m.buttons)
    if markup:
        payload["reply_markup"] = markup
    return OutboxMessage(
        dedup_key=m.key[:200], chat_id=m.chat_id, method=m.method, payload=payload, not_before=m.not_before or utcnow()
    )


async def enqueue_many(session: AsyncSession, messages: list[Queued]) -> int:
    """Many messages at once (a newsletter to every subscriber) under the same dedup rule as
    enqueue: one query for the keys that exist, one insert for the rest. Returns how many were added."""
    keys = list(dict.fromkeys(m.key for m in messages))
    existing: set[str] = set()
    for i in range(0, len(keys), 500):
        existing.update(
            await session.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.in_(keys[i : i + 500])))
        )
    new: list[Queued] = []
    for m in messages:  # the first of repeated keys wins, as with enqueue
        if m.key not in existing:
            existing.add(m.key)
            new.append(m)
    if not new:
        return 0
    try:
        async with session.begin_nested():
            session.add_all([_row(m) for m in new])
    except IntegrityError:  # a concurrent enqueue of one of them won: one by one
        return sum(
            [
                await enqueue(
                    session,
                    key=m.key,
                    chat_id=m.chat_id,
                    text=m.text,
                    buttons=m.buttons,
                    method=m.method,
                    params=m.params,
                    not_before=m.not_before,
                )
                for m in new
            ]
        )
    session.info["outbox_added"] = True
    return len(new)


# What an edit can change of a sent message (editMessageText); without reply_markup, Telegram
# takes the buttons away, as a rewrite without buttons means.
EDITABLE = ("text", "parse_mode", "entities", "link_preview_options", "reply_markup")


async def rewrite(session: AsyncSession, row: OutboxMessage, payload: dict) -> bool:
    """Make a row not sent yet send ``payload`` instead (a card rewritten before it went out).

    False when the row is no longer pending: the delivery worker marked it sent meanwhile. The row's
    status and message id are then re-read, so the caller edits the sent message instead. A rewrite
    that lands while the worker's request is in flight is caught up by ``catch_up``."""
    done = cast(
        CursorResult,
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.status == "pending")
            .values(payload=payload)
            .execution_options(synchronize_session=False)
        ),
    )
    if done.rowcount:
        set_committed_value(row, "payload", payload)
        return True
    await session.refresh(row, ["status", "telegram_message_id", "payload"])
    return False


async def catch_up(session: AsyncSession, row: OutboxMessage, sent: dict, message_id: int | None) -> bool:
    """In the transaction that marks ``row`` sent with ``sent`` (the payload Telegram accepted): if
    ``rewrite`` changed the row while the request was in flight, the row goes back to what Telegram
    got and an edit brings the sent message to the rewritten text. True if an edit was queued."""
    stored = await session.scalar(select(OutboxMessage.payload).where(OutboxMessage.id == row.id))
    if stored is None or stored == sent:
        return False
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(payload=sent)
        .execution_options(synchronize_session=False)
    )
    if row.method != "sendMessage" or not message_id:
        return False
    params = {k: v for k, v in stored.items() if k in EDITABLE}
    params["message_id"] = message_id
    return await enqueue(
        session, key=f"rewritten:{row.id}", chat_id=row.chat_id, method="editMessageText", params=params
    )


def _key_range(prefix: str):
    """Rows whose dedup key starts with ``prefix`` (ending in ":"), as a range on the key's unique
    index (unlike LIKE)."""
    return OutboxMessage.dedup_key >= prefix, OutboxMessage.dedup_key < prefix[:-1] + chr(ord(prefix[-1]) + 1)


async def delivery_counts(session: AsyncSession, prefix: str) -> dict[str, int]:
    """The delivery report of one send (a newsletter issue, a food alert, an outbreak notice): its
    rows by key prefix counted as pending, sent, blocked (403), failed and cancelled."""
    rows = (
        await session.execute(
            select(OutboxMessage.status, OutboxMessage.last_error, func.count())
            .where(*_key_range(prefix))
            .group_by(OutboxMessage.status, OutboxMessage.last_error)
        )
    ).all()
    counts = {"pending": 0, "sent": 0, "blocked": 0, "failed": 0, "cancelled": 0}
    for status, error, n in rows:
        if status == "failed" and error and ("forbidden" in error.lower() or "blocked" in error.lower()):
            counts["blocked"] += n
        elif status in counts:
            counts[status] += n
        else:
            counts["failed"] += n
    return counts
