"""`python -m bot`: apply migrations, then poll. Without BOT_TOKEN, or with one Telegram refuses: a clear
message and exit code 2. Telegram unreachable at start: retried (bot/startup.py)."""

from __future__ import annotations

import asyncio
import sys

from bot.config import ConfigError, load_settings

NO_TOKEN = (
    "BOT_TOKEN이 설정되지 않았습니다. @BotFather에서 받은 토큰을 .env 파일이나 환경 변수 BOT_TOKEN에 넣어 주세요.\n"
    "BOT_TOKEN is not set. Put the token from @BotFather into .env or the BOT_TOKEN environment variable "
    "(see .env.example)."
)


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as e:
        print(f"설정 오류 / configuration error: {e}", file=sys.stderr)
        return 2
    if not settings.bot_token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from aiogram.utils.token import TokenValidationError, validate_token

    try:
        validate_token(settings.bot_token)
    except TokenValidationError:
        print(
            "BOT_TOKEN 형식이 올바르지 않습니다 (예: 123456789:AA...). / BOT_TOKEN is malformed "
            "(expected 123456789:AA...).",
            file=sys.stderr,
        )
        return 2
    from bot.logs import setup_logging

    setup_logging(settings.log_level)
    from bot.db.migrate import upgrade_to_head

    upgrade_to_head(settings.database_url)
    from bot.app import build_app, run
    from bot.startup import TokenRejected
    from workflows import heap

    app = build_app(settings)
    heap.settle(collect=False)  # what start made, out of the collector's sight: updates' collections walk it no more
    try:
        asyncio.run(run(app))
    except TokenRejected as e:
        print(e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
