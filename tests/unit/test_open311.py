"""Open311 GeoReport v2 export: services, service definitions, discovery, requests, filters and
paging, the XML of the spec, and nothing personal (no typed address, no precise place, no place at
all for sensitive categories, no internal state names)."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET

import pytest

from bot.config import ConfigError, load_settings
from tests.indicator_sample import NOW, kst, seed
from tests.open311_sample import AUGUST_COUNT, NAME, PERSONAL, PHONE, seed_august, seed_personal
from workflows.complaints import open311, states
from workflows.district import load_district
from workflows.complaints.open311 import Open311Error, parse_filters

PERSONAL_KEYS = ("citizen", "phone", "comment", "answer", "officer", "user")
# pieces of the typed addresses and texts that must never leave: the name, the phone, the house
# number, the words around them, the precise coordinates
SECRETS = (
    NAME,
    PHONE,
    "010-",
    "1234",
    "5678",
    "680-1",
    "77-3",
    "집 앞",
    "댁 옆",
    "연락",
    "님께",
    "37.5345",
    "127.0823",
    "gAAAA",
    "샘플 민원 내용",
)


@pytest.fixture
async def sample(session, clock):
    clock.at = NOW
    await seed(session)
    return session


def test_services_one_per_category(svc):
    out = open311.services(svc.district)
    assert len(out) == len(svc.district.categories)
    waste = next(s for s in out if s["service_code"] == "waste")
    assert waste == {
        "service_code": "waste",
        "service_name": "쓰레기·청소",
        "description": "Waste and cleaning",
        "metadata": False,
        "type": "realtime",
        "keywords": waste["keywords"],
        "group": "청소행정과",
    }
    json.dumps(out)  # plain JSON


def test_service_definition_has_no_attributes_and_unknown_codes_are_404(svc):
    assert open311.service_definition(svc.district, "waste") == {"service_code": "waste", "attributes": []}
    with pytest.raises(Open311Error) as e:
        open311.service_definition(svc.district, "nope")
    assert e.value.code == 404 and "nope" in e.value.description


def test_discovery_lists_the_endpoint(svc):
    d = open311.discovery(svc.district, "http://127.0.0.1:9000/open311/v2")
    assert set(d) == {"changeset", "contact", "key_service", "endpoints"}  # all fields required
    assert d["changeset"] == svc.district.raw["updated"] and "02-450-1114" in d["contact"]
    assert d["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://127.0.0.1:9000/open311/v2",
            "changeset": d["changeset"],
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]


async def test_requests_fields_and_statuses(sample, svc):
    f = parse_filters({"start_date": "2026-10-01", "end_date": "2026-10-31"}, svc)
    page = await open311.requests(sample, svc, f)
    out = page.requests
    assert page.next_query is None
    # received in October: c1..c6, newest first
    assert [r["service_request_id"] for r in out] == [f"2026-{n:06d}" for n in (6, 5, 4, 3, 2, 1)]
    by_id = {r["service_request_id"]: r for r in out}
    c4 = by_id["2026-000004"]
    assert c4 == {
        "service_request_id": "2026-000004",
        "status": "closed",
        "status_notes": "처리 완료",
        "service_name": "도로·보도·가로등",
        "service_code": "road",
        "description": None,
        "agency_responsible": "건설과",
        "service_notice": None,
        "requested_datetime": "2026-10-15T10:00:00+09:00",
        "updated_datetime": "2026-10-15T10:00:00+09:00",
        "expected_datetime": "2026-10-23T18:00:00+09:00",
        "address": "능동, 샘플구, 서울특별시",  # typed: "서울 광진구 능동 45": only the 동 leaves
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
    assert by_id["2026-000001"]["address"] == "자양2동, 샘플구, 서울특별시"  # typed "… 자양2동 123-4"
    assert by_id["2026-000002"]["address"] is None  # typed "광진구 능동로 120": a road, no 동
    assert (
        by_id["2026-000003"]["status"] == "open"
        and by_id["2026-000003"]["status_notes"] == "민원인의 요청으로 다시 처리 중"
    )
    assert (by_id["2026-000003"]["lat"], by_id["2026-000003"]["long"]) == (37.54, 127.08)  # 37.5401, 127.0801
    assert by_id["2026-000005"]["status"] == "open" and by_id["2026-000005"]["status_notes"] == "담당자가 검토 중"
    assert by_id["2026-000006"]["status"] == "closed"  # rejected is closed in Open311
    text = json.dumps(out, ensure_ascii=False)
    for secret in ("gAAAA", "샘플 민원 내용", "010-", "123-4", "능동로", "광진구 능동 45"):
        assert secret not in text
    for r in out:
        assert not [k for k in r if any(p in k for p in PERSONAL_KEYS)], r.keys()


async def test_a_typed_name_and_phone_never_leave(sample, svc):
    """A typed address "자양동 680-1 홍길동 010-1234-5678 집 앞": no name, phone or house number
    anywhere in the JSON or the XML, only a place rounded to about 100 m (자양동 is a 법정동, not
    one of the district's 행정동, so no 동 either)."""
    await seed_personal(sample)
    f = parse_filters({"start_date": "2026-10-21", "end_date": "2026-10-21"}, svc)
    listed = (await open311.requests(sample, svc, f)).requests
    assert [r["service_request_id"] for r in listed] == sorted(PERSONAL, reverse=True)
    one = await open311.request(sample, svc, "2026-000020")
    assert one == next(r for r in listed if r["service_request_id"] == "2026-000020")
    assert one["address"] is None and (one["lat"], one["long"]) == (37.535, 127.082)
    assert one["status"] == "open" and one["status_notes"] == "처리 중"
    with_dong = await open311.request(sample, svc, "2026-000021")
    assert with_dong["address"] == "자양2동, 샘플구, 서울특별시" and with_dong["status_notes"] == "답변 완료"
    for text in (
        json.dumps(listed, ensure_ascii=False),
        json.dumps([one], ensure_ascii=False),
        open311.to_xml("service_requests", listed),
        open311.to_xml("service_requests", [one]),
    ):
        for secret in SECRETS:
            assert secret not in text, (secret, text)


async def test_sensitive_categories_are_exported_without_a_place(sample, svc):
    await seed_personal(sample)
    assert open311.location_withheld(svc.district) == {"welfare", "health"}
    for rid in ("2026-000022", "2026-000023"):  # 복지 with a 동 and GPS, 보건 with GPS
        r = await open311.request(sample, svc, rid)
        assert (r["address"], r["lat"], r["long"]) == (None, None, None), r
        assert r["service_code"] in ("welfare", "health") and r["status_notes"]


def test_location_withheld_comes_from_the_district_profile(district):
    raw = {**district.raw, "open311": {"location_withheld": ["tax"]}}
    assert open311.location_withheld(dataclasses.replace(district, raw=raw)) == {"tax"}
    without = {k: v for k, v in district.raw.items() if k != "open311"}
    assert open311.location_withheld(dataclasses.replace(district, raw=without)) == {"welfare", "health"}
    with pytest.raises(ValueError, match="nope"):
        open311.location_withheld(
            dataclasses.replace(district, raw={**raw, "open311": {"location_withheld": ["nope"]}})
        )
    assert open311.location_withheld(load_district()) == {"welfare", "health"}  # the shipped profile


def test_status_notes_are_plain_words_for_every_state():
    for state in states.ALL:
        note = open311.status_notes(state)
        assert note and not any(s in note for s in states.ALL), (state, note)
        assert not note.isascii()
    assert len({open311.status_notes(s) for s in states.ALL}) == len(states.ALL)


async def test_requests_filters(sample, svc):
    async def ids(**q):
        page = await open311.requests(sample, svc, parse_filters(q, svc))
        return [r["service_request_id"] for r in page.requests]

    assert await ids(start_date="2026-10-01", end_date="2026-10-31", status="open") == ["2026-000005", "2026-000003"]
    assert await ids(start_date="2026-10-01", end_date="2026-10-31", status="closed,open", service_code="road") == [
        "2026-000005",
        "2026-000004",
    ]
    assert await ids(start_date="2026-10-13T00:00:00+09:00", end_date="2026-10-14T23:59:59+09:00") == [
        "2026-000003",
        "2026-000002",
    ]
    assert await ids(start_date="2026-10-12T00:00:00Z", end_date="2026-10-13T00:00:00Z") == ["2026-000001"]
    # default window: the 90 days before now (2026-08-04 .. 11-02): September and October
    assert len(await ids()) == 8
    assert await ids(service_request_id="2025-000008,2026-000001") == ["2026-000001", "2025-000008"]


async def test_a_month_of_1680_comes_in_two_pages(sample, svc):
    """GeoReport's default is the first 1,000; the rest is on the next page (page, page_size),
    whose query pins the window, instead of being cut silently."""
    await seed_august(sample)
    q = {"start_date": "2026-08-01", "end_date": "2026-08-31"}
    first = await open311.requests(sample, svc, parse_filters(q, svc))
    assert len(first.requests) == 1000
    assert first.next_query == {
        "start_date": "2026-08-01T00:00:00+09:00",
        "end_date": "2026-09-01T00:00:00+09:00",
        "page": "2",
        "page_size": "1000",
    }
    second = await open311.requests(sample, svc, parse_filters(first.next_query, svc))
    assert len(second.requests) == AUGUST_COUNT - 1000 and second.next_query is None
    got = [r["service_request_id"] for r in first.requests + second.requests]
    assert got == [f"2026-{100000 + i:06d}" for i in reversed(range(AUGUST_COUNT))]  # all, once, newest first
    third = await open311.requests(sample, svc, parse_filters({**first.next_query, "page": "3"}, svc))
    assert third.requests == [] and third.next_query is None

    pages, query = [], {**q, "page_size": "700", "status": "open", "service_code": "road"}
    while query is not None:
        page = await open311.requests(sample, svc, parse_filters(query, svc))
        pages.append(len(page.requests))
        query = page.next_query
    assert pages == [700, 700, 280]


@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01"},
        {"status": "pending"},
        {"service_code": "nope"},
        {"start_date": "2026-10-10", "end_date": "2026-10-01"},
        {"service_request_id": ",".join(str(i) for i in range(101))},
        {"end_date": "9999-12-31"},
        {"start_date": "0001-01-01"},
        {"end_date": "9999-12-31T23:00:00-05:00"},
        {"start_date": "1999-12-31T23:59:59+09:00", "end_date": "2026-10-01"},
        {"start_date": "2026-10-01", "end_date": "3000-01-01"},
        {"page": "0"},
        {"page": "two"},
        {"page": "-1"},
        {"page": "²"},
        {"page_size": "1001"},
        {"page_size": "0"},
        {"page": "10000000000"},
    ],
)
def test_bad_filters_are_400(svc, clock, query):
    clock.at = NOW
    with pytest.raises(Open311Error) as e:
        parse_filters(query, svc)
    assert e.value.code == 400 and e.value.as_json()[0]["code"] == 400


