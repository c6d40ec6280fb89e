"""POST <WEBHOOK_PATH>: Telegram's updates in webhook mode (several instances behind a load
balancer). Only requests carrying the configured secret token are accepted (compared in constant
time); anything else is refused before it is parsed. The update is handled before the answer. An
update that fails is answered by bot/errors.py (the person told, the work rolled back and, unless
the database was out, the update marked done), so Telegram gets a 200 then too; an exception that
escapes that gets a 500, Telegram delivers the update again, and the de-duplication in
bot/middlewares.py makes the second delivery harmless."""

from __future__ import annotations

import hmac
import logging
import time
from typing import TYPE_CHECKING

from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from handlers.http_app import APP_KEY

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024


async def receive_update(request: web.Request) -> web.Response:
    app: "App" = request.app[APP_KEY]
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), app.settings.webhook_secret.encode()):
        log.warning("webhook request without the right secret token refused")
        return web.json_response({"ok": False, "error": "forbidden"}, status=401)
    if (request.content_length or 0) > MAX_UPDATE_BYTES:
        return web.json_response({"ok": False, "error": "too large"}, status=413)
    try:
        update = Update.model_validate(await request.json(), context={"bot": app.bot})
    except (ValueError, ValidationError, RecursionError):  # RecursionError: JSON nested thousands deep
        return web.json_response({"ok": False, "error": "not an update"}, status=400)
    app.metrics.last_webhook_at = time.time()
    try:
        await app.dp.feed_update(app.bot, update)
    except Exception:  # Telegram delivers it again; the log has the traceback
        log.exception("update %d failed; Telegram will deliver it again", update.update_id)
        return web.json_response({"ok": False}, status=500)
    return web.json_response({"ok": True})


def setup(web_app: web.Application, app: "App") -> None:
    if app.settings.webhook_mode:
        web_app.router.add_post(app.settings.webhook_path, receive_update)
