"""The complaint service layer (workflows/complaints/service.py) against a real migrated SQLite database.

The clock starts on Monday 2026-11-23 10:00 Asia/Seoul (see conftest). A 고충 (7 days) filed then
is due Tuesday 2026-12-01 18:00: Mon 23, Tue 24, Wed 25, Thu 26, Fri 27, Mon 30, Tue 1 (초일 산입).
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, update

from workflows.models import Complaint, ComplaintEvent, OutboxMessage, Rating, ReceiptCounter, User
from tests.unit.conftest import ADMIN_ID, KST, MONDAY_10
from workflows import roles
from workflows.complaints import casework
from workflows.complaints import service as complaints
from workflows.business_time import Period
from workflows.complaints.common import AlreadyExtended, Draft, Forbidden, NotFound
from workflows.complaints.common import Taken
from workflows.outbox import enqueue
from workflows.complaints.states import TransitionError
from workflows.complaints.cards import officer_buttons, officer_card

CITIZEN, OTHER, EN_CITIZEN = 1001, 1002, 1003
ROADS_1, ROADS_2, CLEAN_1, CIVIL_1 = 2001, 2002, 2101, 2201  # ROADS_2 reads English
GROUP = -1001234500
DUE = datetime(2026, 12, 1, 18, 0, tzinfo=KST)  # 7-day deadline of a complaint filed MONDAY_10
LAMP = "집 앞 가로등이 고장나서 밤에 골목이 너무 어둡습니다."
ANSWER = "가로등 안정기를 교체했습니다. 불편을 드려 죄송합니다."
KEYS = itertools.count(1)


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
async def people(session, district):
    session.add_all([User(id=CITIZEN), User(id=OTHER), User(id=EN_CITIZEN, language="en")])
    for uid, dept in [(ROADS_1, "ROADS"), (ROADS_2, "ROADS"), (CLEAN_1, "CLEAN"), (CIVIL_1, "CIVIL")]:
        await roles.grant(
            session, user_id=uid, role="officer", department_code=dept, by=ADMIN_ID, departments=district.departments
        )
    (await session.get(User, ROADS_2)).language = "en"
    await session.commit()


async def who(session, user_id: int) -> roles.Principal:
    return await roles.load_principal(session, user_id, frozenset({ADMIN_ID}))


async def file(
    session, svc, category: str = "road", *, citizen: int = CITIZEN, key: str | None = None, text: str = LAMP, **draft
) -> Complaint:
    c, created = await complaints.submit(
        session,
        svc,
        citizen_id=citizen,
        submit_key=key or f"k{next(KEYS)}",
        draft=Draft(category=category, description=text, **draft),
    )
    assert created
    await session.commit()
    return c


async def outbox(session, prefix: str = "") -> list[OutboxMessage]:
    rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    return [r for r in rows if r.dedup_key.startswith(prefix)]


def callback_data(row: OutboxMessage) -> list[list[str]]:
    kb = row.payload.get("reply_markup", {}).get("inline_keyboard", [])
    return [[b["callback_data"] for b in line] for line in kb]


def with_group_chat(svc, dept: str = "ROADS", chat: int = GROUP):
    d = svc.district
    district = dataclasses.replace(
        d, departments={**d.departments, dept: dataclasses.replace(d.departments[dept], group_chat_id=chat)}
    )
    return dataclasses.replace(svc, district=district)


def with_instant_category(svc, code: str = "other"):
    """A district whose profile maps a category to 기타 (즉시, 3 working hours); the sample has none."""
    d = svc.district
    district = dataclasses.replace(
        d, categories={**d.categories, code: dataclasses.replace(d.categories[code], kind="기타")}
    )
    return dataclasses.replace(svc, district=district)


async def count(session, model) -> int:
    return await session.scalar(select(func.count()).select_from(model))


# --- filing --------------------------------------------------------------------------------


async def test_submit_creates_numbered_received_complaint_and_notifies_department(session, svc, people, calendar):
    c1 = await file(session, svc, "road", address="서울 샘플구 능동로 10")
    assert c1.receipt_no == "2026-000001"
    assert c1.state == "received"
    assert c1.citizen_id == CITIZEN and c1.department_code == "ROADS" and c1.officer_id is None
    assert c1.kind == "고충" and c1.period == "7d" and c1.extended is False
    assert c1.received_at == MONDAY_10
    assert c1.deadline_at == calendar.deadline(MONDAY_10, Period(days=7)) == DUE

    [ev] = c1.events
    assert (ev.action, ev.from_state, ev.to_state) == ("submit", None, "received")
    assert (ev.actor_id, ev.actor_role, ev.department_code, ev.at) == (CITIZEN, "citizen", "ROADS", MONDAY_10)

    rows = await outbox(session, f"new:{c1.id}:")
    assert sorted(r.chat_id for r in rows) == [ROADS_1, ROADS_2]
    by_chat = {r.chat_id: r for r in rows}
    ko, en = by_chat[ROADS_1].payload, by_chat[ROADS_2].payload
    assert "새 민원 2026-000001" in ko["text"] and "2026-12-01(화) 18:00" in ko["text"]
    assert "서울 샘플구 능동로 10" in ko["text"]
    assert "New complaint 2026-000001" in en["text"] and "Tue 2026-12-01 18:00" in en["text"]
    assert ko["parse_mode"] == "HTML"
    assert callback_data(by_chat[ROADS_1]) == [
        [f"op:take:{c1.id}", f"op:answer:{c1.id}"],
        [f"op:transfer:{c1.id}", f"op:reject:{c1.id}", f"op:extend:{c1.id}"],
        [f"op:assign:{c1.id}", f"op:note:{c1.id}"],
        [f"op:supplement:{c1.id}"],
    ]

    c2 = await file(session, svc, "road")
    assert c2.receipt_no == "2026-000002"
    assert len(await outbox(session)) == 4


async def test_submitted_complaint_reads_back_the_same(db_sessionmaker, session, svc, people):
    c = await file(
        session,
        svc,
        "waste",
        text="골목에 쓰레기 무단투기가 심해요. 치워 주세요.",
        photos=[("f1", "u1"), ("f2", "u2")],
        latitude=37.5384,
        longitude=127.0823,
        phone_enc=svc.cipher.encrypt("010-1234-5678"),
    )
    async with db_sessionmaker() as s2:
        c2 = await complaints.get_visible(s2, await who(s2, CITIZEN), complaint_id=c.id)
        assert c2.receipt_no == c.receipt_no and c2.department_code == "CLEAN"
        assert c2.deadline_at == DUE and c2.deadline_at.tzinfo is not None
        assert [(p.position, p.file_id, p.file_unique_id) for p in c2.photos] == [(0, "f1", "u1"), (1, "f2", "u2")]
        assert complaints.phone_display(svc, c2) == "010-****-5678"
        assert "010-1234-5678" in officer_card(svc, c2, "ko")
        assert "010-1234-5678" not in c2.phone_enc
    [row] = await outbox(session, f"new:{c.id}:")
    assert row.chat_id == CLEAN_1
    assert "사진: 2장" in row.payload["text"] and "연락처: ✓" in row.payload["text"]
    assert "위치: 37.53840, 127.08230" in row.payload["text"]
    assert "1234-5678" not in row.payload["text"]  # the phone number itself is not pushed around
    assert callback_data(row)[-1] == [f"op:media:{c.id}"]


async def test_submit_keeps_at_most_five_photos(session, svc, people):
    c = await file(session, svc, photos=[(f"f{i}", f"u{i}") for i in range(7)])
    assert [p.file_id for p in c.photos] == ["f0", "f1", "f2", "f3", "f4"]


async def test_submit_other_kind_is_three_working_hours(session, svc, people):
    c = await file(session, with_instant_category(svc), "other", text="구청 민원실 운영 시간이 궁금합니다.")
    assert c.department_code == "CIVIL" and c.period == "3h" and c.kind == "기타"
    assert c.deadline_at == datetime(2026, 11, 23, 14, 0, tzinfo=KST)  # 10-12 and 13-14
    assert [r.chat_id for r in await outbox(session, "new:")] == [CIVIL_1]


async def test_submit_to_department_without_officers_tells_first_contact_desk(session, svc, people):
    c = await file(session, svc, "welfare", text="기초생활 수급 신청 방법을 알려 주세요.")
    assert c.department_code == "WELFARE"
    assert c.deadline_at == DUE  # 질의 7일
    rows = await outbox(session, f"new:{c.id}:")
    assert [r.chat_id for r in rows] == [CIVIL_1]


async def test_submit_with_group_chat_posts_there_too(session, svc, people):
    g = with_group_chat(svc, "ROADS")
    c = await file(session, g, "road")
    assert sorted(r.chat_id for r in await outbox(session, f"new:{c.id}:")) == [GROUP, ROADS_1, ROADS_2]
    # a department with only a group chat: the group is told, the first-contact desk is not
    g2 = with_group_chat(svc, "WELFARE", GROUP - 1)
    c2 = await file(session, g2, "welfare", text="기초생활 수급 신청 방법을 알려 주세요.")
    assert [r.chat_id for r in await outbox(session, f"new:{c2.id}:")] == [GROUP - 1]


async def test_submit_is_idempotent_per_submit_key(session, svc, people):
    first = await file(session, svc, "road", key="form-1")
    rows_before = len(await outbox(session))
    again, created = await complaints.submit(
        session,
        svc,
        citizen_id=CITIZEN,
        submit_key="form-1",
        draft=Draft(category="waste", description="완전히 다른 내용입니다만"),
    )
    await session.commit()
    assert created is False
    assert again.id == first.id and again.receipt_no == "2026-000001" and again.category_code == "road"
    assert len(await outbox(session)) == rows_before
    assert await count(session, Complaint) == 1
    assert (await file(session, svc, "road")).receipt_no == "2026-000002"  # no number was used up
    found = await complaints.find_by_submit_key(session, CITIZEN, "form-1")
    assert found.id == first.id
    assert await complaints.find_by_submit_key(session, OTHER, "form-1") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("짧아요", "cf.too_short"),
        ("  아홉 글자입니다  ", "cf.too_short"),
        ("", "cf.too_short"),
        ("가" * 2001, "cf.too_long"),
    ],
)
async def test_submit_description_limits(session, svc, people, text, code):
    with pytest.raises(ValueError, match=f"^{code}$"):
        await complaints.submit(
            session, svc, citizen_id=CITIZEN, submit_key="x", draft=Draft(category="road", description=text)
        )
    assert await count(session, Complaint) == 0
    assert await count(session, OutboxMessage) == 0


async def test_submit_description_bounds_are_inclusive(session, svc, people):
    a = await file(session, svc, text="가" * 10)
    b = await file(session, svc, text="  " + "나" * 2000 + "  ")
    assert a.receipt_no == "2026-000001" and len(b.description) == 2000


async def test_submit_unknown_category_refused(session, svc, people):
    with pytest.raises(ValueError):
        await complaints.submit(
            session, svc, citizen_id=CITIZEN, submit_key="x", draft=Draft(category="aliens", description=LAMP)
        )


async def test_receipt_number_runs_per_year_in_district_time(session, svc, clock, people):
    clock.at = datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)  # 2027-01-01 01:00 in Seoul
    assert (await file(session, svc)).receipt_no == "2027-000001"
    clock.set(2026, 12, 31, 10, 0)
    assert (await file(session, svc)).receipt_no == "2026-000001"
    clock.set(2027, 1, 4, 9, 0)
    assert (await file(session, svc)).receipt_no == "2027-000002"


# --- officer actions -----------------------------------------------------------------------


async def test_take_then_answer(session, svc, clock, people):
    c = await file(session, svc)
    p1, p2 = await who(session, ROADS_1), await who(session, ROADS_2)
    clock.advance(minutes=30)
    await complaints.take(session, svc, p1, c)
    await session.commit()
    assert c.state == "assigned" and c.officer_id == ROADS_1
    ev = c.events[-1]
    assert (ev.action, ev.from_state, ev.to_state, ev.actor_id, ev.actor_role, ev.at) == (
        "take",
        "received",
        "assigned",
        ROADS_1,
        "officer",
        clock(),
    )
    [push] = await outbox(session, f"push:{c.id}:")
    assert push.chat_id == CITIZEN
    assert push.payload["text"] == "[2026-000001] 건설과 담당자가 민원을 맡았습니다. 기한: 2026-12-01(화) 18:00"

    # a colleague's complaint: told who has it (take it over explicitly first: casework.takeover)
    with pytest.raises(Taken) as taken:
        await complaints.take(session, svc, p2, c)
    assert taken.value.officer_id == ROADS_1
    with pytest.raises(Taken):
        await complaints.answer(session, svc, p2, c, f"  {ANSWER}  ")
    assert c.state == "assigned" and c.officer_id == ROADS_1 and len(c.events) == 2

    with pytest.raises(ValueError, match="short"):
        await complaints.answer(session, svc, p1, c, "네 했어요")
    assert c.state == "assigned"

    clock.advance(hours=2)
    await complaints.answer(session, svc, p1, c, f"  {ANSWER}  ")
    await session.commit()
    assert c.state == "answered"
    assert (c.answer_text, c.answered_at, c.answered_by, c.officer_id) == (ANSWER, clock(), ROADS_1, ROADS_1)
    ev = c.events[-1]
    assert (ev.action, ev.from_state, ev.to_state, ev.actor_id, ev.note) == (
        "answer",
        "assigned",
        "answered",
        ROADS_1,
        ANSWER,
    )
    push = (await outbox(session, f"push:{c.id}:"))[-1]
    assert push.chat_id == CITIZEN and ANSWER in push.payload["text"] and "건설과의 답변" in push.payload["text"]
    assert callback_data(push) == [[f"fb:1:{c.id}", f"fb:0:{c.id}"]]
    assert [e.action for e in c.events] == ["submit", "take", "answer"]


async def test_answer_is_escaped_for_html(session, svc, people):
    c = await file(session, svc)
    await complaints.answer(session, svc, await who(session, ROADS_1), c, "<b>교체</b> 완료 & 점검했습니다")
    push = (await outbox(session, f"push:{c.id}:"))[-1]
    assert "&lt;b&gt;교체&lt;/b&gt; 완료 &amp; 점검했습니다" in push.payload["text"]
    assert c.answer_text == "<b>교체</b> 완료 & 점검했습니다"


async def test_start_answer_takes_and_starts_once(session, svc, people):
    c = await file(session, svc)
    p = await who(session, ROADS_1)
    await complaints.start_answer(session, svc, p, c)
    assert c.state == "in_progress" and c.officer_id == ROADS_1
    assert [(e.action, e.from_state, e.to_state) for e in c.events] == [
        ("submit", None, "received"),
        ("take", "received", "assigned"),
        ("start", "assigned", "in_progress"),
    ]
    await complaints.start_answer(session, svc, p, c)
    assert len(c.events) == 3
    await complaints.answer(session, svc, p, c, ANSWER)
    with pytest.raises(TransitionError):
        await complaints.start_answer(session, svc, p, c)


async def test_officer_of_another_department_is_forbidden(session, svc, people):
    c = await file(session, svc)
    stranger = await who(session, CLEAN_1)
    assert stranger.is_officer and stranger.department == "CLEAN"
    calls = [
        lambda p: complaints.take(session, svc, p, c),
        lambda p: complaints.start_answer(session, svc, p, c),
        lambda p: complaints.answer(session, svc, p, c, ANSWER),
        lambda p: complaints.transfer(session, svc, p, c, "CLEAN", "우리 부서로 가져갑니다"),
        lambda p: complaints.reject(session, svc, p, c, "관할이 아닙니다", "objection"),
        lambda p: complaints.extend(session, svc, p, c, "현장 확인이 필요합니다"),
    ]
    outsiders = [stranger, await who(session, OTHER), await who(session, CITIZEN), await who(session, ADMIN_ID)]
    for p in outsiders:
        for call in calls:
            with pytest.raises(Forbidden):
                await call(p)
    assert c.state == "received" and c.department_code == "ROADS" and len(c.events) == 1
    assert c.deadline_at == DUE and not c.extended
    assert [r.dedup_key.split(":")[0] for r in await outbox(session)] == ["new", "new"]


async def test_get_visible(session, svc, people):
    c = await file(session, svc)
    for uid in (CITIZEN, ROADS_1, ROADS_2):
        p = await who(session, uid)
        assert (await complaints.get_visible(session, p, complaint_id=c.id)).id == c.id
        assert (await complaints.get_visible(session, p, receipt_no="2026-000001")).id == c.id
    for uid in (OTHER, CLEAN_1, CIVIL_1):
        p = await who(session, uid)
        with pytest.raises(NotFound):
            await complaints.get_visible(session, p, complaint_id=c.id)
        with pytest.raises(NotFound):
            await complaints.get_visible(session, p, receipt_no="2026-000001")
    with pytest.raises(NotFound):
        await complaints.get_visible(session, await who(session, CITIZEN), complaint_id=c.id + 1)
    with pytest.raises(NotFound):
        await complaints.get_visible(session, await who(session, ROADS_1), receipt_no="2026-999999")


async def test_transfer(session, svc, clock, people):
    c = await file(session, svc)
    p1 = await who(session, ROADS_1)
    await complaints.take(session, svc, p1, c)
    clock.advance(hours=2)
    reason = "무단투기 쓰레기 수거 건이라 청소행정과 소관입니다"
    await complaints.transfer(session, svc, p1, c, "CLEAN", f" {reason} ")
    await session.commit()
    assert c.state == "transferred" and c.department_code == "CLEAN" and c.officer_id is None
    assert c.deadline_at == DUE  # 이송: the district received it when it did
    ev = c.events[-1]
    assert (ev.action, ev.from_state, ev.to_state, ev.department_code, ev.actor_id, ev.note) == (
        "transfer",
        "assigned",
        "transferred",
        "CLEAN",
        ROADS_1,
        reason,
    )
    n = len(c.events)

    [officer_row] = await outbox(session, f"tr:{c.id}:{n}:")
    assert officer_row.chat_id == CLEAN_1
    assert "이송된 민원 2026-000001" in officer_row.payload["text"]
    assert "(건설과에서)" in officer_row.payload["text"] and reason in officer_row.payload["text"]
    assert callback_data(officer_row)[0] == [f"op:take:{c.id}", f"op:answer:{c.id}"]
    [citizen_row] = await outbox(session, f"push:{c.id}:{n}")
    assert citizen_row.chat_id == CITIZEN
    assert citizen_row.payload["text"] == (
        f"[2026-000001] 민원이 청소행정과로 이송되었습니다.\n사유: {reason}\n처리 기한: 2026-12-01(화) 18:00"
    )

    # the old department lost it, the new one has it
    with pytest.raises(Forbidden):
        await complaints.take(session, svc, p1, c)
    with pytest.raises(NotFound):
        await complaints.get_visible(session, p1, complaint_id=c.id)
    clean = await who(session, CLEAN_1)
    await complaints.take(session, svc, clean, c)
    assert c.state == "assigned" and c.officer_id == CLEAN_1

    lines = complaints.history(svc, c, "ko")
    assert len(lines) == 4
    assert lines[2] == f"2026-11-23(월) 12:00 이송 → 청소행정과 — {reason}"


async def test_transfer_to_department_without_officers_tells_first_contact(session, svc, people):
    c = await file(session, svc)
    await complaints.transfer(session, svc, await who(session, ROADS_1), c, "WELFARE", "복지 상담이 필요한 건입니다")
    rows = await outbox(session, f"tr:{c.id}:")
    assert [r.chat_id for r in rows] == [CIVIL_1]


@pytest.mark.parametrize(
    ("dept", "reason", "message"),
    [
        ("ROADS", "다른 부서 소관입니다", "same department"),
        ("NOPE", "다른 부서 소관입니다", "unknown department"),
        ("CLEAN", "짧음", "short"),
        ("CLEAN", "가" * 501, "long"),
    ],
)
async def test_transfer_refused(session, svc, people, dept, reason, message):
    c = await file(session, svc)
    with pytest.raises(ValueError, match=message):
        await complaints.transfer(session, svc, await who(session, ROADS_1), c, dept, reason)
    assert c.department_code == "ROADS" and c.state == "received" and len(c.events) == 1
    assert await outbox(session, "tr:") == []


async def test_transfer_notice_names_source_department_in_officers_language(session, svc, people, district):
    await roles.grant(
        session, user_id=2102, role="officer", department_code="CLEAN", by=ADMIN_ID, departments=district.departments
    )
    (await session.get(User, 2102)).language = "en"
    c = await file(session, svc)
    await complaints.transfer(session, svc, await who(session, ROADS_1), c, "CLEAN", "청소행정과 소관입니다")
    [row] = [r for r in await outbox(session, f"tr:{c.id}:") if r.chat_id == 2102]
    assert "Transferred complaint 2026-000001" in row.payload["text"]
    assert "(from Roads &amp; Construction Division)" in row.payload["text"]


async def test_extend_once_by_the_original_period(session, svc, clock, people):
    c = await file(session, svc)
    p = await who(session, ROADS_1)
    clock.advance(days=1)
    await complaints.extend(session, svc, p, c, " 현장 확인과 업체 견적이 필요합니다 ")
    await session.commit()
    # 7 more days counted on from the old deadline (Tue 12-01 18:00): day 1 is Wed 12-02,
    # then Thu 3, Fri 4, Mon 7, Tue 8, Wed 9, Thu 10.
    assert c.deadline_at == datetime(2026, 12, 10, 18, 0, tzinfo=KST)
    assert c.extended is True and c.state == "extended"
    ev = c.events[-1]
    assert (ev.action, ev.from_state, ev.to_state, ev.note) == (
        "extend",
        "received",
        "extended",
        "현장 확인과 업체 견적이 필요합니다",
    )
    [push] = await outbox(session, f"push:{c.id}:")
    assert push.chat_id == CITIZEN and "2026-12-10(목) 18:00으로 연장" in push.payload["text"]
    assert [cb for row in officer_buttons(c, "ko") for _, cb in row] == [
        f"op:take:{c.id}",
        f"op:answer:{c.id}",
        f"op:transfer:{c.id}",
        f"op:reject:{c.id}",  # no second extension
        f"op:assign:{c.id}",
        f"op:note:{c.id}",
        f"op:supplement:{c.id}",
    ]  # nobody has taken it yet: 접수 stays

    with pytest.raises(AlreadyExtended):
        await complaints.extend(session, svc, p, c, "한 번 더 연장하고 싶습니다")
    assert c.deadline_at == datetime(2026, 12, 10, 18, 0, tzinfo=KST)
    assert [e.action for e in c.events] == ["submit", "extend"]

    # still workable after the extension
    await complaints.start_answer(session, svc, p, c)
    await complaints.answer(session, svc, p, c, ANSWER)
    assert c.state == "answered"


async def test_the_catch_all_category_is_a_grievance_at_the_first_contact_desk(session, svc, people):
    """The sample's 기타: a complaint about the waiting time at the counter is promised an answer
    within 7 days by the first-contact desk, not within 3 working hours."""
    c = await file(session, svc, "other", text="민원실 창구 대기 시간이 너무 깁니다. 번호표를 받고 1시간을 기다렸어요.")
    assert (c.department_code, c.kind, c.period) == (svc.district.first_contact, "고충", "7d")
    assert c.deadline_at == DUE
    assert [r.chat_id for r in await outbox(session, "new:")] == [CIVIL_1]


async def test_extend_hours_period(session, svc, people):
    svc = with_instant_category(svc)
    c = await file(session, svc, "other", text="구청 민원실 운영 시간이 궁금합니다.")
    assert c.deadline_at == datetime(2026, 11, 23, 14, 0, tzinfo=KST)
    await complaints.extend(session, svc, await who(session, CIVIL_1), c, "담당자 확인이 필요합니다")
    assert c.deadline_at == datetime(2026, 11, 23, 17, 0, tzinfo=KST)


async def test_extend_needs_a_reason(session, svc, people):
    c = await file(session, svc)
    with pytest.raises(ValueError, match="short"):
        await complaints.extend(session, svc, await who(session, ROADS_1), c, "    ")
    assert c.extended is False and c.deadline_at == DUE


async def test_reject(session, svc, clock, people, district):
    c = await file(session, svc)
    p = await who(session, ROADS_1)
    with pytest.raises(ValueError, match="unknown remedy"):
        await complaints.reject(session, svc, p, c, "사유가 충분히 긴 반려 사유", "pray")
    with pytest.raises(ValueError, match="short"):
        await complaints.reject(session, svc, p, c, "싫음", "objection")
    assert c.state == "received" and c.closed_at is None

    clock.advance(hours=3)
    reason = "사유지 안의 가로등이라 구청이 관리하지 않습니다"
    await complaints.reject(session, svc, p, c, reason, "other_agency")
    await session.commit()
    assert c.state == "rejected" and c.closed_at == clock() and c.officer_id == ROADS_1
    ev = c.events[-1]
    assert (ev.action, ev.from_state, ev.to_state, ev.note) == (
        "reject",
        "received",
        "rejected",
        f"{reason}\n[other_agency]",
    )
    [push] = await outbox(session, f"push:{c.id}:")
    assert push.chat_id == CITIZEN
    assert reason in push.payload["text"]
    assert district.remedies["other_agency"].ko in push.payload["text"]

    [survey] = (await session.execute(select(Rating))).scalars().all()
    assert (survey.complaint_id, survey.department_code, survey.officer_id, survey.sent_at) == (
        c.id,
        "ROADS",
        ROADS_1,
        clock(),
    )
    [ask] = await outbox(session, f"survey:{c.id}")
    assert ask.chat_id == CITIZEN and "건설과의 민원 처리에 얼마나 만족" in ask.payload["text"]
    assert callback_data(ask) == [[f"rt:{c.id}:overall:{s}" for s in range(1, 6)]]
    assert complaints.history(svc, c, "ko")[-1].endswith(f"반려 — {reason}")  # the [code] is not shown

    with pytest.raises(TransitionError):
        await complaints.reject(session, svc, p, c, reason, "objection")


async def test_reject_tells_remedy_in_citizens_language(session, svc, people, district):
    c = await file(session, svc, citizen=EN_CITIZEN)
    await complaints.reject(session, svc, await who(session, ROADS_1), c, "Private property lamp", "acrc")
    [push] = await outbox(session, f"push:{c.id}:")
    assert push.chat_id == EN_CITIZEN
    assert push.payload["text"].startswith("[2026-000001] Your complaint was rejected.")
    assert district.remedies["acrc"].en in push.payload["text"]


async def test_reject_after_answer_is_refused(session, svc, people):
    c = await file(session, svc)
    p = await who(session, ROADS_1)
    await complaints.answer(session, svc, p, c, ANSWER)
    with pytest.raises(TransitionError):
        await complaints.reject(session, svc, p, c, "다시 보니 관할이 아닙니다", "objection")


# --- the citizen's answer ------------------------------------------------------------------


async def test_citizen_close_queues_survey_for_answering_officer(session, svc, clock, people):
    c = await file(session, svc)
    await complaints.take(session, svc, await who(session, ROADS_1), c)
    await casework.takeover(session, svc, await who(session, ROADS_2), c)  # a colleague takes it over and answers
    await complaints.answer(session, svc, await who(session, ROADS_2), c, ANSWER)
    await session.commit()
    me = await who(session, CITIZEN)
    with pytest.raises(NotFound):
        await complaints.citizen_close(session, svc, await who(session, OTHER), c)
    clock.advance(hours=5)
    await complaints.citizen_close(session, svc, me, c)
    await session.commit()
    assert c.state == "closed" and c.resolved is True and c.closed_at == clock()
    ev = c.events[-1]
    assert (ev.action, ev.from_state, ev.to_state, ev.actor_id, ev.actor_role) == (
        "close",
        "answered",
        "closed",
        CITIZEN,
        "citizen",
    )
    [r] = (await session.execute(select(Rating))).scalars().all()
    assert (r.complaint_id, r.department_code, r.officer_id) == (c.id, "ROADS", ROADS_2)
    assert len(await outbox(session, "survey:")) == 1
    with pytest.raises(TransitionError):
        await complaints.citizen_close(session, svc, me, c)


async def test_citizen_close_before_answer_is_refused(session, svc, people):
    c = await file(session, svc)
    with pytest.raises(TransitionError):
        await complaints.citizen_close(session, svc, await who(session, CITIZEN), c)
    assert await count(session, Rating) == 0


async def test_citizen_reopen(session, svc, clock, people):
    c = await file(session, svc)
    await complaints.answer(session, svc, await who(session, ROADS_1), c, ANSWER)
    await session.commit()
    clock.set(2026, 11, 25, 15, 0)  # Wednesday
    with pytest.raises(NotFound):
        await complaints.citizen_reopen(session, svc, await who(session, OTHER), c, "아직도 불이 안 들어옵니다")
    me = await who(session, CITIZEN)
    with pytest.raises(ValueError, match="short"):
        await complaints.citizen_reopen(session, svc, me, c, "안 됨")
    assert c.state == "answered"

    comment = "아직도 가로등에 불이 안 들어옵니다"
    await complaints.citizen_reopen(session, svc, me, c, comment)
    await session.commit()
    assert c.state == "reopened" and c.resolved is False
    # 7 days from now, first day counted: Wed 25, Thu 26, Fri 27, Mon 30, Tue 1, Wed 2, Thu 3
    assert c.deadline_at == datetime(2026, 12, 3, 18, 0, tzinfo=KST)
    assert c.reminded_for is None and c.escalated_for is None
    ev = c.events[-1]
    assert (ev.action, ev.from_state, ev.to_state, ev.actor_id, ev.note) == (
        "reopen",
        "answered",
        "reopened",
        CITIZEN,
        comment,
    )
    rows = await outbox(session, f"reopen:{c.id}:")
    assert sorted(r.chat_id for r in rows) == [ROADS_1, ROADS_2]
    ko = next(r for r in rows if r.chat_id == ROADS_1).payload["text"]
    assert comment in ko and ANSWER in ko and "2026-12-03(목) 18:00" in ko

    with pytest.raises(Taken):  # it stays with the officer who answered it: a colleague takes it over explicitly
        await complaints.take(session, svc, await who(session, ROADS_2), c)
    await complaints.take(session, svc, await who(session, ROADS_1), c)  # can be taken again
    assert c.state == "assigned" and c.officer_id == ROADS_1


async def test_reopen_only_after_answer(session, svc, people):
    c = await file(session, svc)
    with pytest.raises(TransitionError):
        await complaints.citizen_reopen(session, svc, await who(session, CITIZEN), c, "아직 아무도 안 왔어요")


# --- scheduled duties (reminders and escalations: tests/unit/test_escalation.py) -----------


async def test_autoclose_answered(session, svc, clock, people):
    assert svc.district.answered_autoclose_days == 7
    c = await file(session, svc)
    fresh = await file(session, svc)
    confirmed = await file(session, svc)
    clock.advance(hours=1)  # answered Mon 11-23 11:00
    p = await who(session, ROADS_1)
    for x in (c, confirmed):
        await complaints.answer(session, svc, p, x, ANSWER)
    await complaints.citizen_close(session, svc, await who(session, CITIZEN), confirmed)
    await session.commit()

    clock.set(2026, 11, 30, 10, 59)
    assert await complaints.autoclose_answered(session, svc) == 0
    clock.set(2026, 11, 30, 11, 0)
    assert await complaints.autoclose_answered(session, svc) == 1
    await session.commit()
    assert c.state == "closed" and c.closed_at == clock() and c.resolved is None
    ev = c.events[-1]
    assert (ev.action, ev.from_state, ev.to_state, ev.actor_id, ev.actor_role, ev.note) == (
        "close",
        "answered",
        "closed",
        None,
        "system",
        "auto",
    )
    assert fresh.state == "received" and confirmed.state == "closed"
    [push] = await outbox(session, f"push:{c.id}:{len(c.events)}")
    assert push.payload["text"] == "[2026-000001] 답변 후 7일 동안 응답이 없어 민원을 종결했습니다."
    r = (await session.execute(select(Rating).where(Rating.complaint_id == c.id))).scalar_one()
    assert r.officer_id == ROADS_1 and r.department_code == "ROADS"
    assert len(await outbox(session, "survey:")) == 2

    clock.advance(days=3)
    assert await complaints.autoclose_answered(session, svc) == 0


# --- queries -------------------------------------------------------------------------------


async def test_inbox_and_list_for_citizen(session, svc, clock, people):
    a = await file(session, svc, "road")
    clock.advance(hours=1)
    b = await file(session, with_instant_category(svc), "other", text="구청 민원실 운영 시간이 궁금합니다.")
    clock.advance(hours=1)
    c = await file(session, svc, "road", citizen=OTHER)
    await complaints.answer(session, svc, await who(session, ROADS_1), c, ANSWER)
    await complaints.transfer(session, svc, await who(session, CIVIL_1), b, "ROADS", "도로 관련 문의입니다")
    await session.commit()
    rows, total = await complaints.inbox(session, "ROADS")
    assert total == 2 and [x.id for x in rows] == [b.id, a.id]  # b is due Mon 14:00
    assert [x.id for x in await complaints.list_for_citizen(session, CITIZEN)] == [b.id, a.id]
    assert [x.id for x in await complaints.list_for_citizen(session, OTHER)] == [c.id]
    assert await complaints.inbox(session, "CIVIL") == ([], 0)


async def test_events_are_stored(db_sessionmaker, session, svc, people):
    c = await file(session, svc)
    p = await who(session, ROADS_1)
    await complaints.take(session, svc, p, c)
    await complaints.answer(session, svc, p, c, ANSWER)
    await session.commit()
    async with db_sessionmaker() as s2:
        evs = (
            (
                await s2.execute(
                    select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id)
                )
            )
            .scalars()
            .all()
        )
        assert [(e.action, e.from_state, e.to_state) for e in evs] == [
            ("submit", None, "received"),
            ("take", "received", "assigned"),
            ("answer", "assigned", "answered"),
        ]


# --- outbox --------------------------------------------------------------------------------


async def test_enqueue_same_key_once(session):
    assert await enqueue(session, key="k1", chat_id=5, text="안녕", buttons=[[("A", "a:1")]]) is True
    assert await enqueue(session, key="k1", chat_id=5, text="다른 내용") is False
    assert await enqueue(session, key="k2", chat_id=5, text="둘째") is True
    await session.commit()
    rows = await outbox(session)
    assert [r.dedup_key for r in rows] == ["k1", "k2"]
    assert rows[0].payload == {
        "text": "안녕",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a:1"}]]},
    }
    assert "reply_markup" not in rows[1].payload
    assert rows[0].status == "pending" and rows[0].method == "sendMessage" and rows[0].attempts == 0
    assert session.info.get("outbox_added") is True


async def test_enqueue_long_key_once(session):
    key = "x" * 250  # stored cut to 200 characters
    assert await enqueue(session, key=key, chat_id=5, text="a") is True
    assert await enqueue(session, key=key, chat_id=5, text="b") is False
    await session.commit()
    [row] = await outbox(session)
    assert row.dedup_key == "x" * 200 and row.payload["text"] == "a"


async def test_two_instances_acting_on_one_complaint_take_turns(db_sessionmaker, svc, people):
    """PostgreSQL, several instances: two officers press 접수 at once in two units of work. The
    second waits for the first's row lock, then sees 'assigned' and is refused — never two takes.
    (SQLite serialises whole transactions, so there the second simply starts after the first.)"""
    import asyncio

    from tests import databases

    async with db_sessionmaker() as s:
        c = await file(s, svc)
    first, second = db_sessionmaker(), db_sessionmaker()
    try:
        p1 = await who(first, ROADS_1)
        c1 = await complaints.get_visible(first, p1, complaint_id=c.id)  # holds the row lock
        p2 = roles.Principal(user_id=ROADS_2, roles=frozenset({"officer"}), department="ROADS")
        waiting = asyncio.create_task(complaints.get_visible(second, p2, complaint_id=c.id))
        await asyncio.sleep(0.3)
        if databases.POSTGRES:
            assert not waiting.done()  # blocked on the first officer's lock
        await complaints.take(first, svc, p1, c1)
        await first.commit()
        c2 = await asyncio.wait_for(waiting, 10)
        assert c2.state == "assigned" and c2.officer_id == ROADS_1  # the fresh row, not a stale copy
        with pytest.raises(Taken):  # and the second officer is told who took it
            await complaints.take(second, svc, p2, c2)
    finally:
        await first.close()
        await second.close()


async def test_a_receipt_number_already_in_use_is_skipped_not_a_crash(session, svc, people):
    """After a restore (or numbers given by hand) the counter may be behind the numbers in use: the
    next complaint takes the first free number past them."""
    first = await file(session, svc, "road")
    assert first.receipt_no == "2026-000001"
    second = await file(session, svc, "road", text="보도블록이 깨져 있어 넘어질 뻔했습니다. 고쳐 주세요.")
    await session.execute(update(ReceiptCounter).values(last_seq=0))  # as a restored, older counter says
    await session.commit()
    third = await file(session, svc, "road", text="가로등이 밤새 깜빡거려 잠을 잘 수가 없습니다. 확인해 주세요.")
    assert third.receipt_no == "2026-000003" and second.receipt_no == "2026-000002"
    assert (await session.get(ReceiptCounter, 2026)).last_seq == 3
