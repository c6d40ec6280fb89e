"""The outbox worker: the ONE path for everything the system sends on its own.

Rows are queued by ``workflows.outbox.enqueue`` (Bot API method name + parameters as JSON).
``DeliveryWorker.run()`` drains them against Telegram's limits:

* global: at most ``rate`` sends per second (evenly spaced) and ``max_in_flight`` requests at once;
* per chat: private chats (id > 0) one message per ``private_interval`` s, groups (id < 0) one per
  ``group_interval`` s. A chat's messages go out strictly in id order: only the oldest pending
  row of a chat is ever a candidate, so a row waiting for a retry holds back the rows after it
  (of that chat only); a row queued for later (``not_before`` ahead, never attempted) does not.
  Chats that are cooling down or busy are skipped, never waited for.

A payload value ``{"outbox_file": id}`` is a file stored in ``outbox_files`` (a report's chart or
spreadsheet), uploaded by multipart; a missing file fails the row.

Outcomes (each committed at once in its own short transaction):

* accepted                        -> ``sent`` with sent_at and telegram_message_id (then ``on_sent``);
                                     a row rewritten while its request was in flight (a card taken
                                     meanwhile) keeps what Telegram got and an edit follows
                                     (workflows.outbox.rewrite / catch_up)
* 429 ``TelegramRetryAfter``      -> ALL sending pauses ``retry_after`` s; row stays pending
* 403 ``TelegramForbiddenError``  -> ``failed``; for a private chat ``User.is_active = False`` and
                                     ``on_forbidden`` (same transaction): an officer's card is held
                                     for their /start, the admins told (workflows/complaints/reachability.py)
* 400 ``TelegramBadRequest`` (also 404, migrated group)
                                  -> ``failed``, never retried as it was; ``on_refused`` (in the
                                     same transaction) queues what follows: the text once more
                                     without formatting, or a notice to the admins
                                     (workflows/undelivered.py)
* unknown method or invalid payload -> ``failed``, never retried
* network error, 5xx, timeout, anything else
                                  -> pending, ``not_before = now + min(2**attempts, 300)`` s;
                                     ``failed`` once attempts reach ``max_attempts``

Every send attempt adds 1 to ``attempts``.

Delivery is AT-LEAST-ONCE. A row is marked sent only after Telegram accepted it, and a row is
re-read just before sending and skipped unless still pending. A crash (kill -9, power loss) between
Telegram's acceptance and the commit sends that one message again after a restart; nothing is lost.
Cancelling ``run()``/``drain_once()`` or calling ``stop()`` lets in-flight sends finish and
commit first, so an orderly shutdown duplicates nothing. Run ONE worker per database: rows are not
locked, so two workers could both send a row.

Logs carry row id, chat id, method and outcome, never message contents.
``stats``: sent, retry_after (429s seen), forbidden (403s), failed (rows marked failed, 403s
included), network_errors (attempts that ended in a network/5xx/timeout or other error).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, Awaitable, Callable

import aiogram
from aiogram import methods
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import BufferedInputFile
from pydantic import ValidationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflows.models import OutboxFile, OutboxMessage, User, utcnow
from workflows.outbox import catch_up
from bot.retry import bypass_retries
from bot.errors import store_unavailable

log = logging.getLogger(__name__)

METHODS: dict[str, type[methods.TelegramMethod]] = {
    cls.__api_method__: cls
    for cls in (
        methods.SendMessage,
        methods.SendPhoto,
        methods.SendLocation,
        methods.SendVenue,
        methods.SendDocument,
        methods.SendMediaGroup,
        methods.CopyMessage,
        methods.SendPoll,
        methods.EditMessageText,
    )
}  # editMessageText: a card copy rewritten when someone takes it (workflows/complaints/casework.py)

# What a sender needs from Telegram's answer (a poll's id, to match later poll_answer updates),
# kept in the transaction that marks the row sent: method -> coroutine(session, row, result).
# Registered by the feature that needs it (handlers/opinion_days.py); a failing hook is logged and
# never keeps the row from being marked sent.
RESULT_HOOKS: dict[str, Callable[[AsyncSession, OutboxMessage, Any], Awaitable[None]]] = {}


async def _wait(event: asyncio.Event, timeout: float) -> None:
    """Sleep up to ``timeout`` s, or less if ``event`` is set."""
    if timeout > 0:
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass


async def _settle(tasks: list[asyncio.Task]) -> None:
    """Wait until ``tasks`` are done even if cancelled meanwhile; then re-raise the cancellation."""
    cancelled = False
    while tasks:
        try:
            await asyncio.wait(tasks)
            break
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError


class DeliveryWorker:
    error_pause = 2.0  # seconds run() waits after an error in a pass; doubled while errors repeat
    max_error_pause = 16.0

    def __init__(
        self,
        bot: aiogram.Bot,
        sessionmaker: async_sessionmaker,
        *,
        rate: float = 25.0,
        private_interval: float = 1.0,
        group_interval: float = 3.0,
        max_in_flight: int = 8,
        batch: int = 200,
        idle_poll: float = 0.5,
        max_attempts: int = 8,
        on_sent: Callable[[OutboxMessage], Awaitable[None]] | None = None,
        on_refused: Callable[[AsyncSession, OutboxMessage, str], Awaitable[None]] | None = None,
        on_forbidden: Callable[[AsyncSession, OutboxMessage, bool], Awaitable[None]] | None = None,
        reads: async_sessionmaker | None = None,
    ) -> None:
        self.bot, self.sessionmaker, self.on_sent, self.on_refused = bot, sessionmaker, on_sent, on_refused
        self.reads = reads or sessionmaker  # the scan and re-checks read beside the writer
        self.on_forbidden = on_forbidden  # (session, row, the user was active until now)
        self.rate, self.batch, self.idle_poll, self.max_attempts = rate, batch, idle_poll, max_attempts
        self.private_interval, self.group_interval = private_interval, group_interval
        self.stats = {"sent": 0, "retry_after": 0, "forbidden": 0, "failed": 0, "network_errors": 0}
        self._slots = asyncio.Semaphore(max_in_flight)
        self._next_slot = 0.0  # loop time of the next global send slot
        self._pause_until = 0.0  # loop time until which all sending pauses (429)
        self._chat_ready: dict[int, float] = {}  # chat id -> loop time it may get the next message
        self._busy: set[int] = set()  # chats with a request in flight
        self._inflight: set[asyncio.Task] = set()
        self._wake, self._stopped, self._idle = asyncio.Event(), asyncio.Event(), asyncio.Event()
        self._idle.set()

    # ------------------------------------------------------------------ control
    def wake(self) -> None:
        """Call (on the worker's event loop) after committing queued rows: drain at once."""
        self._wake.set()

    async def run(self) -> None:
        """Drain until ``stop()`` (a stopped worker stays stopped); errors are logged, not raised."""
        self._idle.clear()
        failures = 0
        try:
            while not self._stopped.is_set():
                self._wake.clear()
                try:
                    more = (await self._pass())[0]
                    failures = 0
                    if more:
                        continue  # more may be due right away
                except Exception as e:
                    pause = min(self.error_pause * 2**failures, self.max_error_pause)
                    failures += 1
                    if store_unavailable(e):  # an outage, not a bug: one line, no traceback
                        log.warning("delivery paused %.0f s: database unavailable (%s)", pause, type(e).__name__)
                    else:
                        log.exception("delivery pass failed; retrying in %.0f s", pause)
                    await _wait(self._stopped, pause)
                    continue
                await _wait(self._wake, self._idle_timeout())
        finally:
            self._idle.set()

    async def stop(self) -> None:
        """Stop the loop after the in-flight sends have finished and been recorded."""
        self._stopped.set()
        self._wake.set()
        await self._idle.wait()
        if self._inflight:
            await asyncio.wait(self._inflight)

    async def drain_once(self) -> int:
        """Send what is due now (one message per ready chat), within the limits; returns #sent."""
        return (await self._pass())[1]

    # ------------------------------------------------------------------ one pass
    async def _pass(self) -> tuple[int, int]:
        """(rows dispatched, rows sent)."""
        rows = await self._due()
        tasks: list[asyncio.Task] = []
        try:
            for row in rows:
                await self._slots.acquire()
                if self._stopped.is_set():
                    self._slots.release()
                    break
                self._busy.add(row.chat_id)  # until its send is done; then _chat_ready spaces the next
                task = asyncio.create_task(self._deliver(row))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
                tasks.append(task)
        finally:
            await _settle(tasks)  # also when cancelled: record what Telegram accepted
        return len(tasks), sum(t.result() for t in tasks if not t.cancelled())

    async def _due(self) -> list[OutboxMessage]:
        """The oldest pending row of each ready chat, if due, ordered by id."""
        now = self._now()
        self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}
        waiting = self._busy | self._chat_ready.keys()
        at = utcnow()
        # A row queued for later (not_before ahead, never attempted: a follow-up a week on) does
        # not hold back the chat's other rows; a row waiting for a retry (attempted) does.
        heads = (
            select(func.min(OutboxMessage.id))
            .where(OutboxMessage.status == "pending", or_(OutboxMessage.not_before <= at, OutboxMessage.attempts > 0))
            .group_by(OutboxMessage.chat_id)
        )
        if waiting:
            heads = heads.where(OutboxMessage.chat_id.not_in(waiting))
        async with self.reads() as session:
            return list(
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.id.in_(heads), OutboxMessage.not_before <= at)
                    .order_by(OutboxMessage.id)
                    .limit(self.batch)
                )
            )

    async def _global_turn(self) -> None:
        """Wait for the global pause (429) to end and for the next rate slot, then take it."""
        while not self._stopped.is_set():
            now = self._now()
            delay = max(self._pause_until, self._next_slot) - now
            if delay <= 0:
                self._next_slot = now + 1.0 / self.rate
                return
            await _wait(self._stopped, delay)

    def _idle_timeout(self) -> float:
        """Until the next chat cools down, at most ``idle_poll`` (rows may come due any time)."""
        now = self._now()
        soonest = min((t for t in self._chat_ready.values() if t > now), default=now + self.idle_poll)
        return min(self.idle_poll, max(soonest - now, 0.01))

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    # ------------------------------------------------------------------ one row
    async def _deliver(self, row: OutboxMessage) -> bool:
        try:
            with bypass_retries():
                return await self._send(row)
        except Exception as e:
            if store_unavailable(e):  # the row stays pending and is tried again
                log.warning("outbox %s: database unavailable (%s)", row.id, type(e).__name__)
            else:
                log.exception("outbox %s chat %s %s: unexpected error", row.id, row.chat_id, row.method)
            return False
        finally:
            self._busy.discard(row.chat_id)
            self._slots.release()

    async def _send(self, row: OutboxMessage) -> bool:
        async with self.reads() as session:  # re-check: never send a row twice
            status = await session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row.id))
        if status != "pending":
            log.info("outbox %s chat %s: skipped, status %s", row.id, row.chat_id, status)
            return False
        cls = METHODS.get(row.method)
        if cls is None:
            return await self._fail(row, f"unknown method {row.method}"[:300], attempt=False)
        try:
            payload = await self._with_files(row.payload)
            method = cls(chat_id=row.chat_id, **payload)
        except LookupError as e:
            return await self._fail(row, f"stored file missing: {e}"[:300], attempt=False)
        except (ValidationError, TypeError) as e:
            return await self._fail(row, f"invalid payload: {type(e).__name__}", attempt=False)

        # the rate slot is taken right before the request (after the database work above, whose
        # time varies), so requests leave evenly spaced; a 429 pause also holds rows already in flight
        await self._global_turn()
        if self._stopped.is_set():
            return False  # stays pending, sent after the restart
        interval = self.private_interval if row.chat_id > 0 else self.group_interval
        self._chat_ready[row.chat_id] = self._now() + interval
        try:
            result = await self.bot(method)
        except TelegramRetryAfter as e:
            self._pause_until = max(self._pause_until, self._now() + e.retry_after)
            self.stats["retry_after"] += 1
            log.warning(
                "outbox %s chat %s %s: 429, pausing all sending %s s", row.id, row.chat_id, row.method, e.retry_after
            )
            await self._record(row, attempts=row.attempts + 1, last_error=e.message[:300])
            return False
        except TelegramForbiddenError as e:
            self.stats["forbidden"] += 1
            return await self._fail(row, e.message, deactivate=row.chat_id > 0)
        except (TelegramBadRequest, TelegramNotFound, TelegramMigrateToChat) as e:
            return await self._fail(row, e.message, refused=True)
        except Exception as e:  # noqa: BLE001 - network, 5xx, timeout, or anything unexpected: back off
            self.stats["network_errors"] += 1
            attempts = row.attempts + 1
            error = type(e).__name__  # other exceptions' text may quote the message
            if isinstance(e, TelegramAPIError):
                error = f"{error}: {e.message}"[:300]
            if attempts >= self.max_attempts:
                return await self._fail(row, error)
            delay = min(2**attempts, 300)
            log.warning(
                "outbox %s chat %s %s: %s, retry in %s s", row.id, row.chat_id, row.method, type(e).__name__, delay
            )
            await self._record(row, attempts=attempts, last_error=error, not_before=utcnow() + timedelta(seconds=delay))
            return False

        first = result[0] if isinstance(result, list) else result  # sendMediaGroup: a list
        row.status, row.attempts = "sent", row.attempts + 1
        # an edit answers the edited message, or True (unchanged, bot/unchanged_edit.py)
        row.sent_at, row.telegram_message_id = utcnow(), getattr(first, "message_id", None)
        await self._record(
            row,
            status="sent",
            attempts=row.attempts,
            sent_at=row.sent_at,
            telegram_message_id=row.telegram_message_id,
            last_error=None,
            result=first,
        )
        self.stats["sent"] += 1
        log.debug("outbox %s chat %s %s: sent", row.id, row.chat_id, row.method)
        if self.on_sent is not None:
            try:
                await self.on_sent(row)
            except Exception:
                log.exception("outbox %s: on_sent hook failed", row.id)
        return True

    async def _with_files(self, payload: dict) -> dict:
        """A value ``{"outbox_file": id}`` (workflows.outbox.attach) becomes that stored file,
        uploaded by multipart. Raises LookupError if the file is gone."""
        refs = {k: v["outbox_file"] for k, v in payload.items() if isinstance(v, dict) and "outbox_file" in v}
        if not refs:
            return payload
        async with self.reads() as session:
            files = {f.id: f for f in await session.scalars(select(OutboxFile).where(OutboxFile.id.in_(refs.values())))}
        out = dict(payload)
        for key, file_id in refs.items():
            if file_id not in files:
                raise LookupError(file_id)
            out[key] = BufferedInputFile(files[file_id].content, filename=files[file_id].filename)
        return out

    async def _fail(
        self, row: OutboxMessage, error: str, *, attempt: bool = True, deactivate: bool = False, refused: bool = False
    ) -> bool:
        self.stats["failed"] += 1
        log.warning("outbox %s chat %s %s: failed (%s)", row.id, row.chat_id, row.method, error)
        await self._record(
            row,
            status="failed",
            last_error=error[:300],
            attempts=row.attempts + attempt,
            deactivate=deactivate,
            refused=error if refused else None,
        )
        return False

    async def _record(
        self, row: OutboxMessage, *, deactivate: bool = False, result: Any = None, refused: str | None = None, **values
    ) -> None:
        """Commit one row's outcome in its own short transaction (only if still pending)."""
        async with self.sessionmaker() as session, session.begin():
            done = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.status == "pending")
                .values(**values)
            )
            if refused is not None and done.rowcount and self.on_refused is not None:
                try:
                    async with session.begin_nested():
                        await self.on_refused(session, row, refused)
                except Exception:
                    log.exception("outbox %s: what follows a refusal could not be queued", row.id)
            if values.get("status") == "sent" and done.rowcount:
                try:
                    async with session.begin_nested():
                        await catch_up(session, row, row.payload, row.telegram_message_id)
                except Exception:
                    log.exception("outbox %s: the edit to its rewritten text could not be queued", row.id)
            hook = RESULT_HOOKS.get(row.method) if result is not None and done.rowcount else None
            if hook is not None:
                try:
                    async with session.begin_nested():
                        await hook(session, row, result)
                except Exception:
                    log.exception("outbox %s: result hook for %s failed", row.id, row.method)
            if deactivate:
                was_active = await session.execute(
                    update(User).where(User.id == row.chat_id, User.is_active.is_(True)).values(is_active=False)
                )
                if done.rowcount and self.on_forbidden is not None:
                    try:
                        async with session.begin_nested():
                            await self.on_forbidden(session, row, bool(was_active.rowcount))
                    except Exception:
                        log.exception("outbox %s: what follows a 403 could not be recorded", row.id)
        if session.info.pop("outbox_added", False):
            self._wake.set()  # the rows that follow a refusal go out in this pass's wake
