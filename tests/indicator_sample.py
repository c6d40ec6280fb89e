"""A small, hand-computed data set for the indicator tests (unit and end-to-end).

October 2026 (Asia/Seoul). 10-05 and 10-09 are holidays; working hours 09-12 and 13-18.
"Now" for these tests is NOW (2026-11-02 10:00 KST), so October is complete.

| c  | dept    | received         | answered (by)         | business h | deadline     | notes                      |
|----|---------|------------------|-----------------------|-----------:|--------------|----------------------------|
| c1 | CLEAN   | Mon 10-12 10:00  | 10-12 15:00 (201)     |  4         | 10-20 18:00  | closed 10-13, rated 5      |
| c2 | CLEAN   | Tue 10-13 09:00  | Fri 10-16 09:00 (202) | 24         | 10-14 18:00  | late; closed 10-17, rated 3|
| c3 | CLEAN   | Wed 10-14 14:00  | Thu 10-22 11:00 (201) | 46         | 10-30 (ext.) | extended 10-20, reopened 10-23 (deadline → 11-03) |
| c4 | ROADS   | Thu 10-15 10:00  | Fri 10-16 10:00 (301) |  8         | 10-23 18:00  | filed at TRAFFIC, transferred 15:00 by 401 (4 h lost); closed 10-17, rated 4 on 10-18 |
| c5 | ROADS   | Mon 10-19 09:00  | —                     |            | 10-27 18:00  | still open (officer 301): overdue |
| c6 | CLEAN   | Tue 10-20 09:00  | rejected 10:00 (202)  |            | 10-28 18:00  | survey sent, never answered |
| c7 | ROADS   | Mon 09-14 10:00  | Tue 09-15 10:00 (301) |  8         | 09-22 18:00  | rated 2 on 09-16 (September) |
| c8 | ROADS   | Mon 2025-10-13 09:00 | 2025-10-14 09:00 (301) | 8    | 2025-10-21   | rated 5 on 2025-10-15 (a year earlier) |
| c9 | CLEAN   | Mon 09-28 09:00  | Tue 09-29 09:00 (202) |  8         | 10-07 18:00  | survey sent 09-30, rated 4 on 10-01 |
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workflows.models import Complaint, ComplaintEvent, Rating, User

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=KST)
CITIZEN = 100
OFFICERS = {201: "CLEAN", 202: "CLEAN", 301: "ROADS", 401: "TRAFFIC"}


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)


def _complaint(
    n: int,
    dept: str,
    category: str,
    received: datetime,
    deadline: datetime,
    state: str,
    *,
    answered: tuple[datetime, int] | None = None,
    closed: datetime | None = None,
    address: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    extended: bool = False,
    officer: int | None = None,
) -> Complaint:
    return Complaint(
        receipt_no=f"{received.year}-{n:06d}",
        submit_key=f"sample-{n}",
        citizen_id=CITIZEN,
        category_code=category,
        kind="고충",
        period="7d",
        description="샘플 민원 내용입니다.",
        address=address,
        latitude=lat,
        longitude=lon,
        department_code=dept,
        officer_id=officer or (answered[1] if answered else None),
        state=state,
        received_at=received,
        deadline_at=deadline,
        extended=extended,
        answer_text="답변" if answered else None,
        answered_at=answered[0] if answered else None,
        answered_by=answered[1] if answered else None,
        closed_at=closed,
        updated_at=received,
        phone_enc="gAAAA-not-a-real-token",
    )


def _ev(at: datetime, action: str, to: str, dept: str, actor: int | None, frm: str | None = None) -> ComplaintEvent:
    role = "citizen" if actor == CITIZEN else "officer" if actor else "system"
    return ComplaintEvent(
        at=at, actor_id=actor, actor_role=role, action=action, from_state=frm, to_state=to, department_code=dept
    )


def _life(c: Complaint, *steps, filed_at: str | None = None) -> Complaint:
    """submit (to ``filed_at``, default the complaint's department) + the given
    (at, action, to_state, dept, actor) steps, from_state chained."""
    state = "received"
    c.events = [_ev(c.received_at, "submit", state, filed_at or c.department_code, CITIZEN)]
    for at, action, to, dept, actor in steps:
        c.events.append(_ev(at, action, to, dept, actor, state))
        state = to
    return c


def complaints() -> list[Complaint]:
    c1 = _complaint(
        1,
        "CLEAN",
        "waste",
        kst(2026, 10, 12, 10),
        kst(2026, 10, 20, 18),
        "closed",
        answered=(kst(2026, 10, 12, 15), 201),
        closed=kst(2026, 10, 13, 9),
        address="서울 광진구 자양2동 123-4",
    )
    _life(
        c1,
        (kst(2026, 10, 12, 11), "take", "assigned", "CLEAN", 201),
        (kst(2026, 10, 12, 15), "answer", "answered", "CLEAN", 201),
        (kst(2026, 10, 13, 9), "close", "closed", "CLEAN", CITIZEN),
    )
    c2 = _complaint(
        2,
        "CLEAN",
        "waste",
        kst(2026, 10, 13, 9),
        kst(2026, 10, 14, 18),
        "closed",
        answered=(kst(2026, 10, 16, 9), 202),
        closed=kst(2026, 10, 17, 12),
        address="광진구 능동로 120",
    )
    _life(
        c2,
        (kst(2026, 10, 16, 9), "answer", "answered", "CLEAN", 202),
        (kst(2026, 10, 17, 12), "close", "closed", "CLEAN", CITIZEN),
    )
    c3 = _complaint(
        3,
        "CLEAN",
        "waste",
        kst(2026, 10, 14, 14),
        kst(2026, 11, 3, 18),
        "reopened",
        answered=(kst(2026, 10, 22, 11), 201),
        extended=True,
        lat=37.5401,
        lon=127.0801,
    )
    _life(
        c3,
        (kst(2026, 10, 20, 10), "extend", "extended", "CLEAN", 201),
        (kst(2026, 10, 22, 11), "answer", "answered", "CLEAN", 201),
        (kst(2026, 10, 23, 10), "reopen", "reopened", "CLEAN", CITIZEN),
    )
    c4 = _complaint(
        4,
        "ROADS",
        "road",
        kst(2026, 10, 15, 10),
        kst(2026, 10, 23, 18),
        "closed",
        answered=(kst(2026, 10, 16, 10), 301),
        closed=kst(2026, 10, 17, 8),
        address="서울 광진구 능동 45",
    )
    _life(
        c4,
        (kst(2026, 10, 15, 15), "transfer", "transferred", "ROADS", 401),
        (kst(2026, 10, 16, 9), "take", "assigned", "ROADS", 301),
        (kst(2026, 10, 16, 10), "answer", "answered", "ROADS", 301),
        (kst(2026, 10, 17, 8), "close", "closed", "ROADS", CITIZEN),
        filed_at="TRAFFIC",
    )
    c5 = _complaint(5, "ROADS", "road", kst(2026, 10, 19, 9), kst(2026, 10, 27, 18), "assigned", officer=301)
    _life(c5, (kst(2026, 10, 19, 10), "take", "assigned", "ROADS", 301))
    c6 = _complaint(
        6,
        "CLEAN",
        "waste",
        kst(2026, 10, 20, 9),
        kst(2026, 10, 28, 18),
        "rejected",
        closed=kst(2026, 10, 20, 10),
        officer=202,
    )
    _life(c6, (kst(2026, 10, 20, 10), "reject", "rejected", "CLEAN", 202))
    c7 = _complaint(
        7,
        "ROADS",
        "road",
        kst(2026, 9, 14, 10),
        kst(2026, 9, 22, 18),
        "closed",
        answered=(kst(2026, 9, 15, 10), 301),
        closed=kst(2026, 9, 16, 9),
    )
    _life(
        c7,
        (kst(2026, 9, 15, 10), "answer", "answered", "ROADS", 301),
        (kst(2026, 9, 16, 9), "close", "closed", "ROADS", CITIZEN),
    )
    c8 = _complaint(
        8,
        "ROADS",
        "road",
        kst(2025, 10, 13, 9),
        kst(2025, 10, 21, 18),
        "closed",
        answered=(kst(2025, 10, 14, 9), 301),
        closed=kst(2025, 10, 15, 9),
    )
    _life(
        c8,
        (kst(2025, 10, 14, 9), "answer", "answered", "ROADS", 301),
        (kst(2025, 10, 15, 9), "close", "closed", "ROADS", CITIZEN),
    )
    c9 = _complaint(
        9,
        "CLEAN",
        "waste",
        kst(2026, 9, 28, 9),
        kst(2026, 10, 7, 18),
        "closed",
        answered=(kst(2026, 9, 29, 9), 202),
        closed=kst(2026, 9, 30, 23),
    )
    _life(
        c9,
        (kst(2026, 9, 29, 9), "answer", "answered", "CLEAN", 202),
        (kst(2026, 9, 30, 23), "close", "closed", "CLEAN", CITIZEN),
    )
    return [c1, c2, c3, c4, c5, c6, c7, c8, c9]


def _rating(
    c: Complaint, sent: datetime, rated: datetime | None = None, overall: int | None = None, **items: int
) -> Rating:
    return Rating(
        service="complaint",
        complaint_id=c.id,
        department_code=c.department_code,
        officer_id=c.answered_by or c.officer_id,
        sent_at=sent,
        rated_at=rated,
        overall=overall,
        comment="개인적인 의견 010-1234-5678" if overall else None,
        **items,
    )


def ratings(cs: list[Complaint]) -> list[Rating]:
    c1, c2, _c3, c4, _c5, c6, c7, c8, c9 = cs
    return [
        _rating(
            c1, kst(2026, 10, 13, 9), kst(2026, 10, 13, 9, 5), 5, greeting=5, guidance=4, tone=5, answer=5, closing=5
        ),
        _rating(c2, kst(2026, 10, 17, 12), kst(2026, 10, 17, 12, 5), 3, greeting=3),
        _rating(c4, kst(2026, 10, 17, 8), kst(2026, 10, 18, 9), 4, greeting=4, guidance=4, tone=4, answer=4, closing=4),
        _rating(c6, kst(2026, 10, 20, 10)),
        _rating(c7, kst(2026, 9, 16, 9), kst(2026, 9, 16, 10), 2),
        _rating(c8, kst(2025, 10, 15, 9), kst(2025, 10, 15, 10), 5),
        _rating(c9, kst(2026, 9, 30, 23), kst(2026, 10, 1, 9, 30), 4),
    ]


async def seed(session) -> list[Complaint]:
    """Insert the sample (users, complaints with events, ratings) and commit."""
    for uid in (CITIZEN, *OFFICERS):
        if await session.get(User, uid) is None:
            session.add(User(id=uid))
    cs = complaints()
    session.add_all(cs)
    await session.flush()
    session.add_all(ratings(cs))
    await session.commit()
    return cs
