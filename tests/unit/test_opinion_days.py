"""workflows/opinion_days/service.py: the third-Thursday rule, the day's times and deadlines, opinions
(3 per person, 1,000 characters, an edit replaces), votes, the scheduled duties run twice or
late, the indicators, and the sendPoll path through the delivery worker."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from workflows.models import (
    OpinionEntry,
    OpinionParticipant,
    OpinionPoll,
    OpinionTheme,
    OpinionTopic,
    OutboxMessage,
    User,
)
from tests.unit.conftest import ADMIN_ID, KST
from workflows.opinion_days import service as od
from workflows import roles
from workflows.opinion_days.service import OpinionError
from workflows.state_machine import TransitionError

OFFICER, OTHER_OFFICER = 500, 501
RESIDENTS = (1001, 1002, 1003)


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=KST)


# --- the day -----------------------------------------------------------------------------------


def test_next_days_from_the_issue():
    assert od.opinion_days_after(date(2026, 11, 21), 3) == [date(2026, 12, 17), date(2027, 1, 21), date(2027, 2, 18)]


@pytest.mark.parametrize(
    ("first", "third_thursday"),
    [
        (date(2027, 4, 1), date(2027, 4, 15)),  # the 1st is a Thursday: the 15th, the earliest possible
        (date(2026, 10, 1), date(2026, 10, 15)),
        (date(2027, 1, 1), date(2027, 1, 21)),  # the 1st is a Friday: the 21st, the latest possible
        (date(2026, 5, 1), date(2026, 5, 21)),
    ],
)
def test_third_thursday_edges(first, third_thursday):
    assert first.weekday() in (3, 4)
    assert od.third_thursday(first.year, first.month) == third_thursday


def test_december_to_january_and_the_day_itself():
    assert od.opinion_days_after(date(2026, 12, 17)) == [date(2027, 1, 21)]  # strictly after
    assert od.opinion_days_after(date(2026, 12, 16)) == [date(2026, 12, 17)]
    assert od.opinion_days_after(date(2026, 12, 31)) == [date(2027, 1, 21)]


def test_rule_agrees_with_apscheduler_for_ten_years():
    trigger = CronTrigger(day="3rd thu", hour=10, minute=0, timezone="Asia/Seoul")
    at, mine = kst(2026, 1, 1), od.opinion_days_after(date(2025, 12, 31), 120)
    for day in mine:
        at = trigger.get_next_fire_time(None, at)
        assert at.date() == day and day.weekday() == 3 and 15 <= day.day <= 21
        at += timedelta(hours=1)


def test_next_day_turns_over_at_the_announcement(svc, clock):
    clock.set(2026, 12, 17, 9, 59)
    assert od.next_day(svc) == date(2026, 12, 17)
    clock.set(2026, 12, 17, 10, 0)
    assert od.next_day(svc) == date(2027, 1, 21)
    clock.set(2026, 11, 21, 12, 0)
    assert od.next_day(svc) == date(2026, 12, 17)


def test_schedule_of_one_day(svc):
    s = od.schedule(svc, date(2026, 12, 17))
    assert s.announce_at == kst(2026, 12, 17, 10, 0)
    assert s.close_at == kst(2026, 12, 18, 0, 0)  # 24:00 on the day
    assert s.analysis_due_at == kst(2026, 12, 21, 0, 0)  # end of Sunday, day + 3
    assert s.answer_due_at == kst(2027, 1, 7, 0, 0)  # end of day + 20 (Jan 6)
    assert s.analysis_remind_at == kst(2026, 12, 19, 9, 0)  # day 2
    assert s.answer_remind_at == kst(2027, 1, 4, 9, 0)  # day 18
    assert s.analysis_escalate_at == kst(2026, 12, 21, 9, 0)
    assert s.prepare_remind_at == kst(2026, 12, 14, 9, 0)  # the Monday before


def test_deadlines_are_data(svc, district):
    other = dataclasses.replace(
        district,
        raw={**district.raw, "opinion_days": {"analysis_days": 7, "answer_days": 30, "answer_reminder_day": 25}},
    )
    svc2 = dataclasses.replace(svc, district=other)
    s = od.schedule(svc2, date(2026, 12, 17))
    assert s.analysis_due_at == kst(2026, 12, 25, 0, 0) and s.answer_due_at == kst(2027, 1, 17, 0, 0)
    assert od.config(svc).analysis_days == 3  # the bundled file is untouched
    with pytest.raises(ValueError):
        od.load_config({"analysis_days": 1, "analysis_reminder_day": 2})
    with pytest.raises(ValueError):
        od.load_config({"close_time": "25:00"})
    bad = dataclasses.replace(district, raw={**district.raw, "opinion_days": {"department": "NOPE"}})
    with pytest.raises(ValueError):
        od.config(dataclasses.replace(svc, district=bad))


def test_callback_strings_match_the_handlers():
    from handlers.opinion_days import OpdCb

    assert od.cb("write", 12) == OpdCb(action="write", tid=12).pack()
    assert od.cb("tstat", 3, 45, "partly") == OpdCb(action="tstat", tid=3, n=45, s="partly").pack()
    assert len(od.cb("tstat", 10**9, 10**9, "reviewing")) <= 64


# --- validation ----------------------------------------------------------------------------------


def test_topic_fields_are_checked(svc):
    with pytest.raises(OpinionError) as e:
        od.clean_title("x")
    assert e.value.code == "opd.err.title" and e.value.kw["n"] == 1
    assert od.clean_link(" https://www.sample-gu.example/a?b=1 ") == "https://www.sample-gu.example/a?b=1"
    for bad in (
        "www.example.com",
        "javascript:alert(1)",
        "https://",
        "https://a b.com",
        "http://x" + "y" * 300 + ".kr",
    ):
        with pytest.raises(OpinionError):
            od.clean_link(bad)
    assert od.parse_poll_options(svc, "찬성\n\n 반대 \n") == ["찬성", "반대"]
    for bad, code in (
        ("하나만", "opd.err.poll_count"),
        ("\n".join(str(i) for i in range(11)), "opd.err.poll_count"),
        ("가\n" + "나" * 101, "opd.err.poll_long"),
        ("찬성\n찬성", "opd.err.poll_dup"),
    ):
        with pytest.raises(OpinionError) as e:
            od.parse_poll_options(svc, bad)
        assert e.value.code == code
    assert len(od.parse_poll_options(svc, "\n".join(f"보기{i}" for i in range(10)))) == 10


# --- fixtures for the service layer -------------------------------------------------------------


async def _users(session, *ids, lang="ko"):
    for uid in ids:
        session.add(User(id=uid, language=lang))
    await session.flush()


@pytest.fixture
async def world(session, svc, clock):
    """An officer of the 소통 department (CIVIL in the sample), three residents, now 2026-11-23."""
    await _users(session, OFFICER, OTHER_OFFICER, ADMIN_ID, *RESIDENTS)
    await roles.grant(
        session,
        user_id=OFFICER,
        role="officer",
        department_code="CIVIL",
        by=ADMIN_ID,
        departments=svc.district.departments,
    )
    await roles.grant(
        session,
        user_id=OTHER_OFFICER,
        role="officer",
        department_code="ROADS",
        by=ADMIN_ID,
        departments=svc.district.departments,
    )
    await session.commit()
    return session


DRAFT = od.TopicDraft(
    title="골목 주차, 어떻게 풀까요?",
    background="주택가 골목 주차 민원이 해마다 늘고 있습니다. 공유주차와 단속 가운데 무엇을 먼저 할지 묻습니다.",
    question="가장 먼저 해야 할 일은 무엇인가요?",
    link="https://www.sample-gu.example/parking",
    poll_options=["공유주차 확대", "단속 강화", "공영주차장 건립"],
)


async def _open_day(session, svc, clock, subscribe=RESIDENTS) -> OpinionTopic:
    topic, replaced = await od.schedule_topic(session, svc, OFFICER, DRAFT)
    assert not replaced and topic.day == date(2026, 12, 17) and topic.status == od.SCHEDULED
    for uid in subscribe:
        await od.subscribe(session, svc, uid)
    await session.commit()
    clock.set(2026, 12, 17, 10, 0)
    assert await od.announce_due(session, svc) == 1
    await session.commit()
    return topic


async def _outbox(session, prefix: str) -> list[OutboxMessage]:
    return list(
        await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(prefix)).order_by(OutboxMessage.id)
        )
    )


# --- scheduling and announcing -------------------------------------------------------------------


async def test_schedule_replaces_an_unannounced_topic(world, svc):
    first, _ = await od.schedule_topic(world, svc, OFFICER, DRAFT)
    second, replaced = await od.schedule_topic(
        world, svc, OFFICER, dataclasses.replace(DRAFT, title="새 제목입니다", poll_options=[])
    )
    assert replaced and second.id == first.id and second.title == "새 제목입니다" and second.poll_options is None
    assert await world.scalar(select(func.count()).select_from(OpinionTopic)) == 1
    with pytest.raises(OpinionError):
        await od.schedule_topic(world, svc, OFFICER, dataclasses.replace(DRAFT, question="짧"))


async def test_announcement_goes_once_to_subscribers_with_the_poll(world, svc, clock):
    await od.subscribe(world, svc, RESIDENTS[2])
    await od.unsubscribe(world, svc, RESIDENTS[2])
    topic = await _open_day(world, svc, clock, subscribe=RESIDENTS[:2])
    assert topic.status == od.OPEN and topic.announced_at == clock.at
    ann = await _outbox(world, f"opd:ann:{topic.id}:")
    polls = await _outbox(world, f"opd:poll:{topic.id}:")
    assert sorted(r.chat_id for r in ann) == sorted(RESIDENTS[:2]) == sorted(r.chat_id for r in polls)
    assert "골목 주차" in ann[0].payload["text"] and "https://www.sample-gu.example/parking" in ann[0].payload["text"]
    assert polls[0].method == "sendPoll" and polls[0].payload["is_anonymous"] is False
    assert [o["text"] for o in polls[0].payload["options"]] == DRAFT.poll_options
    assert ann[0].payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == od.cb("write", topic.id)
    assert [r.chat_id for r in await _outbox(world, f"opd:announced:{topic.id}:")] == [OFFICER]
    # the job running again (or late) sends nothing more
    before = await world.scalar(select(func.count()).select_from(OutboxMessage))
    clock.advance(minutes=1)
    assert await od.announce_due(world, svc) == 0
    assert await world.scalar(select(func.count()).select_from(OutboxMessage)) == before
    # subscribing on the day itself brings the topic at once, once
    assert await od.subscribe(world, svc, RESIDENTS[2])
    assert [r.chat_id for r in await _outbox(world, f"opd:ann:{topic.id}:{RESIDENTS[2]}")] == [RESIDENTS[2]]


async def test_a_day_missed_while_the_bot_was_down(world, svc, clock):
    topic, _ = await od.schedule_topic(world, svc, OFFICER, DRAFT)
    clock.set(2026, 12, 18, 0, 30)
    assert await od.announce_due(world, svc) == 1
    assert topic.status == od.MISSED and not await _outbox(world, f"opd:ann:{topic.id}")
    assert [r.chat_id for r in await _outbox(world, f"opd:missed:{topic.id}:")] == [OFFICER]
    assert await od.close_due(world, svc) == 0


async def test_a_late_announcement_still_goes_out_the_same_day(world, svc, clock):
    topic, _ = await od.schedule_topic(world, svc, OFFICER, DRAFT)
    await od.subscribe(world, svc, RESIDENTS[0])
    clock.set(2026, 12, 17, 15, 0)
    assert await od.announce_due(world, svc) == 1 and topic.status == od.OPEN
    assert await _outbox(world, f"opd:ann:{topic.id}:{RESIDENTS[0]}")


async def test_preparation_reminder_from_the_monday_before(world, svc, clock):
    clock.set(2026, 12, 14, 8, 59)
    assert await od.remind_preparation(world, svc) == 0
    clock.set(2026, 12, 14, 9, 0)
    assert await od.remind_preparation(world, svc) == 1
    clock.advance(hours=3)
    assert await od.remind_preparation(world, svc) == 0  # once
    rows = await _outbox(world, "opd:prep:2026-12-17:")
    assert [r.chat_id for r in rows] == [OFFICER] and "2026-12-17(목)" in rows[0].payload["text"]
    # a scheduled topic: no reminder for it
    clock.set(2027, 1, 10, 12, 0)
    await od.schedule_topic(world, svc, OFFICER, DRAFT)
    clock.set(2027, 1, 18, 9, 0)
    assert await od.remind_preparation(world, svc) == 0


async def test_without_officers_the_admins_are_told(session, svc, clock):
    await _users(session, ADMIN_ID)
    clock.set(2026, 12, 14, 9, 0)
    assert await od.remind_preparation(session, svc) == 1
    assert [r.chat_id for r in await _outbox(session, "opd:prep:")] == [ADMIN_ID]


# --- opinions and votes --------------------------------------------------------------------------


async def test_three_opinions_per_person_and_an_edit_replaces(world, svc, clock):
    topic = await _open_day(world, svc, clock)
    uid = RESIDENTS[0]
    for i in range(1, 4):
        e = await od.add_opinion(world, svc, topic, uid, f"{i}번째 의견: 공유주차를 늘려 주세요.", message_id=100 + i)
        assert e.slot == i
    with pytest.raises(OpinionError) as err:
        await od.add_opinion(world, svc, topic, uid, "네 번째 의견은 받지 않습니다.")
    assert err.value.code == "opd.err.limit" and err.value.kw == {"n": 3}
    # an edit replaces the text in its slot; the count stays 3
    e = await od.replace_opinion(world, svc, topic, uid, 2, "고친 의견: 단속부터 강화해 주세요.")
    assert e.slot == 2
    # editing the Telegram message replaces it too
    e3 = await od.replace_by_message(world, svc, uid, 103, "메시지를 고쳐서 바꾼 의견입니다.")
    assert e3.slot == 3
    assert await od.replace_by_message(world, svc, uid, 999, "의견이 아닌 메시지") is None
    texts = [x.text for x in await od.my_opinions(world, topic.id, uid)]
    assert texts == [
        "1번째 의견: 공유주차를 늘려 주세요.",
        "고친 의견: 단속부터 강화해 주세요.",
        "메시지를 고쳐서 바꾼 의견입니다.",
    ]
    # another resident has their own three
    assert (await od.add_opinion(world, svc, topic, RESIDENTS[1], "다른 주민의 첫 의견입니다.")).slot == 1
    with pytest.raises(OpinionError):
        await od.replace_opinion(world, svc, topic, RESIDENTS[1], 2, "없는 의견을 고칠 수는 없습니다.")


async def test_opinion_length_and_personal_numbers(world, svc, clock):
    topic = await _open_day(world, svc, clock)
    assert len((await od.add_opinion(world, svc, topic, RESIDENTS[0], "가" * 1000)).text) == 1000
    for text, code in (
        ("가" * 1001, "opd.err.opinion_len"),
        ("   네  ", "opd.err.opinion_len"),
        ("제 번호는 900101-1234567 입니다. 연락 주세요.", "opd.err.rrn"),
    ):
        with pytest.raises(OpinionError) as e:
            await od.add_opinion(world, svc, topic, RESIDENTS[1], text)
        assert e.value.code == code
    assert len(await od.my_opinions(world, topic.id, RESIDENTS[1])) == 0


async def test_nothing_is_taken_outside_the_day(world, svc, clock):
    topic, _ = await od.schedule_topic(world, svc, OFFICER, DRAFT)
    with pytest.raises(OpinionError) as e:
        await od.add_opinion(world, svc, topic, RESIDENTS[0], "아직 열리지 않은 주제입니다.")
    assert e.value.code == "opd.err.closed"
    clock.set(2026, 12, 17, 10, 0)
    await od.announce_due(world, svc)
    entry = await od.add_opinion(world, svc, topic, RESIDENTS[0], "열린 뒤에 보낸 의견입니다.", message_id=7)
    clock.set(2026, 12, 18, 0, 0)  # 24:00: closed even before the close duty has run
    for call in (
        od.add_opinion(world, svc, topic, RESIDENTS[0], "자정이 지난 뒤의 의견입니다."),
        od.replace_opinion(world, svc, topic, RESIDENTS[0], entry.slot, "자정이 지난 뒤의 수정입니다."),
        od.replace_by_message(world, svc, RESIDENTS[0], 7, "자정이 지난 뒤의 수정입니다."),
    ):
        with pytest.raises(OpinionError):
            await call
    assert (await od.my_opinions(world, topic.id, RESIDENTS[0]))[0].text == "열린 뒤에 보낸 의견입니다."


async def test_votes_match_the_poll_sent_to_that_resident(world, svc, clock):
    topic = await _open_day(world, svc, clock)
    for uid in RESIDENTS:
        await od.record_poll_sent(world, dedup_key=f"opd:poll:{topic.id}:{uid}", poll_id=f"P{uid}")
    await od.record_poll_sent(world, dedup_key=f"opd:poll:{topic.id}:{RESIDENTS[0]}", poll_id=f"P{RESIDENTS[0]}")
    await od.record_poll_sent(world, dedup_key="push:1:2", poll_id="X")  # not ours: ignored
    await world.flush()
    assert await world.scalar(select(func.count()).select_from(OpinionPoll)) == 3
    assert await od.record_vote(world, svc, poll_id=f"P{RESIDENTS[0]}", user_id=RESIDENTS[0], option_ids=[1])
    assert await od.record_vote(world, svc, poll_id=f"P{RESIDENTS[1]}", user_id=RESIDENTS[1], option_ids=[0, 7])
    assert not await od.record_vote(world, svc, poll_id=f"P{RESIDENTS[1]}", user_id=RESIDENTS[2], option_ids=[0])
    assert not await od.record_vote(world, svc, poll_id="unknown", user_id=RESIDENTS[2], option_ids=[0])
    # changed mind: the last answer counts; an empty answer withdraws the vote
    assert await od.record_vote(world, svc, poll_id=f"P{RESIDENTS[0]}", user_id=RESIDENTS[0], option_ids=[2])
    assert await od.record_vote(world, svc, poll_id=f"P{RESIDENTS[2]}", user_id=RESIDENTS[2], option_ids=[0])
    assert await od.record_vote(world, svc, poll_id=f"P{RESIDENTS[2]}", user_id=RESIDENTS[2], option_ids=[])
    await world.flush()
    votes = dict((await world.execute(select(OpinionParticipant.user_id, OpinionParticipant.poll_choice))).all())
    assert votes == {RESIDENTS[0]: [2], RESIDENTS[1]: [0], RESIDENTS[2]: None}
    clock.set(2026, 12, 18, 0, 1)
    assert not await od.record_vote(world, svc, poll_id=f"P{RESIDENTS[1]}", user_id=RESIDENTS[1], option_ids=[1])


# --- close, analysis, publication, policy answer ---------------------------------------------------


async def test_the_whole_cycle_and_its_indicators(world, svc, clock):
    topic = await _open_day(world, svc, clock)
    await od.set_dong(world, svc, RESIDENTS[0], "자양1동")
    texts = {
        RESIDENTS[0]: ["골목 불법주차 때문에 소방차가 못 들어갑니다.", "공영주차장을 늘려 주세요."],
        RESIDENTS[1]: ["주차 단속을 밤에도 해 주세요."],
        RESIDENTS[2]: ["버스 배차 간격이 너무 깁니다.", "마을버스 노선을 늘려 주세요."],
    }
    for uid, items in texts.items():
        for text in items:
            await od.add_opinion(world, svc, topic, uid, text)
    with pytest.raises(OpinionError):
        await od.set_dong(world, svc, RESIDENTS[1], "없는동")
    await world.commit()

    clock.set(2026, 12, 17, 23, 59)
    assert await od.close_due(world, svc) == 0
    clock.set(2026, 12, 18, 0, 0)
    assert await od.close_due(world, svc) == 1 and await od.close_due(world, svc) == 0
    assert topic.status == od.CLOSED
    data = topic.analysis
    assert (data["participants"], data["opinions"], data["voters"]) == (3, 5, 0)
    assert [(th["keyword"], th["opinions"], th["participants"]) for th in data["themes"]] == [
        ("주차", 3, 2),
        ("버스", 2, 1),
    ]
    assert data["dongs"] == [["자양1동", 1, 1.0]] and data["dong_unknown"] == 2
    drafts = await _outbox(world, f"opd:draft:{topic.id}:")
    assert [r.chat_id for r in drafts] == [OFFICER] and "주차" in drafts[0].payload["text"]
    assert drafts[0].payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == od.cb("pub", topic.id)

    # day 2: reminded once; the officer edits and publishes on day 3 (on time)
    clock.set(2026, 12, 19, 9, 0)
    assert await od.deadline_reminders(world, svc) == 1 and await od.deadline_reminders(world, svc) == 0
    await od.set_analysis_text(world, svc, topic, "<b>분석</b> 주차 의견이 가장 많았습니다. 버스가 뒤를 이었습니다.")
    clock.set(2026, 12, 20, 23, 59)
    assert await od.publish_analysis(world, svc, topic, OFFICER) == 3
    with pytest.raises(OpinionError):
        await od.publish_analysis(world, svc, topic, OFFICER)
    pushed = await _outbox(world, f"opd:an:{topic.id}:")
    assert sorted(r.chat_id for r in pushed) == sorted(RESIDENTS)
    assert all("주차 의견이 가장 많았습니다" in r.payload["text"] for r in pushed)
    clock.set(2026, 12, 21, 9, 0)
    assert await od.escalate_overdue(world, svc) == 0  # published in time: nothing to escalate

    # the policy answer: every theme needs an outcome first
    rows = await od.themes(world, topic.id)
    with pytest.raises(OpinionError) as e:
        await od.publish_answer(world, svc, topic, OFFICER)
    assert e.value.code == "opd.err.themes_missing" and "주차" in e.value.kw["themes"]
    await od.record_theme_answer(world, svc, topic, OFFICER, rows[0].id, "partly", "2027년 공유주차 50면을 늘립니다.")
    with pytest.raises(OpinionError):
        await od.record_theme_answer(world, svc, topic, OFFICER, rows[1].id, "maybe", "알 수 없는 상태입니다.")
    with pytest.raises(OpinionError):
        await od.record_theme_answer(world, svc, topic, OFFICER, rows[1].id, "not", "짧")
    await od.record_theme_answer(
        world, svc, topic, OFFICER, rows[1].id, "reviewing", "버스 회사와 배차를 협의 중입니다."
    )
    # day 18 reminder, then published on day 25: late
    clock.set(2027, 1, 4, 9, 0)
    assert await od.deadline_reminders(world, svc) == 1 and await od.deadline_reminders(world, svc) == 0
    clock.set(2027, 1, 7, 9, 0)
    assert await od.escalate_overdue(world, svc) == 1 and await od.escalate_overdue(world, svc) == 0
    escalated = await _outbox(world, f"opd:esc:ans:{topic.id}:")
    assert sorted(r.chat_id for r in escalated) == sorted([OFFICER, ADMIN_ID])
    clock.set(2027, 1, 11, 10, 0)
    assert await od.publish_answer(world, svc, topic, OFFICER) == 3
    answers = {r.chat_id: r.payload["text"] for r in await _outbox(world, f"opd:answer:{topic.id}:")}
    # each participant sees the themes they raised first, with what happened
    mine, rest = answers[RESIDENTS[2]].split("다른 주제")
    assert "버스" in mine and "검토 중" in mine and "주차" in rest
    assert "주차" in answers[RESIDENTS[1]].split("다른 주제")[0] and "일부 반영" in answers[RESIDENTS[1]]

    ind = od.topic_indicators(svc, topic)
    assert ind.analysis == od.Achieved(3, True) and ind.answer == od.Achieved(25, False)
    rows, summary = await od.indicators(world, svc, since=date(2026, 12, 1))
    assert [r.topic_id for r in rows] == [topic.id]
    assert summary["avg_days_to_analysis"] == 3 and summary["avg_days_to_answer"] == 25
    assert summary["analysis_on_time_rate"] == 1.0 and summary["answer_on_time_rate"] == 0.0
    assert summary["on_time_rate"] == 0.5 and summary["participants"] == 3


async def test_an_unpublished_analysis_is_escalated_once(world, svc, clock):
    topic = await _open_day(world, svc, clock)
    await od.add_opinion(world, svc, topic, RESIDENTS[0], "주차 공간이 부족합니다.")
    clock.set(2026, 12, 18, 0, 1)
    await od.close_due(world, svc)
    clock.set(2026, 12, 21, 8, 59)
    assert await od.escalate_overdue(world, svc) == 0
    assert od.topic_indicators(svc, topic).analysis == od.Achieved(None, False)  # overdue already
    clock.set(2026, 12, 21, 9, 0)
    assert await od.escalate_overdue(world, svc) == 1 and await od.escalate_overdue(world, svc) == 0
    assert {r.chat_id for r in await _outbox(world, f"opd:esc:an:{topic.id}:")} == {OFFICER, ADMIN_ID}
    clock.set(2026, 12, 22, 10, 0)
    await od.publish_analysis(world, svc, topic, OFFICER)
    assert od.topic_indicators(svc, topic).analysis == od.Achieved(5, False)


def test_achieved_and_summary(svc):
    day = date(2026, 12, 17)
    due = kst(2026, 12, 21, 0, 0)
    now = kst(2027, 2, 1, 0, 0)
    assert od.achieved(svc, day, due, kst(2026, 12, 20, 23, 59), now) == od.Achieved(3, True)
    assert od.achieved(svc, day, due, kst(2026, 12, 21, 0, 0), now) == od.Achieved(4, False)
    assert od.achieved(svc, day, due, kst(2026, 12, 18, 0, 5), now) == od.Achieved(1, True)
    assert od.achieved(svc, day, due, None, kst(2026, 12, 20, 12, 0)) == od.Achieved(None, None)
    assert od.achieved(svc, day, due, None, due) == od.Achieved(None, False)
    rows = [
        od.TopicIndicators(1, day, 10, 20, od.Achieved(2, True), od.Achieved(None, None)),
        od.TopicIndicators(2, day, 5, 7, od.Achieved(4, False), od.Achieved(19, True)),
    ]
    s = od.summarise(rows)
    assert s["avg_days_to_analysis"] == 3 and s["avg_days_to_answer"] == 19
    assert s["analysis_on_time_rate"] == 0.5 and s["answer_on_time_rate"] == 1.0
    assert s["on_time_rate"] == round(2 / 3, 4) and s["opinions"] == 27
    assert od.summarise([])["on_time_rate"] is None


async def test_retention_deletes_opinions_a_year_after_the_answer(world, svc, clock):
    topic = await _open_day(world, svc, clock)
    await od.add_opinion(world, svc, topic, RESIDENTS[0], "주차 공간이 부족합니다.")
    await od.add_opinion(world, svc, topic, RESIDENTS[1], "주차 단속을 해 주세요.")
    clock.set(2026, 12, 18, 0, 1)
    await od.close_due(world, svc)
    await od.publish_analysis(world, svc, topic, OFFICER)
    for th in await od.themes(world, topic.id):
        await od.record_theme_answer(world, svc, topic, OFFICER, th.id, "reflected", "공유주차를 늘렸습니다.")
    await od.publish_answer(world, svc, topic, OFFICER)
    await world.commit()
    clock.advance(days=364)
    assert await od.purge_expired(world, svc) == 0
    clock.advance(days=2)
    assert await od.purge_expired(world, svc) == 4  # 2 opinions, 2 participants
    assert await world.scalar(select(func.count()).select_from(OpinionEntry)) == 0
    assert await world.scalar(select(func.count()).select_from(OpinionTheme)) == 1
    assert (await od.get_topic(world, topic.id)).analysis["opinions"] == 2


# --- the sendPoll path through the outbox worker ---------------------------------------------------


async def test_a_poll_sent_by_the_worker_records_its_poll_id(db_sessionmaker, svc, clock):
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    import handlers.opinion_days  # noqa: F401  registers the sendPoll result hook
    from bot.delivery import RESULT_HOOKS, DeliveryWorker
    from tests.fakes.telegram_server import FakeTelegram

    assert "sendPoll" in RESULT_HOOKS
    async with db_sessionmaker() as s:
        await _users(s, OFFICER, *RESIDENTS)
        await roles.grant(
            s, user_id=OFFICER, role="officer", department_code="CIVIL", by=None, departments=svc.district.departments
        )
        topic = await _open_day(s, svc, clock)
        tid = topic.id
    fake = FakeTelegram()
    await fake.start()
    bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
    try:
        worker = DeliveryWorker(bot, db_sessionmaker, rate=500, private_interval=0.01, idle_poll=0.05)
        for _ in range(20):
            await worker.drain_once()
        sent = fake.sent(method="sendPoll")
        assert sorted(c.params["chat_id"] for c in sent) == sorted(RESIDENTS)
        assert sent[0].params["is_anonymous"] is False and len(sent[0].params["options"]) == 3
        async with db_sessionmaker() as s:
            polls = {p.poll_id: p for p in await s.scalars(select(OpinionPoll))}
            assert {c.result["poll"]["id"] for c in sent} == set(polls)
            assert {(p.topic_id, p.user_id) for p in polls.values()} == {(tid, u) for u in RESIDENTS}
            assert not await s.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
            )
    finally:
        await bot.session.close()
        await fake.stop()


def test_the_scheduler_job_is_set_on_purpose(svc):
    from bot.scheduler import Duties, build_scheduler

    sched = build_scheduler(Duties(None, svc, lambda: None), "Asia/Seoul")
    job = sched.get_job("opinion_days")
    assert job is not None and job.misfire_grace_time == 50 and job.coalesce is True
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert fields["hour"] == "*" and fields["minute"] == "*"  # 10:00 and 24:00 to the minute
    assert [name for name, _ in od.DUTIES][:2] == ["opinion_announce", "opinion_close"]


async def test_duties_run_each_step_once_in_their_own_transactions(db_sessionmaker, svc, clock):
    from bot.scheduler import Duties

    async with db_sessionmaker() as s:
        await _users(s, OFFICER, *RESIDENTS)
        await roles.grant(
            s, user_id=OFFICER, role="officer", department_code="CIVIL", by=None, departments=svc.district.departments
        )
        topic, _ = await od.schedule_topic(s, svc, OFFICER, DRAFT)
        await od.subscribe(s, svc, RESIDENTS[0])
        await s.commit()
    woken = []
    duties = Duties(db_sessionmaker, svc, lambda: woken.append(1))
    clock.set(2026, 12, 17, 10, 0)
    await duties.opinion_days()
    await duties.opinion_days()
    clock.set(2026, 12, 18, 0, 0)
    await duties.opinion_days()
    async with db_sessionmaker() as s:
        t = await od.get_topic(s, topic.id)
        assert t.status == od.CLOSED and t.analysis["participants"] == 0
        keys = list(await s.scalars(select(OutboxMessage.dedup_key).order_by(OutboxMessage.id)))
        assert keys == [
            f"opd:ann:{t.id}:{RESIDENTS[0]}",
            f"opd:poll:{t.id}:{RESIDENTS[0]}",
            f"opd:announced:{t.id}:{OFFICER}",
            f"opd:draft:{t.id}:{OFFICER}",
        ]
        en = od.analysis_text(svc, t, t.analysis, "en")
        assert "0 participants · 0 opinions · 0 voters" in en and "Poll" in en
    assert woken  # the delivery worker is woken after the outbox grew


# The paths that used to check the topic's status with ifs now ask its table (od.TOPIC): from every
# status the table does not allow, each refuses with the same TransitionError (the organiser is shown
# the text it showed before) and leaves the topic as it was.
TOPIC_PATHS = {
    "reschedule": ("reschedule", lambda s, svc, tp: od.schedule_topic(s, svc, OFFICER, DRAFT)),
    "set_analysis_text": ("publish_analysis", lambda s, svc, tp: od.set_analysis_text(s, svc, tp, "분석 " * 10)),
    "publish_analysis": ("publish_analysis", lambda s, svc, tp: od.publish_analysis(s, svc, tp, OFFICER)),
    "record_theme_answer": (
        "publish_answer",
        lambda s, svc, tp: od.record_theme_answer(s, svc, tp, OFFICER, 1, "partly", "공유주차를 늘립니다."),
    ),
    "publish_answer": ("publish_answer", lambda s, svc, tp: od.publish_answer(s, svc, tp, OFFICER)),
}


@pytest.mark.parametrize(
    ("path", "status"),
    [(p, s) for p, (action, _f) in TOPIC_PATHS.items() for s in od.TOPIC.states if not od.TOPIC.allows(s, action)],
)
async def test_a_topic_cannot_be_moved_illegally(world, svc, path, status):
    topic, _ = await od.schedule_topic(world, svc, OFFICER, DRAFT)
    topic.status = status  # put there directly, as if by an earlier press
    await world.commit()
    action, call = TOPIC_PATHS[path]
    with pytest.raises(TransitionError) as e:
        await call(world, svc, topic)
    assert isinstance(e.value, OpinionError) and e.value.action == action
    assert e.value.code == {"publish_analysis": "opd.err.not_draft", "publish_answer": "opd.err.not_answerable"}.get(
        action, "opd.err.closed"
    )
    assert topic.status == status and topic.analysis_published_at is None and topic.answer_published_at is None
