"""For the dispatcher benchmarks: a Bot API session that answers every method at once, in memory,
and residents who file complaints by feeding updates straight into a Dispatcher.

``InstantSession`` does what an HTTP session does to a request and its answer — every field
prepared as for the form body, the answer parsed and validated as Telegram's JSON — and nothing
else: no network, no Telegram latency (unless given one, to see what it does). Per chat it keeps
only the newest inline keyboard and text, which the resident script reads and removes when it
stops (the memory benchmark measures the bot, not this). ``Resident`` walks the /complaint
conversation by button labels, like the end-to-end tests; ``run_residents`` runs many.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.types import InlineKeyboardMarkup, Update

from bot.fsm_storage import CONNECTED, update_session

BOT_ID = 123456
TOKEN = f"{BOT_ID}:BENCHMARK-TOKEN-0000000000000000000"
ME = {"id": BOT_ID, "is_bot": True, "first_name": "Bench Bot", "username": "bench_bot"}
MESSAGE_METHODS = {
    "sendMessage",
    "sendPhoto",
    "sendLocation",
    "sendVenue",
    "sendDocument",
    "sendPoll",
    "copyMessage",
    "forwardMessage",
}


class InstantSession(BaseSession):
    def __init__(self, latency: float = 0.0) -> None:
        super().__init__()
        self.calls, self.latency = 0, latency  # latency: seconds each answer takes (0: at once)
        self.in_transaction = 0  # calls made while the update's database transaction was open
        self.keyboards: dict[int, tuple[int, InlineKeyboardMarkup]] = {}  # chat -> (message id, keyboard)
        self.last_text: dict[int, str] = {}  # chat -> the bot's newest text
        self.alerts: dict[str, str] = {}  # callback query id -> the text of its answer, if any
        self._ids = itertools.count(1)

    async def make_request(self, bot: Bot, method: TelegramMethod, timeout: int | None = None) -> Any:
        self.calls += 1
        held = update_session.get()
        if held is not None and held.info.get(CONNECTED):  # a database transaction open, not just pending rows
            self.in_transaction += 1
        files: dict = {}
        for value in method.model_dump(warnings=False).values():
            self.prepare_value(value, bot=bot, files=files)  # what the form body would carry
        name = method.__api_method__
        if self.latency:
            await asyncio.sleep(self.latency)
        if name == "getMe":
            result: Any = ME
        elif name in MESSAGE_METHODS:
            chat_id = getattr(method, "chat_id", 0)
            result = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "from": ME,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            }
            if name == "copyMessage":
                result = {"message_id": result["message_id"]}
            text = getattr(method, "text", None)
            if isinstance(text, str):
                result["text"] = self.last_text[chat_id] = text
            markup = getattr(method, "reply_markup", None)
            if isinstance(markup, InlineKeyboardMarkup):
                self.keyboards[chat_id] = (result.get("message_id"), markup)
        elif name == "sendMediaGroup":
            result = [
                {
                    "message_id": next(self._ids),
                    "date": int(time.time()),
                    "from": ME,
                    "chat": {"id": method.chat_id, "type": "private"},
                }
                for _ in method.media
            ]
        else:  # answerCallbackQuery, edits, setMyCommands, deleteMessage, ...: Telegram says true
            if name == "answerCallbackQuery" and getattr(method, "text", None):
                self.alerts[method.callback_query_id] = method.text
            result = True
        return self.check_response(bot, method, 200, json.dumps({"ok": True, "result": result})).result

    async def stream_content(self, *args, **kwargs):  # pragma: no cover - no files in these flows
        raise NotImplementedError("file downloads are not part of the benchmarked conversation")
        yield b""

    async def close(self) -> None:
        return None


_update_ids = itertools.count(1)  # one sequence per process: a database keeps the ids it has seen


class Updates:
    """Update dicts like Telegram's, numbered in order."""

    def __init__(self) -> None:
        self._ids = _update_ids
        self._msg = itertools.count(1_000_000)

    @staticmethod
    def _user(uid: int) -> dict:
        return {"id": uid, "is_bot": False, "first_name": "주민", "language_code": "ko"}

    def message(self, uid: int, text: str, bot: Bot) -> Update:
        msg: dict[str, Any] = {
            "message_id": next(self._msg),
            "date": int(time.time()),
            "text": text,
            "chat": {"id": uid, "type": "private", "first_name": "주민"},
            "from": self._user(uid),
        }
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return Update.model_validate({"update_id": next(self._ids), "message": msg}, context={"bot": bot})

    def callback(self, uid: int, message_id: int, data: str, bot: Bot) -> Update:
        msg = {
            "message_id": message_id,
            "date": int(time.time()),
            "from": ME,
            "chat": {"id": uid, "type": "private", "first_name": "주민"},
            "text": ".",
        }
        query = {
            "id": str(next(self._msg)),
            "from": self._user(uid),
            "chat_instance": f"c{uid}",
            "message": msg,
            "data": data,
        }
        return Update.model_validate({"update_id": next(self._ids), "callback_query": query}, context={"bot": bot})


