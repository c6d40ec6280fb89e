"""반송 and the no-ping-pong rule (issue 16 §4; workflows/complaints/transfers.py): a transferred complaint can be
refused back with a reason; the third move between departments goes to the first-contact desk,
which decides; what the desk assigned cannot be returned.

The clock starts on Monday 2026-11-23 10:00 Asia/Seoul (tests/unit/conftest.py).
"""

from __future__ import annotations

import pytest

from workflows.models import ComplaintEvent
from tests.unit.test_complaints_service import CITIZEN, CIVIL_1, CLEAN_1, ROADS_1, ROADS_2, file, outbox, people, who  # noqa: F401
from workflows.complaints import states
from workflows.complaints import service as complaints
from workflows.complaints import transfers
from workflows.complaints.transfers import NotReturnable
from workflows.complaints.cards import officer_buttons
from workflows.complaints.common import Forbidden


def ev(action: str, dept: str) -> ComplaintEvent:
    return ComplaintEvent(action=action, department_code=dept, note="사유가 있습니다")


def test_moves_are_counted_from_the_history():
    submit = ev("submit", "ROADS")
    assert transfers.moves_counted([submit]) == 0 and not transfers.goes_to_desk([submit])
    one = [submit, ev("take", "ROADS"), ev("transfer", "CLEAN")]
    assert transfers.moves_counted(one) == 1 and not transfers.goes_to_desk(one)
    two = [*one, ev("note", "CLEAN"), ev("return", "ROADS")]
    assert transfers.moves_counted(two) == 2 and transfers.goes_to_desk(two)  # a third move would go to the desk
    honest = [submit, ev("transfer", "CLEAN"), ev("transfer", "PARKS")]  # three transfers count too
    assert transfers.goes_to_desk(honest)


def test_the_desk_decision_is_not_counted_and_cannot_be_returned():
    at_desk = [ev("submit", "ROADS"), ev("transfer", "CLEAN"), ev("return", "ROADS"), ev("to_desk", "CIVIL")]
    assert transfers.at_desk(at_desk) and not transfers.goes_to_desk(at_desk)  # the desk decides freely
    decided = [*at_desk, ev("take", "CIVIL"), ev("transfer", "PARKS")]
    assert transfers.desk_assigned(decided) and transfers.moves_counted(decided) == 0
    later = [*decided, ev("transfer", "CLEAN")]  # moved on afterwards: counting starts again
    assert not transfers.desk_assigned(later) and transfers.moves_counted(later) == 1


async def test_return_goes_back_to_the_sender_with_its_reason_first(session, svc, people):
    c = await file(session, svc)  # 건설과 (ROADS)
    deadline = c.deadline_at
    roads, clean = await who(session, ROADS_1), await who(session, CLEAN_1)
    assert transfers.returnable(c) is None  # filed, not transferred: nothing to return
    await complaints.take(session, svc, roads, c)
    await complaints.transfer(session, svc, roads, c, "CLEAN", "쓰레기 관련이라 청소행정과 소관입니다.")
    await session.commit()
    assert transfers.returnable(c) == "ROADS"
    assert any(label == "↩️ 반송" for row in officer_buttons(c, "ko") for label, _ in row)
    with pytest.raises(ValueError):
        await complaints.give_back(session, svc, clean, c, "짧음")
    with pytest.raises(Forbidden):  # the sender cannot return what it sent
        await complaints.give_back(session, svc, roads, c, "우리 것이 아닙니다 정말로.")
    await complaints.give_back(session, svc, clean, c, "가로등 고장은 건설과 소관입니다.")
    await session.commit()
    assert (c.department_code, c.officer_id, c.handed_to, c.state) == ("ROADS", None, None, states.TRANSFERRED)
    assert c.deadline_at == deadline  # as with a transfer, the deadline stays
    assert transfers.returnable(c) is None  # a return cannot be returned: the sender transfers or handles it
    cards = await outbox(session, f"ret:{c.id}:")
    assert {m.chat_id for m in cards} == {ROADS_1, ROADS_2}  # the sender's officers
    card = cards[0]
    assert card.payload["text"].startswith(
        "↩️ <b>반송된 민원 " + c.receipt_no + "</b> — 청소행정과가 되돌려 보냈습니다\n"
        "반송 사유: 가로등 고장은 건설과 소관입니다."
    )
    [push] = [m for m in await outbox(session, f"push:{c.id}:") if "다시" in m.payload["text"]]
    assert push.chat_id == CITIZEN and "건설과에서 처리합니다" in push.payload["text"]
    assert "가로등 고장은" not in push.payload["text"]  # the departments' dispute stays between them
    staff = complaints.history(svc, c, "ko", staff=True)
    assert any("반송 → 건설과 — 가로등 고장은 건설과 소관입니다." in line for line in staff)
    resident = complaints.history(svc, c, "ko")
    assert any("반송 → 건설과" in line and "가로등 고장은" not in line for line in resident)