def test_dates_without_zone_are_district_time(svc, clock):
    clock.at = NOW
    f = parse_filters({"start_date": "2026-10-01T09:00:00", "end_date": "2026-10-02"}, svc)
    assert f.start == kst(2026, 10, 1, 9) and f.end == kst(2026, 10, 3)
    assert parse_filters({"end_date": "2999-12-31"}, svc).end == kst(3000, 1, 1)  # the latest day there is


def _strict(xml: str) -> ET.Element:
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    return ET.fromstring(xml.encode())


async def test_xml_has_the_specs_shape(sample, svc):
    services = _strict(open311.to_xml("services", open311.services(svc.district)))
    assert services.tag == "services" and {c.tag for c in services} == {"service"}
    waste = next(s for s in services if s.findtext("service_code") == "waste")
    assert waste.findtext("metadata") == "false" and waste.findtext("group") == "청소행정과"

    page = await open311.requests(
        sample, svc, parse_filters({"start_date": "2026-10-01", "end_date": "2026-10-31"}, svc)
    )
    reqs = _strict(open311.to_xml("service_requests", page.requests))
    assert reqs.tag == "service_requests" and [r.findtext("service_request_id") for r in reqs] == [
        r["service_request_id"] for r in page.requests
    ]
    c3 = next(r for r in reqs if r.findtext("service_request_id") == "2026-000003")
    assert [c.tag for c in c3] == list(page.requests[0])  # every field, in the spec's order
    assert c3.findtext("lat") == "37.54" and c3.findtext("description") == "" and c3.findtext("status") == "open"

    errors = _strict(open311.to_xml("errors", Open311Error(404, "service_code not found: a<b&c").as_json()))
    assert [(e.findtext("code"), e.findtext("description")) for e in errors.iter("error")] == [
        ("404", "service_code not found: a<b&c")
    ]

    definition = _strict(open311.to_xml("service_definition", open311.service_definition(svc.district, "road")))
    assert definition.findtext("service_code") == "road" and list(definition.find("attributes")) == []

    disc = _strict(open311.to_xml("discovery", open311.discovery(svc.district, "http://x/open311/v2")))
    assert [f.text for f in disc.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]
    assert disc.findtext("endpoints/endpoint/specification") == "http://wiki.open311.org/GeoReport_v2"


