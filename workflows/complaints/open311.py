"""Open311 GeoReport v2 export of the complaints (read-only), for other systems.

Spec: https://wiki.open311.org/GeoReport_v2 (and Service_Discovery, GeoReport_v2/Extensions for
``page`` / ``page_size``). The routes are in handlers/complaints/http_open311.py, on the export listener
(EXPORT_HOST / EXPORT_PORT), never on the public webhook/payment port.

Nothing personal leaves the district. Exported: receipt number, category, department, status and
plain-word status notes, times, the 동 and coordinates rounded to 0.001° (COORD_DECIMALS).
Never: the resident's id, phone or name, the complaint text, the answer text, photos, the typed
address (it is free text: a tested one held a neighbour's name and phone) or full-precision GPS.
The query selects only the exported columns, and the typed address only through the SQL that
turns it into a 동 (common.dong_case), so nothing else can leak by accident. Categories whose
place would say something about a person's health or circumstances (복지, 보건: the district
profile's ``open311.location_withheld``) are exported with no place at all.

Statuses: workflows.states.open311_status (open / closed); ``status_notes`` says the detailed
state in plain Korean (STATUS_NOTES), never an internal state name and never the officer's answer.
Requests: newest first (received time, then id); without dates the last 90 days; pages of
``page_size`` (default and largest PAGE_SIZE = GeoReport's 1,000), ``page`` from 1. A page that
is not the last says where the next one is (``Page.next_query``; the handler sends it as a
``Link: <…>; rel="next"`` header) with the window pinned, so complaints arriving meanwhile do not
shift the pages. Errors are GeoReport error lists: ``[{"code": 400, "description": "..."}]``,
``<errors><error><code>400</code><description>…</description></error></errors>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import Complaint
from workflows.complaints import states
from workflows.context import Services
from workflows.district import District
from workflows.complaints.common import NO_ADDRESS, OTHER_PLACE, dong_case

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"json": "application/json", "xml": "text/xml"}
DEFAULT_DAYS = 90
PAGE_SIZE = 1000  # GeoReport's default limit ("first 1000 requests"), and the largest page
MAX_PAGE = 1_000_000
MAX_IDS = 100
STATUSES = ("open", "closed")
# Dates outside these years are refused (400) rather than computed with (9999-12-31 + 1 day
# overflows Python's datetime).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999
# 0.001° is about 111 m north-south and, at Seoul's latitude (37.5° N), about 88 m east-west:
# the exported point is the centre of a cell of roughly 100 m, never the doorstep.
COORD_DECIMALS = 3
# Categories exported without any place (no 동, no coordinates) when the district profile has no
# "open311": {"location_withheld": [...]}: a welfare (복지·돌봄) or health (보건·감염병) complaint
# on a map tells the neighbours who needs care or who is ill.
DEFAULT_LOCATION_WITHHELD = ("welfare", "health")

# The public wording of each internal state (never the state's name, never the answer's text).
STATUS_NOTES = {
    states.RECEIVED: "접수됨, 담당자 배정 전",
    states.ASSIGNED: "담당자가 검토 중",
    states.IN_PROGRESS: "처리 중",
    states.ANSWERED: "답변 완료",
    states.CLOSED: "처리 완료",
    states.TRANSFERRED: "담당 부서를 바꾸는 중",
    states.REJECTED: "처리할 수 없는 민원으로 안내하고 종결",
    states.REOPENED: "민원인의 요청으로 다시 처리 중",
    states.EXTENDED: "처리 기한을 연장하여 처리 중",
    states.WITHDRAWN: "민원인이 취하하여 종결",
}


class Open311Error(ValueError):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description

    def as_json(self) -> list[dict]:
        return [{"code": self.code, "description": self.description}]


# --- services ----------------------------------------------------------------------------------


def services(district: District) -> list[dict]:
    """GET services: one service per complaint category."""
    return [
        {
            "service_code": c.code,
            "service_name": c.name_ko,
            "description": c.name_en,
            "metadata": False,
            "type": "realtime",
            "keywords": ", ".join(c.keywords),
            "group": district.department(c.department).name_ko,
        }
        for c in district.categories.values()
    ]


def service_definition(district: District, code: str) -> dict:
    """GET service definition. No category asks for additional fields (``metadata`` is false), so
    a known one has an empty attribute list; an unknown code is a 404, as the spec lists."""
    if code not in district.categories:
        raise Open311Error(404, f"service_code not found: {code[:40]}")
    return {"service_code": code, "attributes": []}


def discovery(district: District, endpoint_url: str) -> dict:
    """Service Discovery (Open311's discovery.json / .xml): this one read-only endpoint."""
    info = district.raw.get("district") or {}
    changeset = str(district.raw.get("updated") or "")  # services come from the district profile
    phone = info.get("main_phone", "")
    return {
        "changeset": changeset,
        "contact": f"{district.name_ko} ({district.name_en}) {phone}".strip(),
        "key_service": "No key is needed: this endpoint is read-only and takes no service requests.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": changeset,
                "type": "production",
                "formats": [FORMATS["xml"], FORMATS["json"]],
            }
        ],
    }


