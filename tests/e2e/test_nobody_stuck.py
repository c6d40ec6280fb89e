"""No complaint gets stuck with nobody able to act (issue 16 §1), through the real bot and the fake
Bot API, with officers in two departments (청소행정과 CLEAN, 건설과 ROADS), the first-contact desk
(민원여권과 CIVIL) and a head (과장) of 건설과.

* A department with nobody reachable hands its complaints to the desk, whose officers can find,
  take and transfer them.
"""
from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Complaint, ComplaintEvent
from tests.e2e.harness import ADMIN
from tests.e2e.test_complaint_loop import consent

CITIZEN = 100
CLEAN_1, CLEAN_2, ROADS_1, ROADS_HEAD, DESK = 200, 201, 300, 310, 500


async def grant(h, uid: int, role: str, dept: str) -> None:
    await h.say(ADMIN, f"/grant {uid} {role} {dept}", expect="부여했습니다")


async def file(h, category: str, text: str, user_id: int = CITIZEN) -> Complaint:
    """A complaint filed through the form (no photo, place or phone)."""
    await h.say(user_id, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(user_id, category, expect="무엇이 문제인지")
    await h.say(user_id, text, expect="사진이 있으면")
    await h.press(user_id, "건너뛰기", expect="위치를 알려 주세요")
    await h.press(user_id, "건너뛰기", expect="연락처를 남기시겠어요")
    await h.press(user_id, "건너뛰기", expect="신청 내용 확인")
    await h.press(user_id, "제출", expect="민원이 접수되었습니다")
    rows = await h.db(select(Complaint).where(Complaint.citizen_id == user_id).order_by(Complaint.id.desc()))
    return rows[0]


async def test_the_desk_finds_takes_and_transfers_what_nobody_else_can(harness, fake):
    """복지정책과 has no officer: the desk is handed the complaint and can act on it (today it got a
    card whose every button and /find answered "다른 부서의 민원은 볼 수 없습니다")."""
    h = harness
    for uid, dept in ((CLEAN_1, "CLEAN"), (ROADS_1, "ROADS"), (DESK, "CIVIL")):
        await grant(h, uid, "officer", dept)
    await consent(h)
    c = await file(h, "복지·돌봄", "기초생활 수급 신청은 어디서 어떻게 하나요?")
    assert c.department_code == "WELFARE" and c.handed_to == "CIVIL"
    card = await fake.wait_text(DESK, f"새 민원 {c.receipt_no}")
    assert "민원여권과(첫 창구)로 넘어온 민원" in card.params["text"] and "복지정책과에 연락 가능한 담당자가 없습니다" in card.params["text"]
    assert not any(c.receipt_no in x for x in fake.texts(CLEAN_1) + fake.texts(ROADS_1))

    inbox = await h.say(DESK, "/inbox", expect="민원여권과 처리함")
    assert c.receipt_no in str(inbox.params["reply_markup"])
    found = await h.say(DESK, f"/find {c.receipt_no}", expect=c.receipt_no)
    assert "볼 수 없습니다" not in found.params["text"] and "복지정책과" in found.params["text"]
    await h.say(ROADS_1, f"/find {c.receipt_no}", expect="찾을 수 없습니다")  # the wall stands for others

    await h.press(DESK, "이송", expect="어느 부서로 이송할까요")
    await h.press(DESK, "건설과", expect="이송하는 사유")
    await h.say(DESK, "도로 시설 문의라 건설과에서 답해야 합니다.", expect="이송했습니다")
    await fake.wait_text(ROADS_1, f"이송된 민원 {c.receipt_no}")
    c = await h.one(Complaint, id=c.id)
    assert c.department_code == "ROADS" and c.handed_to is None and c.state == "transferred"
    events = await h.db(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id))
    assert [(e.action, e.actor_id, e.note) for e in events][:2] == [("submit", CITIZEN, None), ("handover", None, "no_officer")]
    assert (events[2].action, events[2].actor_id) == ("transfer", DESK)
    await h.say(DESK, f"/find {c.receipt_no}", expect="찾을 수 없습니다")  # passed on: no longer the desk's