RETRY_MARK = "잠시 후 다시 시도해 주세요"  # workflows/texts.py error.store_unavailable


class Resident:
    """One resident's /complaint conversation, fed into ``dp``; ``steps`` is how far to go. An
    answer "잠시 후 다시 시도해 주세요" (the database did not answer in time) is counted and the
    same thing sent again, as a person would."""

    FULL = ("start", "agree", "complaint", "category", "text", "skip_photos", "skip_location", "skip_phone", "submit")
    FORM_OPEN = ("complaint", "category", "text")  # a resident who consented earlier; the form waits at the photos
    MAX_TRIES = 20

    def __init__(
        self,
        uid: int,
        category_label: str,
        dp: Dispatcher,
        bot: Bot,
        session: InstantSession,
        updates: Updates,
        latencies: list[float] | None = None,
    ):
        self.uid, self.category_label = uid, category_label
        self.dp, self.bot, self.session, self.updates = dp, bot, session, updates
        self.latencies = latencies  # None: not recorded (the memory benchmark)
        self.retries = 0

    def _press(self, label: str) -> Update:
        if self.uid not in self.session.keyboards:
            said = self.session.last_text.get(self.uid)
            raise RuntimeError(f"resident {self.uid}: no buttons to press; the bot said {said!r}")
        message_id, markup = self.session.keyboards[self.uid]
        for row in markup.inline_keyboard:
            for b in row:
                if label in b.text and b.callback_data:
                    return self.updates.callback(self.uid, message_id, b.callback_data, self.bot)
        raise AssertionError(
            f"resident {self.uid}: no button {label!r} in {[b.text for r in markup.inline_keyboard for b in r]}"
        )

    def _update(self, step: str) -> Update:
        say = lambda text: self.updates.message(self.uid, text, self.bot)  # noqa: E731
        return {
            "start": lambda: say("/start"),
            "agree": lambda: self._press("동의합니다"),
            "complaint": lambda: say("/complaint"),
            "category": lambda: self._press(self.category_label),
            "text": lambda: say(f"주민 {self.uid}번: 골목 가로등이 사흘째 꺼져 있어 밤길이 위험합니다."),
            "skip_photos": lambda: self._press("건너뛰기"),
            "skip_location": lambda: self._press("건너뛰기"),
            "skip_phone": lambda: self._press("건너뛰기"),
            "submit": lambda: self._press("제출"),
        }[step]()

    async def run(self, steps: tuple[str, ...]) -> None:
        try:
            for step in steps:
                for _ in range(self.MAX_TRIES):
                    update = self._update(step)
                    self.session.last_text.pop(self.uid, None)
                    started = time.perf_counter()
                    await self.dp.feed_update(self.bot, update)
                    if self.latencies is not None:
                        self.latencies.append(time.perf_counter() - started)
                    query = update.callback_query
                    answer = self.session.alerts.pop(query.id, None) if query else self.session.last_text.get(self.uid)
                    if RETRY_MARK not in (answer or ""):
                        break
                    self.retries += 1
                else:
                    raise RuntimeError(f"resident {self.uid}: asked to try again {self.MAX_TRIES} times at {step}")
        finally:  # the driver keeps nothing once this resident stops
            self.session.keyboards.pop(self.uid, None)
            self.session.last_text.pop(self.uid, None)


async def run_residents(
    dp: Dispatcher,
    bot: Bot,
    session: InstantSession,
    uids: range,
    steps: tuple[str, ...],
    labels: tuple[str, ...],
    in_flight: int,
    latencies: list[float] | None = None,
) -> tuple[float, int]:
    """``in_flight`` residents at a time (each one's updates in order, as the bot's per-user
    isolation would have them); returns (seconds, answers "try again" seen)."""
    updates, todo, retries = Updates(), iter(uids), [0]

    async def worker() -> None:
        for uid in todo:
            r = Resident(uid, labels[uid % len(labels)], dp, bot, session, updates, latencies)
            await r.run(steps)
            retries[0] += r.retries

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return time.perf_counter() - started, retries[0]
