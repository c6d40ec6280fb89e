"""New-resident information: dates, tailoring, consent, subscription, 수신 거부, questions, expiry."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from workflows.models import Complaint, Consent, NewResident, OutboxMessage, User, utcnow
from bot.delivery import DeliveryWorker
from handlers.new_residents import NrCb
from workflows.new_residents import service as nr
from workflows.new_residents.service import ASK_CB, STOP_CB, DateError, Household
from workflows.outbox import enqueue
from tests.unit.conftest import KST

TODAY = date(2026, 11, 23)  # the unit clock's day (MONDAY_10)
USER = 500
TODDLER_30S = Household(head_age="30s", children_under_7=True)
SENIOR_HOME = Household(head_age="70p", seniors_65=True)


@pytest.fixture
def info(svc):
    return nr.dong_data(svc)["자양1동"]


def venues(messages) -> list[str]:
    """The places listed in the messages, in order (each line starts "• <b>name</b>")."""
    return [
        line.split("<b>", 1)[1].split("</b>", 1)[0]
        for m in messages
        for line in m.text.split("\n")
        if line.startswith("• <b>")
    ]


async def add_user(session, uid: int = USER, lang: str = "ko") -> None:
    session.add(User(id=uid, language=lang))
    await session.flush()


async def rows(session, uid: int = USER) -> list[OutboxMessage]:
    return list(
        await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == uid).order_by(OutboxMessage.id))
    )


# --- settings and callback strings -------------------------------------------------------------


def test_settings_refer_to_real_categories_and_departments(district):
    cfg = nr.settings()
    assert cfg.consent_purpose == "new_resident_info" and cfg.follow_up_days == 7
    assert all(tp.category in district.categories for tp in cfg.topics.values())
    assert cfg.newsletter.editor_department in district.departments
    assert cfg.question_kind in district.kind_periods
    assert (cfg.newsletter.send_day, cfg.newsletter.send_time.hour, cfg.newsletter.send_time.minute) == (25, 10, 0)


def test_callback_strings_match_the_handler():
    assert NrCb(action="stop").pack() == STOP_CB
    assert NrCb(action="ask").pack() == ASK_CB


# --- move-in date --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026.11.20", date(2026, 11, 20)),
        ("2026/11/2", date(2026, 11, 2)),
        ("20261120", date(2026, 11, 20)),
        ("2026년 11월 20일", date(2026, 11, 20)),
        ("11/20", date(2026, 11, 20)),
        ("11월 20일", date(2026, 11, 20)),
        ("1/5", date(2027, 1, 5)),  # nearest: next January
        ("12.30", date(2026, 12, 30)),
        ("오늘", TODAY),
        ("어제", date(2026, 11, 22)),
        (" Today ", TODAY),
        ("2026. 11. 20.", date(2026, 11, 20)),
        ("今天", TODAY),
        ("昨天", date(2026, 11, 22)),
    ],
)
def test_move_in_date_formats(text, expected):
    assert nr.parse_move_in_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "format"),
        ("다음 주쯤", "format"),
        ("2026-02-30", "format"),
        ("13/40", "format"),
        ("2026-11", "format"),
        ("1" * 100, "format"),
        ("2024-01-10", "past"),
        ("2027-06-01", "future"),
        ("1900-01-01", "past"),
    ],
)
def test_move_in_date_refused(text, code):
    with pytest.raises(DateError) as e:
        nr.parse_move_in_date(text, TODAY)
    assert e.value.code == code
    if code != "format":
        assert e.value.value is not None


# --- tailoring -------------------------------------------------------------------------------------


def test_a_30s_household_with_a_toddler_gets_childcare_paediatrics_and_playgrounds(info, svc):
    msgs = nr.build_messages(info, TODDLER_30S, "ko", TODAY, svc)
    got = venues(msgs)
    assert got == [
        "자양1동 주민센터",
        "샘플구립 자양한강도서관",
        "자양근린공원",
        "뚝섬한강공원 자양지구",
        "샘플구립 자양해오름어린이집",
        "국공립 자양숲어린이집",
        "자양튼튼소아청소년과의원",
        "뚝섬아이소아청소년과의원",
        "자양1동 어린이공원 놀이터",
        "자양근린공원 물놀이터",
    ]
    assert "샘플구 자양노인복지관" not in got and "샘플자양초등학교" not in got
    assert {m.method for m in msgs} == {"sendMessage"}  # one list per topic, no separate venues
    texts = [m.text for m in msgs]
    assert len(texts) == 3  # basics, libraries and parks, young children: a few messages, not a wall
    assert "일·화·목요일 저녁 8시" in texts[0] and "투명 페트병" in texts[0] and "이삿날" in texts[0]
    assert "평일 09:00–18:00" in texts[0] and "02-450-1711" in texts[0] and "샘플 데이터" in texts[0]
    assert "아이사랑" in texts[2] and "어르신" not in "".join(texts)
    assert "🧸 <b>어린이집</b>" in texts[2] and "🩺 <b>소아청소년과</b>" in texts[2]  # a heading per kind
    assert all(m.params == {"link_preview_options": {"is_disabled": True}} for m in msgs)


def test_a_65_plus_household_gets_senior_welfare_clinics_and_transport(info, svc):
    got = venues(nr.build_messages(info, SENIOR_HOME, "ko", TODAY, svc))
    assert {
        "샘플구 자양노인복지관",
        "자양1동 경로당",
        "샘플구보건소 자양 건강생활지원센터",
        "자양연합내과의원",
        "뚝섬유원지역",
        "자양1동주민센터 정류장",
    } <= set(got)
    assert not {"샘플구립 자양해오름어린이집", "자양튼튼소아청소년과의원", "자양1동 어린이공원 놀이터"} & set(got)
    assert got[0] == "자양1동 주민센터"


def test_each_place_has_its_address_phone_hours_and_a_map_link(info, svc):
    en = "\n".join(m.text for m in nr.build_messages(info, Household(pet=True, car=True), "en", TODAY, svc))
    assert (
        "• <b>Jayang 1-dong Community Center (자양1동 주민센터)</b>\n"
        "   117 Jayang-ro, Sample-gu, Seoul · ☎ 02-450-1711 · Mon–Fri 09:00–18:00 · "
        '<a href="https://www.google.com/maps/search/?api=1&amp;query=37.53718,127.08291">🗺 map</a>'
    ) in en
    assert "• <b>Jayang Animal Hospital (자양동물병원)</b> — registers animals" in en
    assert "Jayang 1-dong Public Car Park (자양1동 공영주차장)" in en
    assert "Welcome to Jayang 1-dong (자양1동), Sample-gu" in en and "within 30 days" in en
    ko = "\n".join(m.text for m in nr.build_messages(info, Household(pet=True), "ko", TODAY, svc))
    assert (
        "• <b>자양1동 주민센터</b>\n   서울특별시 샘플구 자양로 117 · ☎ 02-450-1711 · 평일 09:00–18:00 · "
        '<a href="https://map.kakao.com/link/map/%EC%9E%90%EC%96%911%EB%8F%99%20%EC%A3%BC%EB%AF%BC%EC%84%BC%ED%84%B0,'
        '37.53718,127.08291">🗺 지도</a>'
    ) in ko
    assert "• <b>자양동물병원</b> — 동물등록 대행" in ko


@pytest.mark.parametrize(
    ("household", "sections"),
    [
        (Household(), ["basics", "life"]),
        (Household(head_age="30s"), ["basics", "life", "young_children"]),  # 광산구: 30s -> young children
        (Household(head_age="30s", children_under_7=False), ["basics", "life"]),  # an explicit no wins
        (Household(head_age="40s", children_under_7=None), ["basics", "life"]),
        (Household(head_age="60s"), ["basics", "life", "senior"]),
        (Household(head_age="60s", seniors_65=False), ["basics", "life"]),
        (Household(head_age="u30", seniors_65=True), ["basics", "life", "senior"]),
        (Household(school_age_children=True, pet=True, car=True), ["basics", "life", "school", "pet", "car"]),
    ],
)
def test_sections_for(household, sections):
    assert [s.code for s in nr.sections_for(household)] == sections


def test_household_round_trip():
    assert Household.from_dict({**TODDLER_30S.to_dict(), "form_id": "x", "dong": "자양1동"}) == TODDLER_30S


# --- subscribing --------------------------------------------------------------------------------------


async def test_subscribe_records_consent_and_queues_the_information_and_a_follow_up(session, svc, clock):
    await add_user(session)
    sub = await nr.subscribe(
        session, svc, user_id=USER, dong="자양1동", moved_in_on=date(2026, 11, 20), household=TODDLER_30S
    )
    await session.commit()
    assert (sub.dong, sub.moved_in_on, sub.head_age, sub.children_under_7, sub.seniors_65) == (
        "자양1동",
        date(2026, 11, 20),
        "30s",
        True,
        None,
    )
    consent = await session.scalar(select(Consent).where(Consent.user_id == USER))
    assert consent.purpose == "new_resident_info" and consent.withdrawn_at is None and consent.version
    out = await rows(session)
    info, follow = out[:-1], out[-1]
    assert [r.method for r in info] == ["sendMessage"] * 3  # basics, libraries and parks, young children
    assert "자양1동 생활정보" in info[0].payload["text"]
    assert [STOP_CB in str(r.payload.get("reply_markup")) for r in info] == [False, False, True]  # one, on the last
    assert follow.dedup_key == f"newres:{sub.token}:followup" and ASK_CB in str(follow.payload)
    assert follow.not_before == clock() + timedelta(days=7)
    # the information goes at once: the outbox stamps it with the real time, which the worker reads
    assert all(r.not_before <= utcnow() or r is follow for r in out)


async def test_unsubscribe_deletes_the_data_withdraws_consent_and_cancels_what_waits(session, svc):
    await add_user(session)
    await nr.subscribe(session, svc, user_id=USER, dong="화양동", moved_in_on=TODAY, household=SENIOR_HOME)
    await enqueue(session, key="newsletter:1:500", chat_id=USER, text="소식지")
    await enqueue(session, key="push:1:2", chat_id=USER, text="민원 알림")  # not this feature's
    await session.commit()
    assert await nr.unsubscribe(session, USER) is True
    await session.commit()
    assert await session.get(NewResident, USER) is None
    assert (await session.scalar(select(Consent).where(Consent.user_id == USER))).withdrawn_at is not None
    statuses = {r.dedup_key.split(":")[0]: r.status for r in await rows(session)}
    assert statuses == {"newres": "cancelled", "newsletter": "cancelled", "push": "pending"}
    assert await nr.unsubscribe(session, USER) is False  # pressed again: nothing left to stop


async def test_subscribing_again_replaces_and_sends_again(session, svc):
    await add_user(session)
    first = await nr.subscribe(session, svc, user_id=USER, dong="자양1동", moved_in_on=TODAY, household=Household())
    first_token = first.token
    await session.commit()
    second = await nr.subscribe(
        session, svc, user_id=USER, dong="구의1동", moved_in_on=TODAY, household=Household(car=True)
    )
    await session.commit()
    assert second.token != first_token and second.dong == "구의1동" and second.car is True
    out = await rows(session)
    old = [r for r in out if first_token in r.dedup_key]
    new = [r for r in out if second.token in r.dedup_key]
    assert old and all(r.status == "cancelled" for r in old)
    assert new and all(r.status == "pending" for r in new)
    assert "구의1동 공영주차장" in str([r.payload for r in new])
    # consent is recorded once, not once per subscription
    assert len(list(await session.scalars(select(Consent).where(Consent.user_id == USER)))) == 1
    # after stopping, subscribing again sends the information again (new keys)
    await nr.unsubscribe(session, USER)
    third = await nr.subscribe(session, svc, user_id=USER, dong="구의1동", moved_in_on=TODAY, household=Household())
    await session.commit()
    assert any(third.token in r.dedup_key and r.status == "pending" for r in await rows(session))


async def test_a_dong_without_a_data_file_still_subscribes_with_a_clear_note(session, svc):
    await add_user(session)
    await nr.subscribe(session, svc, user_id=USER, dong="중곡1동", moved_in_on=TODAY, household=Household())
    out = await rows(session)
    assert [r.method for r in out] == ["sendMessage", "sendMessage"]
    assert "준비 중" in out[0].payload["text"] and "02-450-1114" in out[0].payload["text"]
    with pytest.raises(ValueError):
        await nr.subscribe(session, svc, user_id=USER, dong="강남동", moved_in_on=TODAY, household=Household())
    with pytest.raises(ValueError):
        await nr.subscribe(
            session, svc, user_id=USER, dong="자양1동", moved_in_on=TODAY, household=Household(head_age="99s")
        )


async def test_expire_after_the_retention_period(session, svc, clock):
    await add_user(session, 501)
    await add_user(session, 502)
    await nr.subscribe(session, svc, user_id=501, dong="자양1동", moved_in_on=date(2024, 11, 20), household=Household())
    await nr.subscribe(session, svc, user_id=502, dong="자양1동", moved_in_on=date(2025, 12, 1), household=Household())
    await session.commit()
    assert await nr.expire(session, svc) == 1  # 2024-11-20 + 730 days < 2026-11-23
    await session.commit()
    assert await session.get(NewResident, 501) is None and await session.get(NewResident, 502) is not None
    assert all(r.status == "cancelled" for r in await rows(session, 501))


# --- questions ----------------------------------------------------------------------------------------


async def test_a_question_is_a_complaint_of_kind_질의_for_the_topics_department(session, svc, clock):
    from workflows.business_time import Period
    from workflows.roles import grant

    await add_user(session)
    await grant(
        session, user_id=700, role="officer", department_code="CLEAN", by=None, departments=svc.district.departments
    )
    c, created = await nr.file_question(
        session, svc, user_id=USER, topic="waste", text="재활용 쓰레기는 몇 시부터 내놓을 수 있나요?", submit_key="q1"
    )
    await session.commit()
    assert created and c.kind == "질의" and c.category_code == "waste" and c.department_code == "CLEAN"
    assert c.period == "7d" and c.deadline_at == svc.calendar.deadline(clock(), Period(days=7))
    card = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == 700))
    assert "(질의)" in card.payload["text"] and "재활용 쓰레기" in card.payload["text"]
    assert svc.district.category("waste").kind == "고충"  # the district profile itself is unchanged
    again, created = await nr.file_question(
        session, svc, user_id=USER, topic="waste", text="재활용 쓰레기는 몇 시부터 내놓을 수 있나요?", submit_key="q1"
    )
    assert not created and again.id == c.id
    other, _ = await nr.file_question(
        session, svc, user_id=USER, topic="other", text="전입신고는 온라인으로도 할 수 있나요?", submit_key="q2"
    )
    assert (other.kind, other.department_code, other.period) == ("질의", "CIVIL", "7d")
    for bad_topic, text in (
        ("nope", "열 글자가 넘는 질문입니다"),
        ("waste", "짧음"),
        ("waste", "제 번호는 900101-1234567 입니다 확인해 주세요"),
    ):
        with pytest.raises(ValueError):
            await nr.file_question(session, svc, user_id=USER, topic=bad_topic, text=text, submit_key="q3")
    assert len(list(await session.scalars(select(Complaint)))) == 2


# --- the delivery worker and a follow-up a week ahead ----------------------------------------------


async def test_a_follow_up_a_week_ahead_does_not_hold_back_the_chat(fake, db_sessionmaker, svc, clock):
    """The follow-up is the chat's oldest pending row for a week; later rows still go out."""
    # The delivery worker reads the real clock: the subscription must be made at the real time too,
    # or a week after the unit clock's fixed day may already have passed.
    clock.at = datetime.now(KST)
    async with db_sessionmaker() as session:
        await add_user(session)
        await nr.subscribe(
            session, svc, user_id=USER, dong="구의1동", moved_in_on=clock().date(), household=Household()
        )
        await session.commit()
    bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
    worker = DeliveryWorker(bot, db_sessionmaker, rate=200, private_interval=0.01, idle_poll=0.05)
    task = asyncio.create_task(worker.run())
    try:
        async with db_sessionmaker() as session:
            n_info = len(await rows(session)) - 1
        await fake.wait_for(lambda c: len(fake.sent(USER)) >= n_info, timeout=10)
        async with db_sessionmaker() as session:  # queued after the follow-up
            await enqueue(session, key="newsletter:9:500", chat_id=USER, text="12월 소식지")
            await session.commit()
        worker.wake()
        await fake.wait_text(USER, "12월 소식지", timeout=5)
        for _ in range(100):  # the worker records "sent" just after Telegram's answer
            async with db_sessionmaker() as session:
                left = [r.dedup_key.rsplit(":", 1)[-1] for r in await rows(session) if r.status == "pending"]
            if left == ["followup"]:
                break
            await asyncio.sleep(0.05)
        assert left == ["followup"]
        assert fake.sent(USER, "sendVenue") == [] and n_info == 2  # basics, libraries and parks
    finally:
        await worker.stop()
        await task
        await bot.session.close()
