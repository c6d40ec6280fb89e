"""No complaint gets stuck with nobody able to act (issue 16 §1), through the real bot and the fake
Bot API, with officers in two departments (청소행정과 CLEAN, 건설과 ROADS), the first-contact desk
(민원여권과 CIVIL) and a head (과장) of 건설과.

* A department with nobody reachable hands its complaints to the desk, whose officers can find,
  take and transfer them.
* Escalation is one digest per recipient — the department's current officers and head, and ONE for
  the admins — never to a revoked officer.
* 600 complaints overdue at start do not keep a resident's /help waiting.
* An officer Telegram refuses (403: never opened the bot) is named to the admins once, the cards
  are held for them and come again, as they stand now, when they press /start.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta

from sqlalchemy import select

from bot.db.migrate import upgrade_to_head
from workflows.models import Complaint, ComplaintEvent, OutboxMessage, RoleGrant, User, utcnow
from bot.db.session import make_engine, make_sessionmaker
from tests.e2e.harness import ADMIN, BotHarness
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
    assert (
        "민원여권과(첫 창구)로 넘어온 민원" in card.params["text"]
        and "복지정책과에 연락 가능한 담당자가 없습니다" in card.params["text"]
    )
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
    assert [(e.action, e.actor_id, e.note) for e in events][:2] == [
        ("submit", CITIZEN, None),
        ("handover", None, "no_officer"),
    ]
    assert (events[2].action, events[2].actor_id) == ("transfer", DESK)
    await h.say(DESK, f"/find {c.receipt_no}", expect="찾을 수 없습니다")  # passed on: no longer the desk's


def overdue_rows(n: int, now, *, citizen: int = CITIZEN) -> list[Complaint]:
    """``n`` complaints past their deadline (2 days and more), two of three for 건설과."""
    return [
        Complaint(
            receipt_no=f"{now.year}-{i + 1:06d}",
            submit_key=f"seed{i}",
            citizen_id=citizen,
            category_code="road" if i % 3 else "waste",
            kind="고충",
            period="7d",
            description=f"가로등이 꺼져 있습니다 (신고 {i}).",
            department_code="ROADS" if i % 3 else "CLEAN",
            state="received",
            received_at=now - timedelta(days=12),
            updated_at=now,
            deadline_at=now - timedelta(days=2, minutes=n - i),
        )
        for i in range(n)
    ]


async def test_escalation_reaches_the_current_officers_and_the_head_in_one_digest(harness, fake):
    """Today one run sent a message per complaint to the admin, one to a revoked officer and none
    to the department's remaining officer."""
    h = harness
    for uid, dept in ((CLEAN_1, "CLEAN"), (CLEAN_2, "CLEAN"), (ROADS_1, "ROADS")):
        await grant(h, uid, "officer", dept)
    await grant(h, ROADS_HEAD, "head", "ROADS")
    await h.say(ADMIN, f"/revoke {CLEAN_2} officer", expect="회수")
    async with h.app.sessionmaker() as s:
        s.add(User(id=CITIZEN))
        await s.flush()
        s.add_all(overdue_rows(29, h.app.svc.now()))
        await s.commit()
    mark = fake.mark()
    await h.app.duties.deadlines()
    for uid in (ADMIN, CLEAN_1, ROADS_1, ROADS_HEAD):
        await fake.wait_text(uid, "처리 기한을 넘긴 민원", after=mark)
    await fake.wait_idle()
    admin = [x for x in fake.texts(ADMIN) if "처리 기한을 넘긴 민원" in x]
    assert len(admin) == 1
    digest = admin[0]
    assert (
        "처리 기한을 넘긴 민원 29건" in digest and "<b>건설과</b> 19건" in digest and "<b>청소행정과</b> 10건" in digest
    )
    assert re.search(r"\n• \d{4}-000001 · 2일 지남 · 접수\n", digest)  # the most overdue first
    print("\n--- the escalation digest the admin received ---\n" + digest)
    for uid, n in ((CLEAN_1, 10), (ROADS_1, 19), (ROADS_HEAD, 19)):
        got = [x for x in fake.texts(uid) if "처리 기한을 넘긴 민원" in x]
        assert len(got) == 1 and f"처리 기한을 넘긴 민원 {n}건" in got[0], (uid, got)
    assert not any("처리 기한" in x for x in fake.texts(CLEAN_2))  # revoked
    # the head opens a case from the digest's buttons
    await h.press(ROADS_HEAD, "열기", expect="가로등이 꺼져 있습니다")


