"""Personal data stays where the notices say, through the real bot: a 주민등록번호 is refused at
every text step (residents' and officers'), the form staying where it was; group chats get no
resident's text, phone, address or name; officers see phone numbers typed into free text masked."""

import pytest
from sqlalchemy import select

from workflows.models import Complaint, ComplaintEvent, FsmRecord, OutboxMessage, Rating
from tests.e2e.harness import ADMIN, BotHarness, district_with_groups
from tests.e2e.test_complaint_loop import consent

CITIZEN, OFFICER = 100, 200
REFUSED = "주민등록번호로 보이는 숫자가 있어 이 메시지는 받지 않았습니다"


async def test_a_resident_number_is_refused_at_every_text_step_and_the_form_stays(harness, fake, caplog):
    caplog.set_level("INFO")
    h = harness
    await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await consent(h)
    await h.say(CITIZEN, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(CITIZEN, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(CITIZEN, "골목 입구에 대형 폐기물이 일주일째 방치되어 있습니다.", expect="사진이 있으면")
    # a photo whose caption holds one: refused whole, nothing counted
    await h.say(CITIZEN, photo=True, caption="제 주민번호 900101-1234567", expect=REFUSED)
    await h.press(CITIZEN, "건너뛰기", expect="위치를 알려 주세요")
    # the typed address (today stored and forwarded as it is), with an en dash
    await h.say(CITIZEN, "자양1동 12-3 홍길동 900101–1234567", expect=REFUSED)
    await h.say(CITIZEN, "자양1동 12-3 골목 입구", expect="연락처를 남기시겠어요")  # the same step, again
    await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert c.address == "자양1동 12-3 골목 입구" and c.photos == []
    await fake.wait_text(OFFICER, f"새 민원 {c.receipt_no}")

    # an officer's answer, with spaces instead of a dash
    await h.press(OFFICER, "답변", expect="답변을 적어 주세요")
    await h.say(OFFICER, "민원인 900101 1234567 님 댁 앞 폐기물을 수거했습니다.", expect=REFUSED)
    await h.say(OFFICER, "댁 앞 폐기물을 오늘 오후에 수거했습니다.", expect="답변 미리보기")
    await h.press(OFFICER, "보내기", expect="답변을 보냈습니다")
    await fake.wait_text(CITIZEN, "청소행정과의 답변")

    # the reopen comment, with no separator at all
    await h.press(CITIZEN, "해결 안 됨", expect="무엇이 해결되지 않았는지")
    await h.say(CITIZEN, "아직 그대로예요. 확인용 번호 9001011234567", expect=REFUSED)
    await h.say(CITIZEN, "아직 골목 입구에 그대로 있습니다. 다시 봐 주세요.", expect="재처리를 요청했습니다")
    await fake.wait_text(OFFICER, f"재처리 요청 {c.receipt_no}")
    await h.press(OFFICER, "답변", expect="답변을 적어 주세요")
    await h.say(OFFICER, "남은 폐기물까지 모두 수거했습니다. 감사합니다.", expect="답변 미리보기")
    await h.press(OFFICER, "보내기", expect="답변을 보냈습니다")
    await fake.wait_text(CITIZEN, "남은 폐기물까지")

    # the rating comment, in full-width digits
    await h.press(CITIZEN, "해결됨", expect="민원을 종결했습니다")
    await fake.wait_text(CITIZEN, "얼마나 만족하셨나요")
    await h.press(CITIZEN, "5 😊", expect="평가해 주셔서 감사합니다")
    await h.press(CITIZEN, "항목별 평가하기", expect="첫인사")
    for label, nxt in (("4", "안내"), ("5", "말투"), ("5", "답변"), ("3", "끝인사")):
        await h.press(CITIZEN, label, expect=nxt)
    await h.press(CITIZEN, "5 😊", expect="하고 싶은 말씀")
    await h.say(CITIZEN, "감사합니다 ９００１０１－２２３４５６７", expect=REFUSED)
    await h.say(CITIZEN, "빨리 처리해 주셔서 감사합니다.", expect="소중한 평가 감사합니다")

    c = await h.one(Complaint, id=c.id)
    r = await h.one(Rating, complaint_id=c.id)
    assert c.state == "closed" and r.comment == "빨리 처리해 주셔서 감사합니다."
    # nowhere: not the case, its history, the rating, the forms, any message queued or sent, the logs
    stored = [
        c.address,
        c.description,
        c.answer_text,
        r.comment,
        *(e.note or "" for e in await h.db(select(ComplaintEvent))),
        *(str(p) for p in await h.db(select(FsmRecord.data))),
        *(str(p) for p in await h.db(select(OutboxMessage.payload))),
        *(call.params.get("text", "") for call in fake.sent(OFFICER)),
    ]
    for digits in ("1234567", "2234567", "２２３４５６７"):
        assert not any(digits in s for s in stored)
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "1234567" not in logged and "２３４５６７" not in logged


async def test_a_resident_number_is_refused_outside_a_form_and_in_an_edited_message(harness, fake):
    h = harness
    await consent(h)
    await h.say(CITIZEN, "주민번호 900101.1234567 로 조회해 주세요", expect=REFUSED)
    assert "민원으로 신청할까요" not in "".join(fake.texts(CITIZEN))
    # in English, and in an edit of an earlier message (opinion days take edits)
    msg = fake.message(101, "가로등이 고장났어요. 밤에 너무 어두워요.", language_code="en")
    await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == 101)
    mark = fake.mark()
    fake.raw_update(
        {
            "update_id": msg["update_id"] + 1,
            "edited_message": {
                **msg["message"],
                "edit_date": msg["message"]["date"] + 1,
                "text": "가로등 고장, 900101_1234567",
            },
        }
    )
    await fake.wait_text(101, "resident registration number", after=mark)


# --- group chats -------------------------------------------------------------------------------

GROUP = -1001000000777  # the sanitation division's group chat (a supergroup)
STRANGER = 300
TEXT = "골목 입구 폐기물이 방치되어 있어요. 홍길동 010-2222-3333 으로 연락 주세요."


@pytest.fixture
async def grouped(fake, tmp_path):
    """The bot with the sample district whose 청소행정과 has a group chat."""
    h = BotHarness(fake, tmp_path, **district_with_groups(tmp_path, {"CLEAN": GROUP}))
    await h.start()
    h.app.worker.private_interval = h.app.worker.group_interval = 0.02
    yield h
    await h.stop()


async def file_with_phone_in_text(h, user_id=CITIZEN):
    await h.say(user_id, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(user_id, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(user_id, TEXT, expect="사진이 있으면")
    await h.press(user_id, "건너뛰기", expect="위치를 알려 주세요")
    await h.say(user_id, "자양1동 12-3 김철수 씨 댁 앞 (010-4444-5555)", expect="연락처를 남기시겠어요")
    summary = await h.say(user_id, "010-6666-7777", expect="신청 내용 확인")
    await h.press(user_id, "제출", expect="민원이 접수되었습니다")
    return summary


def personal(text: str) -> list[str]:
    """The resident's text, name, address detail or any of their phone numbers, found in ``text``."""
    return [p for p in ("폐기물이 방치", "홍길동", "김철수", "12-3", "3333", "5555", "7777") if p in text]


def link_of(call) -> str:
    return call.params["reply_markup"]["inline_keyboard"][0][0]["url"]


async def test_group_chats_get_no_personal_data(grouped, fake):
    h = grouped
    await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await consent(h)
    await file_with_phone_in_text(h)
    c = await h.one(Complaint, citizen_id=CITIZEN)

    # the department's group card: receipt, category, 동, deadline, state; nothing the resident wrote;
    # a button that opens the case in the private chat
    card = await fake.wait_text(GROUP, f"새 민원 {c.receipt_no}")
    text = card.params["text"]
    assert "쓰레기·청소" in text and "자양1동" in text and "처리 기한" not in text and not personal(text), text
    assert link_of(card) == f"https://t.me/minwon_test_bot?start=case_{c.receipt_no}"
    assert all("callback_data" not in b for row in card.params["reply_markup"]["inline_keyboard"] for b in row)

    # /status and the complaint form in the group: a pointer to the private chat, nothing else
    reply = await h.say(CITIZEN, "/status", chat_id=GROUP, expect="1:1 대화에서 /status")
    assert link_of(reply) == "https://t.me/minwon_test_bot?start=status"
    await h.say(CITIZEN, "/complaint@minwon_test_bot", chat_id=GROUP, expect="1:1 대화에서 /complaint")
    await h.say(CITIZEN, "/menu", chat_id=GROUP, expect="1:1 대화에서 /menu")
    await h.say(CITIZEN, "/privacy", chat_id=GROUP, expect="1:1 대화에서 /privacy")
    # an officer's /find and /inbox
    found = await h.say(OFFICER, f"/find {c.receipt_no}", chat_id=GROUP, expect="1:1 대화에서 /find")
    assert link_of(found) == f"https://t.me/minwon_test_bot?start=case_{c.receipt_no}"
    await h.say(OFFICER, "/inbox", chat_id=GROUP, expect="1:1 대화에서 /inbox")
    # an old card's button (or a forged one) pressed in the group: an alert, no card
    gmark = fake.mark()
    fake.callback(OFFICER, f"op:open:{c.id}", message_id=card.result["message_id"], chat_id=GROUP)
    alert = await fake.wait_for(lambda x: x.method == "answerCallbackQuery", after=gmark)
    assert "1:1 대화" in alert.params["text"] and alert.params.get("show_alert")
    # what stays in a group still works
    await h.say(OFFICER, "/help", chat_id=GROUP, expect="도움말")
    await fake.wait_idle()
    posted = [x.params.get("text", "") + x.params.get("caption", "") for x in fake.sent(GROUP)]
    assert len(posted) >= 8 and not any(personal(p) for p in posted), [personal(p) for p in posted]
    assert not fake.sent(GROUP, "sendPhoto") and not fake.sent(GROUP, "sendLocation")

    # the link, in private: the officer gets the card (the phone in the text masked), a stranger nothing
    opened = await h.say(OFFICER, f"/start case_{c.receipt_no}", expect=f"<b>{c.receipt_no}</b>")
    assert "010-6666-7777" in opened.params["text"]  # the contact the resident left for the officer
    assert "010-****-3333" in opened.params["text"] and "010-2222-3333" not in opened.params["text"]
    await h.say(STRANGER, f"/start case_{c.receipt_no}", expect="해당 민원을 찾을 수 없습니다")
    await h.say(CITIZEN, "/start status", expect="내 민원")


async def test_officers_see_phone_numbers_typed_into_free_text_masked(harness, fake):
    """The resident's own view keeps what they wrote; the summary tells them officers will not see
    the numbers; officers' cards, the reopen notice and the history show them masked."""
    h = harness
    await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await consent(h)
    summary = (await file_with_phone_in_text(h)).params["text"]
    assert "010-2222-3333" in summary and "010-4444-5555" in summary  # their own view: as written
    assert "담당 공무원에게 010-****-5678처럼 가려서 보입니다" in summary
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert c.description == TEXT and "010-4444-5555" in c.address  # stored as written, for the resident

    card = (await fake.wait_text(OFFICER, f"새 민원 {c.receipt_no}")).params["text"]
    assert "010-****-3333" in card and "010-****-5555" in card and "홍길동" in card
    assert "2222" not in card and "4444" not in card and "6666" not in card  # contact: "✓" only
    opened = (await h.say(OFFICER, f"/find {c.receipt_no}", expect=f"<b>{c.receipt_no}</b>")).params["text"]
    assert "010-****-3333" in opened and "010-****-5555" in opened and "010-6666-7777" in opened
    assert "2222" not in opened and "4444" not in opened

    await h.press(OFFICER, "답변", expect="답변을 적어 주세요")
    await h.say(OFFICER, "폐기물을 오늘 오후에 수거했습니다.", expect="답변 미리보기")
    await h.press(OFFICER, "보내기", expect="답변을 보냈습니다")
    await fake.wait_text(CITIZEN, "청소행정과의 답변")
    await h.press(CITIZEN, "해결 안 됨", expect="무엇이 해결되지 않았는지")
    await h.say(CITIZEN, "아직 남아 있어요. 010 8888 9999 로 전화 주세요.", expect="재처리를 요청했습니다")
    notice = (await fake.wait_text(OFFICER, f"재처리 요청 {c.receipt_no}")).params["text"]
    assert "010-****-9999" in notice and "8888" not in notice
    history = " ".join(x.params["text"] for x in [await h.say(OFFICER, f"/find {c.receipt_no}", expect="처리 이력")])
    assert "010-****-9999" in history and "8888" not in history
    # the resident's /status keeps their words
    await h.say(CITIZEN, "/status", expect="내 민원")
    detail = await h.press(CITIZEN, c.receipt_no, expect="처리 이력")
    mine = " ".join(x.params.get("text", "") for x in fake.sent(CITIZEN)[-3:])
    assert "010-2222-3333" in mine and "010 8888 9999" in mine, detail.params["text"]
