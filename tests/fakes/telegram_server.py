"""A local fake of the Telegram Bot API server for end-to-end tests (no internet, 127.0.0.1 only).

Point a real aiogram ``Bot`` (in-process, or a ``python -m bot`` subprocess) at ``FakeTelegram``
with ``AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))``.

Faked: ``POST {url}/bot{token}/{method}`` with form or multipart bodies (values JSON-decoded
where they parse, free text kept; file parts become ``Upload``); ``getMe``; ``getUpdates`` with
``offset`` acknowledgement, ``limit``, long-poll ``timeout``, ``allowed_updates`` (other types
go to ``dropped_updates``) and 409 Conflict when a newer poll supersedes a pending one; send /
edit / copy / forward methods returning well-formed Messages (message ids per chat, shared by
user and bot; the bot's messages recorded for ``callback()``); Telegram's 400s for edits (not
found / not modified / can't be edited); ``getFile`` and file downloads (placeholder bytes, or
the bytes a test put in ``files`` under the file_id); injected errors
(``fail_next``, ``block_user``); 401 for a wrong token; 404 for an unknown method.

Every request is checked against what the real Bot API refuses with 400 (``tests/fakes/tg_rules``:
HTML parse errors, text / caption / poll / command limits counted as Telegram counts them, inline
buttons and their URLs and callback_data, locations, setWebhook's HTTPS and ports), after the
injected errors; a refusal is answered as Telegram answers it and recorded in ``refused``. The
suite fails a test whose fakes refused anything it did not announce with ``expect_refusals()``
(tests/conftest.py). ``local_mode = True`` answers as a ``telegram-bot-api --local`` server does
(webhooks on any scheme and port: the suite's are http://127.0.0.1:<port>).

Not faked: parse_mode's effect (the text is echoed as sent, tags included, once it parses), inline
mode, payments, rate limits (inject them; or ``FakeTelegram(rate_limit=N)`` answers 429 with
retry_after=1 to a sendMessage beyond N accepted in the last second), chat members, real media. Updates are never
de-duplicated: queueing an ``update_id`` again delivers it again. ``wait_idle`` means fetched *and
acknowledged*, not handled: with aiogram's default ``handle_as_tasks=True`` wait for the bot's reply
instead.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

from aiogram.types import Update
from aiohttp import web

from tests.fakes.tg_rules import TelegramRefusal, check_request

SENT_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendDocument",
        "sendPoll",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "copyMessage",
        "forwardMessage",
    }
)
TRUE_METHODS = frozenset(
    {
        "setMyCommands",
        "deleteMyCommands",
        "answerCallbackQuery",
        "sendChatAction",
        "setChatMenuButton",
        "close",
        "logOut",
        "setMyDescription",
        "setMyShortDescription",
        "setMyName",
        "pinChatMessage",
        "unpinChatMessage",
    }
)
# Free-text or file-id fields that must stay strings even when they look like JSON ("123").
STRING_KEYS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "question",
        "title",
        "address",
        "callback_query_id",
        "inline_message_id",
        "action",
        "emoji",
        "url",
        "phone_number",
        "first_name",
        "last_name",
        "name",
        "description",
        "short_description",
        "language_code",
        "file_id",
        "photo",
        "document",
        "video",
        "audio",
        "sticker",
        "animation",
        "voice",
        "thumbnail",
        "vcard",
        "explanation",
    }
)
CONTENT_KEYS = ("text", "entities", "caption", "photo", "document", "location", "venue", "sticker", "contact", "poll")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message"
)
CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
# Over every fake of the run (tests/conftest.py prints them at the end): API requests received,
# of them getUpdates, and refused as the real Bot API would (tg_rules).
TOTALS = {"calls": 0, "getUpdates": 0, "refused": 0}
INSTANCES: list["FakeTelegram"] = []  # every fake built; tests/conftest.py checks each test's


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass
class Call:
    """One API request as received; ``status`` stays 0 while a long poll is pending."""

    method: str
    params: dict[str, Any]
    time: float  # event loop time of arrival
    status: int = 0
    result: Any = None  # the ``result`` returned on success


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def _decode(key: str, value: str) -> Any:
    if key in STRING_KEYS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _message_id(call: Call) -> int | None:
    result = call.result if isinstance(call.result, dict) else {}
    return result.get("message_id", call.params.get("message_id"))


def _inline_kb(markup: Any) -> list[list[dict]] | None:
    return markup.get("inline_keyboard") if isinstance(markup, dict) else None


def _texts_of(call: Call) -> list[str]:
    if call.method == "sendMediaGroup":
        return [m["caption"] for m in call.params.get("media", []) if m.get("caption")]
    value = call.params.get("text", call.params.get("caption"))
    return [value] if isinstance(value, str) else []


class FakeTelegram:
    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "minwon_test_bot",
        rate_limit: int | None = None,
    ):
        self.token, self.base_url = token, ""
        self.refused: list[tuple[str, str, str]] = []  # (method, description, short params)
        self.refusals_expected = False  # see expect_refusals()
        self.local_mode = False  # as telegram-bot-api --local: webhooks on http, any port
        INSTANCES.append(self)
        self.rate_limit = rate_limit  # sendMessage per second, None = unlimited
        self._recent_sends: collections.deque[float] = collections.deque()
        self.me = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Minwon Test Bot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.requests: list[Call] = []
        self.updates_delivered = 0
        self.dropped_updates: list[dict] = []  # not in the bot's allowed_updates, never delivered
        self.downloads: list[str] = []  # paths fetched from /file/bot{token}/...
        self.files: dict[str, bytes] = {}  # file_id -> the bytes getFile/download serve
        self._pending: list[list] = []  # [update, fetched?] until acknowledged by offset
        self._allowed: list[str] | None = None
        self._messages: dict[tuple[int, int], dict] = {}  # (chat_id, message_id) -> Message
        self._chats: dict[int, dict] = {}
        self._users: dict[int, dict] = {}
        self._msg_ids: dict[int, itertools.count] = {}
        self._next_update_id = 1
        self._ids = itertools.count(1)
        self._faults: list[dict] = []
        self._blocked: set[int] = set()
        self._poll_generation = 0
        self._closing = False
        self._changed = asyncio.Event()  # replaced on every change; see _notify
        self._runner: web.AppRunner | None = None
        # webhook mode (setWebhook): pending updates are POSTed to the URL one at a time, with the
        # secret token header, and retried until the bot answers 2xx — as Telegram does
        self.webhook: dict | None = None
        self.webhook_posts: list[tuple[int, int]] = []  # (update_id, HTTP status) per attempt
        self._pusher: asyncio.Task | None = None
        handlers: dict[str, Callable[[dict], Any]] = {
            "getMe": lambda p: self.me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "getMyCommands": lambda p: [],
            "setWebhook": self._set_webhook,
            "getWebhookInfo": lambda p: {
                "url": (self.webhook or {}).get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            },
            "deleteMessage": self._delete,
            "deleteMessages": self._delete,
            "getFile": lambda p: {
                "file_id": p["file_id"],
                "file_unique_id": "u" + p["file_id"],
                "file_size": len(self.files.get(p["file_id"], b"x" * 1024)),
                "file_path": f"photos/{p['file_id']}.jpg",
            },
            "sendMessage": self._send_message,
            "sendPhoto": lambda p: self._bot_message(
                p, photo=self._photo_sizes(p.get("photo")), caption=p.get("caption")
            ),
            "sendDocument": lambda p: self._bot_message(
                p, document=self._document(p.get("document")), caption=p.get("caption")
            ),
            "sendLocation": lambda p: self._bot_message(p, location=self._loc(p)),
            "sendVenue": lambda p: self._bot_message(
                p, location=self._loc(p), venue={"location": self._loc(p), "title": p["title"], "address": p["address"]}
            ),
            "sendPoll": self._send_poll,
            "sendMediaGroup": self._send_media_group,
            "copyMessage": lambda p: {"message_id": self._copy(p, p.get("caption"))["message_id"]},
            "forwardMessage": lambda p: self._copy(p, None),
            "editMessageText": lambda p: self._edit(p, "text"),
            "editMessageCaption": lambda p: self._edit(p, "caption"),
            "editMessageReplyMarkup": lambda p: self._edit(p, "reply_markup"),
            **{name: (lambda p: True) for name in TRUE_METHODS},
        }
        self._handlers = {name.lower(): fn for name, fn in handlers.items()}  # case-insensitive

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> str:
        self._closing, self._changed = False, asyncio.Event()
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.base_url

    async def stop(self) -> None:
        self._closing = True
        self._notify()  # pending long polls answer [] at once
        await self._stop_pusher()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    # ------------------------------------------------------------------ queueing updates
    def message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "User",
        language_code: str = "ko",
        photo: bool = False,
        location: tuple[float, float] | None = None,
        sticker: bool = False,
        contact_phone: str | None = None,
        caption: str | None = None,
        update_id: int | None = None,
        document: dict | None = None,
        video: bool = False,
    ) -> dict:
        """Queue a Message update from a user; returns the update dict.

        ``document``: Document fields (file_name, mime_type, file_size ...; file_id and
        file_unique_id are made up when missing), plus ``content`` — bytes the bot downloads for
        that file_id (``file_size`` defaults to their length; pass ``file_size=None`` to leave it
        out, as Telegram may). ``video``: a short video clip."""
        if text is not None and (photo or location or sticker or contact_phone or document or video):
            raise ValueError("a message has either text or media; use caption= with media")
        chat_id = user_id if chat_id is None else chat_id
        if chat_type == "private" and chat_id < 0:
            chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
        user = self._users[user_id] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        chat = self._chats[chat_id] = {
            "id": chat_id,
            "type": chat_type,
            **({"first_name": first_name} if chat_type == "private" else {"title": f"Test {chat_type} {chat_id}"}),
        }
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
        }
        if text is not None:
            msg["text"] = text
            if text.startswith("/") and len(text) > 1 and not text[1].isspace():
                length = len(text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if photo:
            msg["photo"] = self._photo_sizes()
        if location is not None:
            msg["location"] = {"latitude": float(location[0]), "longitude": float(location[1])}
        if sticker:
            n = next(self._ids)
            msg["sticker"] = {
                "file_id": f"CAACsticker{n}",
                "file_unique_id": f"AgADsticker{n}",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
        if contact_phone is not None:
            msg["contact"] = {"phone_number": contact_phone, "first_name": first_name, "user_id": user_id}
        if document is not None:
            doc, n = dict(document), next(self._ids)
            content = doc.pop("content", None)
            doc.setdefault("file_id", f"BQACdoc{n}")
            doc.setdefault("file_unique_id", f"AgADdoc{n}")
            if content is not None:
                self.files[doc["file_id"]] = content
                doc.setdefault("file_size", len(content))
            msg["document"] = {k: v for k, v in doc.items() if v is not None}
        if video:
            n = next(self._ids)
            msg["video"] = {
                "file_id": f"BAACvideo{n}",
                "file_unique_id": f"AgADvideo{n}",
                "width": 640,
                "height": 360,
                "duration": 5,
                "mime_type": "video/mp4",
                "file_size": 750_000,
            }
        if caption is not None:
            msg["caption"] = caption
        self._messages[(chat_id, msg["message_id"])] = msg
        return self._queue({"update_id": update_id, "message": msg})

    def callback(
        self, user_id: int, data: str, *, message_id: int, chat_id: int | None = None, update_id: int | None = None
    ) -> dict:
        """Queue a button press on message ``message_id`` (as recorded, or a minimal one)."""
        chat_id = user_id if chat_id is None else chat_id
        msg = self._messages.get((chat_id, message_id)) or {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.me,
        }
        user = self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "User"}
        query = {
            "id": str(next(self._ids)),
            "from": user,
            "chat_instance": f"ci{chat_id}",
            "message": copy.deepcopy(msg),
            "data": data,
        }
        return self._queue({"update_id": update_id, "callback_query": query})

    def raw_update(self, update: dict) -> dict:
        """Validate and queue an update as given (e.g. replay one with the same update_id)."""
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            raise ValueError(f"an update needs an int update_id: {update!r}")
        return self._queue(copy.deepcopy(update))

    def _queue(self, update: dict) -> dict:
        # One update aiogram cannot parse would jam polling for good: refuse it here instead.
        if update["update_id"] is None:
            update["update_id"] = self._next_update_id
        kinds = [k for k in update if k != "update_id"]
        if len(kinds) != 1 or kinds[0] not in Update.model_fields:
            raise ValueError(f"an update needs exactly one known payload, got {kinds}")
        try:
            Update.model_validate(json.loads(json.dumps(update)))
        except Exception as e:  # pydantic ValidationError, or TypeError for non-JSON values
            raise ValueError(f"invalid update (not queued): {e}") from e
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._pending.append([update, False])
        self._notify()
        return update

    # ------------------------------------------------------------------ inspecting
    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        """Successful message-like calls (SENT_METHODS), optionally for one chat / method."""
        return [
            c
            for c in self.requests
            if c.status == 200
            and c.method in SENT_METHODS
            and (chat_id is None or c.params.get("chat_id") == chat_id)
            and (method is None or c.method == method)
        ]

    def texts(self, chat_id: int) -> list[str]:
        return [t for c in self.sent(chat_id) for t in _texts_of(c)]

    def mark(self) -> int:
        return len(self.requests)

    def expect_refusals(self) -> None:
        """This test sends what Telegram refuses on purpose: its refusals do not fail it."""
        self.refusals_expected = True

    def unexpected_refusals(self) -> list[tuple[str, str, str]]:
        return [] if self.refusals_expected else list(self.refused)

    def last_markup(self, chat_id: int) -> list[list[dict]]:
        return _inline_kb(self._last_with_keyboard(chat_id).params["reply_markup"])

    def button(self, call_or_chat: Call | int, label_contains: str) -> tuple[int, str]:
        """(message_id, callback_data) of the first inline button whose text matches.

        Given a chat, the button is looked for as a user finds it on screen: on the message most
        recently sent or edited whose keyboard *now* shows it (an older version of an edited
        message, or a deleted message, shows nothing). The bot may edit an earlier message (a
        case card) after sending the one the test means, so "the last message with buttons"
        alone would be a race. If no message shows it now, the last keyboard sent is used even if
        it was edited away since: a stale button pressed late."""
        if isinstance(call_or_chat, Call):
            found = self._button_in(call_or_chat, label_contains)
            if found is not None:
                return found
            call = call_or_chat
        else:
            for call in self._shown_keyboards(call_or_chat):
                found = self._button_in(call, label_contains)
                if found is not None:
                    return found
            # else, as before: the last keyboard sent, even if edited away since (a stale screen's
            # button pressed late, as some tests mean to)
            call = self._last_with_keyboard(call_or_chat)
            found = self._button_in(call, label_contains)
            if found is not None:
                return found
        buttons = [b for row in _inline_kb(call.params.get("reply_markup")) or [] for b in row]
        raise AssertionError(
            f"no callback button containing {label_contains!r} in "
            f"{call.method} #{_message_id(call)} (the latest with buttons): {[b.get('text') for b in buttons]}"
        )

    @staticmethod
    def _button_in(call: Call, label_contains: str) -> tuple[int, str] | None:
        for row in _inline_kb(call.params.get("reply_markup")) or []:
            for b in row:
                if label_contains in b.get("text", "") and "callback_data" in b:
                    return _message_id(call), b["callback_data"]
        return None

    def _shown_keyboards(self, chat_id: int) -> list[Call]:
        """Each message's latest send/edit in the chat, most recently touched first, if it still
        exists and shows an inline keyboard."""
        latest: dict[int, Call] = {}
        for c in self.sent(chat_id):
            message_id = _message_id(c)
            latest.pop(message_id, None)
            latest[message_id] = c
        return [
            c
            for message_id, c in reversed(latest.items())
            if (chat_id, message_id) in self._messages and _inline_kb(c.params.get("reply_markup"))
        ]

    def _last_with_keyboard(self, chat_id: int) -> Call:
        for c in reversed(self.sent(chat_id)):
            if _inline_kb(c.params.get("reply_markup")):
                return c
        raise AssertionError(f"no message with an inline keyboard was sent to chat {chat_id}")

    async def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 5.0, *, after: int = 0) -> Call:
        """The first call with index >= ``after`` matching ``predicate``, waiting if needed."""
        return await self._until(
            lambda: next((c for c in self.requests[after:] if predicate(c)), None),
            timeout,
            lambda: f"no call #{after}+ matched in {timeout}s; recent calls:\n" + self._recent(),
        )

    async def wait_text(self, chat_id: int, contains: str, timeout: float = 5.0, *, after: int = 0) -> Call:
        return await self.wait_for(
            lambda c: (
                c.status == 200
                and c.method in SENT_METHODS
                and c.params.get("chat_id") == chat_id
                and any(contains in t for t in _texts_of(c))
            ),
            timeout,
            after=after,
        )

    async def wait_idle(self, timeout: float = 5.0) -> None:
        """Until every queued update was fetched and then acknowledged by a later getUpdates."""
        await self._until(
            lambda: True if not self._pending else None,
            timeout,
            lambda: (
                f"{len(self._pending)} update(s) not acknowledged "
                f"({sum(fetched for _, fetched in self._pending)} fetched); recent calls:\n" + self._recent()
            ),
        )

    def _recent(self) -> str:
        polls = sum(c.method == "getUpdates" for c in self.requests)
        rows = [(i, c) for i, c in enumerate(self.requests) if c.method != "getUpdates"][-15:]
        lines = [f"  #{i} {c.method} -> {c.status} {_short(c.params)}" for i, c in rows]
        return "\n".join(lines or ["  (none)"]) + f"\n  (+{polls} getUpdates calls not listed)"

    async def _until(self, check: Callable[[], Any], timeout: float, describe: Callable[[], str]):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (found := check()) is None:
            if not await self._wait_change(deadline - loop.time()) and (found := check()) is None:
                raise AssertionError(describe())
        return found

    def _notify(self) -> None:
        """Wake every waiter (sync-callable, unlike Condition.notify_all)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._changed.wait(), max(timeout, 0))
            return True
        except TimeoutError:
            return False

    # ------------------------------------------------------------------ fault injection
    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = 1,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                403: "Forbidden: bot was blocked by the user",
                400: "Bad Request: injected failure",
            }.get(error_code, "Injected error")
        # aiogram raises TelegramRetryAfter for *any* error carrying retry_after: 429 only.
        params = {"retry_after": retry_after} if error_code == 429 and retry_after else None
        self._faults.append(
            {"method": method, "chat_id": chat_id, "times": times, "error": ApiError(error_code, description, params)}
        )

    def _over_rate_limit(self, method: str, now: float) -> ApiError | None:
        """The optional enforced global limit: more than ``rate_limit`` sendMessage in 1 s -> 429."""
        if self.rate_limit is None or method.lower() != "sendmessage":
            return None
        while self._recent_sends and self._recent_sends[0] <= now - 1.0:
            self._recent_sends.popleft()
        if len(self._recent_sends) >= self.rate_limit:
            return ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        self._recent_sends.append(now)
        return None

    def block_user(self, chat_id: int) -> None:
        self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        """The user opened (or unblocked) the bot: messages to them go through again."""
        self._blocked.discard(chat_id)

    def _injected(self, method: str, params: dict) -> ApiError | None:
        for fault in self._faults:
            if fault["method"] == method and fault["chat_id"] in (None, params.get("chat_id")):
                fault["times"] -= 1
                if fault["times"] <= 0:
                    self._faults.remove(fault)
                return fault["error"]
        if params.get("chat_id") in self._blocked:
            return ApiError(403, "Forbidden: bot was blocked by the user")
        return None

    # ------------------------------------------------------------------ HTTP layer
    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = asyncio.get_running_loop().time()
        method = request.match_info["method"]
        TOTALS["calls"] += 1
        TOTALS["getUpdates"] += method.lower() == "getupdates"
        call = Call(method, await self._read_params(request), arrived)
        self.requests.append(call)
        handler = self._handlers.get(method.lower())
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if error := (self._injected(method, call.params) or self._over_rate_limit(method, arrived)):
                raise error
            try:
                check_request(method, call.params, local_mode=self.local_mode)
            except TelegramRefusal as refusal:
                self.refused.append((method, refusal.description, _excerpt(call.params)))
                TOTALS["refused"] += 1
                raise ApiError(refusal.error_code, refusal.description) from None
            result = handler(call.params)
            if asyncio.iscoroutine(result):
                result = await result
            call.status, call.result, body = 200, result, {"ok": True, "result": result}
        except ApiError as e:
            call.status = e.code
            body = {"ok": False, "error_code": e.code, "description": e.description}
            if e.parameters:
                body["parameters"] = e.parameters
        except (KeyError, TypeError, ValueError) as e:  # missing or malformed parameter
            call.status = 400
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {e!r}"}
        self._notify()
        return web.json_response(body, status=call.status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        self.downloads.append(path := request.match_info["path"])
        file_id = path.removeprefix("photos/").removesuffix(".jpg")
        if file_id in self.files:
            return web.Response(body=self.files[file_id])
        return web.Response(body=b"\xff\xd8\xff\xe0FAKE-JPEG " + path.encode(), content_type="image/jpeg")

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {}
        uploads: dict[str, Upload] = {}
        for key, value in (await request.post()).items():  # urlencoded or multipart
            if isinstance(value, web.FileField):
                uploads[key] = Upload(value.filename, value.file.read(), value.content_type)
            else:
                params[key] = _decode(key, value)

        def attach(v: Any) -> Any:  # aiogram sends files as "attach://<part name>"
            if isinstance(v, str) and v.startswith("attach://") and v[9:] in uploads:
                return uploads.pop(v[9:])
            return v

        for key, value in list(params.items()):
            params[key] = attach(value)
            for item in value if isinstance(value, list) else []:  # sendMediaGroup's media
                if isinstance(item, dict) and "media" in item:
                    item["media"] = attach(item["media"])
        return {**params, **uploads}  # parts sent under their own field name

    # ------------------------------------------------------------------ API methods
    async def _get_updates(self, p: dict) -> list[dict]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1  # a newer poll terminates a pending one (409)
        generation, loop = self._poll_generation, asyncio.get_running_loop()
        if "allowed_updates" in p:  # persists across calls, like Telegram's
            self._allowed = p["allowed_updates"] or None
        if isinstance(p.get("offset"), int):  # acknowledge what was fetched below offset
            self._pending = [e for e in self._pending if not (e[1] and e[0]["update_id"] < p["offset"])]
        self._notify()
        limit = min(max(int(p.get("limit", 100)), 1), 100)
        deadline = loop.time() + float(p.get("timeout", 0))
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT)
            for entry in list(self._pending):
                kind = next(k for k in entry[0] if k != "update_id")
                if self._allowed is not None and kind not in self._allowed:
                    self._pending.remove(entry)
                    self.dropped_updates.append(entry[0])
            batch = self._pending[:limit]
            if batch or self._closing or not await self._wait_change(deadline - loop.time()):
                break
        for entry in batch:
            entry[1] = True
        self.updates_delivered += len(batch)
        return [copy.deepcopy(update) for update, _ in batch]

    def _delete_webhook(self, p: dict) -> bool:
        if p.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = None
        if self._pusher is not None:
            self._pusher.cancel()
            self._pusher = None
        return True

    def _set_webhook(self, p: dict) -> bool:
        if not str(p.get("url", "")).startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": p["url"], "secret_token": p.get("secret_token")}
        if "allowed_updates" in p:
            self._allowed = p["allowed_updates"] or None
        if p.get("drop_pending_updates"):
            self._pending.clear()
        if self._pusher is None or self._pusher.done():
            self._pusher = asyncio.create_task(self._push_updates())
        return True

    async def _push_updates(self) -> None:
        import aiohttp

        async with aiohttp.ClientSession() as http:
            while not self._closing:
                entry = next((e for e in self._pending if not e[1]), None)
                if entry is None or self.webhook is None:
                    await self._wait_change(1.0)
                    continue
                kind = next(k for k in entry[0] if k != "update_id")
                if self._allowed is not None and kind not in self._allowed:
                    self._pending.remove(entry)
                    self.dropped_updates.append(entry[0])
                    continue
                headers = (
                    {"X-Telegram-Bot-Api-Secret-Token": self.webhook["secret_token"]}
                    if self.webhook.get("secret_token")
                    else {}
                )
                try:
                    async with http.post(
                        self.webhook["url"], json=entry[0], headers=headers, timeout=aiohttp.ClientTimeout(total=60)
                    ) as r:
                        status = r.status
                except (TimeoutError, aiohttp.ClientError):
                    status = 0
                self.webhook_posts.append((entry[0]["update_id"], status))
                if 200 <= status < 300:
                    if entry in self._pending:
                        self._pending.remove(entry)
                    self.updates_delivered += 1
                    self._notify()
                else:
                    await asyncio.sleep(0.2)  # Telegram backs off and tries again

    async def _stop_pusher(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
            await asyncio.gather(self._pusher, return_exceptions=True)
            self._pusher = None

    def _delete(self, p: dict) -> bool:
        for message_id in p.get("message_ids", [p.get("message_id")]):
            self._messages.pop((p.get("chat_id"), message_id), None)
        return True

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._msg_ids.setdefault(chat_id, itertools.count(1)))

    def _chat(self, chat_id: Any) -> dict:
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return self._chats.get(chat_id) or {
            "id": chat_id,
            **(
                {"type": "private", "first_name": "User"}
                if chat_id > 0
                else {"type": "group", "title": f"Test group {chat_id}"}
            ),
        }

    def _inline_markup(self, p: dict) -> dict | None:
        """The markup to echo (Message.reply_markup is inline-only)."""
        keyboard = _inline_kb(p.get("reply_markup"))  # checked before, by tg_rules
        return p["reply_markup"] if keyboard is not None else None

    def _bot_message(self, p: dict, **content: Any) -> dict:
        markup, chat = self._inline_markup(p), self._chat(p.get("chat_id"))
        msg = {
            "message_id": self._next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            "from": self.me,
            **{k: v for k, v in content.items() if v is not None},
        }
        if markup is not None:
            msg["reply_markup"] = markup
        self._messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def _send_message(self, p: dict) -> dict:
        return self._bot_message(p, text=p["text"], entities=p.get("entities"))  # checked by tg_rules

    def _photo_sizes(self, file_id: Any = None) -> list[dict]:
        n = next(self._ids)
        sizes = [
            {
                "file_id": f"AgACphoto{n}_{w}",
                "file_unique_id": f"AQADphoto{n}_{w}",
                "width": w,
                "height": w * 3 // 4,
                "file_size": w * 100,
            }
            for w in (90, 320, 1280)
        ]
        if isinstance(file_id, str):  # re-sent by file_id: keep it on the largest
            sizes[-1]["file_id"] = file_id
        return sizes

    def _document(self, doc: Any) -> dict:
        n, upload = next(self._ids), isinstance(doc, Upload)
        return {
            "file_id": doc if isinstance(doc, str) else f"BQACdoc{n}",
            "file_unique_id": f"AgADdoc{n}",
            "file_name": doc.filename if upload else "file",
            "file_size": len(doc.content) if upload else 1,
        }

    @staticmethod
    def _loc(p: dict) -> dict:
        return {"latitude": float(p["latitude"]), "longitude": float(p["longitude"])}

    def _send_poll(self, p: dict) -> dict:
        options = [
            {"persistent_id": str(i), "voter_count": 0, "text": o["text"] if isinstance(o, dict) else str(o)}
            for i, o in enumerate(p["options"])
        ]
        return self._bot_message(
            p,
            poll={
                "id": str(next(self._ids)),
                "question": p["question"],
                "options": options,
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": p.get("is_anonymous", True),
                "type": p.get("type", "regular"),
                "allows_multiple_answers": p.get("allows_multiple_answers", False),
                "allows_revoting": False,
                "members_only": False,
            },
        )

    def _send_media_group(self, p: dict) -> list[dict]:
        group_id = str(next(self._ids))
        return [
            self._bot_message(
                p,
                caption=item.get("caption"),
                media_group_id=group_id,
                **(
                    {"photo": self._photo_sizes(item.get("media"))}
                    if item.get("type") == "photo"
                    else {"document": self._document(item.get("media"))}
                ),
            )
            for item in p["media"]
        ]

    def _copy(self, p: dict, caption: str | None) -> dict:
        """copyMessage / forwardMessage: a new bot message with the original's content."""
        original = self._messages.get((p.get("from_chat_id"), p.get("message_id"))) or {}
        content = {k: original.get(k) for k in CONTENT_KEYS}
        return self._bot_message(p, **{**content, **({"caption": caption} if caption else {})})

    def _edit(self, p: dict, what: str) -> dict | bool:
        """editMessage{Text,Caption,ReplyMarkup}; omitting reply_markup removes the keyboard."""
        if "inline_message_id" in p:
            return True
        old = self._messages.get((p.get("chat_id"), p.get("message_id")))
        if old is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if old.get("from", {}).get("id") != self.me["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        new = {k: v for k, v in old.items() if k not in ("reply_markup", "edit_date")}
        if what == "text":
            if "text" not in old:
                raise ApiError(400, "Bad Request: there is no text in the message to edit")
            new.pop("entities", None)
            new.update(text=p["text"], **({"entities": p["entities"]} if p.get("entities") else {}))
        elif what == "caption":
            if "text" in old:
                raise ApiError(400, "Bad Request: there is no caption in the message to edit")
            new.pop("caption", None)
            new.update({"caption": p["caption"]} if p.get("caption") else {})
        if (markup := self._inline_markup(p)) is not None:
            new["reply_markup"] = markup
        if all(new.get(k) == old.get(k) for k in ("text", "caption", "reply_markup")):
            raise ApiError(400, NOT_MODIFIED)
        new["edit_date"] = int(time.time())
        self._messages[(p["chat_id"], p["message_id"])] = new
        return new


def _short(params: dict) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in params.items())
    return text if len(text) <= 160 else text[:157] + "..."


def _excerpt(params: dict) -> str:
    """The parameters of a refused call, the ones Telegram judged first, cut to 240 characters."""
    first = ("text", "caption", "question", "options", "media", "reply_markup", "url", "commands")
    keys = [k for k in first if k in params] + [k for k in params if k not in first]
    text = ", ".join(f"{k}={params[k]!r}" for k in keys)
    return text if len(text) <= 240 else text[:237] + "..."
