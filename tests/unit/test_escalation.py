"""Reminders and escalations reach the people who can act now (workflows/complaints/escalation.py), and the
head (과장) of a department (issue 16 §1).

The clock starts on Monday 2026-11-23 10:00 Asia/Seoul (tests/unit/conftest.py); a 고충 filed then
is due Tuesday 2026-12-01 18:00 (tests/unit/test_complaints_service.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers import commands
from workflows.models import Complaint
from tests.unit.conftest import ADMIN_ID
from tests.unit.test_complaints_service import (
    ANSWER,
    CITIZEN,
    CLEAN_1,
    GROUP,
    ROADS_1,
    ROADS_2,
    file,
    outbox,
    people,  # noqa: F401 - a fixture, used by name
    who,
    with_group_chat,
)
from workflows import roles
from workflows.complaints import escalation
from workflows.complaints import service as complaints
from workflows.complaints.common import Forbidden
from workflows.texts import MESSAGE_LIMIT, visible_len

ROADS_HEAD = 2003


async def grant(session, svc, uid: int, role: str, dept: str | None = None):
    await roles.grant(
        session, user_id=uid, role=role, department_code=dept, by=ADMIN_ID, departments=svc.district.departments
    )
    await session.commit()


# --- reminders -----------------------------------------------------------------------------


async def test_reminders_once_per_deadline_within_working_hours(db_sessionmaker, session, svc, clock, people):
    assert svc.district.reminder_business_hours_before == 8
    free = await file(session, svc)
    taken = await file(session, svc)
    await complaints.take(session, svc, await who(session, ROADS_1), taken)
    await session.commit()

    assert await escalation.send_due_reminders(session, svc) == 0  # a week to go
    clock.set(2026, 11, 30, 17, 0)  # 9 working hours left
    assert await escalation.send_due_reminders(session, svc) == 0
    assert await outbox(session, "remind:") == []

    clock.set(2026, 11, 30, 18, 0)  # 8 working hours left
    assert await escalation.send_due_reminders(session, svc) == 2
    await session.commit()
    rows = await outbox(session, "remind:")
    assert sorted((r.dedup_key.split(":")[1], r.chat_id) for r in rows) == sorted(
        [(str(free.id), ROADS_1), (str(free.id), ROADS_2), (str(taken.id), ROADS_1)]
    )
    assert "근무시간 8.0시간 남음" in next(r for r in rows if r.chat_id == ROADS_1).payload["text"]
    assert "(8.0 working hours left)" in next(r for r in rows if r.chat_id == ROADS_2).payload["text"]

    assert await escalation.send_due_reminders(session, svc) == 0
    await session.commit()
    clock.set(2026, 12, 1, 9, 30)
    async with db_sessionmaker() as s2:  # a later scheduler run in its own session
        assert await escalation.send_due_reminders(s2, svc) == 0
        await s2.commit()
    assert len(await outbox(session, "remind:")) == 3

    # a new deadline is reminded of again
    await complaints.extend(session, svc, await who(session, ROADS_1), free, "현장 확인이 필요합니다")
    await session.commit()
    clock.set(2026, 12, 10, 10, 0)  # free: 7 h left; taken: overdue since 12-01 (no reminder)
    assert await escalation.send_due_reminders(session, svc) == 1
    assert len(await outbox(session, "remind:")) == 5


async def test_no_reminder_for_closed_or_overdue(session, svc, clock, people):
    c = await file(session, svc)
    late = await file(session, svc)
    await complaints.answer(session, svc, await who(session, ROADS_1), c, ANSWER)
    clock.set(2026, 12, 1, 17, 0)
    assert await escalation.send_due_reminders(session, svc) == 1  # only `late`
    clock.set(2026, 12, 2, 9, 0)
    late.reminded_for = None
    assert await escalation.send_due_reminders(session, svc) == 0  # past its deadline


async def test_a_reminder_never_goes_to_a_revoked_or_moved_officer(session, svc, clock, people):
    """The officer who took it lost the role (or moved to another department): the department's
    remaining officers are reminded instead, at once."""
    revoked, moved = await file(session, svc), await file(session, svc)
    await complaints.take(session, svc, await who(session, ROADS_1), revoked)
    await complaints.take(session, svc, await who(session, ROADS_2), moved)
    await session.commit()
    await roles.revoke(session, user_id=ROADS_1, role="officer", by=ADMIN_ID)
    await grant(session, svc, ROADS_2, "officer", "CLEAN")
    await grant(session, svc, 2004, "officer", "ROADS")
    clock.set(2026, 11, 30, 18, 0)
    assert await escalation.send_due_reminders(session, svc) == 2
    assert sorted(r.chat_id for r in await outbox(session, "remind:")) == [2004, 2004]


# --- escalation ----------------------------------------------------------------------------


async def test_escalation_is_one_digest_per_recipient_for_the_people_who_can_act(session, svc, clock, people):
    """One run: every current officer and the head of each department get one digest of their
    department's overdue complaints (with open buttons), the group chat one without buttons, and
    each admin ONE digest of all — never a revoked officer, never a message per complaint."""
    g = with_group_chat(svc, "ROADS")
    await grant(session, g, ROADS_HEAD, "head", "ROADS")
    free, taken, done = await file(session, g), await file(session, g), await file(session, g)
    trash = await file(session, g, "waste", text="골목 입구에 대형 폐기물이 방치되어 있습니다.")
    await complaints.take(session, g, await who(session, ROADS_1), taken)
    await complaints.answer(session, g, await who(session, ROADS_1), done, ANSWER)
    await session.commit()
    await roles.revoke(session, user_id=ROADS_1, role="officer", by=ADMIN_ID)  # the one who took `taken`
    await session.commit()

    clock.set(2026, 12, 1, 17, 59)
    assert await escalation.escalate_overdue(session, g) == 0
    clock.set(2026, 12, 2, 9, 0)
    assert await escalation.escalate_overdue(session, g) == 3
    await session.commit()
    rows = {r.chat_id: r for r in await outbox(session, "escalation:")}
    assert sorted(rows) == sorted([ADMIN_ID, ROADS_2, ROADS_HEAD, GROUP, CLEAN_1])
    admin = rows[ADMIN_ID].payload["text"]
    assert "처리 기한을 넘긴 민원 3건" in admin and "2026-12-02(수) 09:00 기준" in admin
    assert "<b>건설과</b> 2건" in admin and "<b>청소행정과</b> 1건" in admin
    for c in (free, taken, trash):
        assert f"• {c.receipt_no} · 15시간 지남" in admin
    assert done.receipt_no not in admin and "reply_markup" not in rows[ADMIN_ID].payload
    roads = rows[ROADS_2].payload
    assert (
        free.receipt_no in roads["text"] and taken.receipt_no in roads["text"] and trash.receipt_no not in roads["text"]
    )
    assert [[b["callback_data"] for b in line] for line in roads["reply_markup"]["inline_keyboard"]] == [
        [f"op:open:{free.id}", f"op:open:{taken.id}"]
    ]
    assert "2 complaints past their deadline" in roads["text"]  # ROADS_2 reads English
    head = rows[ROADS_HEAD].payload["text"]
    assert "<b>건설과</b> 2건" in head and free.receipt_no in head and trash.receipt_no not in head
    assert "reply_markup" not in rows[GROUP].payload and free.receipt_no in rows[GROUP].payload["text"]
    assert trash.receipt_no in rows[CLEAN_1].payload["text"]
    assert ROADS_1 not in rows  # revoked

    # once per deadline: a second run sends nothing; extended, it is escalated again when that passes
    clock.advance(hours=3)
    assert await escalation.escalate_overdue(session, g) == 0
    await complaints.extend(session, g, await who(session, ROADS_2), free, "자재 수급이 늦어지고 있습니다")
    await session.commit()
    assert await escalation.escalate_overdue(session, g) == 0
    clock.set(2026, 12, 11, 9, 0)
    assert await escalation.escalate_overdue(session, g) == 1
    await session.commit()
    later = [r for r in await outbox(session, "escalation:20261211")]
    assert sorted(r.chat_id for r in later) == sorted([ADMIN_ID, ROADS_2, ROADS_HEAD, GROUP])
    assert "처리 기한을 넘긴 민원 1건" in next(r for r in later if r.chat_id == ADMIN_ID).payload["text"]


def overdue(svc, n: int, *, citizen: int = CITIZEN, late: timedelta = timedelta(days=2)) -> list[Complaint]:
    """``n`` complaints past their deadline by ``late`` and more (one minute apart), two of three
    for 건설과, one for 청소행정과; stored directly (a resident files at most 10 a day)."""
    now = svc.now()
    return [
        Complaint(
            receipt_no=f"2026-{i + 1:06d}",
            submit_key=f"bulk{i}",
            citizen_id=citizen,
            category_code="road" if i % 3 else "waste",
            kind="고충",
            period="7d",
            description=f"가로등 고장 신고 번호 {i} 입니다.",
            department_code="ROADS" if i % 3 else "CLEAN",
            state="received",
            received_at=now - late - timedelta(days=9),
            deadline_at=now - late - timedelta(minutes=n - i),
            updated_at=now,
        )
        for i in range(n)
    ]


async def test_a_digest_of_hundreds_is_one_message_within_telegrams_limit(session, svc, clock, people):
    session.add_all(overdue(svc, 300))
    await session.commit()
    assert await escalation.escalate_overdue(session, svc) == 300
    await session.commit()
    [admin] = [r for r in await outbox(session, "escalation:") if r.chat_id == ADMIN_ID]
    text = admin.payload["text"]
    assert visible_len(text) <= MESSAGE_LIMIT
    assert "처리 기한을 넘긴 민원 300건" in text and "<b>건설과</b> 200건" in text and "<b>청소행정과</b> 100건" in text
    assert "외 " in text and "2026-000001" in text  # the most overdue first, then how many more
    officer = next(r for r in await outbox(session, "escalation:") if r.chat_id == ROADS_1).payload["text"]
    assert visible_len(officer) <= MESSAGE_LIMIT and "(/inbox)" in officer


# --- the head (과장) -------------------------------------------------------------------------


async def test_a_head_is_granted_for_one_department_and_acts_like_its_officer(session, svc, people):
    with pytest.raises(roles.RoleError) as e:
        await grant(session, svc, ROADS_HEAD, "head")
    assert e.value.code == "role.need_department"
    await grant(session, svc, ROADS_HEAD, "head", "ROADS")
    p = await who(session, ROADS_HEAD)
    assert p.is_head and p.is_officer and p.department == "ROADS"
    c = await file(session, svc)
    await complaints.take(session, svc, p, c)
    assert c.officer_id == ROADS_HEAD
    other = await file(session, svc, "waste", text="골목 입구에 대형 폐기물이 방치되어 있습니다.")
    with pytest.raises(Forbidden):
        await complaints.take(session, svc, p, other)
    assert await roles.officers_of(session, "ROADS") == [ROADS_1, ROADS_2]  # cards go to officers
    assert await roles.officers_of(session, "ROADS", roles.HEAD) == [ROADS_HEAD]
    assert set(commands.OFFICER) <= set(commands.names_for(p))  # a head's command scope is an officer's
