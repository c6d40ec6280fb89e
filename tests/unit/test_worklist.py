"""workflows/worklist.py and casework.py without Telegram: list buttons that fit, time left in
business time, who gets a new complaint's card, the digest's days, names only for staff."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from workflows.models import Complaint, OutboxMessage, User
from handlers.worklist import ListCb, fit_query
from tests.unit.conftest import KST
from tests.unit.test_complaints_service import CITIZEN, ROADS_1, ROADS_2, file, people, who  # noqa: F401
from workflows import roles
from workflows.complaints import casework
from workflows.complaints import service as complaints
from workflows import worklist as wl
from workflows.complaints.cards import card_recipients


def test_list_buttons_are_packed_the_same_way_on_both_sides_and_fit_64_bytes():
    for view in (
        wl.View(),
        wl.View(wl.COMPLAINTS, wl.OVERDUE, "environment", 14, 123),
        wl.View(wl.SEARCH, page=2, query="자양1동 폐기물"),
    ):
        for picker in ("", "c", "d"):
            assert wl.list_data(view, picker) == ListCb.of(view, picker).pack()
    words = fit_query("광진구 자양1동 골목 입구 대형 폐기물 방치 신고합니다")
    packed = ListCb.of(wl.View(wl.SEARCH, wl.ALL, "", -1, 999, words)).pack()
    assert len(packed.encode()) <= 64 and words.startswith("광진구 자양1동")
    assert fit_query("a:b") == "a b"  # the separator never reaches the callback data


def test_time_left_is_business_time(svc):
    monday = datetime(2026, 12, 7, 10, 0, tzinfo=KST)
    assert wl.time_left(svc, monday + timedelta(hours=3), monday, "ko") == "⏰ 오늘 13:00까지 (2시간)"  # lunch 12–13
    assert wl.time_left(svc, datetime(2026, 12, 8, 18, 0, tzinfo=KST), monday, "ko") == "⏳ 1일 7시간 남음"
    assert wl.time_left(svc, datetime(2026, 12, 4, 18, 0, tzinfo=KST), monday, "ko") == "⚠️ 1시간 지남"  # Fri 18:00
    assert wl.time_left(svc, datetime(2026, 12, 14, 10, 0, tzinfo=KST), monday, "en") == "⏳ 5d left"


async def test_an_officer_who_chose_the_digest_gets_no_card_unless_it_is_due_within_hours(session, svc, people):
    await wl.set_card_mode(session, ROADS_2, wl.DIGEST)
    await session.commit()
    c = await file(session, svc, "road")
    rows = (
        await session.scalars(select(OutboxMessage.chat_id).where(OutboxMessage.dedup_key.like(f"new:{c.id}:%")))
    ).all()
    assert sorted(rows) == [ROADS_1]
    urgent = Complaint(period="3h")  # 기타 즉시: 3 working hours
    assert await card_recipients(session, urgent, [ROADS_1, ROADS_2]) == [ROADS_1, ROADS_2]


async def test_the_digest_duty_runs_on_business_days_from_0830_once(session, svc, people, clock):
    await wl.set_card_mode(session, ROADS_2, wl.DIGEST)
    await session.commit()
    await file(session, svc, "road")
    clock.set(2026, 12, 25, 8, 45)  # 성탄절, a Friday
    assert await wl.send_digests(session, svc) == 0
    clock.set(2026, 12, 28, 8, 29)  # Monday, a minute early
    assert await wl.send_digests(session, svc) == 0
    clock.set(2026, 12, 28, 8, 30)
    assert await wl.send_digests(session, svc) == 1
    assert await wl.send_digests(session, svc) == 0
    [row] = (await session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.like("digest:%")))).all()
    assert row.chat_id == ROADS_2 and row.dedup_key == f"digest:{ROADS_2}:2026-12-28"
    assert "Morning digest" in row.payload["text"]  # in the officer's language


async def test_a_residents_name_is_never_kept_a_staff_members_is(session, svc, people):
    resident, officer = await session.get(User, CITIZEN), await session.get(User, ROADS_1)
    roles.remember_telegram_name(resident, await who(session, CITIZEN), "홍길동")
    roles.remember_telegram_name(officer, await who(session, ROADS_1), "  김  도로 ")
    assert resident.telegram_name is None and officer.telegram_name == "김 도로"
    await roles.set_staff_name(session, ROADS_1, "김도로 주무관")
    names = await roles.staff_names(session, [ROADS_1, ROADS_2], "ko")
    assert names == {ROADS_1: "김도로 주무관", ROADS_2: "이름 미등록 담당자(#2002)"}


async def test_notes_and_take_overs_are_for_staff_only(session, svc, people):
    c = await file(session, svc, "road")
    p1, p2 = await who(session, ROADS_1), await who(session, ROADS_2)
    await complaints.take(session, svc, p1, c)
    casework.add_note(svc, p2, c, "현장 사진은 내일 찍겠습니다.")
    await casework.takeover(session, svc, p2, c)
    await session.commit()
    resident = " ".join(complaints.history(svc, c, "ko"))
    staff = " ".join(complaints.history(svc, c, "ko", staff=True, names=await casework.names_for(session, c, "ko")))
    assert "현장 사진" not in resident and "넘겨받음" not in resident and "내부 메모" not in resident
    assert "내부 메모 — 이름 미등록 담당자(#2002): 현장 사진은 내일 찍겠습니다." in staff
    assert "담당자 변경(넘겨받음) → 이름 미등록 담당자(#2002)" in staff
    told = (
        await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == ROADS_1, OutboxMessage.dedup_key.like("ws:%"))
        )
    ).all()
    assert len(told) == 1 and "넘겨받았습니다" in told[0].payload["text"]