async def test_600_overdue_at_start_do_not_delay_a_residents_help(fake, tmp_path):
    """Today the escalation at start held the database's writer turn while it queued a message per
    complaint (5.1 s for 636), and the first /help waited behind it."""
    h = BotHarness(fake, tmp_path)
    await asyncio.to_thread(upgrade_to_head, h.settings.database_url)
    engine = make_engine(h.settings.database_url)
    now = utcnow()
    async with make_sessionmaker(engine)() as s:
        s.add_all([User(id=CITIZEN), User(id=ROADS_1), User(id=CLEAN_1)])
        await s.flush()
        s.add_all(
            [
                RoleGrant(user_id=ROADS_1, role="officer", department_code="ROADS"),
                RoleGrant(user_id=CLEAN_1, role="officer", department_code="CLEAN"),
            ]
        )
        await s.flush()
        s.add_all(overdue_rows(600, now))
        await s.commit()
    await engine.dispose()
    await h.start()  # the deadline duty starts with the bot
    try:
        started = time.perf_counter()
        await h.say(555, "/help", expect="도움말", timeout=10)
        waited = time.perf_counter() - started
        print(f"\n/help answered in {waited:.3f} s with 600 overdue complaints escalated at start")
        assert waited < 1.0, f"/help took {waited:.2f} s"
        digest = await fake.wait_text(ADMIN, "처리 기한을 넘긴 민원 600건", timeout=10)
        assert "<b>건설과</b> 400건" in digest.params["text"] and "<b>청소행정과</b> 200건" in digest.params["text"]
        for officer in (ROADS_1, CLEAN_1):  # each officer's digest leaves on its own chat's pace
            await fake.wait_for(
                lambda c, o=officer: str(c.params.get("chat_id")) == str(o) and c.method == "sendMessage", timeout=10
            )
        await fake.wait_idle()
        assert len([x for x in fake.texts(ADMIN) if "처리 기한" in x]) == 1  # not 600
        assert len(fake.texts(ROADS_1)) == 1 and len(fake.texts(CLEAN_1)) == 1
        escalated = await h.db(select(Complaint.id).where(Complaint.escalated_for.is_not(None)))
        assert len(escalated) == 600
    finally:
        await h.stop()


async def test_an_officer_who_never_opened_the_bot(harness, fake):
    """청소행정과's only officer was granted before opening the bot: the first card meets 403. The
    admins hear it once, with who must press /start; the desk can act meanwhile; on /start the
    officer gets the cards still theirs to act on, as they stand now."""
    h = harness
    fake.block_user(CLEAN_1)  # Telegram: "bot can't initiate conversation with a user"
    for uid, dept in ((CLEAN_1, "CLEAN"), (ROADS_1, "ROADS"), (DESK, "CIVIL")):
        await grant(h, uid, "officer", dept)
    await consent(h)
    first = await file(h, "쓰레기·청소", "골목 입구에 대형 폐기물이 일주일째 방치되어 있습니다.")
    notice = await fake.wait_text(ADMIN, "연락 가능한 담당자가 없습니다")
    text = notice.params["text"]
    assert "<b>청소행정과</b>" in text and f"/start 를 눌러야 하는 담당자: <code>{CLEAN_1}</code>" in text
    handed = await fake.wait_text(DESK, f"새 민원 {first.receipt_no}")
    assert "청소행정과에 연락 가능한 담당자가 없습니다" in handed.params["text"]
    assert (await h.one(User, id=CLEAN_1)).is_active is False
    held = await h.one(OutboxMessage, dedup_key=f"new:{first.id}:{CLEAN_1}")
    assert held.status == "held"

    # the department stays unreachable: the next complaint goes straight to the desk, no second notice
    second = await file(h, "쓰레기·청소", "음식물 쓰레기 수거가 사흘째 되지 않고 있습니다.")
    third = await file(h, "쓰레기·청소", "공원 옆 분리수거함이 넘쳐서 냄새가 납니다.")
    for c in (second, third):
        await fake.wait_text(DESK, f"새 민원 {c.receipt_no}")
    await h.press(DESK, "접수", expect="맡았습니다")  # the desk takes the last card's complaint (third)
    await fake.wait_idle()
    assert sum("연락 가능한 담당자가 없습니다" in x for x in fake.texts(ADMIN)) == 1

    # the officer opens the bot: the held card of `first` comes again as it stands now; `second` had
    # no card for them (it went to the desk) and `third` is taken by the desk: neither is sent
    fake.unblock_user(CLEAN_1)
    mark = fake.mark()
    await h.say(CLEAN_1, "/start", expect="안녕하세요")
    again = await fake.wait_text(CLEAN_1, f"전달되지 못했던 민원 {first.receipt_no}", after=mark)
    assert "접수" in str(again.params["reply_markup"])
    back = await fake.wait_text(ADMIN, "다시 연락할 수 있습니다", after=mark)
    assert f"<code>{CLEAN_1}</code>" in back.params["text"] and "1건을 다시 보냈습니다" in back.params["text"]
    await fake.wait_idle()
    assert not any(third.receipt_no in x for x in fake.texts(CLEAN_1))
    assert (await h.one(OutboxMessage, id=held.id)).status == "resent"
    await h.press(CLEAN_1, "접수", expect="맡았습니다")  # and it works from the card
    assert (await h.one(Complaint, id=first.id)).officer_id == CLEAN_1
    # the next complaint reaches the department again
    fourth = await file(h, "쓰레기·청소", "가로수 아래 불법 투기된 가구가 있습니다.")
    await fake.wait_text(CLEAN_1, f"새 민원 {fourth.receipt_no}")
    assert (await h.one(Complaint, id=fourth.id)).handed_to is None
