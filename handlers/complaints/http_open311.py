"""Open311 GeoReport v2 (read-only) on the export listener (bot/http.py: EXPORT_HOST/EXPORT_PORT,
never the public webhook/payment port). Every resource in XML (the spec's required format) and
JSON, chosen by the suffix:

GET /open311/discovery.{xml,json}                      Service Discovery (endpoint list)
GET /open311/v2/services.{xml,json}                    one service per complaint category
GET /open311/v2/services/<service_code>.{xml,json}     service definition (no attributes)
GET /open311/v2/requests.{xml,json}?status=open|closed&service_code=..&start_date=..&end_date=..
                             &service_request_id=2026-000123,..&page=1&page_size=1000
GET /open311/v2/requests/<service_request_id>.{xml,json}

A page of requests that is not the last carries ``Link: <next page URL>; rel="next"``. Errors are
GeoReport error lists in the requested format (XML when the format itself is unknown): 400 for a
bad parameter or format, 404 for an unknown service code, request id or path, 405 for any method
but GET, 503 while the database cannot be reached. The rules and what is exported are in
workflows/complaints/open311.py.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy.exc import DBAPIError

from handlers.http_app import APP_KEY
from workflows.complaints import open311

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
V2 = "/open311/v2"


def _respond(
    fmt: str, root: str, data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        body = open311.to_xml(root, data)
    return web.Response(
        text=body,
        status=status,
        content_type=open311.FORMATS[fmt],
        charset="utf-8",
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _error(fmt: str, e: open311.Open311Error) -> web.Response:
    return _respond(fmt if fmt in open311.FORMATS else "xml", "errors", e.as_json(), status=e.code)


def _format(request: web.Request) -> str:
    fmt = request.match_info["fmt"]
    if fmt not in open311.FORMATS:
        raise open311.Open311Error(400, "format must be xml or json, e.g. requests.xml")
    return fmt


def georeport(handler):
    """Open311Error -> a GeoReport error response in the requested format; a database outage -> 503."""

    async def wrapped(request: web.Request) -> web.Response:
        fmt = request.match_info.get("fmt", "xml")
        try:
            return await handler(request, _format(request))
        except open311.Open311Error as e:
            return _error(fmt, e)
        except (DBAPIError, OSError) as e:
            log.warning("Open311 export: database unavailable (%s)", type(e).__name__)
            return _error(fmt, open311.Open311Error(503, "temporarily unavailable, try again later"))

    return wrapped


@georeport
async def discovery(request: web.Request, fmt: str) -> web.Response:
    app: "App" = request.app[APP_KEY]
    url = str(request.url.origin()) + V2
    return _respond(fmt, "discovery", open311.discovery(app.svc.district, url))


@georeport
async def services(request: web.Request, fmt: str) -> web.Response:
    app: "App" = request.app[APP_KEY]
    return _respond(fmt, "services", open311.services(app.svc.district))


@georeport
async def service_definition(request: web.Request, fmt: str) -> web.Response:
    app: "App" = request.app[APP_KEY]
    return _respond(fmt, "service_definition", open311.service_definition(app.svc.district, request.match_info["code"]))


@georeport
async def requests(request: web.Request, fmt: str) -> web.Response:
    app: "App" = request.app[APP_KEY]
    filters = open311.parse_filters(request.query, app.svc)
    async with app.sessionmaker() as session:
        page = await open311.requests(session, app.svc, filters)
    headers = {}
    if page.next_query is not None:
        headers["Link"] = f'<{request.url.with_query(page.next_query)}>; rel="next"'
    return _respond(fmt, "service_requests", page.requests, headers=headers)


@georeport
async def one_request(request: web.Request, fmt: str) -> web.Response:
    app: "App" = request.app[APP_KEY]
    async with app.sessionmaker() as session:
        found = await open311.request(session, app.svc, request.match_info["rid"])
    return _respond(fmt, "service_requests", [found])


async def fallback(request: web.Request) -> web.Response:
    """Any other path under /open311 (404), or any method but GET (405: the export is read-only)."""
    fmt = "json" if request.path.endswith(".json") else "xml"
    if request.method != "GET":
        response = _error(fmt, open311.Open311Error(405, "read-only: only GET is served"))
        response.headers["Allow"] = "GET"
        return response
    return _error(fmt, open311.Open311Error(404, "no such Open311 resource; see /open311/discovery.xml"))


def setup(web_app: web.Application, app: "App") -> None:
    r = web_app.router
    r.add_get("/open311/discovery.{fmt}", discovery, allow_head=False)
    r.add_get(V2 + "/services.{fmt}", services, allow_head=False)
    r.add_get(V2 + "/services/{code}.{fmt}", service_definition, allow_head=False)
    r.add_get(V2 + "/requests.{fmt}", requests, allow_head=False)
    r.add_get(V2 + "/requests/{rid}.{fmt}", one_request, allow_head=False)
    r.add_route("*", "/open311{tail:(/.*)?}", fallback)