async def test_the_third_move_goes_to_the_desk_which_decides(session, svc, people):
    c = await file(session, svc)
    roads, clean, desk = await who(session, ROADS_1), await who(session, CLEAN_1), await who(session, CIVIL_1)
    await complaints.transfer(session, svc, roads, c, "CLEAN", "쓰레기 관련이라 청소행정과 소관입니다.")
    await complaints.give_back(session, svc, clean, c, "가로등 고장은 건설과 소관입니다.")
    await complaints.transfer(session, svc, roads, c, "CLEAN", "가로등 주변 쓰레기 문제입니다.")  # the third
    await session.commit()
    assert (c.department_code, c.handed_to, c.state) == ("CIVIL", None, states.TRANSFERRED)
    assert [e.action for e in c.events][-1] == "to_desk"
    [card] = await outbox(session, f"bounce:{c.id}:")
    assert card.chat_id == CIVIL_1
    text = card.payload["text"]
    for line in (
        "• 이송: 건설과 → 청소행정과 — 쓰레기 관련이라 청소행정과 소관입니다.",
        "• 반송: 청소행정과 → 건설과 — 가로등 고장은 건설과 소관입니다.",
        "• 다시 보내려 함: 건설과 → 청소행정과 — 가로등 주변 쓰레기 문제입니다.",
    ):
        assert line in text
    with pytest.raises(Forbidden):  # no longer either department's to move
        await complaints.transfer(session, svc, roads, c, "PARKS", "다른 부서로 보냅니다.")
    await complaints.transfer(session, svc, desk, c, "CLEAN", "쓰레기 수거가 핵심이라 청소행정과가 처리합니다.")
    await session.commit()
    assert c.department_code == "CLEAN" and transfers.desk_assigned(c.events)
    assert transfers.returnable(c) is None
    assert not any(label == "↩️ 반송" for row in officer_buttons(c, "ko") for label, _ in row)
    with pytest.raises(NotReturnable):
        await complaints.give_back(session, svc, clean, c, "그래도 우리 소관이 아닙니다.")


async def test_a_return_that_would_be_the_third_move_goes_to_the_desk(session, svc, people):
    c = await file(session, svc)
    roads, clean = await who(session, ROADS_1), await who(session, CLEAN_1)
    await complaints.transfer(session, svc, roads, c, "PARKS", "공원 안 가로등입니다.")
    c.department_code = "CLEAN"  # (공원녹지과 has no officer here: as if it had passed it on to 청소행정과)
    c.events.append(
        ComplaintEvent(
            at=svc.now(),
            actor_role="officer",
            action="transfer",
            from_state="transferred",
            to_state="transferred",
            department_code="CLEAN",
            note="쓰레기 문제입니다.",
        )
    )
    await session.commit()
    assert transfers.returnable(c) == "PARKS"
    await complaints.give_back(session, svc, clean, c, "가로등 고장은 건설과 소관입니다.")
    await session.commit()
    assert c.department_code == "CIVIL" and transfers.at_desk(c.events)
    [card] = await outbox(session, f"bounce:{c.id}:")
    assert "• 다시 보내려 함: 청소행정과 → 공원녹지과 — 가로등 고장은 건설과 소관입니다." in card.payload["text"]
