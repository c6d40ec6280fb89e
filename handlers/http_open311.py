"""Open311 GeoReport v2 on the bot's HTTP server (bot/http.py): read-only JSON exports.

GET /open311/v2/services.json
GET /open311/v2/requests.json?status=open|closed&service_code=..&start_date=..&end_date=..
                             &service_request_id=2026-000123,..
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.http import APP_KEY

from workflows import open311

if TYPE_CHECKING:
    from bot.app import App

JSON_TYPE = "application/json"


def _json(data, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, content_type=JSON_TYPE,
                             headers={"Cache-Control": "no-store"})


async def services(request: web.Request) -> web.Response:
    app: "App" = request.app[APP_KEY]
    return _json(open311.services(app.svc.district))


async def requests(request: web.Request) -> web.Response:
    app: "App" = request.app[APP_KEY]
    try:
        filters = open311.parse_filters(request.query, app.svc)
    except open311.Open311Error as e:
        return _json(e.as_json(), status=e.code)
    async with app.sessionmaker() as session:
        return _json(await open311.requests(session, app.svc, filters))


def setup(web_app: web.Application, app: "App") -> None:
    web_app.router.add_get("/open311/v2/services.json", services, allow_head=False)
    web_app.router.add_get("/open311/v2/requests.json", requests, allow_head=False)
