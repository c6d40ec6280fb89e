"""The NHIS forecast client (workflows/food_alerts/nhis_forecast.py) against httpx.MockTransport fixtures built
from the documented field list (kr-facts.md §1.3): no network."""

from __future__ import annotations

import json
import logging
from datetime import date

import httpx
import pytest

from workflows.food_alerts.nhis_forecast import ForecastError, NhisForecastClient, parse

KEY = "test+key/123=="


def item(dt="20260701", low="11215", risk=2, cnt=1234, xpln="식중독 발생 가능성이 중간 단계이므로 주의가 요망됩니다."):
    return {"dissCd": "3", "dt": dt, "znCd": "11", "lowrnkZnCd": low, "cnt": cnt, "risk": risk, "dissRiskXpln": xpln}


def ok(items) -> bytes:
    return json.dumps(
        {
            "response": {
                "header": {"resultCode": "00", "resultMsg": "NORMAL_SERVICE"},
                "body": {
                    "numOfRows": 100,
                    "pageNo": 1,
                    "totalCount": len(items) if isinstance(items, list) else 0,
                    "items": items,
                },
            }
        },
        ensure_ascii=False,
    ).encode()


def gateway_error(code: str, name: str) -> bytes:
    """data.go.kr's XML-style error body (sent even when type=json was asked for)."""
    return (
        f"<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
        f"<returnAuthMsg>{name}</returnAuthMsg><returnReasonCode>{code}</returnReasonCode>"
        f"</cmmMsgHeader></OpenAPI_ServiceResponse>"
    ).encode()


HTML_PAGE = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


class Api:
    """A MockTransport that answers from a script of (status, body) or exceptions, and records calls."""

    def __init__(self, *answers):
        self.answers, self.requests = list(answers), []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return httpx.Response(status, content=body)


def client(api: Api, slept: list | None = None, **kw) -> NhisForecastClient:
    async def sleep(s):
        (slept if slept is not None else []).append(s)

    return NhisForecastClient(KEY, transport=httpx.MockTransport(api), sleep=sleep, **kw)


async def test_success_rows_and_request_shape():
    api = Api((200, ok([item(), item(dt="20260702", risk="3", cnt="2000"), item(low=0, risk=1)])))
    rows = await client(api).fetch("11")
    assert [(r.day, r.lowrnk_zn_cd, r.risk, r.cnt) for r in rows] == [
        (date(2026, 7, 1), "11215", 2, 1234),
        (date(2026, 7, 2), "11215", 3, 2000),
        (date(2026, 7, 1), "0", 1, 1234),
    ]
    assert rows[0].guidance.startswith("식중독 발생 가능성")
    req = api.requests[0]
    assert req.url.path == "/B550928/dissForecastInfoSvc/getDissForecastInfo"
    q = req.url.params
    assert (q["serviceKey"], q["type"], q["dissCd"], q["znCd"]) == (KEY, "json", "3", "11")


async def test_an_encoded_service_key_is_not_encoded_twice():
    api = Api((200, ok([item()])))
    await NhisForecastClient("test%2Bkey%2F123%3D%3D", transport=httpx.MockTransport(api)).fetch("11")
    assert api.requests[0].url.params["serviceKey"] == KEY


async def test_a_single_item_not_wrapped_in_a_list():
    rows = await client(Api((200, ok({"item": item(risk=4)})))).fetch("11")
    assert [r.risk for r in rows] == [4]


@pytest.mark.parametrize("empty", ["", [], {"item": []}, None])
async def test_empty_items_are_no_items_and_not_retried(empty):
    api = Api((200, ok(empty)))
    with pytest.raises(ForecastError) as e:
        await client(api).fetch("11")
    assert e.value.code == "no_items" and not e.value.retryable and len(api.requests) == 1


async def test_xml_error_body_with_an_unregistered_key_is_not_retried():
    api = Api((200, gateway_error("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR")))
    with pytest.raises(ForecastError) as e:
        await client(api).fetch("11")
    assert e.value.code == "30" and "NOT_REGISTERED" in e.value.detail and len(api.requests) == 1


