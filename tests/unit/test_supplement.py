"""보완 요청 (workflows/complaints/supplement.py): the paused time is kept out of the processing period, by the
rule in workflows/data/supplement.json (민원처리법 §22, 시행령 §20·§24·§25, 행정절차법 시행령 §11).

The clock starts on Monday 2026-11-23 10:00 Asia/Seoul (tests/unit/conftest.py); a 고충 filed then is
due Tuesday 2026-12-01 18:00."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from workflows.models import Complaint
from tests.unit.conftest import KST
from tests.unit.test_complaints_service import (
    ANSWER,
    CITIZEN,
    OTHER,
    ROADS_1,
    ROADS_2,
    file,
    outbox,
    people,  # noqa: F401 - a fixture, used by name
    who,
)
from workflows import worklist
from workflows.complaints import escalation
from workflows.indicators import service as indicators
from workflows.complaints import service as complaints
from workflows.complaints import supplement as sp
from workflows.complaints.common import Taken
from workflows.complaints.common import NotFound
from workflows.complaints.cards import officer_card

WHAT = "사진 속 가로등의 위치(전봇대 번호)를 알려 주세요."


def at(*a) -> datetime:
    return datetime(*a, tzinfo=KST)


def fake(period: str, deadline: datetime):
    return SimpleNamespace(period=period, deadline_at=deadline)


# --- the arithmetic ------------------------------------------------------------------------------


def test_rule_is_data_with_sources():
    r = sp.rule()
    assert r.again_days == 10 and r.max_extensions == 2 and r.default_days in r.choices_days
    import json

    raw = json.loads(sp.DATA_FILE.read_text(encoding="utf-8"))
    assert all(s["confidence"] in ("H", "M", "L") and s["where"] for s in raw["sources"])
    assert any("§24" in s["rule"] for s in raw["sources"]) and any("§20" in s["rule"] for s in raw["sources"])


def test_day_period_moves_by_business_days_request_and_answer_day_included(svc):
    c = fake("7d", at(2026, 12, 1, 18, 0))
    # Wednesday 15:00 to the next Tuesday 10:00: Wed, Thu, Fri, Mon, Tue = 5 business days
    assert sp.shifted_deadline(svc, c, at(2026, 11, 25, 15, 0), at(2026, 12, 1, 10, 0)) == at(2026, 12, 8, 18, 0)
    # asked and answered on the same day: that day counts (행정절차법 시행령 §11 1호)
    assert sp.shifted_deadline(svc, c, at(2026, 11, 25, 10, 0), at(2026, 11, 25, 11, 0)) == at(2026, 12, 2, 18, 0)


def test_day_period_across_a_weekend_and_holiday(svc):
    # 2026-12-25 (Fri) is 성탄절: paused Thu 12-24 to Mon 12-28 = 2 business days (24, 28)
    c = fake("14d", at(2026, 12, 30, 18, 0))
    assert sp.shifted_deadline(svc, c, at(2026, 12, 24, 16, 0), at(2026, 12, 28, 9, 30)) == at(2027, 1, 4, 18, 0)
    # paused on a Saturday, answered on Sunday: no business day passed
    assert sp.shifted_deadline(svc, c, at(2026, 11, 28, 10, 0), at(2026, 11, 29, 10, 0)) == c.deadline_at


def test_hour_period_moves_by_the_working_hours_paused(svc):
    c = fake("3h", at(2026, 11, 23, 13, 0))
    # Friday 17:00 to Monday 10:00: 1 h on Friday, 1 h on Monday
    assert sp.shifted_deadline(svc, c, at(2026, 11, 20, 17, 0), at(2026, 11, 23, 10, 0)) == at(2026, 11, 23, 15, 0)
    # 10:00 to 11:30 the same morning: 1.5 h
    assert sp.shifted_deadline(svc, c, at(2026, 11, 23, 10, 0), at(2026, 11, 23, 11, 30)) == at(2026, 11, 23, 14, 30)
    # a 5-day period is counted in hours too (민원처리법 §19①): paused over three days = 24 h = 3 days of 8 h
    c5 = fake("5d", at(2026, 11, 27, 18, 0))
    assert sp.shifted_deadline(svc, c5, at(2026, 11, 23, 18, 0), at(2026, 11, 26, 18, 0)) == at(2026, 12, 2, 18, 0)
    # over a lunch break and a holiday: 12-24 11:00 to 12-28 10:00 = 6 h on the 24th (11-12, 13-18) + 1 h
    c3 = fake("3h", at(2026, 12, 24, 12, 0))
    assert sp.shifted_deadline(svc, c3, at(2026, 12, 24, 11, 0), at(2026, 12, 28, 10, 0)) == at(2026, 12, 28, 11, 0)


def test_resident_period_counted_under_the_civil_code(svc):
    # 민법 §157: from the next day; §161: a last day on a Saturday or 공휴일 moves on
    assert sp.last_day(svc, date(2026, 11, 23), 7) == date(2026, 11, 30)  # Mon + 7 = Mon
    assert sp.last_day(svc, date(2026, 11, 25), 3) == date(2026, 11, 30)  # Wed + 3 = Sat -> Mon
    assert sp.last_day(svc, date(2026, 12, 22), 3) == date(2026, 12, 28)  # Fri 12-25 is a holiday -> Mon
    assert sp.due_in(svc, 7) == at(2026, 11, 30, 23, 59, 59)


def test_typed_dates(svc):
    assert sp.parse_due(svc, "2026-12-04") == at(2026, 12, 4, 23, 59, 59)
    assert sp.parse_due(svc, "12/4") == sp.parse_due(svc, "12월 4일") == sp.parse_due(svc, "12.4")
    assert sp.parse_due(svc, "11/28") == at(2026, 11, 30, 23, 59, 59)  # a Saturday -> Monday
    assert sp.parse_due(svc, "1/5") == at(2027, 1, 5, 23, 59, 59)  # passed this year: next year's
    for text, why in (
        ("내일", "format"),
        ("2026-13-01", "format"),
        ("2026-02-30", "format"),
        ("", "format"),
        ("2026-11-23", "past"),
        ("2026-11-01", "past"),
        ("2027-06-01", "far"),
    ):
        with pytest.raises(ValueError) as e:
            sp.parse_due(svc, text)
        assert str(e.value) == why, text


# --- the whole round -----------------------------------------------------------------------------


async def test_request_reply_moves_the_deadline_and_nothing_escalates_meanwhile(session, svc, clock, people):
    c = await file(session, svc)
    officer = await who(session, ROADS_1)
    await complaints.take(session, svc, officer, c)
    assert c.deadline_at == at(2026, 12, 1, 18, 0)
    await sp.request(session, svc, officer, c, WHAT, sp.due_in(svc, 7))
    await session.commit()
    assert c.paused_at == clock.at and c.pause_due_at == at(2026, 11, 30, 23, 59, 59)
    assert c.state == "assigned" and c.events[-1].action == sp.REQUEST and c.events[-1].note == WHAT
    push = (await outbox(session, "sp:req:"))[-1]
    assert (
        push.chat_id == CITIZEN
        and WHAT in push.payload["text"]
        and "처리기간에 들어가지 않습니다" in push.payload["text"]
    )
    assert "2026-11-30(월) 23:59" in push.payload["text"]
    labels = [b["callback_data"] for row in push.payload["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [f"sp:reply:{c.id}:0", f"sp:more:{c.id}:0"]
    cards = await outbox(session, f"new:{c.id}:")  # every copy of the card says it waits for the resident
    assert cards and all(
        "보완 요청 중 (~11-30)" in r.payload["text"] or "(until 11-30)" in r.payload["text"] for r in cards
    )

    clock.set(2026, 12, 2, 10, 0)  # past the original deadline, still paused: not overdue anywhere
    assert await escalation.send_due_reminders(session, svc) == 0
    assert await escalation.escalate_overdue(session, svc) == 0
    page = await worklist.page(session, svc, officer, worklist.View(scope=worklist.OVERDUE), "ko")
    assert page.total == 0
    page = await worklist.page(session, svc, officer, worklist.View(), "ko")
    assert "보완 요청 중 (~11-30)" in page.lines[0].text and "⚠️" not in page.lines[0].text
    card = officer_card(svc, c, "ko")
    assert "보완 요청 중" in card and "기한 경과" not in card
    speed = await indicators.speed(session, svc, at(2026, 11, 1, 0, 0), at(2026, 12, 31, 0, 0))
    assert speed.district.overdue == 0

    resident = await who(session, CITIZEN)
    with pytest.raises(NotFound):  # someone else's button
        await sp.reply(session, svc, await who(session, OTHER), c, "여기 있습니다")
    # answered Wednesday 12-02: 11-23 (Mon) .. 12-02 (Wed) = 8 business days, both ends included
    await sp.reply(session, svc, resident, c, "전봇대 번호는 광진 123-4 입니다.", [("photo-1", "u1")])
    await session.commit()
    assert c.paused_at is None and c.pause_due_at is None
    assert c.deadline_at == at(2026, 12, 11, 18, 0)
    assert c.events[-1].action == sp.REPLY and len(c.photos) == 1
    told = (await outbox(session, "sp:reply:"))[-1]
    assert (
        told.chat_id == ROADS_1
        and "광진 123-4" in told.payload["text"]
        and "2026-12-11(금) 18:00" in told.payload["text"]
    )
    assert "2026-12-11" in (await outbox(session, "sp:replied:"))[-1].payload["text"]
    with pytest.raises(sp.NotPaused):  # the same answer twice
        await sp.reply(session, svc, resident, c, "또 보냅니다")
    assert await escalation.escalate_overdue(session, svc) == 0  # the new deadline is ahead


async def test_a_colleague_cannot_open_a_request_on_a_taken_complaint(session, svc, people):
    c = await file(session, svc)
    await complaints.take(session, svc, await who(session, ROADS_1), c)
    with pytest.raises(Taken):
        await sp.request(session, svc, await who(session, ROADS_2), c, WHAT, sp.due_in(svc, 7))
    with pytest.raises(ValueError):
        await sp.request(session, svc, await who(session, ROADS_1), c, "짧음", sp.due_in(svc, 7))
    await sp.request(session, svc, await who(session, ROADS_1), c, WHAT, sp.due_in(svc, 7))
    with pytest.raises(sp.AlreadyPaused):
        await sp.request(session, svc, await who(session, ROADS_1), c, WHAT, sp.due_in(svc, 7))


async def test_more_time_twice_then_no_more(session, svc, clock, people):
    c = await file(session, svc)
    await sp.request(session, svc, await who(session, ROADS_1), c, WHAT, sp.due_in(svc, 7))
    resident = await who(session, CITIZEN)
    with pytest.raises(ValueError):
        await sp.more_time(session, svc, resident, c, 30)  # not a choice
    await sp.more_time(session, svc, resident, c, 7)
    assert c.pause_due_at == at(2026, 12, 7, 23, 59, 59)
    await sp.more_time(session, svc, resident, c, 3)
    assert c.pause_due_at == at(2026, 12, 10, 23, 59, 59)
    with pytest.raises(sp.Limit):
        await sp.more_time(session, svc, resident, c, 3)
    await session.commit()
    assert [r.chat_id for r in await outbox(session, "sp:more_op:")] == [ROADS_1, ROADS_2, ROADS_1, ROADS_2]
    assert sp.resident_buttons(c, "ko") == [[("📝 보완하기", f"sp:reply:{c.id}:0")]]  # no more 연장 button


async def test_reminder_before_the_last_day_then_expiry_notice_once_then_ask_again(
    db_sessionmaker, session, svc, clock, people
):
    c = await file(session, svc)
    officer = await who(session, ROADS_1)
    await complaints.take(session, svc, officer, c)
    await sp.request(session, svc, officer, c, WHAT, sp.due_in(svc, 7))  # last day Mon 11-30
    await session.commit()
    with pytest.raises(sp.NotDue):
        await sp.ask_again(session, svc, officer, c)
    clock.set(2026, 11, 27, 8, 59)  # Friday, before working hours
    assert await sp.run_duty(session, svc) == 0
    clock.set(2026, 11, 27, 9, 0)  # the business day before the last day
    assert await sp.run_duty(session, svc) == 1
    assert await sp.run_duty(session, svc) == 0
    await session.commit()
    remind = await outbox(session, "sp:remind:")
    assert len(remind) == 1 and remind[0].chat_id == CITIZEN and "2026-11-30(월) 23:59" in remind[0].payload["text"]

    clock.set(2026, 12, 1, 0, 5)
    assert await sp.run_duty(session, svc) == 1
    await session.commit()
    async with db_sessionmaker() as s2:  # a later run: told once
        assert await sp.run_duty(s2, svc) == 0
        await s2.commit()
    expired = await outbox(session, "sp:expired:")
    assert [r.chat_id for r in expired] == [ROADS_1]
    data = [b["callback_data"] for row in expired[0].payload["reply_markup"]["inline_keyboard"] for b in row]
    assert f"op:supp_again:{c.id}" in data and f"op:reject:{c.id}" in data

    await session.refresh(c)
    c = await complaints.get_visible(session, officer, complaint_id=c.id)
    await sp.ask_again(session, svc, officer, c)  # 시행령 §24③: 10 days
    assert c.pause_due_at == at(2026, 12, 11, 23, 59, 59)
    await session.commit()
    assert WHAT in (await outbox(session, "sp:req:"))[-1].payload["text"]
    clock.set(2026, 12, 14, 9, 0)
    assert await sp.run_duty(session, svc) == 1
    await session.commit()
    last = (await outbox(session, "sp:expired:"))[-1]
    data = [b["callback_data"] for row in last.payload["reply_markup"]["inline_keyboard"] for b in row]
    assert f"op:supp_again:{c.id}" not in data  # asked again once already: reject or withdraw
    with pytest.raises(sp.Limit):
        await sp.ask_again(session, svc, officer, c)
    await complaints.reject(session, svc, officer, c, "기간 내 보완이 없었습니다", next(iter(svc.district.remedies)))
    assert c.state == "rejected" and c.paused_at is None


async def test_officer_withdraws_the_request(session, svc, clock, people):
    c = await file(session, svc)
    officer = await who(session, ROADS_1)
    await sp.request(session, svc, officer, c, WHAT, sp.due_in(svc, 7))
    clock.set(2026, 11, 24, 10, 0)
    await sp.withdraw(session, svc, officer, c)
    assert c.paused_at is None and c.deadline_at == at(2026, 12, 3, 18, 0)  # Mon and Tue not counted
    with pytest.raises(sp.NotPaused):
        await sp.withdraw(session, svc, officer, c)
    await session.commit()
    assert (await outbox(session, "sp:wd:"))[-1].chat_id == CITIZEN


async def test_transfer_keeps_the_pause_withdrawal_ends_it(session, svc, clock, people):
    c = await file(session, svc)
    officer = await who(session, ROADS_1)
    await sp.request(session, svc, officer, c, WHAT, sp.due_in(svc, 7))
    await complaints.transfer(session, svc, officer, c, "CLEAN", "청소행정과 소관입니다")
    assert c.paused_at is not None and c.state == "transferred"
    await session.commit()
    await sp.reply(session, svc, await who(session, CITIZEN), c, "번호는 123-4 입니다")
    await session.commit()
    # the answer goes to the department that has it now (nobody took it there yet)
    assert {r.chat_id for r in await outbox(session, "sp:reply:")} == {2101}

    d = await file(session, svc)
    await sp.request(session, svc, officer, d, WHAT, sp.due_in(svc, 7))
    await complaints.citizen_withdraw(session, svc, await who(session, CITIZEN), d)
    assert d.state == "withdrawn" and d.paused_at is None and d.pause_due_at is None
    await session.commit()
    assert await sp.run_duty(session, svc) == 0
    rows = (await session.execute(select(Complaint).where(Complaint.paused_at.is_not(None)))).scalars().all()
    assert rows == []


async def test_answer_while_paused_ends_the_request(session, svc, people):
    c = await file(session, svc)
    officer = await who(session, ROADS_1)
    await sp.request(session, svc, officer, c, WHAT, sp.due_in(svc, 7))
    await complaints.start_answer(session, svc, officer, c)
    await complaints.answer(session, svc, officer, c, ANSWER)
    assert c.paused_at is None
    with pytest.raises(sp.NotPaused):
        await sp.reply(session, svc, await who(session, CITIZEN), c, "늦었지만 보냅니다")
    history = complaints.history(svc, c, "ko")
    assert any("보완 요청" in line and "전봇대 번호" in line for line in history)


async def test_deleting_my_data_forgets_my_supplement_in_officers_chats(session, svc, clock, people):
    from workflows.privacy import service as privacy

    c = await file(session, svc)
    await sp.request(session, svc, await who(session, ROADS_1), c, WHAT, sp.due_in(svc, 7))
    await sp.reply(session, svc, await who(session, CITIZEN), c, "전봇대 번호는 광진 123-4 입니다.")
    await session.commit()
    assert [r.chat_id for r in await outbox(session, "sp:reply:")] == [ROADS_1, ROADS_2]
    await privacy.delete_my_data(session, svc, CITIZEN, clock.at)
    await session.commit()
    assert all("광진 123-4" not in (r.payload.get("text") or "") for r in await outbox(session))


def test_buttons_the_outbox_carries_match_the_handlers_callback_data():
    from handlers.complaints.supplement import SuppCb

    assert SuppCb(action="reply", cid=5).pack() == sp.cb("reply", 5)
    assert SuppCb.unpack(sp.cb("more", 7)) == SuppCb(action="more", cid=7, n=0)
    with pytest.raises(ValueError):  # a forged number beyond a database id fails the filter (answered as stale)
        SuppCb.unpack(f"sp:reply:{2**40}:0")


async def test_no_reminder_for_a_period_set_within_its_last_business_day(session, svc, clock, people):
    c = await file(session, svc)
    clock.set(2026, 11, 27, 10, 0)  # Friday: due Monday 11-30, set after Friday 09:00 -> just told, no reminder
    await sp.request(session, svc, await who(session, ROADS_1), c, WHAT, sp.parse_due(svc, "11/30"))
    clock.set(2026, 11, 27, 11, 0)
    assert await sp.run_duty(session, svc) == 0
    await sp.reply(session, svc, await who(session, CITIZEN), c, "연락처 010-1234-5678 로 전화 주세요")
    history = complaints.history(svc, c, "ko", staff=True)
    assert any("010-****-5678" in line for line in history)  # staff read phone numbers masked
    assert any("010-1234-5678" in line for line in complaints.history(svc, c, "ko"))  # the resident's own view
