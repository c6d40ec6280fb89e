"""Complaints for the Open311 export tests (unit and HTTP), added to tests/indicator_sample.py's
sample (whose resident is CITIZEN): typed addresses holding a name and a phone, sensitive
categories, and a month of 1,680 complaints for paging."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from workflows.models import Complaint
from tests.indicator_sample import CITIZEN, kst

NAME, PHONE = "홍길동", "010-1234-5678"
# a typed address naming a 법정동 that is not one of the district's 행정동, plus a person
TYPED = f"자양동 680-1 {NAME} {PHONE} 집 앞"
# a typed address naming one of the district's 동, plus a person
TYPED_WITH_DONG = f"자양2동 77-3 {NAME} {PHONE} 댁 옆"
LAT, LON = 37.534567, 127.082345
AUGUST_COUNT = 1680


def _row(n: int, received, category: str, dept: str, state: str, *, address=None, lat=None, lon=None) -> dict:
    return dict(
        receipt_no=f"{received.year}-{n:06d}",
        submit_key=f"open311-{n}",
        citizen_id=CITIZEN,
        category_code=category,
        kind="고충",
        period="7d",
        description=f"{NAME}이 {PHONE}로 연락 바람",
        address=address,
        latitude=lat,
        longitude=lon,
        department_code=dept,
        state=state,
        received_at=received,
        deadline_at=received + timedelta(days=7),
        updated_at=received,
        answer_text=f"{NAME}님께 답변" if state == "answered" else None,
        phone_enc="gAAAA-not-a-real-token",
    )


# receipt no -> (category, department, state, address, lat, lon), all received 2026-10-21
PERSONAL = {
    "2026-000020": ("road", "ROADS", "in_progress", TYPED, LAT, LON),
    "2026-000021": ("waste", "CLEAN", "answered", TYPED_WITH_DONG, LAT, LON),
    "2026-000022": ("welfare", "WELFARE", "received", TYPED_WITH_DONG, LAT, LON),
    "2026-000023": ("health", "HEALTH", "assigned", None, LAT, LON),
}


async def seed_personal(session) -> None:
    """Four complaints on 2026-10-21 whose texts and typed addresses name a person."""
    rows = [
        _row(int(rid[5:]), kst(2026, 10, 21, 9 + i), cat, dept, state, address=addr, lat=lat, lon=lon)
        for i, (rid, (cat, dept, state, addr, lat, lon)) in enumerate(PERSONAL.items())
    ]
    await session.execute(insert(Complaint), rows)
    await session.commit()


async def seed_august(session, count: int = AUGUST_COUNT) -> None:
    """``count`` complaints received in August 2026, 20 minutes apart (2026-100000 onwards)."""
    start = kst(2026, 8, 1, 0, 10)
    rows = [
        _row(
            100000 + i,
            start + timedelta(minutes=20 * i),
            "road",
            "ROADS",
            "received",
            address="서울 광진구 화양동 1",
            lat=37.5401,
            lon=127.0701,
        )
        for i in range(count)
    ]
    await session.execute(insert(Complaint), rows)
    await session.commit()
