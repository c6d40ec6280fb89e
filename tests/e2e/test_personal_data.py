"""Personal data stays where the notices say, through the real bot: a 주민등록번호 is refused at
every text step (residents' and officers'), the form staying where it was; group chats get no
resident's text, phone, address or name; officers see phone numbers typed into free text masked."""
from sqlalchemy import select

from bot.db.models import Complaint, ComplaintEvent, FsmRecord, OutboxMessage, Rating
from tests.e2e.harness import ADMIN
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
    stored = [c.address, c.description, c.answer_text, r.comment,
              *(e.note or "" for e in await h.db(select(ComplaintEvent))),
              *(str(p) for p in await h.db(select(FsmRecord.data))),
              *(str(p) for p in await h.db(select(OutboxMessage.payload))),
              *(call.params.get("text", "") for call in fake.sent(OFFICER))]
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
    fake.raw_update({"update_id": msg["update_id"] + 1, "edited_message": {
        **msg["message"], "edit_date": msg["message"]["date"] + 1, "text": "가로등 고장, 900101_1234567"}})
    await fake.wait_text(101, "resident registration number", after=mark)