def location_withheld(district: District) -> frozenset[str]:
    """Category codes exported without a place (district profile ``open311.location_withheld``,
    else DEFAULT_LOCATION_WITHHELD). A code the profile does not have is a mistake in the file."""
    configured = (district.raw.get("open311") or {}).get("location_withheld")
    if configured is None:
        return frozenset(c for c in DEFAULT_LOCATION_WITHHELD if c in district.categories)
    unknown = [c for c in configured if c not in district.categories]
    if unknown:
        raise ValueError(f"open311.location_withheld names unknown categories: {', '.join(unknown)}")
    return frozenset(configured)


# --- requests: filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    start: datetime
    end: datetime
    statuses: tuple[str, ...] = STATUSES
    service_codes: tuple[str, ...] = ()
    request_ids: tuple[str, ...] = ()
    page: int = 1
    page_size: int = PAGE_SIZE


def _when(raw: str, name: str, svc: Services, *, end: bool = False) -> datetime:
    """W3C datetime or a date (the district's time zone when none is given); an end date
    alone means the end of that day. Years outside EARLIEST_YEAR..LATEST_YEAR are a 400."""
    raw = raw.strip()
    try:
        if len(raw) == 10:
            dt = datetime.combine(date.fromisoformat(raw), time.min, svc.tz)
        else:
            dt = datetime.fromisoformat(raw)
            dt = dt if dt.tzinfo else dt.replace(tzinfo=svc.tz)
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C date-time, e.g. 2026-10-01T00:00:00+09:00") from None
    if not EARLIEST_YEAR <= dt.year <= LATEST_YEAR:
        raise Open311Error(400, f"{name} must lie between {EARLIEST_YEAR}-01-01 and {LATEST_YEAR}-12-31")
    return dt + timedelta(days=1) if end and len(raw) == 10 else dt


