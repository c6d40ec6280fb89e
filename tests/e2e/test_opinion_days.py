"""소통 Day through the real bot and the fake Bot API, with a controllable clock: the officer
prepares a topic with a poll in the chat, residents subscribe, the day runs (announcement at
10:00, native poll answers, opinions, an edit), the analysis is made at 24:00, edited, approved
and published to every participant once, and the policy answer follows. A second run does the
day with 200 residents."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import func, select

from workflows.models import (
    Consent,
    OpinionEntry,
    OpinionParticipant,
    OpinionPoll,
    OpinionSubscription,
    OpinionTopic,
    OutboxMessage,
    User,
)
from tests.e2e.harness import ADMIN
from tests.unit.conftest import KST, Clock
from tests.unit.test_opinion_analysis import OPINIONS
from workflows.opinion_days import service as od
from workflows.texts import PRIVACY_VERSION

OFFICER, R1, R2, R3 = 700, 801, 802, 803


def next_update_id(fake) -> int:
    """raw_update needs an id; take the one the fake would give next, so later ones stay unique."""
    return fake._next_update_id


def poll_answer(fake, user_id: int, poll_id: str, options: list[int]) -> None:
    fake.raw_update(
        {
            "update_id": next_update_id(fake),
            "poll_answer": {
                "poll_id": poll_id,
                "option_ids": options,
                "option_persistent_ids": [str(o) for o in options],
                "user": {"id": user_id, "is_bot": False, "first_name": "Resident"},
            },
        }
    )


async def run_duties(h, clock, *at) -> None:
    clock.set(*at)
    await h.app.duties.opinion_days()


async def prepare_topic(h, *, photo: bool = True) -> None:
    """The officer prepares the next topic with a poll, through the chat."""
    await h.say(ADMIN, f"/grant {OFFICER} officer CIVIL", expect="역할을 부여했습니다")
    home = await h.say(OFFICER, "/opinion", expect="소통 Day")
    assert "아직 준비되지 않음" in home.params["text"]
    await h.press(OFFICER, "다음 주제 준비", expect="1/5")
    await h.say(OFFICER, "x", expect="제목은 2~100자")
    await h.say(OFFICER, "골목 주차 문제", expect="2/5")
    if photo:
        await h.say(OFFICER, photo=True, expect="캡션")
        await h.say(
            OFFICER,
            photo=True,
            caption="주택가 골목 주차 민원이 해마다 늘고 있습니다. 무엇부터 할지 묻습니다.",
            expect="3/5",
        )
    else:
        await h.say(OFFICER, "주택가 골목 주차 민원이 해마다 늘고 있습니다. 무엇부터 할지 묻습니다.", expect="3/5")
    await h.say(OFFICER, "www.sample-gu.example", expect="https://")
    await h.say(OFFICER, "https://www.sample-gu.example/parking", expect="4/5")
    await h.say(OFFICER, "골목 주차, 무엇부터 해야 할까요?", expect="5/5")
    await h.press(OFFICER, "투표 붙이기", expect="투표 보기를 한 줄에 하나씩")
    await h.say(OFFICER, "공유주차 확대", expect="2~10개")
    preview = await h.say(OFFICER, "공유주차 확대\n단속 강화\n공영주차장 건립", expect="미리보기")
    assert "2026-12-17(목) 10:00" in preview.params["text"] and "단속 강화" in preview.params["text"]
    await h.press(OFFICER, "수정", expect="무엇을 고칠까요")
    await h.press(OFFICER, "제목", expect="1/5")
    await h.say(OFFICER, "골목 주차, 어떻게 풀까요?", expect="미리보기")
    # the poll changed from the preview: its options are asked again, then back to the preview
    await h.press(OFFICER, "수정", expect="무엇을 고칠까요")
    await h.press(OFFICER, "투표", expect="투표</b>를 붙일까요")
    await h.press(OFFICER, "투표 붙이기", expect="투표 보기를 한 줄에 하나씩")
    await h.say(OFFICER, "공유주차 확대\n단속 강화\n공영주차장 건립", expect="미리보기")
    await h.press(OFFICER, "예약", expect="예약했습니다")


async def test_an_opinion_day_through_the_chat(harness, fake):
    h = harness
    clock = Clock(datetime(2026, 11, 23, 10, 0, tzinfo=KST))
    h.app.svc.clock = clock
    await prepare_topic(h)
    topic = await h.one(OpinionTopic)
    assert (topic.title, topic.status, str(topic.day)) == ("골목 주차, 어떻게 풀까요?", "scheduled", "2026-12-17")
    assert topic.image_file_id and topic.poll_options == ["공유주차 확대", "단속 강화", "공영주차장 건립"]

    # two residents subscribe (consent recorded), one gives a 동
    await h.say(R1, "/opinion", expect="개인정보 수집·이용 동의")
    await h.press(R1, "동의하고 구독", expect="사는 동을 골라")
    await h.press(R1, "자양1동", expect="자양1동으로 저장")
    await h.say(R2, "/opinion", expect="소통 Day")
    await h.press(R2, "동의하고 구독", expect="구독했습니다")

    # the Monday before: a topic is ready, so no reminder; 10:00 on the day: the announcement
    await run_duties(h, clock, 2026, 12, 14, 9, 0)
    mark = fake.mark()
    await run_duties(h, clock, 2026, 12, 17, 10, 0)
    for uid in (R1, R2):
        ann = await fake.wait_text(uid, "소통 Day 2026-12-17", after=mark)
        assert ann.method == "sendPhoto" and "https://www.sample-gu.example/parking" in ann.params["caption"]
    await fake.wait_text(OFFICER, "구독자 2명에게 보냈습니다", after=mark)
    polls = {}
    for uid in (R1, R2):
        call = await fake.wait_for(lambda c, u=uid: c.method == "sendPoll" and c.params["chat_id"] == u, after=mark)
        polls[uid] = call.result["poll"]["id"]
    await h.eventually(lambda: _count(h, OpinionPoll, 2))
    await run_duties(h, clock, 2026, 12, 17, 10, 1)  # a second run sends nothing again
    assert len(fake.sent(R1, "sendPoll")) == 1

    # votes through native poll answers (one changes their mind)
    poll_answer(fake, R1, polls[R1], [0])
    poll_answer(fake, R2, polls[R2], [1])
    poll_answer(fake, R1, polls[R1], [2])

    # R1 writes two opinions, then edits the first message; R2 tries a photo first
    clock.set(2026, 12, 17, 12, 0)
    await h.press(R1, "의견 보내기", expect="1/3번째")
    first = fake.message(R1, "골목 불법주차 때문에 소방차가 못 들어갑니다.")
    await fake.wait_text(R1, "의견을 저장했습니다 (1/3)")
    await h.press(R1, "의견 보내기", expect="2/3번째")
    await h.say(R1, "공영주차장을 더 만들어 주세요.", expect="의견을 저장했습니다 (2/3)")
    await h.press(R1, "내 의견 보기·고치기", expect="내 의견")
    await h.press(R1, "2번 고치기", expect="2번 의견을 고칩니다")
    await h.say(R1, "x" * 1001, expect="5~1000자로 보내 주세요 (지금 1001자)")
    await h.say(R1, "공영주차장을 더 지어 주세요.", expect="2번 의견을 새 내용으로 바꾸었습니다")
    edited = {
        **first["message"],
        "text": "골목 불법주차 때문에 소방차가 들어갈 수 없습니다. 주차 단속 부탁드립니다.",
        "edit_date": first["message"]["date"] + 60,
    }
    mark = fake.mark()
    fake.raw_update({"update_id": next_update_id(fake), "edited_message": edited})
    await fake.wait_text(R1, "1번 의견을 새 내용으로 바꾸었습니다", after=mark)
    await h.press(R2, "의견 보내기", expect="1/3번째")
    await h.say(R2, photo=True, expect="의견은 글로 보내")
    await h.say(R2, "주차 단속을 밤에도 해 주세요.", expect="의견을 저장했습니다 (1/3)")

    # R3 never subscribed: on the day /opinion shows the topic; consent first, then the poll comes too
    await h.say(R3, "/opinion", expect="오늘의 주제")
    await h.press(R3, "의견 보내기", expect="개인정보 수집·이용 동의")
    await h.press(R3, "동의하고 의견 보내기", expect="1/3번째")
    await h.say(R3, "버스 정류장이 너무 멉니다. 마을버스를 늘려 주세요.", expect="의견을 저장했습니다 (1/3)")
    await fake.wait_for(lambda c: c.method == "sendPoll" and c.params["chat_id"] == R3)
    mark = fake.mark()  # an officer's button forged by a resident is refused
    fake.callback(R3, od.cb("pub", 1), message_id=1)
    alert = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert "담당자만" in alert.params["text"]

    # 24:00: closed; later text is refused, the draft reaches the officer
    await h.press(R1, "의견 보내기", expect="3/3번째")
    mark = fake.mark()
    await run_duties(h, clock, 2026, 12, 18, 0, 0)
    await h.say(R1, "자정이 지나서 보낸 의견입니다.", expect="의견 접수가 끝났습니다")
    draft = await fake.wait_text(OFFICER, "분석 초안", after=mark)
    text = draft.params["text"]
    assert "참여 3명 · 의견 4건 · 투표 2명" in text and "<b>주차</b>" in text and "의견 3건" in text
    assert "단속 강화: 1표" in text and "공영주차장 건립: 1표" in text and "자양1동 1(100%)" in text
    votes = await h.db(select(OpinionParticipant.poll_choice).order_by(OpinionParticipant.user_id))
    assert votes == [[2], [1], None]
    entries = await h.db(select(OpinionEntry.text).where(OpinionEntry.user_id == R1).order_by(OpinionEntry.slot))
    assert entries[0].startswith("골목 불법주차 때문에 소방차가 들어갈 수 없습니다")

    # the officer edits the draft, then publishes; every participant gets it once
    await h.press(OFFICER, "수정", expect="분석 글 전체를")
    await h.say(OFFICER, "짧음", expect="20~3500자")
    await h.say(OFFICER, "참여 3명, 의견 4건. 주차 단속과 공영주차장 확충 의견이 가장 많았습니다.", expect="미리보기")
    clock.set(2026, 12, 19, 15, 0)
    mark = fake.mark()
    await h.press(OFFICER, "공개", expect="참여자 3명에게")
    for uid in (R1, R2, R3):
        pushed = await fake.wait_text(uid, "분석 결과입니다", after=mark)
        assert "공영주차장 확충 의견이 가장 많았습니다" in pushed.params["text"]
    msg_id, data = fake.button(draft, "공개")  # the draft's own button, pressed again later: refused
    mark = fake.mark()
    fake.callback(OFFICER, data, message_id=msg_id)
    alert = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert "이미 공개" in alert.params["text"]
    await run_duties(h, clock, 2026, 12, 21, 9, 0)  # published in time: no escalation
    assert not [t for t in fake.texts(OFFICER) if "기한" in t and "지났습니다" in t]

    await h.say(OFFICER, "/opinion", expect="담당자")
    board = await h.press(OFFICER, "소통 Day 현황", expect="소통 Day 현황")
    assert "분석 공개" in board.params["text"] and "✅ 2일째 공개" in board.params["text"]
    await h.say(R2, "/opinion", expect="구독 중입니다")
    await h.press(R2, "구독 해지", expect="구독을 해지했습니다")

    # the policy answer: per theme, then published with each resident's own themes first
    await h.press(OFFICER, "정책 반영 기록", expect="정책 반영 기록")
    await h.press(OFFICER, "1. 주차", expect="어떻게 반영되었나요")
    await h.press(OFFICER, "일부 반영", expect="무엇을 어떻게 반영했는지")
    await h.say(OFFICER, "2027년 상반기 골목 주차 야간 단속을 주 2회로 늘립니다.", expect="주제마다 반영 결과")
    clock.set(2027, 1, 5, 11, 0)
    mark = fake.mark()
    await h.press(OFFICER, "정책 답변 공개", expect="참여자 3명에게")
    answer = await fake.wait_text(R2, "정책 반영 결과입니다", after=mark)
    assert "내가 낸 의견의 주제" in answer.params["text"] and "일부 반영" in answer.params["text"]
    other = await fake.wait_text(R3, "정책 반영 결과입니다", after=mark)
    assert "따로 묶인 주제가 없었지만" in other.params["text"] and "야간 단속" in other.params["text"]

    topic = await h.one(OpinionTopic, id=topic.id)
    ind = od.topic_indicators(h.app.svc, topic)
    assert topic.status == "answered" and ind.analysis == od.Achieved(2, True) and ind.answer == od.Achieved(19, True)
    await h.eventually(lambda: _all_sent(h))
    for uid in (R1, R2, R3):  # once each, whatever was retried or pressed twice
        assert sum("분석 결과입니다" in t for t in fake.texts(uid)) == 1
        assert sum("정책 반영 결과입니다" in t for t in fake.texts(uid)) == 1


async def _count(h, model, n: int) -> bool:
    async with h.app.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model)) == n


async def _all_sent(h) -> bool:
    async with h.app.sessionmaker() as s:
        return not await s.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        )


N = 200
RESIDENT0 = 10_000


@pytest.mark.slow
async def test_two_hundred_residents(harness, fake):
    """200 subscribers (stored directly, to keep the test short): every one gets the topic and
    the poll at 10:00 once; 180 vote and 120 write (30 of them twice) through the bot; the
    officer publishes the analysis from the chat and every participant gets it exactly once."""
    h = harness
    clock = Clock(datetime(2026, 11, 23, 10, 0, tzinfo=KST))
    h.app.svc.clock = clock
    await prepare_topic(h, photo=False)
    residents = [RESIDENT0 + i for i in range(N)]
    dongs = h.app.svc.district.dongs
    async with h.app.sessionmaker() as s:  # what /opinion → 동의하고 구독 → 동 stores, in bulk
        s.add_all(User(id=uid) for uid in residents)
        await s.flush()
        s.add_all(Consent(user_id=uid, purpose=od.PURPOSE, version=PRIVACY_VERSION) for uid in residents)
        s.add_all(
            OpinionSubscription(user_id=uid, active=True, subscribed_at=clock.at, dong=dongs[i % 5] if i % 4 else None)
            for i, uid in enumerate(residents)
        )
        await s.commit()

    mark = fake.mark()
    await run_duties(h, clock, 2026, 12, 17, 10, 0)
    await h.eventually(lambda: _all_sent(h), timeout=30)
    polls = {
        c.params["chat_id"]: c.result["poll"]["id"]
        for c in fake.requests[mark:]
        if c.method == "sendPoll" and c.status == 200
    }
    assert set(polls) == set(residents)
    announced = Counter(
        c.params["chat_id"]
        for c in fake.requests[mark:]
        if c.status == 200 and c.method == "sendMessage" and "소통 Day 2026-12-17" in c.params.get("text", "")
    )
    assert set(announced) == set(residents) and set(announced.values()) == {1}
    await h.eventually(lambda: _count(h, OpinionPoll, N), timeout=10)

    clock.set(2026, 12, 17, 13, 0)
    voters = residents[:180]
    for i, uid in enumerate(voters):
        poll_answer(fake, uid, polls[uid], [i % 3 if i % 7 else 1])
    writers = residents[40:160]
    for uid in writers:
        msg_id, data = fake.button(uid, "의견 보내기")
        fake.callback(uid, data, message_id=msg_id)
    await h.eventually(lambda: _told(fake, writers, 1, "의견을 글로 보내"), timeout=30)
    for i, uid in enumerate(writers):
        fake.message(uid, OPINIONS[i % 50])
    await h.eventually(lambda: _count(h, OpinionEntry, len(writers)), timeout=30)
    seconds = writers[:30]
    await h.eventually(lambda: _told(fake, seconds, 1, "저장했습니다"), timeout=30)
    for uid in seconds:
        msg_id, data = fake.button(uid, "의견 보내기")
        fake.callback(uid, data, message_id=msg_id)
    await h.eventually(lambda: _told(fake, seconds, 2, "의견을 글로 보내"), timeout=30)
    for i, uid in enumerate(seconds):
        fake.message(uid, OPINIONS[(i + 25) % 50])
    await h.eventually(lambda: _count(h, OpinionEntry, len(writers) + len(seconds)), timeout=30)
    await h.eventually(lambda: _voted(h, len(voters)), timeout=30)

    mark = fake.mark()
    await run_duties(h, clock, 2026, 12, 18, 0, 0)
    draft = await fake.wait_text(OFFICER, "분석 초안", after=mark, timeout=10)
    text = draft.params["text"]
    print("\n--- analysis draft of the 200-resident run ---\n" + text.split("\n\n", 1)[1])
    assert "참여 180명 · 의견 150건 · 투표 180명" in text
    topic = await h.one(OpinionTopic)
    assert [th["keyword"] for th in topic.analysis["themes"]][:2] == ["주차", "쓰레기"]
    assert sum(v for _, v, _ in topic.analysis["poll"]) == 180

    clock.set(2026, 12, 18, 9, 30)
    mark = fake.mark()
    await h.press(OFFICER, "공개", expect="참여자 180명에게")
    await h.eventually(lambda: _all_sent(h), timeout=30)
    got = Counter(
        c.params["chat_id"]
        for c in fake.requests[mark:]
        if c.status == 200 and c.method == "sendMessage" and "분석 결과입니다" in c.params.get("text", "")
    )
    assert set(got) == set(residents[:180]) and set(got.values()) == {1}
    assert od.topic_indicators(h.app.svc, await h.one(OpinionTopic)).analysis == od.Achieved(1, True)


def _told(fake, users, n: int, contains: str):
    """Every one of ``users`` got at least ``n`` messages containing ``contains`` (one scan)."""

    async def check():
        got = Counter(
            c.params["chat_id"]
            for c in fake.requests
            if c.status == 200 and c.method == "sendMessage" and contains in c.params.get("text", "")
        )
        return all(got[u] >= n for u in users)

    return check()


async def _voted(h, n: int) -> bool:
    async with h.app.sessionmaker() as s:
        return (
            await s.scalar(
                select(func.count()).select_from(OpinionParticipant).where(OpinionParticipant.poll_choice.is_not(None))
            )
            == n
        )
