"""Open311 GeoReport v2 export of the complaints (read-only), for other systems.

Only what describes the problem and its handling leaves the district: receipt number, category,
department, status and times, and the place (address or coordinates). Never the resident's id,
phone, name, the complaint text or the answer text (free text may name people); the query
selects only the exported columns, so nothing else can leak by accident.

Statuses: workflows.states.open311_status (open / closed); the detailed state is in
``status_notes``. GeoReport defaults: without dates, the last 90 days; at most 1,000 requests,
newest first. Errors are GeoReport error lists: ``[{"code": 400, "description": "..."}]``.
Spec: https://wiki.open311.org/GeoReport_v2
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Complaint
from workflows import states
from workflows.context import Services
from workflows.district import District

DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
MAX_IDS = 100
STATUSES = ("open", "closed")


class Open311Error(ValueError):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description

    def as_json(self) -> list[dict]:
        return [{"code": self.code, "description": self.description}]


def services(district: District) -> list[dict]:
    """services.json: one service per complaint category."""
    return [{"service_code": c.code, "service_name": c.name_ko, "description": c.name_en,
             "metadata": False, "type": "realtime", "keywords": ", ".join(c.keywords),
             "group": district.department(c.department).name_ko}
            for c in district.categories.values()]


@dataclass(frozen=True)
class Filters:
    start: datetime
    end: datetime
    statuses: tuple[str, ...] = STATUSES
    service_codes: tuple[str, ...] = ()
    request_ids: tuple[str, ...] = ()


def _when(raw: str, name: str, svc: Services, *, end: bool = False) -> datetime:
    """W3C datetime or a date (the district's time zone when none is given); an end date
    alone means the end of that day."""
    raw = raw.strip()
    try:
        if len(raw) == 10:
            d = date.fromisoformat(raw)
            return datetime.combine(d + timedelta(days=1) if end else d, time.min, svc.tz)
        dt = datetime.fromisoformat(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C date-time, e.g. 2026-10-01T00:00:00+09:00") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=svc.tz)


def _list(raw: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (raw or "").split(",") if x.strip())


def parse_filters(query: Mapping[str, str], svc: Services) -> Filters:
    now = svc.now()
    end = _when(query["end_date"], "end_date", svc, end=True) if query.get("end_date") else now
    start = (_when(query["start_date"], "start_date", svc) if query.get("start_date")
             else end - timedelta(days=DEFAULT_DAYS))
    if start >= end:
        raise Open311Error(400, "start_date must be before end_date")
    statuses = _list(query.get("status")) or STATUSES
    if not set(statuses) <= set(STATUSES):
        raise Open311Error(400, "status must be open, closed or both (comma-separated)")
    codes = _list(query.get("service_code"))
    unknown = [c for c in codes if c not in svc.district.categories]
    if unknown:
        raise Open311Error(400, f"unknown service_code: {', '.join(unknown)[:100]}")
    ids = _list(query.get("service_request_id"))
    if len(ids) > MAX_IDS:
        raise Open311Error(400, f"at most {MAX_IDS} service_request_id values")
    return Filters(start, end, statuses, codes, ids)


EXPORTED = (Complaint.receipt_no, Complaint.state, Complaint.category_code, Complaint.department_code,
            Complaint.received_at, Complaint.updated_at, Complaint.deadline_at, Complaint.address,
            Complaint.latitude, Complaint.longitude)


def _iso(dt: datetime | None, svc: Services) -> str | None:
    return dt.astimezone(svc.tz).isoformat(timespec="seconds") if dt else None


async def requests(session: AsyncSession, svc: Services, f: Filters) -> list[dict]:
    C = Complaint
    q = select(*EXPORTED)
    if f.request_ids:  # GeoReport: ids override the other filters
        q = q.where(C.receipt_no.in_(f.request_ids))
    else:
        q = q.where(C.received_at >= f.start, C.received_at < f.end)
        if f.service_codes:
            q = q.where(C.category_code.in_(f.service_codes))
        if set(f.statuses) != set(STATUSES):
            open_ = C.state.in_(states.OPEN)
            q = q.where(open_ if f.statuses == ("open",) else ~open_)
    q = q.order_by(C.received_at.desc(), C.id.desc()).limit(MAX_REQUESTS)
    d = svc.district
    out = []
    for r in (await session.execute(q)).all():
        cat = d.categories.get(r.category_code)
        dept = d.departments.get(r.department_code)
        out.append({
            "service_request_id": r.receipt_no,
            "status": states.open311_status(r.state),
            "status_notes": r.state,
            "service_name": cat.name_ko if cat else r.category_code,
            "service_code": r.category_code,
            "agency_responsible": dept.name_ko if dept else r.department_code,
            "service_notice": None,
            "requested_datetime": _iso(r.received_at, svc),
            "updated_datetime": _iso(r.updated_at, svc),
            "expected_datetime": _iso(r.deadline_at, svc),
            "address": r.address,
            "address_id": None,
            "zipcode": None,
            "lat": r.latitude,
            "long": r.longitude,
            "media_url": None,
        })
    return out