def _list(query: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated parameter, which may also be given several times."""
    raw = query.getall(name, []) if hasattr(query, "getall") else [query.get(name) or ""]
    return tuple(x.strip() for r in raw for x in r.split(",") if x.strip())


def _int(query: Mapping[str, str], name: str, default: int, highest: int) -> int:
    raw = (query.get(name) or "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not 1 <= int(raw) <= highest:
        raise Open311Error(400, f"{name} must be a whole number from 1 to {highest}")
    return int(raw)


def parse_filters(query: Mapping[str, str], svc: Services) -> Filters:
    now = svc.now()
    end = _when(query["end_date"], "end_date", svc, end=True) if (query.get("end_date") or "").strip() else now
    start = (
        _when(query["start_date"], "start_date", svc)
        if (query.get("start_date") or "").strip()
        else end - timedelta(days=DEFAULT_DAYS)
    )
    if start >= end:
        raise Open311Error(400, "start_date must be before end_date")
    statuses = _list(query, "status") or STATUSES
    if not set(statuses) <= set(STATUSES):
        raise Open311Error(400, "status must be open, closed or both (comma-separated)")
    codes = _list(query, "service_code")
    unknown = [c for c in codes if c not in svc.district.categories]
    if unknown:
        raise Open311Error(400, f"unknown service_code: {', '.join(unknown)[:100]}")
    ids = _list(query, "service_request_id")
    if len(ids) > MAX_IDS:
        raise Open311Error(400, f"at most {MAX_IDS} service_request_id values")
    page = _int(query, "page", 1, MAX_PAGE)
    page_size = _int(query, "page_size", PAGE_SIZE, PAGE_SIZE)
    return Filters(start, end, tuple(dict.fromkeys(statuses)), codes, ids, page, page_size)


# --- requests: the rows --------------------------------------------------------------------------


def _exported(district: District):
    """The only columns read: the typed address only as the 동 it names (or none)."""
    C = Complaint
    return (
        C.receipt_no,
        C.state,
        C.category_code,
        C.department_code,
        C.received_at,
        C.updated_at,
        C.deadline_at,
        dong_case(district.dongs).label("dong"),
        C.latitude,
        C.longitude,
    )


def _iso(dt: datetime | None, svc: Services) -> str | None:
    return dt.astimezone(svc.tz).isoformat(timespec="seconds") if dt else None


def status_notes(state: str) -> str:
    return STATUS_NOTES.get(state) or ("처리 중" if state in states.OPEN else "종결")


def _public(r, svc: Services, withheld: frozenset[str]) -> dict:
    d = svc.district
    cat = d.categories.get(r.category_code)
    dept = d.departments.get(r.department_code)
    hide = r.category_code in withheld
    dong = None if hide or r.dong in (NO_ADDRESS, OTHER_PLACE) else r.dong
    city = (d.raw.get("district") or {}).get("city_ko")
    # most specific to most general, as the spec asks: 동, 구, 시
    address = ", ".join(x for x in (dong, d.name_ko, city) if x) if dong else None
    point = not hide and r.latitude is not None and r.longitude is not None
    return {
        "service_request_id": r.receipt_no,
        "status": states.open311_status(r.state),
        "status_notes": status_notes(r.state),
        "service_name": cat.name_ko if cat else r.category_code,
        "service_code": r.category_code,
        "description": None,  # the complaint text is never exported: free text may name people
        "agency_responsible": dept.name_ko if dept else r.department_code,
        "service_notice": None,
        "requested_datetime": _iso(r.received_at, svc),
        "updated_datetime": _iso(r.updated_at, svc),
        "expected_datetime": _iso(r.deadline_at, svc),
        "address": address,
        "address_id": None,
        "zipcode": None,
        "lat": round(r.latitude, COORD_DECIMALS) if point else None,
        "long": round(r.longitude, COORD_DECIMALS) if point else None,
        "media_url": None,
    }


@dataclass
class Page:
    requests: list[dict]
    # query parameters of the next page (None on the last page)
    next_query: dict[str, str] | None = field(default=None)


def _next_query(f: Filters, svc: Services) -> dict[str, str]:
    q = {"start_date": _iso(f.start, svc), "end_date": _iso(f.end, svc)}
    if f.statuses != STATUSES:
        q["status"] = ",".join(f.statuses)
    if f.service_codes:
        q["service_code"] = ",".join(f.service_codes)
    if f.request_ids:
        q = {"service_request_id": ",".join(f.request_ids)}
    return {**q, "page": str(f.page + 1), "page_size": str(f.page_size)}


async def requests(session: AsyncSession, svc: Services, f: Filters) -> Page:
    C = Complaint
    q = select(*_exported(svc.district))
    if f.request_ids:  # GeoReport: ids override the other filters
        q = q.where(C.receipt_no.in_(f.request_ids))
    else:
        q = q.where(C.received_at >= f.start, C.received_at < f.end)
        if f.service_codes:
            q = q.where(C.category_code.in_(f.service_codes))
        if set(f.statuses) != set(STATUSES):
            open_ = C.state.in_(states.OPEN)
            q = q.where(open_ if f.statuses == ("open",) else ~open_)
    q = q.order_by(C.received_at.desc(), C.id.desc()).offset((f.page - 1) * f.page_size).limit(f.page_size + 1)
    rows = (await session.execute(q)).all()
    withheld = location_withheld(svc.district)
    out = [_public(r, svc, withheld) for r in rows[: f.page_size]]
    return Page(out, _next_query(f, svc) if len(rows) > f.page_size else None)


async def request(session: AsyncSession, svc: Services, request_id: str) -> dict:
    """GET service request: one complaint by receipt number, or a 404."""
    row = (
        await session.execute(select(*_exported(svc.district)).where(Complaint.receipt_no == request_id))
    ).one_or_none()
    if row is None:
        raise Open311Error(404, f"service_request_id not found: {request_id[:40]}")
    return _public(row, svc, location_withheld(svc.district))


# --- XML -----------------------------------------------------------------------------------------

# the element of one item of each list (the spec's <services><service>, <errors><error>, ...)
ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(el: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _fill(ET.SubElement(el, k), v)
    elif isinstance(value, list):
        for v in value:
            _fill(ET.SubElement(el, ITEM[el.tag]), v)
    else:
        el.text = _text(value)


def to_xml(root: str, data: Any) -> str:
    """The spec's schemaless XML: ``services``, ``service_requests``, ``errors``,
    ``service_definition`` or ``discovery`` as root, lists as repeated item elements, null as an
    empty element, booleans as true/false; with the UTF-8 declaration the spec asks for."""
    el = ET.Element(root)
    _fill(el, data)
    ET.indent(el)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(el, encoding="unicode") + "\n"
