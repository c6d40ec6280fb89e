"""보완 요청 through the real bot and the fake Bot API (issue 16 §4), with officers of 청소행정과 and
건설과 and a resident: the officer asks (what is missing, by when, preview), the resident answers in
the chat and the processing deadline moves on by exactly the paused business time; nothing escalates
while paused; the resident is reminded the business day before the last day, may ask for more time;
the officer is told once when the last day passes and may ask again; stale and forged buttons."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from workflows.models import Complaint, ComplaintEvent, OutboxMessage
from tests.e2e.test_staff_workspace import CHOI, JUNG, KIM, LEE, MONDAY, PARK, RESIDENT, seed, staff  # noqa: F401
from workflows.business_time import Period

WHAT = "무단투기 장소의 정확한 위치(건물 번호)를 알려 주세요."


async def one_complaint(h, **kw) -> Complaint:
    deadline = h.app.svc.calendar.deadline(MONDAY, Period(days=7))  # Tue 2026-12-15 18:00
    (c,) = await seed(
        h,
        [
            {
                "receipt_no": "2026-000501",
                "received_at": MONDAY,
                "deadline_at": deadline,
                "description": "골목 전봇대 아래 쓰레기 무단투기가 계속됩니다. 수거해 주세요.",
                "address": "화양동 12-3",
                **kw,
            }
        ],
    )
    return c


async def press_on(h, fake, uid: int, call, label: str, expect: str):
    msg_id, data = fake.button(call, label)
    mark = fake.mark()
    fake.callback(uid, data, message_id=msg_id)
    return await fake.wait_text(uid, expect, after=mark)


async def alert(fake, uid: int, data: str, contains: str, message_id: int = 1):
    mark = fake.mark()
    fake.callback(uid, data, message_id=message_id)
    return await fake.wait_for(
        lambda c: c.method == "answerCallbackQuery" and contains in (c.params.get("text") or ""), after=mark
    )


async def fresh(h, cid: int) -> Complaint:
    return await h.one(Complaint, id=cid)


async def test_request_answer_moves_the_deadline_by_the_paused_time(staff, fake):
    h = staff
    c = await one_complaint(h)
    card = await h.say(KIM, "/find 2026-000501", expect="2026-000501")
    await press_on(h, fake, KIM, card, "접수", "맡았습니다")
    # a colleague pressing 보완 요청 on the complaint 김민수 has is told who has it
    lee_card = await h.say(LEE, "/find 2026-000501", expect="2026-000501")
    await press_on(h, fake, LEE, lee_card, "보완 요청", "김민수 님이 맡고 있습니다")

    card = await h.say(KIM, "/find 2026-000501", expect="2026-000501")
    await press_on(h, fake, KIM, card, "보완 요청", "무엇이 빠졌는지 적어")
    await h.say(KIM, photo=True, expect="글로 적어 보내 주세요")  # a photo where text is expected
    await h.say(KIM, "위치", expect="너무 짧습니다")
    await h.say(KIM, "가" * 1001, expect="너무 깁니다 (1001자)")
    periods = await h.say(KIM, WHAT, expect="언제까지 보완해 달라고 할까요?")
    await h.say(KIM, "다음 주쯤", expect="날짜를 알아볼 수 없습니다")
    await h.say(KIM, "2026-12-07", expect="오늘이나 지난 날짜입니다")
    await h.say(KIM, "2027-03-01", expect="너무 먼 날짜입니다")
    preview = await press_on(h, fake, KIM, periods, "7일", "보완 요청 미리보기")
    assert "2026-12-14(월) 23:59" in preview.params["text"] and "무단투기 장소의 정확한 위치" in preview.params["text"]
    await h.say(KIM, "이것도 적어요", expect="버튼을 눌러 주세요")  # text at the confirm step
    await press_on(h, fake, KIM, preview, "보내기", "보완을 요청했습니다")
    row = await fresh(h, c.id)
    assert row.paused_at == MONDAY and row.state == "assigned"

    push = await fake.wait_text(RESIDENT, "보완을 요청했습니다")
    assert WHAT in push.params["text"] and "2026-12-14(월) 23:59까지" in push.params["text"]
    assert "처리기간에 들어가지 않습니다" in push.params["text"]
    assert "요청한 곳: 청소행정과 · 김민수 · 02-450-7400" in push.params["text"]  # 시행령 §31: who asks
    # forged presses: another department's officer, and someone else's resident button
    await alert(fake, CHOI, f"op:supp_cancel:{c.id}", "다른 부서의 민원은 볼 수 없습니다")
    await alert(fake, CHOI, f"sp:reply:{c.id}:0", "찾을 수 없")
    await alert(fake, RESIDENT, f"sp:ext:{c.id}:99", "더 이상 유효하지 않습니다")  # days not offered

    # the card and the list say it waits for the resident
    lst = await h.say(KIM, "/inbox", expect="처리함")
    assert "보완 요청 중 (~12-14)" in lst.params["text"]

    # Friday 09:30, the business day before the last day: the resident is reminded, once
    h.clock.at = MONDAY + timedelta(days=4, minutes=-30)
    mark = fake.mark()
    await h.app.duties.supplement()
    await h.app.duties.supplement()
    remind = await fake.wait_text(RESIDENT, "보완 기한이 2026-12-14(월) 23:59입니다", after=mark)
    await fake.wait_idle()
    assert sum("보완 기한이 2026-12-14" in (x.params.get("text") or "") for x in fake.sent(RESIDENT)) == 1

    # more time: 3 days from Monday 12-14 -> Thursday 12-17
    more = await press_on(h, fake, RESIDENT, remind, "기간 연장 요청", "며칠이 더 필요하신가요?")
    await press_on(h, fake, RESIDENT, more, "3일 더", "12-17(목) 23:59까지로 늘렸습니다")
    await fake.wait_text(KIM, "3일 늘렸습니다")

    # Wednesday 12-16 10:00: the original deadline (12-15 18:00) has passed, but paused: no escalation
    h.clock.at = MONDAY + timedelta(days=9)
    mark = fake.mark()
    await h.app.duties.deadlines()
    await h.app.duties.supplement()
    await fake.wait_idle()
    queued = await h.db(select(OutboxMessage.dedup_key))
    assert not [k for k in queued if k.startswith(("escalation:", "remind:"))]  # neither escalated nor reminded

    listed = await h.say(RESIDENT, "/status", expect="내 민원")
    assert "2026-000501 · 📝 보완 요청 — 답해 주세요 · 청소행정과 · 기한 2026-12-17(목) 23:59" in str(
        listed.params["reply_markup"]
    )
    ask = await press_on(h, fake, RESIDENT, listed, "2026-000501", "보완 요청</b>")
    assert WHAT in ask.params["text"] and "12-17(목) 23:59까지" in ask.params["text"]
    ask = await press_on(h, fake, RESIDENT, ask, "보완하기", "보완 내용을 보내 주세요")
    await h.say(RESIDENT, sticker=True, expect="글이나 사진으로 보내 주세요")
    await h.say(RESIDENT, "화양동 12-3번지 건물 뒤편입니다.", expect="보완 내용 확인")
    confirm = await h.say(RESIDENT, photo=True, caption="뒤편 사진", expect="사진 1장")
    assert "건물 뒤편입니다.\n뒤편 사진" in confirm.params["text"]
    sent = await press_on(h, fake, RESIDENT, confirm, "보내기", "보완 내용을 보냈습니다")
    # paused Mon 12-07 .. Wed 12-16: 8 business days, both ends counted; 12-15 + 8 (12-25 is a holiday)
    assert "2026-12-28(월) 18:00" in sent.params["text"]
    told = await fake.wait_text(KIM, "민원인이 보완했습니다")
    assert "화양동 12-3번지 건물 뒤편입니다." in told.params["text"] and "사진 1장" in told.params["text"]
    row = await fresh(h, c.id)
    assert row.paused_at is None and row.deadline_at == MONDAY.replace(day=28, hour=18)
    events = await h.db(
        select(ComplaintEvent.action).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id)
    )
    assert events[-3:] == ["supplement_request", "supplement_extend", "supplement_reply"]

    # stale: the request's button again, and the reminder's
    await alert(fake, RESIDENT, f"sp:reply:{c.id}:0", "이미 끝났습니다")
    await alert(fake, RESIDENT, f"sp:rsend:{c.id}:0", "더 이상 유효하지 않습니다")
    mark = fake.mark()
    await h.app.duties.supplement()
    await fake.wait_idle()
    assert not [x for x in fake.requests[mark:] if x.params.get("chat_id") == KIM]


async def test_expiry_notice_once_then_ask_again_withdraw_and_limits(staff, fake):
    h = staff
    c = await one_complaint(h)  # nobody has it: the department hears
    card = await h.say(LEE, "/find 2026-000501", expect="2026-000501")
    await press_on(h, fake, LEE, card, "보완 요청", "무엇이 빠졌는지")
    await h.say(LEE, WHAT, expect="언제까지")
    preview = await h.say(LEE, "12/9", expect="보완 요청 미리보기")
    assert "2026-12-09(수) 23:59" in preview.params["text"]
    # a second officer opening the same request meanwhile is told it is open
    await press_on(h, fake, LEE, preview, "보내기", "보완을 요청했습니다")
    card = await h.say(KIM, "/find 2026-000501", expect="보완 요청 중")
    assert "보완 요청 철회" in str(card.params["reply_markup"])
    await alert(fake, KIM, f"op:supplement:{c.id}", "", message_id=card.result["message_id"])
    await fake.wait_text(KIM, "이미 보완 요청 중입니다")

    push = await fake.wait_text(RESIDENT, "보완을 요청했습니다")
    more = await press_on(h, fake, RESIDENT, push, "기간 연장 요청", "남은 연장 요청 2회")
    await press_on(h, fake, RESIDENT, more, "3일 더", "12-14(월) 23:59까지로 늘렸습니다")
    listed = await h.say(RESIDENT, "/status", expect="내 민원")
    again = await press_on(h, fake, RESIDENT, listed, "2026-000501", "보완 요청</b>")
    more = await press_on(h, fake, RESIDENT, again, "기간 연장 요청", "남은 연장 요청 1회")
    await press_on(h, fake, RESIDENT, more, "3일 더", "12-17(목) 23:59까지로 늘렸습니다")
    await alert(fake, RESIDENT, f"sp:more:{c.id}:0", "2회까지만")
    await alert(fake, RESIDENT, f"sp:ext:{c.id}:3", "2회까지만")  # an old 연장 button

    # text typed outside the form while the request is open: offered as the 보완, or as a new complaint
    guess = await h.say(RESIDENT, "옆 골목 가로등도 꺼져 있어요. 고쳐 주세요.", expect="보완 내용 확인")
    assert "옆 골목 가로등도" in guess.params["text"]
    await press_on(h, fake, RESIDENT, guess, "새 민원입니다", "민원으로 신청할까요?")
    assert (await fresh(h, c.id)).paused_at is not None  # still waiting for the 보완

    h.clock.at = MONDAY + timedelta(days=11)  # Friday 12-18 10:00: the last day has passed
    await h.app.duties.supplement()
    notice = await fake.wait_text(KIM, "보완이 없습니다")
    await fake.wait_text(LEE, "보완이 없습니다")
    await fake.wait_text(PARK, "보완이 없습니다")
    await h.app.duties.supplement()  # told once
    await asyncio.sleep(0.3)
    assert sorted(x.params["chat_id"] for x in fake.requests if "보완이 없습니다" in (x.params.get("text") or "")) == [
        KIM,
        LEE,
        PARK,
    ]

    await press_on(h, fake, KIM, notice, "다시 요청 (10일)", "다시 요청했습니다")
    await fake.wait_text(RESIDENT, "다시 요청드립니다")
    row = await fresh(h, c.id)
    assert row.pause_due_at.astimezone(MONDAY.tzinfo).date().isoformat() == "2026-12-28"
    await alert(fake, KIM, f"op:supp_again:{c.id}", "", message_id=notice.result["message_id"])
    await fake.wait_text(KIM, "아직 지나지 않았습니다")

    # the officer withdraws: processing resumes, moved on by Mon 12-07 .. Fri 12-18 = 10 business days
    card = await h.say(KIM, "/find 2026-000501", expect="2026-000501")
    done = await press_on(h, fake, KIM, card, "보완 요청 철회", "보완 요청을 철회했습니다")
    assert "2026-12-30(수) 18:00" in done.params["text"]
    await fake.wait_text(RESIDENT, "보완 요청을 거두었습니다")
    await alert(fake, RESIDENT, f"sp:reply:{c.id}:0", "이미 끝났습니다")
    await press_on(h, fake, KIM, notice, "다시 요청", "이미 끝났습니다")  # the old notice's button


async def test_transfer_keeps_the_request_and_the_answer_reaches_the_new_department(staff, fake):
    h = staff
    c = await one_complaint(h)
    card = await h.say(KIM, "/find 2026-000501", expect="2026-000501")
    await press_on(h, fake, KIM, card, "보완 요청", "무엇이 빠졌는지")
    periods = await h.say(KIM, WHAT, expect="언제까지")
    preview = await press_on(h, fake, KIM, periods, "14일", "보완 요청 미리보기")
    await press_on(h, fake, KIM, preview, "보내기", "보완을 요청했습니다")
    push = await fake.wait_text(RESIDENT, "보완을 요청했습니다")

    card = await h.say(KIM, "/find 2026-000501", expect="보완 요청 중")
    depts = await press_on(h, fake, KIM, card, "이송", "어느 부서로 이송할까요")
    await press_on(h, fake, KIM, depts, "건설과", "사유를 적어")
    await h.say(KIM, "도로 파손 건이라 건설과 소관입니다", expect="이송했습니다")
    moved = await fresh(h, c.id)
    assert moved.department_code == "ROADS" and moved.paused_at is not None
    theirs = await h.say(CHOI, "/find 2026-000501", expect="보완 요청 중")
    assert "보완 요청 철회" in str(theirs.params["reply_markup"])
    await h.say(KIM, "/find 2026-000501", expect="찾을 수 없습니다")  # 청소행정과 no longer sees it

    h.clock.at = MONDAY + timedelta(days=1)  # Tuesday: paused Mon and Tue = 2 business days
    await press_on(h, fake, RESIDENT, push, "보완하기", "보완 내용을 보내 주세요")
    confirm = await h.say(RESIDENT, "건물 번호는 12-3 입니다.", expect="보완 내용 확인")
    sent = await press_on(h, fake, RESIDENT, confirm, "보내기", "보완 내용을 보냈습니다")
    assert "2026-12-17(목) 18:00" in sent.params["text"]  # 12-15 + 2 business days
    for officer in (CHOI, JUNG):
        await fake.wait_text(officer, "민원인이 보완했습니다")
    await asyncio.sleep(0.2)
    assert not [x for x in fake.sent(KIM) if "민원인이 보완했습니다" in (x.params.get("text") or "")]


async def test_an_unanswered_request_does_not_stop_the_case_for_ever(staff, fake):
    """The last day passes without 보완: processing runs again from the end of that day (the deadline
    moved on by the paused business days only), the resident is told, the complaint can be reminded
    of and escalated again, and a late 보완 is still passed on without moving the deadline."""
    h = staff
    c = await one_complaint(h)
    card = await h.say(KIM, "/find 2026-000501", expect="2026-000501")
    await press_on(h, fake, KIM, card, "접수", "맡았습니다")
    card = await h.say(KIM, "/find 2026-000501", expect="2026-000501")
    await press_on(h, fake, KIM, card, "보완 요청", "무엇이 빠졌는지 적어")
    await h.say(KIM, WHAT, expect="언제까지")
    preview = await h.say(KIM, "12/9", expect="보완 요청 미리보기")  # last day Wed 12-09
    await press_on(h, fake, KIM, preview, "보내기", "보완을 요청했습니다")
    await fake.wait_text(RESIDENT, "보완을 요청했습니다")

    h.clock.at = MONDAY + timedelta(days=3)  # Thursday 12-10 10:00
    await h.app.duties.supplement()
    await fake.wait_text(KIM, "보완이 없습니다")
    told = await fake.wait_text(RESIDENT, "보완 기한(2026-12-09(수) 23:59)이 지났습니다")
    row = await fresh(h, c.id)
    # paused Mon 12-07 .. Wed 12-09: 3 business days; 12-15 18:00 + 3 = Fri 12-18 18:00
    assert row.paused_at is None and row.deadline_at == MONDAY.replace(day=18, hour=18)
    assert "2026-12-18(금) 18:00" in told.params["text"]
    lst = await h.say(KIM, "/inbox", expect="처리함")
    assert "보완 요청 중" not in lst.params["text"]

    # past the moved deadline the complaint escalates again like any other
    h.clock.at = MONDAY.replace(day=21)
    await h.app.duties.deadlines()
    await fake.wait_idle()
    queued = await h.db(select(OutboxMessage.dedup_key))
    assert [k for k in queued if k.startswith("escalation:")]

    # the resident sends the 보완 late, from the expiry message: passed on, the deadline stays
    await press_on(h, fake, RESIDENT, told, "보완하기", "보완 내용을 보내 주세요")
    confirm = await h.say(RESIDENT, "건물 번호는 12-3입니다. 늦어서 죄송합니다.", expect="보완 내용 확인")
    sent = await press_on(h, fake, RESIDENT, confirm, "보내기", "보완 내용을 담당자에게 보냈습니다")
    assert "2026-12-18(금) 18:00" in sent.params["text"]
    late = await fake.wait_text(KIM, "기한이 지난 뒤 민원인이 보완했습니다")
    assert "건물 번호는 12-3입니다" in late.params["text"]
    assert (await fresh(h, c.id)).deadline_at == MONDAY.replace(day=18, hour=18)
    await alert(fake, RESIDENT, f"sp:reply:{c.id}:0", "이미 끝났습니다")  # once sent, the request is closed
