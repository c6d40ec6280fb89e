"""Client for the NHIS disease-forecast API (국민건강보험공단 질병예측, data.go.kr 15028050).

``GET …/B550928/dissForecastInfoSvc/getDissForecastInfo?serviceKey&type=json&dissCd=3&znCd=11``
returns one row per 시도 / 시군구 and day (today up to the day after tomorrow for 식중독):
``dt`` (YYYYMMDD), ``znCd``, ``lowrnkZnCd`` (5-digit 시군구, 0 = the 시도 row), ``cnt``,
``risk`` 1-4 and ``dissRiskXpln`` (the guidance text). See kr-facts.md §1.

What can come back, and what we do with it (``parse`` is pure, so each case is unit-tested):

* JSON with ``response.header.resultCode == "00"``            -> rows
* JSON with another resultCode, or the gateway's XML-style
  ``<OpenAPI_ServiceResponse><cmmMsgHeader>…<returnReasonCode>``
  error body (sent even when JSON was asked for)              -> ForecastError(code), retryable per API_ERRORS
* an HTML error page (proxy / maintenance), HTTP 5xx or 429    -> retryable ForecastError
* HTTP 4xx                                                     -> ForecastError, not retried
* an empty body, malformed JSON, items that are not rows       -> ForecastError (empty/malformed body retried)
* ``items`` empty ("" / [] / {"item": []}) or code 03 NODATA   -> ForecastError("no_items"), not retried now
* timeouts and network errors                                  -> retried with backoff
* more rows than one page (``totalCount`` > ``numOfRows``)     -> the next pages are read too (at most
                                                                  MAX_PAGES), each retried on its own

The service key is never logged: httpx logs request URLs at INFO, so a filter on the "httpx"
logger masks ``serviceKey=…``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Awaitable, Callable
from urllib.parse import unquote

from workflows.texts import clip

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

GUIDANCE_MAX = 1000  # characters of the forecast's advice kept (it is quoted whole in the alert)
# Pages read at most per fetch: a 시도 has up to ~30 시군구 x 3 days (~100 rows), so 20 pages of 100
# leave a wide margin while a gateway that keeps announcing more cannot keep the job busy.
MAX_PAGES = 20
DEFAULT_URL = "https://apis.data.go.kr/B550928/dissForecastInfoSvc/getDissForecastInfo"

# data.go.kr gateway / OpenAPI common result codes [M: the portal's common error table as quoted in
# public client code]; True = worth retrying in a moment.
API_ERRORS: dict[str, tuple[str, bool]] = {
    "01": ("APPLICATION_ERROR", True),
    "02": ("DB_ERROR", True),
    "03": ("NODATA_ERROR", False),
    "04": ("HTTP_ERROR", True),
    "05": ("SERVICETIMEOUT_ERROR", True),
    "10": ("INVALID_REQUEST_PARAMETER_ERROR", False),
    "11": ("NO_MANDATORY_REQUEST_PARAMETERS_ERROR", False),
    "12": ("NO_OPENAPI_SERVICE_ERROR", False),
    "20": ("SERVICE_ACCESS_DENIED_ERROR", False),
    "21": ("TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR", False),
    "22": ("LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR", False),
    "23": ("LIMITED_NUMBER_OF_SERVICE_REQUESTS_PER_SECOND_EXCEEDS_ERROR", True),
    "30": ("SERVICE_KEY_IS_NOT_REGISTERED_ERROR", False),
    "31": ("DEADLINE_HAS_EXPIRED_ERROR", False),
    "32": ("UNREGISTERED_IP_ERROR", False),
    "33": ("UNSIGNED_CALL_ERROR", False),
    "99": ("UNKNOWN_ERROR", True),
}
_XML_CODE = re.compile(r"<(?:returnReasonCode|resultCode)>\s*(\w+)\s*</")
_XML_MSG = re.compile(r"<(?:returnAuthMsg|resultMsg|errMsg)>\s*([^<]{1,120}?)\s*</")
_KEY_IN_URL = re.compile(r"((?:service|Service)Key=)[^&\s\"']+")


class ForecastError(Exception):
    """The forecast could not be had. ``code``: an API result code ("30") or one of timeout,
    network, http_<status>, html, empty_body, malformed, no_items."""

    def __init__(self, code: str, detail: str = "", *, retryable: bool):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail, self.retryable = code, detail, retryable


@dataclass(frozen=True)
class ForecastRow:
    day: date
    zn_cd: str
    lowrnk_zn_cd: str  # "0" for the 시도 row
    risk: int  # 1 관심, 2 주의, 3 경고, 4 위험
    cnt: int | None  # predicted number of treatments
    guidance: str  # dissRiskXpln


def api_error(code: str, message: str = "") -> ForecastError:
    name, retryable = API_ERRORS.get(code, (message or "UNKNOWN_ERROR", False))
    return ForecastError(code, name, retryable=retryable)


def _row(item: dict) -> ForecastRow:
    """One item -> a row; ValueError/TypeError/KeyError when it is not a usable row."""
    risk = int(item["risk"])
    if not 1 <= risk <= 4:
        raise ValueError(f"risk {risk}")
    day = datetime.strptime(str(item["dt"]).strip(), "%Y%m%d").date()  # noqa: DTZ007 - only the date is kept
    cnt = item.get("cnt")
    return ForecastRow(
        day=day,
        zn_cd=str(item.get("znCd", "")).strip(),
        lowrnk_zn_cd=str(item.get("lowrnkZnCd", "0")).strip() or "0",
        risk=risk,
        cnt=int(float(cnt)) if cnt not in (None, "") else None,
        guidance=clip(str(item.get("dissRiskXpln") or "").strip(), GUIDANCE_MAX),
    )


def _items(body: dict) -> list:
    items = body.get("items")
    if isinstance(items, dict):
        items = items.get("item")
    if items in (None, "", []):
        return []
    if isinstance(items, dict):  # a single row is sometimes not wrapped in a list
        return [items]
    if not isinstance(items, list):
        raise ForecastError("malformed", "items is not a list", retryable=True)
    return items


@dataclass(frozen=True)
class Page:
    """One page of the answer: its rows, how many items it carried (usable or not) and the
    ``totalCount`` the API announced for the whole query (None when it sent none)."""

    rows: list[ForecastRow]
    items: int
    total: int | None


def parse(status: int, body: bytes) -> list[ForecastRow]:
    """The rows in one HTTP answer, or a ForecastError saying why there are none."""
    return parse_page(status, body).rows


def _total(payload: dict) -> int | None:
    try:
        total = int(str(payload.get("totalCount", "")).strip())
    except ValueError:
        return None
    return total if total >= 0 else None


def parse_page(status: int, body: bytes) -> Page:
    """One HTTP answer as a page (rows, item count, totalCount), or a ForecastError."""
    text = body.decode("utf-8", errors="replace").strip()
    if text.startswith("<"):
        if m := _XML_CODE.search(text):
            if m.group(1) in ("00", "0"):
                raise ForecastError("malformed", "XML answer to a JSON request", retryable=True)
            msg = _XML_MSG.search(text)
            raise api_error(m.group(1), msg.group(1) if msg else "")
        if re.match(r"<(!doctype\s+html|html)", text, re.IGNORECASE):
            raise ForecastError("html", f"HTML page, HTTP {status}", retryable=True)
    if status == 429 or status >= 500:
        raise ForecastError(f"http_{status}", retryable=True)
    if status >= 400:
        raise ForecastError(f"http_{status}", retryable=False)
    if not text:
        raise ForecastError("empty_body", retryable=True)
    try:
        doc = json.loads(text)
        header, payload = doc["response"]["header"], doc["response"].get("body") or {}
    except (ValueError, KeyError, TypeError):
        raise ForecastError("malformed", "not the documented JSON", retryable=True) from None
    code = str(header.get("resultCode", "")).strip()
    if code not in ("00", "0"):
        raise api_error(code, str(header.get("resultMsg", "")))
    items = _items(payload)
    if not items:
        raise ForecastError("no_items", retryable=False)
    rows = []
    for item in items:
        try:
            rows.append(_row(item))
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("NHIS forecast: skipped an item that is not a row")
    if not rows:
        raise ForecastError("malformed", "no usable item", retryable=True)
    return Page(rows, len(items), _total(payload))


class _MaskServiceKey(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _KEY_IN_URL.sub(r"\1***", message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def _mask_httpx_logs() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _MaskServiceKey) for f in logger.filters):
        logger.addFilter(_MaskServiceKey())


_mask_httpx_logs()


class NhisForecastClient:
    """Fetches the forecast rows of one 시도 (and its 시군구). ``transport`` is where tests put an
    ``httpx.MockTransport``; ``sleep`` lets them skip the backoff."""

    def __init__(
        self,
        service_key: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        url: str = DEFAULT_URL,
        timeout: float = 10.0,
        attempts: int = 3,
        backoff: float = 2.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_pages: int = MAX_PAGES,
    ):
        # data.go.kr shows an "encoding" and a "decoding" key; httpx encodes, so use the decoded one.
        self.service_key = unquote(service_key.strip()) if "%" in service_key else service_key.strip()
        self.transport, self.url, self.timeout = transport, url, timeout
        self.attempts, self.backoff, self.sleep = max(1, attempts), backoff, sleep
        self.max_pages = max(1, max_pages)

    async def fetch(self, zn_cd: str, diss_cd: int = 3, rows: int = 100) -> list[ForecastRow]:
        """Every row of the query, page after page: until the items read reach the announced
        ``totalCount`` (without one: until a page comes back shorter than ``rows``), a page past the
        first is empty, or ``max_pages`` pages were read (then a warning, and the rows read so far).
        Each page is retried on its own."""
        params = {
            "serviceKey": self.service_key,
            "type": "json",
            "numOfRows": rows,
            "pageNo": 1,
            "dissCd": diss_cd,
            "znCd": zn_cd,
        }
        out: list[ForecastRow] = []
        read = 0
        import httpx  # here: the bot starts without it (issue 17)

        async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout) as client:
            for page_no in range(1, self.max_pages + 1):
                try:
                    page = await self._page(client, {**params, "pageNo": page_no})
                except ForecastError as e:
                    if page_no > 1 and e.code in ("no_items", "03"):
                        break  # past the last page: the API answers NODATA or an empty list
                    raise
                out += page.rows
                read += page.items
                if read >= page.total if page.total is not None else page.items < rows:
                    break
            else:
                log.warning(
                    "NHIS forecast: stopped after %d pages (%d items of %s)",
                    self.max_pages,
                    read,
                    page.total if page.total is not None else "an unknown number",
                )
        return out

    async def _page(self, client: httpx.AsyncClient, params: dict) -> Page:
        for attempt in range(1, self.attempts + 1):
            try:
                return await self._once(client, params)
            except ForecastError as e:
                if not e.retryable or attempt == self.attempts:
                    raise
                delay = self.backoff * 2 ** (attempt - 1)
                log.warning(
                    "NHIS forecast: %s (page %s, attempt %d/%d), retrying in %.0f s",
                    e.code,
                    params["pageNo"],
                    attempt,
                    self.attempts,
                    delay,
                )
                await self.sleep(delay)
        raise AssertionError("unreachable")

    async def _once(self, client: httpx.AsyncClient, params: dict) -> Page:
        import httpx

        try:
            resp = await client.get(self.url, params=params)
        except httpx.TimeoutException:
            raise ForecastError("timeout", retryable=True) from None
        except httpx.TransportError as e:
            raise ForecastError("network", type(e).__name__, retryable=True) from None
        return parse_page(resp.status_code, resp.content)
