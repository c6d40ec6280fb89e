"""Reaching Telegram at start: the first requests (getMe, setMyCommands) before anything is served.

* Telegram unreachable (network down, DNS, a 5xx, a 429): one warning line per attempt — what went
  wrong and when the next try is — and the next try after 1 s, doubling up to 60 s, until it
  answers or the process is asked to stop. No traceback: this is weather, not a bug.
* Telegram refuses the token (401 Unauthorized; 404, which it answers for a token it cannot
  parse): retrying cannot help, so ``TokenRejected`` says so in Korean and English; ``python -m
  bot`` prints it and exits with code 2, like a missing token.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TYPE_CHECKING

from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import User

from handlers.commands import set_default_commands
from bot.retry import bypass_retries

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

FIRST_PAUSE, MAX_PAUSE = 1.0, 60.0


class TokenRejected(Exception):
    def __init__(self, status: str):
        super().__init__(
            f"Telegram이 BOT_TOKEN을 거부했습니다 ({status}). @BotFather에서 받은 토큰을 그대로 넣었는지 확인해 주세요.\n"
            f"Telegram rejected BOT_TOKEN ({status}). Check that it is the token @BotFather gave you."
        )


async def connect(app: "App", *, handle_signals: bool) -> User | None:
    """getMe and the command lists, retried while Telegram is unreachable. None if the bot was
    asked to stop meanwhile (``app.stopping``; SIGTERM/SIGINT when ``handle_signals``)."""
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT) if handle_signals else ()
    for sig in signals:
        loop.add_signal_handler(sig, app.stopping.set)
    try:
        pause = FIRST_PAUSE
        while not app.stopping.is_set():
            try:
                with bypass_retries():  # this loop is the retry: one line per attempt
                    me = await app.bot.get_me()
                    await set_default_commands(app.bot)
                return me
            except TelegramUnauthorizedError:
                raise TokenRejected("401 Unauthorized") from None
            except TelegramNotFound:
                raise TokenRejected("404 Not Found") from None
            except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as e:
                wait = max(float(e.retry_after), pause) if isinstance(e, TelegramRetryAfter) else pause
                log.warning(
                    "Telegram unreachable at start (%s: %s); trying again in %.0f s", type(e).__name__, e.message, wait
                )
                try:
                    await asyncio.wait_for(app.stopping.wait(), wait)
                except TimeoutError:
                    pass
                pause = min(pause * 2, MAX_PAUSE)
        return None
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
