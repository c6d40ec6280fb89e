"""The bot's own HTTP server (aiohttp, in the bot process): read-only exports, payment
notifications and health. Started by bot.app.run when HTTP_PORT is set.

A feature adds its routes with a `setup(web_app, app)` function listed in route_setups(); the
`App` (sessionmaker, services, bot, worker) is reachable in handlers as request.app[APP_KEY].
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from aiohttp import web

if TYPE_CHECKING:
    from bot.app import App



APP_KEY: web.AppKey = web.AppKey("app", object)


def route_setups() -> list[Callable[[web.Application, "App"], None]]:
    """Every feature's route setup (imported here, lazily, so bot.http stays import-light)."""
    from handlers import http_health, http_open311, http_payments, http_telegram

    return [http_health.setup, http_open311.setup, http_payments.setup, http_telegram.setup]


def build_web_app(app: "App") -> web.Application:
    web_app = web.Application(client_max_size=1024 * 1024)
    web_app[APP_KEY] = app
    for setup in route_setups():
        setup(web_app, app)
    return web_app


async def start_http(app: "App") -> web.AppRunner | None:
    if app.settings.http_port is None:
        return None
    runner = web.AppRunner(build_web_app(app), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.http_host, app.settings.http_port)
    await site.start()
    return runner
