"""Issue 15, what was left: English 동 names in /licensetax, /foodalert and /opinion; one-stop and
tax cards in department group chats carry nothing personal (a private deep link opens the item);
a photo with a caption at the complaint form's location or phone step keeps both; an edited
message is handled the same way in every form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from workflows.models import FoodOperator, LicenseTaxNotice, OpinionSubscription
from tests.e2e.english import check, proper_names
from tests.e2e.harness import ADMIN, BotHarness, district_with_groups
from workflows.license_tax import service as lt

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
    assert not check(fake.requests[start:], proper_names(h.app.svc.district)), check(
        fake.requests[start:], proper_names(h.app.svc.district)
    )


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
    from workflows.models import Complaint

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
    from workflows.models import Complaint

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


# --- 2. one-stop and tax cards in department group chats -------------------------------------------

DONG_GROUP, TAX_GROUP = -1001000000501, -1001000000502
PARENT, DONG_OFFICER, HEALTH_OFFICER, TAX_OFFICER, STRANGER = 110, 201, 202, 203, 300


@pytest.fixture
async def grouped(fake, tmp_path):
    """The sample district whose 중곡1동 주민센터 and 세무과 have group chats."""
    h = BotHarness(fake, tmp_path, **district_with_groups(tmp_path, {"DONG-JUNGGOK1": DONG_GROUP, "TAX": TAX_GROUP}))
    await h.start()
    yield fast(h)
    await h.stop()


def link_of(call) -> str:
    return call.params["reply_markup"]["inline_keyboard"][0][0]["url"]


def no_work_buttons(call) -> bool:
    return all("callback_data" not in b for row in call.params["reply_markup"]["inline_keyboard"] for b in row)


async def press_on(fake, user_id, call, label, expect, chat_id=None):
    msg_id, data = fake.button(call, label)
    mark = fake.mark()
    fake.callback(user_id, data, message_id=msg_id, chat_id=chat_id)
    return await fake.wait_text(chat_id or user_id, expect, after=mark)


async def file_birth(h, born):
    await h.say(PARENT, "/birth", expect="개인정보 수집·이용 동의")
    await h.press(PARENT, "동의합니다", expect="아이가 태어난 날")
    await h.say(PARENT, born.isoformat(), expect="몇째")
    await h.press(PARENT, "첫째", expect="가구의 주소지 동")
    await h.press(PARENT, "중곡1동", expect="출생신고는 하셨나요")
    await h.press(PARENT, "했습니다", expect="기초생활보장 수급")
    await h.press(PARENT, "답하지 않기", expect="첫해 예상 합계")
    await h.press(PARENT, "기관별 정보 제공 동의", expect="제3자 제공 동의")
    await h.press(PARENT, "제공에 동의합니다", expect="전화번호")
    await h.say(PARENT, "010 2222 3333", expect="신청 내용 확인")
    await h.press(PARENT, "신청하기", expect="접수되었습니다")


async def test_one_stop_group_cards_hold_nothing_of_the_family_and_open_in_private(grouped, fake):
    from workflows.models import OnestopApplication, OnestopItem
    from workflows.onestop import service as bd

    h = grouped
    for uid, dept in ((DONG_OFFICER, "DONG-JUNGGOK1"), (HEALTH_OFFICER, "HEALTH")):
        await h.say(ADMIN, f"/grant {uid} officer {dept}", expect="역할을 부여했습니다")
    born = bd.local_today(h.app.svc) - timedelta(days=10)
    await file_birth(h, born)
    app = await h.one(OnestopApplication, citizen_id=PARENT)
    item = (
        await h.db(
            select(OnestopItem).where(
                OnestopItem.application_id == app.id, OnestopItem.department_code == "DONG-JUNGGOK1"
            )
        )
    )[0]
    for name in ("부모급여", "아동수당", "첫만남이용권", "가정양육수당"):  # every card is out before the link is used
        await fake.wait_text(DONG_GROUP, name)
        private = await fake.wait_text(DONG_OFFICER, name)
        assert born.isoformat() in private.params["text"]  # the officers' own cards: the facts
    card = await fake.wait_text(
        DONG_GROUP, f"{app.receipt_no}] {bd.item_name(item, app.kind, 'ko', h.app.svc.district)}"
    )
    text = card.params["text"]
    assert "원스톱 세부 신청이 들어왔습니다" in text and "중곡1동 · 상태: 신청됨" in text
    assert born.isoformat() not in text and "첫째" not in text and "2222" not in text
    assert link_of(card) == f"https://t.me/minwon_test_bot?start=os_{item.id}" and no_work_buttons(card)
    # an old card's work button (or a forged one) pressed in the group: an alert, nothing posted
    gmark = fake.mark()
    fake.callback(DONG_OFFICER, f"osi:open:{item.id}", message_id=card.result["message_id"], chat_id=DONG_GROUP)
    alert = await fake.wait_for(lambda x: x.method == "answerCallbackQuery", after=gmark)
    assert "1:1 대화" in alert.params["text"]

    # the link in private: the department's officer gets the full card and its buttons; nobody else
    opened = await h.say(DONG_OFFICER, f"/start os_{item.id}", expect=app.receipt_no)
    assert born.isoformat() in opened.params["text"] and "보완요청" in str(opened.params["reply_markup"])
    for who in (STRANGER, HEALTH_OFFICER, PARENT):
        got = await h.say(who, f"/start os_{item.id}", expect="찾을 수 없거나")
        assert app.receipt_no not in got.params["text"]
    await h.say(STRANGER, "/start os_999999", expect="찾을 수 없거나")

    # the family's answer to a 보완요청 goes to the officer, not to the group
    await press_on(fake, DONG_OFFICER, opened, "보완요청", "보완 요청을 적어")
    await h.say(DONG_OFFICER, "가족관계증명서를 주민센터로 보내 주세요.", expect="보완 요청을 가족에게 보냈습니다")
    await fake.wait_text(PARENT, "보완을 요청했습니다")
    await h.press(PARENT, "답하기", expect="보완 요청에 답해 주세요")
    await h.say(PARENT, "내일 오전에 홍길동이 직접 가져가겠습니다.", expect="답을 전했습니다")
    await fake.wait_text(DONG_OFFICER, "홍길동이 직접")
    told = await fake.wait_text(DONG_GROUP, "가족이 보완 요청에 답했습니다")
    assert "홍길동" not in told.params["text"] and link_of(told).endswith(f"os_{item.id}")
    await fake.wait_idle()
    posted = "\n".join(c.params.get("text", "") for c in fake.sent(DONG_GROUP))
    for secret in (born.isoformat(), "홍길동", "2222", "3333", "가족관계증명서"):
        assert secret not in posted, secret


async def test_tax_group_cards_hold_no_business_or_amount_and_open_for_tax_officers_only(grouped, fake):
    h = grouped
    await h.say(ADMIN, f"/grant {TAX_OFFICER} officer TAX", expect="역할을 부여했습니다")
    await h.say(ADMIN, f"/grant {DONG_OFFICER} officer DONG-JUNGGOK1", expect="역할을 부여했습니다")
    await h.say(PARENT, "/licensetax", expect="개인정보 수집·이용 안내")
    await h.press(PARENT, "동의하고 계속", expect="어떤 면허의 등록면허세인가요")
    await h.say(PARENT, "노래방", expect="검색 결과 1개")
    await h.press(PARENT, "노래연습장업", expect="이번 신청은 어떤 경우인가요")
    await h.press(PARENT, "새로 면허를 받습니다", expect="인허가기관")
    await h.press(PARENT, "광진경찰서", expect="상호(사업장 이름)")
    await h.say(PARENT, "노래세상 화양점", expect="동을 골라 주세요")
    await h.press(PARENT, "화양동", expect="납세자 이름")
    await h.say(PARENT, "김납세", expect="면허증을 받을 예정일")
    await h.press(PARENT, "건너뛰기", expect="신청 내용 확인")
    await h.press(PARENT, "고지서 받기", expect="세무과가 종을 확인하면")
    n = await h.one(LicenseTaxNotice, citizen_id=PARENT)

    await fake.wait_text(TAX_OFFICER, "노래세상 화양점")  # the officer's own card: everything
    card = await fake.wait_text(TAX_GROUP, n.notice_no)
    text = card.params["text"]
    assert "종 확인 필요" in text and "화양동" in text and "노래연습장업" in text
    assert "노래세상" not in text and "김납세" not in text and "40,500" not in text
    assert link_of(card) == f"https://t.me/minwon_test_bot?start=lt_{n.id}" and no_work_buttons(card)
    # a class button pressed in the group (an old card's, or forged): refused, the notice unchanged
    gmark = fake.mark()
    fake.callback(TAX_OFFICER, f"lt:class:{n.id}:3", message_id=card.result["message_id"], chat_id=TAX_GROUP)
    alert = await fake.wait_for(lambda x: x.method == "answerCallbackQuery", after=gmark)
    assert "1:1 대화" in alert.params["text"]
    assert (await h.one(LicenseTaxNotice, id=n.id)).state == lt.AWAITING_CLASS

    opened = await h.say(TAX_OFFICER, f"/start lt_{n.id}", expect=n.notice_no)
    assert "노래세상 화양점" in opened.params["text"] and "3종" in str(opened.params["reply_markup"])
    for who in (STRANGER, DONG_OFFICER, PARENT):
        got = await h.say(who, f"/start lt_{n.id}", expect="찾을 수 없거나")
        assert "노래세상" not in got.params["text"]
    await fake.wait_idle()
    posted = "\n".join(c.params.get("text", "") for c in fake.sent(TAX_GROUP))
    assert "노래세상" not in posted and "김납세" not in posted


# --- 4. edited messages ------------------------------------------------------------------------


def edit(fake, sent: dict, text: str) -> int:
    """Queue Telegram's edit of an earlier message (as a resident edits it in the app); the mark."""
    mark = fake.mark()
    msg = sent["message"]
    fake.raw_update(
        {"update_id": fake._next_update_id, "edited_message": {**msg, "edit_date": msg["date"] + 30, "text": text}}
    )
    return mark


