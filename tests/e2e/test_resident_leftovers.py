"""Issue 15, what was left: English 동 names in /licensetax, /foodalert and /opinion; one-stop and
tax cards in department group chats carry nothing personal (a private deep link opens the item);
a photo with a caption at the complaint form's location or phone step keeps both; an edited
message is handled the same way in every form."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import FoodOperator, LicenseTaxNotice, OpinionSubscription
from tests.e2e.english import check, proper_names
from tests.e2e.harness import ADMIN, BotHarness
from workflows import license_tax as lt
from workflows.district import DEFAULT_PATH

EN = 500


def fast(h):
    h.app.worker.private_interval = h.app.worker.group_interval = 0.02
    return h


async def say_en(h, user, text, expect):
    return await h.say(user, text, expect=expect, language_code="en")


def labels(call) -> list[str]:
    return [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


# --- 1. English 동 names ---------------------------------------------------------------------------

async def test_food_alert_registration_shows_english_dong_names(harness, fake):
    h = fast(harness)
    start = fake.mark()
    await say_en(h, EN, "/foodalert", "Food-poisoning")
    await h.press(EN, "Register my business", expect="business name")
    await say_en(h, EN, "Han River Diner", "type of business")
    ask = await h.press(EN, "Korean", expect="Choose the dong your business is in")
    assert "Jayang 1-dong (자양1동)" in labels(ask) and "자양1동" not in labels(ask)
    confirm = await h.press(EN, "Jayang 1-dong", expect="Please check")
    assert "Dong: Jayang 1-dong (자양1동)" in confirm.params["text"]
    await h.press(EN, "Start alerts", expect="Registered")
    assert (await h.one(FoodOperator, user_id=EN)).dong == "자양1동"  # stored as the district knows it
    status = await say_en(h, EN, "/foodalert", "registered")
    assert "Dong: Jayang 1-dong (자양1동)" in status.params["text"]
    # changing the 동 later: the same English buttons
    change = await h.press(EN, "dong", expect="Choose the dong your business is in")
    assert "Hwayang-dong (화양동)" in labels(change)
    await fake.wait_idle()
    assert not check(fake.requests[start:], proper_names(h.app.svc.district)), \
        check(fake.requests[start:], proper_names(h.app.svc.district))


async def test_opinion_day_dong_buttons_and_home_in_english(harness, fake):
    h = fast(harness)
    await say_en(h, EN, "/opinion", "Opinion")
    ask = await h.press(EN, "Agree and subscribe", expect="Choose your dong")
    assert "Guui 2-dong (구의2동)" in labels(ask) and "구의2동" not in labels(ask)
    await h.press(EN, "Guui 2-dong", expect="Saved your dong: Guui 2-dong (구의2동).")
    assert (await h.one(OpinionSubscription, user_id=EN)).dong == "구의2동"
    home = await say_en(h, EN, "/opinion", "Opinion")
    assert "Guui 2-dong (구의2동)" in home.params["text"]


async def test_license_tax_dong_buttons_summary_and_notice_in_english(harness, fake):
    h = fast(harness)
    await say_en(h, EN, "/licensetax", "how we use your data")
    await h.press(EN, "Agree and continue", expect="Which licence")
    await say_en(h, EN, "karaoke", "matching")
    await h.press(EN, "karaoke room business", expect="What are you applying for")
    await h.press(EN, "a new licence", expect="body that grants the licence")
    await h.press(EN, "Gwangjin Police Station", expect="business name")
    ask = await say_en(h, EN, "Song World", "Pick the dong of the business")
    assert "Hwayang-dong (화양동)" in labels(ask) and "화양동" not in labels(ask)
    await h.press(EN, "Hwayang-dong", expect="taxpayer's name")
    await h.press(EN, "Skip", expect="licence certificate")
    issue = lt.local_today(h.app.svc) + timedelta(days=10)
    summary = await say_en(h, EN, issue.isoformat(), "Please check")
    assert "Place: Hwayang-dong (화양동)" in summary.params["text"]
    await h.press(EN, "Get the notice", expect="Request received")
    n = await h.one(LicenseTaxNotice, citizen_id=EN)
    assert n.dong == "화양동"
    # the texts made from the stored notice later name the 동 in English too (Korean stays Korean)
    svc = h.app.svc
    assert "Hwayang-dong (화양동)" in lt.verify_text(svc, n, "en")
    assert "Hwayang" not in lt.verify_text(svc, n, "ko") and "화양동" in lt.verify_text(svc, n, "ko")


# --- 3. a photo at the complaint form's place or phone step ---------------------------------------

CITIZEN = 100


async def to_location_step(h, photos: int = 0):
    from tests.e2e.test_complaint_loop import consent
    await consent(h, CITIZEN)
    await h.say(CITIZEN, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(CITIZEN, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(CITIZEN, "골목 입구에 대형 폐기물이 일주일째 방치되어 있습니다.", expect="사진이 있으면")
    for n in range(1, photos + 1):
        await h.say(CITIZEN, photo=True, expect=f"사진 {n}/5장 받았습니다")
    await h.press(CITIZEN, "완료" if photos else "건너뛰기", expect="위치를 알려 주세요")


async def test_a_photo_with_a_caption_at_the_place_and_phone_steps_keeps_both(harness, fake):
    from bot.db.models import Complaint
    h = fast(harness)
    await to_location_step(h)
    got = await h.say(CITIZEN, photo=True, caption="자양1동 12-3 골목 입구", expect="사진 설명을 주소로 받았습니다")
    assert "사진을 첨부했습니다 (사진 1/5장)" in got.params["text"] and "자양1동 12-3 골목 입구" in got.params["text"]
    await fake.wait_text(CITIZEN, "연락처를 남기시겠어요")
    got = await h.say(CITIZEN, photo=True, caption="010 2345 6789", expect="연락처로 받았습니다: 010-****-6789")
    assert "사진을 첨부했습니다 (사진 2/5장)" in got.params["text"]
    summary = await fake.wait_text(CITIZEN, "신청 내용 확인")
    assert "사진: 2장" in summary.params["text"] and "자양1동 12-3 골목 입구" in summary.params["text"]
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert len(c.photos) == 2 and c.address == "자양1동 12-3 골목 입구"
    assert h.app.svc.cipher.decrypt(c.phone_enc) == "010-2345-6789"


async def test_a_photo_without_caption_or_past_five_at_those_steps_is_said_and_the_step_stays(harness, fake):
    from bot.db.models import Complaint
    h = fast(harness)
    await to_location_step(h, photos=4)
    # no caption: attached, and the place is asked again with its buttons
    got = await h.say(CITIZEN, photo=True, expect="사진을 첨부했습니다 (사진 5/5장)")
    assert "위치를 공유하거나 주소를 적어" in got.params["text"] and "reply_markup" in got.params
    # a sixth: not attached, said so; its caption is still the address
    got = await h.say(CITIZEN, photo=True, caption="화양동 5-1 앞", expect="사진 설명을 주소로 받았습니다")
    assert "사진은 5장까지라 이 사진은 더하지 않았습니다" in got.params["text"]
    await fake.wait_text(CITIZEN, "연락처를 남기시겠어요")
    # at the phone step: a caption that is no phone is said so, the step stays
    got = await h.say(CITIZEN, photo=True, caption="사진 한 장 더 보내요", expect="연락처로 받지 않았습니다")
    assert "5장까지" in got.params["text"] and "전화번호를 적어 주세요" in got.params["text"]
    got = await h.say(CITIZEN, photo=True, expect="전화번호를 적어 주세요")
    await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert len(c.photos) == 5 and c.address == "화양동 5-1 앞" and c.phone_enc is None


async def test_a_photo_with_a_bad_caption_at_the_place_step_keeps_the_photo(harness, fake):
    h = fast(harness)
    await to_location_step(h)
    got = await h.say(CITIZEN, photo=True, caption="x" * 301, expect="주소로 받지 않았습니다")
    assert "사진을 첨부했습니다 (사진 1/5장)" in got.params["text"]
    await h.say(CITIZEN, "자양1동 12-3", expect="연락처를 남기시겠어요")
    await h.press(CITIZEN, "건너뛰기", expect="사진: 1장")
