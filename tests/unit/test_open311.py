"""Open311 GeoReport v2 export: services, requests, filters, and no personal fields."""
from __future__ import annotations

import json

import pytest

from tests.indicator_sample import NOW, kst, seed
from workflows import open311
from workflows.open311 import Open311Error, parse_filters

PERSONAL = ("citizen", "phone", "description", "comment", "answer", "officer", "user")


@pytest.fixture
async def sample(session, clock):
    clock.at = NOW
    await seed(session)
    return session


def test_services_one_per_category(svc):
    out = open311.services(svc.district)
    assert len(out) == len(svc.district.categories)
    waste = next(s for s in out if s["service_code"] == "waste")
    assert waste == {"service_code": "waste", "service_name": "쓰레기·청소", "description": "Waste and cleaning",
                     "metadata": False, "type": "realtime", "keywords": waste["keywords"],
                     "group": "청소행정과"}
    json.dumps(out)  # plain JSON


async def test_requests_fields_and_statuses(sample, svc):
    f = parse_filters({"start_date": "2026-10-01", "end_date": "2026-10-31"}, svc)
    out = await open311.requests(sample, svc, f)
    # received in October: c1..c6, newest first
    assert [r["service_request_id"] for r in out] == [f"2026-{n:06d}" for n in (6, 5, 4, 3, 2, 1)]
    by_id = {r["service_request_id"]: r for r in out}
    c4 = by_id["2026-000004"]
    assert c4 == {
        "service_request_id": "2026-000004", "status": "closed", "status_notes": "closed",
        "service_name": "도로·보도·가로등", "service_code": "road", "agency_responsible": "건설과",
        "service_notice": None, "requested_datetime": "2026-10-15T10:00:00+09:00",
        "updated_datetime": "2026-10-15T10:00:00+09:00", "expected_datetime": "2026-10-23T18:00:00+09:00",
        "address": "서울 광진구 능동 45", "address_id": None, "zipcode": None, "lat": None, "long": None,
        "media_url": None}
    assert by_id["2026-000003"]["status"] == "open" and by_id["2026-000003"]["status_notes"] == "reopened"
    assert by_id["2026-000003"]["lat"] == 37.5401 and by_id["2026-000005"]["status"] == "open"
    assert by_id["2026-000006"]["status"] == "closed"  # rejected is closed in Open311
    text = json.dumps(out, ensure_ascii=False)
    assert "gAAAA" not in text and "샘플 민원 내용" not in text and "010-" not in text
    for r in out:
        assert not [k for k in r if any(p in k for p in PERSONAL)], r.keys()


async def test_requests_filters(sample, svc):
    async def ids(**q):
        return [r["service_request_id"] for r in await open311.requests(sample, svc, parse_filters(q, svc))]

    assert await ids(start_date="2026-10-01", end_date="2026-10-31", status="open") == ["2026-000005", "2026-000003"]
    assert await ids(start_date="2026-10-01", end_date="2026-10-31", status="closed,open", service_code="road") \
        == ["2026-000005", "2026-000004"]
    assert await ids(start_date="2026-10-13T00:00:00+09:00", end_date="2026-10-14T23:59:59+09:00") \
        == ["2026-000003", "2026-000002"]
    # default window: the 90 days before now (2026-08-04 .. 11-02): September and October
    assert len(await ids()) == 8
    assert await ids(service_request_id="2025-000008,2026-000001") == ["2026-000001", "2025-000008"]


@pytest.mark.parametrize("query", [
    {"start_date": "yesterday"}, {"end_date": "2026-13-01"}, {"status": "pending"},
    {"service_code": "nope"}, {"start_date": "2026-10-10", "end_date": "2026-10-01"},
    {"service_request_id": ",".join(str(i) for i in range(101))}])
def test_bad_filters_are_400(svc, clock, query):
    clock.at = NOW
    with pytest.raises(Open311Error) as e:
        parse_filters(query, svc)
    assert e.value.code == 400 and e.value.as_json()[0]["code"] == 400


def test_dates_without_zone_are_district_time(svc, clock):
    clock.at = NOW
    f = parse_filters({"start_date": "2026-10-01T09:00:00", "end_date": "2026-10-02"}, svc)
    assert f.start == kst(2026, 10, 1, 9) and f.end == kst(2026, 10, 3)
