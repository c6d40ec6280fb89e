"""Runs the real bot (aiogram Dispatcher + Bot over HTTP) against the suite's fake Bot API server."""

from __future__ import annotations

import asyncio
import base64
from functools import partial
from pathlib import Path

from sqlalchemy import select

from bot.app import App, build_app, run
from bot.config import load_settings
from bot.db.migrate import upgrade_to_head
from tests import databases
from tests.fakes.telegram_server import Call, FakeTelegram

TEST_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
ADMIN = 1


def district_with_groups(tmp_path: Path, groups: dict[str, int]) -> dict[str, str]:
    """The sample district with the given departments' group chats ({code: chat id}), written to
    tmp_path: the settings that make BotHarness load it."""
    import json

    from workflows.district import DEFAULT_PATH

    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    for d in raw["departments"]:
        if d["code"] in groups:
            d["group_chat_id"] = groups[d["code"]]
    path = tmp_path / "district.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return {"DISTRICT_CONFIG": str(path)}


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for the bot's HTTP server in a test."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_env(**settings: str) -> dict[str, str]:
    """The environment of a `python -m bot` subprocess: this process's, without any bot setting it
    may carry (a developer's BOT_TOKEN, DATABASE_URL, ...), plus ``settings``."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "DATABASE_", "REDIS_"))}
    env.update(settings)
    return env


async def _close_at_once(session) -> None:
    """aiogram's AiohttpSession.close waits 250 ms after closing for SSL connections to wind down
    (aiohttp's graceful shutdown); the fake is plain HTTP on 127.0.0.1, so a test's bot closes at
    once (a quarter of a second on each of ~400 end-to-end tests)."""
    if session._session is not None and not session._session.closed:
        await session._session.close()


class BotHarness:
    def __init__(self, fake: FakeTelegram, tmp_path: Path, **env: str):
        self.fake = fake
        self.env = {
            "BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.base_url,
            "DATABASE_URL": env.pop("DATABASE_URL", None) or databases.new_database_url(tmp_path),
            "DATA_DIR": str(tmp_path),
            "DATA_KEY": TEST_KEY,
            "ADMIN_IDS": str(ADMIN),
            "POLLING_TIMEOUT": "1",
            "DELIVERY_RATE": "200",
            # the fake answers at once and enforces no per-chat spacing (tests/unit/test_delivery.py
            # holds the worker to it): short gaps keep a scripted conversation quick
            "DELIVERY_PRIVATE_INTERVAL": "0.05",
            "DELIVERY_GROUP_INTERVAL": "0.05",
            "FLOOD_LIMIT": "1000",
            **env,
        }  # scripted users type fast; tests/e2e/test_flood.py sets its own
        if databases.TEST_REDIS_URL and "REDIS_URL" not in env:
            # the PostgreSQL run keeps FSM state in Redis, as several instances would
            self.env.update(REDIS_URL=databases.TEST_REDIS_URL, REDIS_PREFIX=databases.redis_prefix())
        self.settings = load_settings(self.env, dotenv=False)
        if self.settings.webhook_mode and "://127.0.0.1:" in self.env.get("WEBHOOK_URL", ""):
            # the real Bot API takes only https on ports 80/88/443/8443, except a local server
            # (telegram-bot-api --local): the one a test's webhook on 127.0.0.1 needs
            fake.local_mode = True
        self.app: App | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> "BotHarness":
        await asyncio.to_thread(upgrade_to_head, self.settings.database_url)
        self.app = build_app(self.settings)
        self.app.bot.session.close = partial(_close_at_once, self.app.bot.session)  # type: ignore[method-assign]
        mark = self.fake.mark()
        self._task = asyncio.create_task(run(self.app, handle_signals=False))
        first = "setWebhook" if self.settings.webhook_mode else "getUpdates"
        await self.fake.wait_for(lambda c: c.method == first, after=mark, timeout=10)
        return self

    async def stop(self) -> None:
        if self._task is None:
            return
        await self.app.stop()
        await asyncio.wait_for(self._task, 10)
        self._task = None
        # a duty that raised is only logged by the bot; in a test it is a failure
        assert not self.app.duties.failures, f"scheduled duties failed: {self.app.duties.failures}"

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def db(self, stmt):
        async with self.app.sessionmaker() as s:
            return (await s.execute(stmt)).scalars().all()

    async def one(self, model, **where):
        async with self.app.sessionmaker() as s:
            q = select(model).filter_by(**where)
            return (await s.execute(q)).scalars().first()

    async def eventually(self, check, timeout: float = 5.0):
        """Await check() until it returns something truthy (for rows a background worker writes)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not (result := await check()):
            if loop.time() > end:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.05)
        return result

    # --- conversation helpers -----------------------------------------------------------
    async def say(
        self, user_id: int, text: str | None = None, expect: str | None = None, *, timeout: float = 5.0, **kw
    ) -> Call | None:
        mark = self.fake.mark()
        self.fake.message(user_id, text, **kw)
        if expect is None:
            return None
        return await self.fake.wait_text(kw.get("chat_id") or user_id, expect, after=mark, timeout=timeout)

    async def press(
        self, user_id: int, label: str, expect: str | None = None, *, chat_id: int | None = None, timeout: float = 5.0
    ) -> Call | None:
        msg_id, data = self.fake.button(chat_id or user_id, label)
        mark = self.fake.mark()
        self.fake.callback(user_id, data, message_id=msg_id, chat_id=chat_id)
        if expect is None:
            await self.fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark, timeout=timeout)
            return None
        return await self.fake.wait_text(chat_id or user_id, expect, after=mark, timeout=timeout)
