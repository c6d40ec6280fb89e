"""The Open311 export through the real bot's HTTP listeners: only the export listener serves it
(and /metrics), the public webhook/payment port answers 404; a GeoReport v2 client from PyPI
(``georeport``) reads services, a service definition, both pages of a 1,680-complaint month and
single requests, in JSON and in XML; errors are GeoReport error lists in the requested format;
nothing personal is in any answer."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import georeport.georeport
import httpx
import pytest
import requests as requests_lib
from georeport import GeoReport

from tests.e2e.harness import BotHarness, free_port
from tests.indicator_sample import seed
from tests.open311_sample import AUGUST_COUNT, NAME, PHONE, seed_august, seed_personal

AUGUST = {"start_date": "2026-08-01T00:00:00+09:00", "end_date": "2026-09-01T00:00:00+09:00"}


@pytest.fixture
async def bot(fake, tmp_path):
    public, export = free_port(), free_port()
    h = BotHarness(fake, tmp_path, HTTP_PORT=str(public), EXPORT_PORT=str(export))
    await h.start()
    h.public, h.export = f"http://127.0.0.1:{public}", f"http://127.0.0.1:{export}"
    async with h.app.sessionmaker() as s:
        await seed(s)
        await seed_personal(s)
        await seed_august(s)
    yield h
    await h.stop()


class Transport:
    """What georeport calls as ``requests.get``: passes every call through to requests, keeps the
    last response (georeport returns only the parsed body, so the Link header is read here) and
    adds the paging parameters, which georeport has no argument for."""

    def __init__(self) -> None:
        self.extra: dict[str, str] = {}
        self.last: requests_lib.Response | None = None

    def get(self, url, params=None, **kwargs):
        self.last = requests_lib.get(url, params={**(params or {}), **self.extra}, timeout=30, **kwargs)
        return self.last

    def next_page(self) -> dict[str, str] | None:
        link = self.last.links.get("next") if self.last is not None else None
        return dict(parse_qsl(urlsplit(link["url"]).query)) if link else None


@pytest.fixture
def transport(monkeypatch) -> Transport:
    t = Transport()
    monkeypatch.setattr(georeport.georeport, "requests", SimpleNamespace(get=t.get))
    return t


async def test_only_the_export_listener_serves_open311_and_metrics(bot):
    async with httpx.AsyncClient() as http:
        for path in ("/open311/v2/services.json", "/open311/v2/requests.xml", "/open311/discovery.json", "/metrics"):
            assert (await http.get(bot.public + path)).status_code == 404, path
            assert (await http.get(bot.export + path)).status_code == 200, path
        assert (await http.get(bot.public + "/healthz")).status_code == 200
        assert (await http.get(bot.export + "/healthz")).status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_georeport_client_reads_everything(bot, transport, fmt):
    client = GeoReport(bot.export + "/open311/v2", output_format=fmt)

    services = await asyncio.to_thread(client.get_service_list)
    assert len(services) == len(bot.app.svc.district.categories)
    waste = next(s for s in services if s["service_code"] == "waste")
    assert waste["service_name"] == "쓰레기·청소" and str(waste["metadata"]).lower() == "false"
    definition = await asyncio.to_thread(client.get_service_definition, "waste")
    assert definition["service_code"] == "waste" and not definition["attributes"]

    first = await asyncio.to_thread(client.get_service_requests, **AUGUST)
    assert len(first) == 1000 and first[0]["service_request_id"] == f"2026-{100000 + AUGUST_COUNT - 1:06d}"
    assert transport.last.headers["Content-Type"] == (
        "application/json; charset=utf-8" if fmt == "json" else "text/xml; charset=utf-8"
    )
    transport.extra = transport.next_page()  # follow Link: <…page=2…>; rel="next"
    assert transport.extra == {**AUGUST, "page": "2", "page_size": "1000"}
    second = await asyncio.to_thread(client.get_service_requests)
    assert transport.next_page() is None  # the last page
    transport.extra = {}
    ids = [r["service_request_id"] for r in first + second]
    assert len(ids) == AUGUST_COUNT == len(set(ids))

    one = await asyncio.to_thread(client.get_service_request, "2026-000004")
    assert (one["service_request_id"], one["status"], one["service_code"]) == ("2026-000004", "closed", "road")
    assert one["address"] == "능동, 샘플구, 서울특별시" and one["status_notes"] == "처리 완료"
    typed = await asyncio.to_thread(client.get_service_request, "2026-000020")
    assert not typed["address"] and float(typed["lat"]) == 37.535 and float(typed["long"]) == 127.082
    sensitive = await asyncio.to_thread(client.get_service_request, "2026-000022")
    assert not sensitive["address"] and not sensitive["lat"] and not sensitive["long"]

    october = await asyncio.to_thread(client.get_service_requests, start_date="2026-10-01", end_date="2026-10-31")
    assert [r["service_request_id"] for r in october][:4] == [
        "2026-000023",
        "2026-000022",
        "2026-000021",
        "2026-000020",
    ]
    for raw in (json.dumps(october, ensure_ascii=False), transport.last.text):
        for secret in (NAME, PHONE, "680-1", "집 앞", "37.534567", "gAAAA"):
            assert secret not in raw

    with pytest.raises(requests_lib.HTTPError) as e:
        await asyncio.to_thread(client.get_service_request, "2026-999999")
    assert e.value.response.status_code == 404


async def test_errors_are_georeport_error_lists(bot):
    base = bot.export + "/open311/v2"
    async with httpx.AsyncClient() as http:

        async def error(url, expected, fmt, **params):
            r = await http.get(url, params=params)
            assert r.status_code == expected, (url, r.text)
            if fmt == "json":
                assert r.headers["content-type"] == "application/json; charset=utf-8"
                (body,) = r.json()
                return body["code"], body["description"]
            assert r.headers["content-type"] == "text/xml; charset=utf-8"
            root = ET.fromstring(r.content)
            assert root.tag == "errors" and len(root) == 1
            return int(root.findtext("error/code")), root.findtext("error/description")

        assert (await error(f"{base}/requests.json", 400, "json", end_date="9999-12-31"))[0] == 400
        assert (await error(f"{base}/requests.xml", 400, "xml", start_date="0001-01-01"))[0] == 400
        assert (await error(f"{base}/requests.json", 400, "json", page="0"))[0] == 400
        assert (await error(f"{base}/requests.xml", 400, "xml", page_size="5000"))[0] == 400
        assert (await error(f"{base}/requests.json", 400, "json", status="pending"))[0] == 400
        assert (await error(f"{base}/requests/2099-000001.json", 404, "json"))[0] == 404
        assert (await error(f"{base}/requests/2099-000001.xml", 404, "xml"))[0] == 404
        assert (await error(f"{base}/services/nope.json", 404, "json"))[0] == 404
        assert (await error(f"{base}/services/nope.xml", 404, "xml"))[0] == 404
        assert "xml or json" in (await error(f"{base}/requests.csv", 400, "xml"))[1]
        assert "xml or json" in (await error(f"{base}/services.html", 400, "xml"))[1]
        assert (await error(f"{base}/tokens/1.json", 404, "json"))[0] == 404
        assert (await error(bot.export + "/open311", 404, "xml"))[0] == 404
        r = await http.post(f"{base}/requests.json", data={"service_code": "road", "description": "x"})
        assert r.status_code == 405 and r.headers["allow"] == "GET" and r.json()[0]["code"] == 405  # read-only
        r = await http.delete(f"{base}/requests/2026-000004.xml")
        assert r.status_code == 405 and ET.fromstring(r.content).findtext("error/code") == "405"


async def test_discovery_and_paging_headers(bot):
    async with httpx.AsyncClient() as http:
        d = (await http.get(bot.export + "/open311/discovery.json")).json()
        (endpoint,) = d["endpoints"]
        assert endpoint["url"] == bot.export + "/open311/v2" and "text/xml" in endpoint["formats"]
        root = ET.fromstring((await http.get(bot.export + "/open311/discovery.xml")).content)
        assert root.tag == "discovery" and root.findtext("endpoints/endpoint/url") == endpoint["url"]
        # 700 per page, followed through the Link headers
        r = await http.get(endpoint["url"] + "/requests.xml", params={**AUGUST, "page_size": "700"})
        pages = [len(ET.fromstring(r.content))]
        while "next" in r.links:
            assert r.links["next"]["url"].startswith(endpoint["url"] + "/requests.xml?")
            r = await http.get(r.links["next"]["url"])
            assert r.status_code == 200
            pages.append(len(ET.fromstring(r.content)))
        assert pages == [700, 700, 280]
