"""The bot's own HTTP server (aiohttp, in the bot process): read-only exports, payment
notifications and health. Started by bot.app.run when HTTP_PORT is set.

A feature adds its routes by appending a `setup(web_app, app)` function to ROUTE_SETUPS; the
`App` (sessionmaker, services, bot, worker) is reachable in handlers as request.app["app"].
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from aiohttp import web

if TYPE_CHECKING:
    from bot.app import App

ROUTE_SETUPS: list[Callable[[web.Application, "App"], None]] = []


def build_web_app(app: "App") -> web.Application:
    web_app = web.Application(client_max_size=1024 * 1024)
    web_app["app"] = app
    for setup in ROUTE_SETUPS:
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