async def test_xml_per_second_limit_is_retried_with_backoff():
    slept = []
    api = Api(
        (200, gateway_error("23", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_PER_SECOND_EXCEEDS_ERROR")), (200, ok([item()]))
    )
    rows = await client(api, slept).fetch("11")
    assert len(rows) == 1 and len(api.requests) == 2 and slept == [2.0]


async def test_json_error_header_nodata_is_not_retried():
    body = json.dumps({"response": {"header": {"resultCode": "03", "resultMsg": "NODATA_ERROR"}}}).encode()
    api = Api((200, body))
    with pytest.raises(ForecastError) as e:
        await client(api).fetch("11")
    assert e.value.code == "03" and len(api.requests) == 1


async def test_html_error_page_is_retried_then_given_up():
    slept = []
    api = Api((502, HTML_PAGE))
    with pytest.raises(ForecastError) as e:
        await client(api, slept).fetch("11")
    assert e.value.code == "html" and e.value.retryable
    assert len(api.requests) == 3 and slept == [2.0, 4.0]


async def test_malformed_json_is_retried_then_reported():
    api = Api((200, b'{"response": {"header": {"resultCode": "00"'))
    with pytest.raises(ForecastError) as e:
        await client(api).fetch("11")
    assert e.value.code == "malformed" and len(api.requests) == 3


async def test_timeout_then_success():
    slept = []
    api = Api(httpx.ReadTimeout("slow"), (200, ok([item()])))
    rows = await client(api, slept).fetch("11")
    assert [r.risk for r in rows] == [2] and len(api.requests) == 2 and slept == [2.0]


async def test_network_error_every_time():
    api = Api(httpx.ConnectError("refused"))
    with pytest.raises(ForecastError) as e:
        await client(api, attempts=2).fetch("11")
    assert e.value.code == "network" and len(api.requests) == 2


@pytest.mark.parametrize(
    ("status", "code", "calls"), [(404, "http_404", 1), (500, "http_500", 3), (429, "http_429", 3)]
)
async def test_http_errors(status, code, calls):
    api = Api((status, b'{"error": "x"}'))
    with pytest.raises(ForecastError) as e:
        await client(api).fetch("11")
    assert e.value.code == code and len(api.requests) == calls


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "empty_body"),
        (b"   \n", "empty_body"),
        (b"null", "malformed"),
        (b'{"response": {}}', "malformed"),
        (b"[1, 2]", "malformed"),
    ],
)
def test_parse_bodies_that_are_not_forecasts(body, code):
    with pytest.raises(ForecastError) as e:
        parse(200, body)
    assert e.value.code == code


def test_items_that_are_not_rows_are_skipped():
    rows = parse(200, ok([item(risk=7), item(dt="2026-07-01"), {"dt": "20260701"}, item(risk="2")]))
    assert [r.risk for r in rows] == [2]
    with pytest.raises(ForecastError) as e:
        parse(200, ok([item(risk=0), item(risk="high")]))
    assert e.value.code == "malformed"


async def test_the_service_key_never_reaches_the_logs(caplog):
    caplog.set_level(logging.INFO, logger="httpx")
    await client(Api((200, ok([item()])))).fetch("11")
    assert "serviceKey=***" in caplog.text
    assert "test" not in caplog.text.split("serviceKey=")[1].split("&")[0]
    assert "key%2F123" not in caplog.text and KEY not in caplog.text


class PagedApi:
    """The API with more rows than one page holds: answers each pageNo with its slice of ``rows``
    and the ``totalCount`` of the whole query, honouring numOfRows."""

    def __init__(self, rows: list[dict], *, total: int | None = None, flaky_page: int | None = None):
        self.rows, self.total, self.flaky_page, self.requests = rows, total, flaky_page, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        page, size = int(request.url.params["pageNo"]), int(request.url.params["numOfRows"])
        if page == self.flaky_page:
            self.flaky_page = None
            return httpx.Response(502, content=HTML_PAGE)
        chunk = self.rows[(page - 1) * size : page * size]
        body = {"numOfRows": size, "pageNo": page, "items": {"item": chunk} if chunk else ""}
        if self.total is not None:
            body["totalCount"] = self.total
        return httpx.Response(
            200, json={"response": {"header": {"resultCode": "00", "resultMsg": "NORMAL_SERVICE"}, "body": body}}
        )


def district_rows(n: int) -> list[dict]:
    """n rows for 서울's 시군구 (11110, 11140, ...) over three days; ours (11215) comes last."""
    codes = [f"{11110 + 30 * i}" for i in range(n // 3 - 1)] + ["11215"]
    return [
        item(dt=f"2026070{d}", low=code, risk=1 + (d == 1 and code == "11215")) for code in codes for d in (1, 2, 3)
    ]


async def test_every_page_is_read_not_only_the_first():
    """250 rows at numOfRows=100: three pages, and the district's rows (on page 3) are there."""
    rows = district_rows(252)[:250]
    rows[-1] = item(dt="20260701", low="11215", risk=3)
    api = PagedApi(rows, total=250)
    got = await client(api).fetch("11")
    assert [int(r.url.params["pageNo"]) for r in api.requests] == [1, 2, 3]
    assert {r.url.params["numOfRows"] for r in api.requests} == {"100"}
    assert len(got) == 250 and got[-1].lowrnk_zn_cd == "11215" and got[-1].risk == 3
    assert [(r.day, r.lowrnk_zn_cd) for r in got] == [(date(2026, 7, int(x["dt"][-1])), x["lowrnkZnCd"]) for x in rows]


async def test_pages_without_a_total_stop_at_the_first_short_page_and_each_page_is_retried():
    slept = []
    api = PagedApi(district_rows(240), flaky_page=2)
    got = await client(api, slept).fetch("11")
    assert [int(r.url.params["pageNo"]) for r in api.requests] == [1, 2, 2, 3]
    assert len(got) == 240 and slept == [2.0]


async def test_paging_is_bounded_and_an_empty_page_past_the_first_ends_it(caplog):
    # a gateway that keeps announcing more than it has: stop at the first empty page
    api = PagedApi(district_rows(150), total=10_000)
    assert len(await client(api).fetch("11")) == 150 and len(api.requests) == 3
    # and one that keeps sending full pages forever: stop after max_pages, with a warning
    full = json.loads(ok([item()] * 100))
    full["response"]["body"]["totalCount"] = 1_000_000
    endless = Api((200, json.dumps(full).encode()))
    got = await client(endless, max_pages=4).fetch("11", rows=100)
    assert len(endless.requests) == 4 and len(got) == 400
    assert "stopped after 4 pages" in caplog.text
