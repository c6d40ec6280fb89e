"""Nothing a resident gives is silently dropped (issue 15 §2), through the real bot: photos stay
when a button is pressed, a button acts only on the step it was shown for, a photo's caption is
taken with the photo, text typed at a button step leaves the form as it was, and what was asked
before the privacy consent goes on after it."""

from sqlalchemy import select

from workflows.models import Complaint, FoodOperator
from tests.e2e.test_complaint_loop import consent

CITIZEN = 100
TEXT = "골목 입구에 대형 폐기물이 일주일째 방치되어 있습니다."


def labels(call) -> list[str]:
    return [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


async def to_photo_step(h, user_id=CITIZEN):
    await h.say(user_id, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(user_id, "쓰레기·청소", expect="무엇이 문제인지")
    return await h.say(user_id, TEXT, expect="사진이 있으면")


async def press_on(h, fake, user_id, call, label, expect):
    """Press the button ``label`` of the message ``call`` sent (an older keyboard, not the last)."""
    msg_id, data = fake.button(call, label)
    mark = fake.mark()
    fake.callback(user_id, data, message_id=msg_id)
    return await fake.wait_text(user_id, expect, after=mark)


async def test_photo_buttons_keep_the_photos_and_act_only_on_their_own_step(harness, fake):
    h = harness
    await consent(h)
    ask = await to_photo_step(h)
    assert labels(ask) == ["건너뛰기 (사진 없이 계속)"]  # nothing to finish yet: skip is all there is
    for n in range(1, 6):
        got = await h.say(CITIZEN, photo=True, expect=f"사진 {n}/5장 받았습니다")
        # under a received photo: what the button does, and no button that would drop the photos
        assert labels(got) == [f"✅ 완료 (사진 {n}장 첨부)"]
    # the first question's skip, pressed now, keeps the five photos (it is still the photo step)
    kept = await press_on(h, fake, CITIZEN, ask, "건너뛰기", "그대로 첨부합니다")
    assert "사진 5장" in kept.params["text"]
    await fake.wait_text(CITIZEN, "위치를 알려 주세요")
    # the photo step's buttons are stale now: they neither skip the place nor drop the photos
    mark = fake.mark()
    msg_id, data = fake.button(got, "완료")
    fake.callback(CITIZEN, data, message_id=msg_id)
    stale = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert "유효하지" in stale.params.get("text", "")
    again = await fake.wait_text(CITIZEN, "위치를 알려 주세요", after=mark)  # where the form is now
    assert labels(again) == ["건너뛰기"]
    await h.say(CITIZEN, "서울 샘플구 자양1동 12-3", expect="연락처를 남기시겠어요")
    summary = await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    assert "사진: 5장" in summary.params["text"] and "자양1동 12-3" in summary.params["text"]
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert len(c.photos) == 5 and c.address == "서울 샘플구 자양1동 12-3"


async def test_a_double_tap_on_done_does_not_jump_past_the_place(harness, fake):
    h = harness
    await consent(h)
    await to_photo_step(h)
    got = await h.say(CITIZEN, photo=True, expect="사진 1/5장")
    msg_id, data = fake.button(got, "완료")
    mark = fake.mark()
    fake.callback(CITIZEN, data, message_id=msg_id)
    fake.callback(CITIZEN, data, message_id=msg_id)  # the second tap of a double tap
    await fake.wait_text(CITIZEN, "위치를 알려 주세요", after=mark)
    await fake.wait_for(
        lambda c: c.method == "answerCallbackQuery" and "유효하지" in c.params.get("text", ""), after=mark
    )
    # still at the place: an address typed now is the address, not a wrong phone number
    await h.say(CITIZEN, "서울 샘플구 화양동 45", expect="연락처를 남기시겠어요")
    summary = await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    assert "화양동 45" in summary.params["text"] and "사진: 1장" in summary.params["text"]


async def test_editing_the_photos_keeps_them_until_the_resident_removes_them(harness, fake):
    h = harness
    await consent(h)
    await to_photo_step(h)
    await h.say(CITIZEN, photo=True, expect="사진 1/5장")
    await h.say(CITIZEN, photo=True, expect="사진 2/5장")
    await h.press(CITIZEN, "완료", expect="위치")
    await h.press(CITIZEN, "건너뛰기", expect="연락처")
    await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    await h.press(CITIZEN, "수정", expect="무엇을 고칠까요")
    ask = await h.press(CITIZEN, "사진", expect="사진 2장이 첨부되어 있습니다")
    assert labels(ask) == ["✅ 완료 (사진 2장 첨부)", "🗑 사진 모두 빼기"]
    await h.say(CITIZEN, photo=True, expect="사진 3/5장")
    summary = await h.press(CITIZEN, "완료", expect="신청 내용 확인")
    assert "사진: 3장" in summary.params["text"]
    await h.press(CITIZEN, "수정", expect="무엇을 고칠까요")
    await h.press(CITIZEN, "사진", expect="사진 3장이 첨부되어 있습니다")
    await h.press(CITIZEN, "사진 모두 빼기", expect="사진이 있으면 보내 주세요")
    assert "사진을 모두 뺐습니다." in fake.texts(CITIZEN)
    summary = await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    assert "사진: 0장" in summary.params["text"]


async def test_a_photo_with_a_caption_is_taken_whole_in_the_form_and_outside_it(harness, fake):
    h = harness
    await consent(h)
    # at the text step: the caption is the complaint's text and the photo is attached
    await h.say(CITIZEN, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(CITIZEN, "도로·보도·가로등", expect="무엇이 문제인지")
    got = await h.say(
        CITIZEN,
        photo=True,
        caption="집 앞 가로등이 사흘째 꺼져 있어 밤길이 위험합니다.",
        expect="사진 1장이 첨부되어 있습니다",
    )
    assert labels(got) == ["✅ 완료 (사진 1장 첨부)", "🗑 사진 모두 빼기"]
    # at the photo step: the photo is taken and the caption is added to the text, as the reply says
    added = await h.say(CITIZEN, photo=True, caption="전봇대 번호는 자양-112입니다.", expect="사진 2/5장")
    assert "내용 끝에 덧붙였습니다" in added.params["text"]
    await h.press(CITIZEN, "완료", expect="위치")
    await h.press(CITIZEN, "건너뛰기", expect="연락처")
    summary = await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    text = summary.params["text"]
    assert "사흘째 꺼져 있어" in text and "자양-112" in text and "사진: 2장" in text
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert len(c.photos) == 2 and c.description.endswith("전봇대 번호는 자양-112입니다.")

    # a photo without its text at the text step is kept too, and the text is asked for
    await h.say(CITIZEN, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(CITIZEN, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(CITIZEN, photo=True, expect="글로 적어서 보내 주세요")
    await h.say(CITIZEN, TEXT, expect="사진 1장이 첨부되어 있습니다")
    await h.say(CITIZEN, "/cancel", expect="삭제했습니다")

    # outside any form: offered as a complaint, the caption as its text and the photo attached
    offer = await h.say(
        CITIZEN, photo=True, caption="공원 벤치가 부서져서 못이 튀어나와 있어요.", expect="민원으로 신청할까요"
    )
    assert "사진 1장" in offer.params["text"]
    await h.press(CITIZEN, "신청", expect="사진 1장이 첨부되어 있습니다")
    await h.press(CITIZEN, "완료", expect="위치")
    await h.press(CITIZEN, "건너뛰기", expect="연락처")
    summary = await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    assert "벤치가 부서져서" in summary.params["text"] and "사진: 1장" in summary.params["text"]
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    rows = await h.db(select(Complaint).where(Complaint.citizen_id == CITIZEN).order_by(Complaint.id))
    assert len(rows) == 2 and len(rows[1].photos) == 1 and rows[1].department_code == "PARKS"


async def test_text_typed_at_a_button_step_leaves_the_form_as_it_was(harness, fake):
    h, op = harness, 300
    await h.say(op, "/foodalert", expect="식중독 예방 알림")
    await h.press(op, "업소 등록하기", expect="업소명(상호)을")
    await h.say(op, "한강식당", expect="업종을 골라")
    mark = fake.mark()
    await h.say(op, "한식이에요", expect="버튼을 눌러 주세요")
    await fake.wait_text(op, "업종을 골라", after=mark)  # asked again, under the reply
    assert "민원으로 신청할까요" not in "\n".join(fake.texts(op))
    await h.press(op, "한식", expect="동을 골라")
    await h.say(op, "자양동이요", expect="버튼을 눌러 주세요")
    await h.say(op, photo=True, caption="가게 사진입니다", expect="버튼을 눌러 주세요")
    confirm = await h.press(op, "자양1동", expect="등록 내용 확인")
    assert "한강식당" in confirm.params["text"]
    await h.say(op, "네 맞아요", expect="버튼을 눌러 주세요")
    await h.press(op, "알림 받기", expect="등록되었습니다")
    row = await h.one(FoodOperator, user_id=op)
    assert (row.business_name, row.business_type, row.dong) == ("한강식당", "korean", "자양1동")

    # the complaint form's summary and the birth form's buttons: the same
    await consent(h)
    await to_photo_step(h)
    await h.press(CITIZEN, "건너뛰기", expect="위치")
    await h.press(CITIZEN, "건너뛰기", expect="연락처")
    await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    await h.say(CITIZEN, "이대로 해 주세요", expect="버튼을 눌러 주세요")
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")


async def test_what_was_asked_before_the_consent_goes_on_after_it(harness, fake):
    h = harness
    # /complaint before the consent: after it, the form starts
    await h.say(CITIZEN, "/complaint", expect="개인정보 수집·이용 동의")
    await h.press(CITIZEN, "동의합니다", expect="민원 분야를 골라 주세요")
    await h.say(CITIZEN, "/cancel", expect="삭제했습니다")

    # free text before the consent: offered, and after the consent the form goes on with it
    other = 101
    await h.say(other, "집 앞 가로등이 고장났어요. 밤에 너무 어두워요.", expect="민원으로 신청할까요")
    await h.press(other, "신청", expect="개인정보 수집·이용 동의")
    await h.press(other, "동의합니다", expect="사진이 있으면")
    await h.press(other, "건너뛰기", expect="위치")
    await h.press(other, "건너뛰기", expect="연락처")
    summary = await h.press(other, "건너뛰기", expect="신청 내용 확인")
    assert "가로등이 고장났어요" in summary.params["text"] and "건설과" in summary.params["text"]

    # a photo with a caption before the consent: both are there after it
    third = 102
    await h.say(third, photo=True, caption="공원 벤치가 부서져서 못이 튀어나와 있어요.", expect="민원으로 신청할까요")
    await h.press(third, "신청", expect="개인정보 수집·이용 동의")
    await h.press(third, "동의합니다", expect="사진 1장이 첨부되어 있습니다")

    # refusing drops what was kept: a later consent starts nothing
    fourth = 103
    await h.say(fourth, "/complaint", expect="개인정보 수집·이용 동의")
    await h.press(fourth, "동의하지 않음", expect="동의하지 않으셨습니다")
    await h.say(fourth, "/privacy", expect="개인정보")
    mark = fake.mark()
    await h.press(fourth, "동의합니다", expect="동의가 기록되었습니다")
    await fake.wait_idle()
    assert not any(
        "민원 분야를 골라" in c.params.get("text", "")
        for c in fake.requests[mark:]
        if c.method == "sendMessage" and c.params.get("chat_id") == fourth
    )
