"""The bot's own HTTP servers (aiohttp, in the bot process), started by bot.app.run:

- the public listener (HTTP_HOST/HTTP_PORT): what outside parties must reach — Telegram's webhook,
  the bank's payment notifications — and /healthz for the load balancer;
- the export listener (EXPORT_HOST/EXPORT_PORT, 127.0.0.1 and off by default): the Open311 export
  and /metrics, for the district's own network and monitoring, never the public port (which
  answers 404 for them).

A feature adds its routes with a `setup(web_app, app)` function listed in public_routes() or
export_routes(); the `App` (sessionmaker, services, bot, worker) is reachable in handlers as
request.app[APP_KEY].
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from aiohttp import web

from handlers.http_app import APP_KEY

if TYPE_CHECKING:
    from bot.app import App


Setup = Callable[[web.Application, "App"], None]


def public_routes() -> list[Setup]:
    """Routes of the public listener (imported lazily, so bot.http stays import-light)."""
    from handlers import http_health, http_telegram
    from handlers.license_tax import http_payments

    return [http_health.setup, http_payments.setup, http_telegram.setup]


def export_routes() -> list[Setup]:
    """Routes of the export listener."""
    from handlers import http_health
    from handlers.complaints import http_open311

    return [http_health.setup_export, http_open311.setup]


def build_web_app(app: "App", setups: list[Setup]) -> web.Application:
    web_app = web.Application(client_max_size=1024 * 1024)
    web_app[APP_KEY] = app
    for setup in setups:
        setup(web_app, app)
    return web_app


class Listeners:
    """The running listeners; cleanup() stops them (requests in flight finish first)."""

    def __init__(self) -> None:
        self.runners: list[web.AppRunner] = []

    async def add(self, web_app: web.Application, host: str, port: int) -> None:
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        self.runners.append(runner)
        await web.TCPSite(runner, host, port).start()

    async def cleanup(self) -> None:
        for runner in self.runners:
            await runner.cleanup()


async def start_http(app: "App") -> Listeners | None:
    s = app.settings
    if s.http_port is None and s.export_port is None:
        return None
    listeners = Listeners()
    try:
        if s.http_port is not None:
            await listeners.add(build_web_app(app, public_routes()), s.http_host, s.http_port)
        if s.export_port is not None:
            await listeners.add(build_web_app(app, export_routes()), s.export_host, s.export_port)
    except BaseException:
        await listeners.cleanup()
        raise
    return listeners