BASE = {"BOT_TOKEN": "123:ABC", "DATA_KEY": "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="}


def test_the_export_listener_is_off_or_local_by_default():
    s = load_settings(BASE, dotenv=False)
    assert s.export_port is None and s.export_host == "127.0.0.1"
    s = load_settings({**BASE, "HTTP_PORT": "8080", "EXPORT_PORT": "9090", "EXPORT_HOST": "10.0.0.5"}, dotenv=False)
    assert (s.http_port, s.export_host, s.export_port) == (8080, "10.0.0.5", 9090)
    with pytest.raises(ConfigError, match="EXPORT_PORT must differ from HTTP_PORT"):
        load_settings({**BASE, "HTTP_PORT": "8080", "EXPORT_PORT": "8080"}, dotenv=False)
    with pytest.raises(ConfigError, match="EXPORT_PORT"):
        load_settings({**BASE, "EXPORT_PORT": "metrics"}, dotenv=False)


async def test_a_database_outage_is_a_georeport_503(svc, clock):
    """The routes on a bare aiohttp app whose database cannot be reached: a GeoReport error, not a
    traceback page."""
    from types import SimpleNamespace

    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer
    from sqlalchemy.exc import OperationalError

    from handlers.http_app import APP_KEY
    from handlers.complaints import http_open311

    def down():
        raise OperationalError("SELECT", {}, ConnectionRefusedError("connection refused"))

    clock.at = NOW
    app = SimpleNamespace(svc=svc, sessionmaker=down)
    web_app = web.Application()
    web_app[APP_KEY] = app
    http_open311.setup(web_app, app)
    async with TestClient(TestServer(web_app)) as client:
        r = await client.get("/open311/v2/requests.json")
        assert r.status == 503 and (await r.json())[0]["code"] == 503
        r = await client.get("/open311/v2/requests/2026-000001.xml")
        assert r.status == 503 and ET.fromstring(await r.read()).findtext("error/code") == "503"
        r = await client.get("/open311/v2/services.xml")  # no database needed
        assert r.status == 200 and r.content_type == "text/xml"