async def test_an_edit_is_never_applied_to_a_form_and_an_edit_with_a_resident_number_is_refused(harness, fake):
    from workflows.models import Complaint, FsmRecord, OutboxMessage
    from tests.e2e.test_complaint_loop import consent

    h = fast(harness)
    await consent(h, CITIZEN)
    await h.say(CITIZEN, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(CITIZEN, "쓰레기·청소", expect="무엇이 문제인지")
    text_msg = fake.message(CITIZEN, "골목 입구에 대형 폐기물이 일주일째 방치되어 있습니다.")
    await fake.wait_text(CITIZEN, "사진이 있으면")
    # the text, edited at the photo step: not applied, said so, the photo step shown again
    mark = edit(fake, text_msg, "골목 입구 폐기물이 열흘째 그대로입니다. 치워 주세요.")
    note = await fake.wait_text(CITIZEN, "고치신 메시지는 반영되지 않습니다", after=mark)
    assert "[수정]" in note.params["text"]
    await fake.wait_text(CITIZEN, "사진이 있으면", after=mark)
    # edited again, now with a resident number: refused as such, nothing of it kept anywhere
    mark = edit(fake, text_msg, "골목 폐기물 신고, 제 번호 900101-1234567")
    refused = await fake.wait_text(CITIZEN, "고치신 메시지에 주민등록번호로 보이는 숫자가 있어", after=mark)
    assert "처음 보내신 그대로" in refused.params["text"]
    await h.press(CITIZEN, "건너뛰기", expect="위치를 알려 주세요")
    address_msg = fake.message(CITIZEN, "자양1동 12-3 골목 입구")
    await fake.wait_text(CITIZEN, "연락처를 남기시겠어요")
    await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    mark = edit(fake, address_msg, "자양1동 12-5 골목 입구")
    await fake.wait_text(CITIZEN, "고치신 메시지는 반영되지 않습니다", after=mark)
    summary = await fake.wait_text(CITIZEN, "신청 내용 확인", after=mark)  # the summary again, [수정] at hand
    assert "일주일째" in summary.params["text"] and "12-3" in summary.params["text"]
    # the way to change it: 수정 → 위치
    await h.press(CITIZEN, "수정", expect="무엇을 고칠까요")
    await h.press(CITIZEN, "위치", expect="위치를 알려 주세요")
    await h.say(CITIZEN, "자양1동 12-5 골목 입구", expect="신청 내용 확인")
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert (
        c.description == "골목 입구에 대형 폐기물이 일주일째 방치되어 있습니다."
        and c.address == "자양1동 12-5 골목 입구"
    )
    # after the form: an edit of the filed text changes nothing and says how to add to it
    mark = edit(fake, text_msg, "취소할게요")
    plain = await fake.wait_text(CITIZEN, "고치신 메시지는 반영되지 않습니다", after=mark)
    assert "새 메시지로" in plain.params["text"]
    await fake.wait_idle()
    assert (await h.one(Complaint, id=c.id)).description == c.description
    stored = [str(p) for p in await h.db(select(FsmRecord.data))] + [
        str(p) for p in await h.db(select(OutboxMessage.payload))
    ]
    assert not any("1234567" in s for s in stored)


async def test_an_edit_in_another_form_and_in_english_says_how_to_change_an_answer(harness, fake):
    h = fast(harness)
    await say_en(h, EN, "/licensetax", "how we use your data")
    await h.press(EN, "Agree and continue", expect="Which licence")
    await say_en(h, EN, "karaoke", "matching")
    await h.press(EN, "karaoke room business", expect="What are you applying for")
    await h.press(EN, "a new licence", expect="body that grants the licence")
    await h.press(EN, "Gwangjin Police Station", expect="business name")
    sent = fake.message(EN, "Song World", language_code="en")
    await fake.wait_text(EN, "Pick the dong of the business")
    mark = edit(fake, sent, "Song Planet")
    note = await fake.wait_text(EN, "Edited messages are not applied", after=mark)
    assert "/cancel and start again" in note.params["text"]
    await fake.wait_idle()
    await h.press(EN, "Hwayang-dong", expect="taxpayer's name")
    await h.press(EN, "Skip", expect="licence certificate")
    summary = await h.press(EN, "Skip", expect="Please check")
    assert "Song World" in summary.params["text"] and "Song Planet" not in summary.params["text"]
