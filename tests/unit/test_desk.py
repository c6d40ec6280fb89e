"""The first-contact desk can see, take and transfer what it is handed when a department has nobody
who can act (issue 16 §1; workflows/complaints/cards.hand_to_desk, roles.can_handle).

The clock starts on Monday 2026-11-23 10:00 Asia/Seoul (tests/unit/conftest.py).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workflows.models import Complaint, ComplaintEvent, User
from tests.unit.test_complaints_service import ANSWER, CIVIL_1, ROADS_1, ROADS_2, file, outbox, people, who  # noqa: F401
from workflows.complaints import service as complaints
from workflows.complaints.common import NotFound

WELFARE_TEXT = "기초생활 수급 신청 방법을 알려 주세요."


async def test_the_desk_may_see_take_and_transfer_what_it_was_handed(session, svc, people):
    c = await file(session, svc, "welfare", text=WELFARE_TEXT)  # 복지정책과 has no officer
    assert c.department_code == "WELFARE" and c.handed_to == "CIVIL"
    handover = [e for e in c.events if e.action == "handover"]
    assert [(e.note, e.actor_role, e.department_code) for e in handover] == [("no_officer", "system", "WELFARE")]
    [card] = await outbox(session, f"new:{c.id}:")
    assert card.chat_id == CIVIL_1
    assert card.payload["text"].startswith(
        "📨 <b>민원여권과(첫 창구)로 넘어온 민원</b> — 복지정책과에 연락 가능한 담당자가 없습니다."
    )

    desk = await who(session, CIVIL_1)
    assert (await complaints.get_visible(session, desk, receipt_no=c.receipt_no)).id == c.id
    rows, total = await complaints.inbox(session, "CIVIL")
    assert [x.id for x in rows] == [c.id] and total == 1
    with pytest.raises(NotFound):  # another department's officer still cannot see it
        await complaints.get_visible(session, await who(session, ROADS_1), receipt_no=c.receipt_no)

    await complaints.transfer(session, svc, desk, c, "ROADS", "가로등 관련이라 건설과 소관입니다.")
    await session.commit()
    assert c.handed_to is None and c.department_code == "ROADS"
    with pytest.raises(NotFound):  # passed on: the desk's part is done
        await complaints.get_visible(session, desk, receipt_no=c.receipt_no)
    lines = complaints.history(svc, c, "ko")
    assert any("첫 창구 인계 → 민원여권과 — 연락 가능한 담당자 없음" in line for line in lines)


async def test_the_desk_takes_a_complaint_it_was_handed(session, svc, people):
    c = await file(session, svc, "welfare", text=WELFARE_TEXT)
    desk = await who(session, CIVIL_1)
    await complaints.take(session, svc, desk, c)
    await complaints.answer(session, svc, desk, c, ANSWER)
    await session.commit()
    assert c.state == "answered" and c.answered_by == CIVIL_1
    events = (
        (
            await session.execute(
                select(ComplaintEvent.action).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id)
            )
        )
        .scalars()
        .all()
    )
    assert events == ["submit", "handover", "take", "answer"]


async def test_a_department_whose_officers_all_blocked_the_bot_hands_over(session, svc, people):
    for uid in (ROADS_1, ROADS_2):
        (await session.get(User, uid)).is_active = False
    await session.commit()
    c = await file(session, svc)
    assert c.handed_to == "CIVIL"
    assert [r.chat_id for r in await outbox(session, f"new:{c.id}:")] == [CIVIL_1]
    # the desk's own complaints are not "handed" to it
    own = await file(session, svc, "other", text="어디에 물어야 할지 모르겠어요. 도와주세요.")
    assert own.department_code == "CIVIL" and own.handed_to is None
    assert not any(e.action == "handover" for e in own.events)
    assert (await session.get(Complaint, own.id)).handed_to is None
