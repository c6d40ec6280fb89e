"""What residents and officers type reaches the other side as typed, whole, through the real bot and
a fake server that refuses what Telegram refuses (HTML it cannot parse, messages over 4,096
characters after parsing): an address with markup, an answer and a comment at their maximum
lengths, and the complete history of such a complaint."""

from tests.e2e.harness import ADMIN
from tests.e2e.test_complaint_loop import consent
from tests.fakes.tg_rules import TEXT_LIMIT, fix_text, parse_html, text_length
from workflows.models import Complaint

CITIZEN, OFFICER = 100, 200
PLACE = "자양동 680-1 <대성빌딩> 뒤편"
LINK = '<a href="https://phish.sample-gu.example/">환급 신청</a>'
ANSWER = "수거 일정 <12월 1일> 안내: " + "답" * 3980  # 4,000 characters, the most an officer may write
COMMENT = "아직 그대로 있습니다 <사진 참고> " + "의" * 980  # 1,000 characters, the most a resident may write


def shown(call) -> str:
    """What the person sees of a sent message (Telegram's parse; the fake accepted it)."""
    plain, entities = parse_html(call.params["text"])
    return fix_text(plain, entities, allow_empty=False)


async def file_with_typed_address(
    h, address: str, description: str = "골목 입구에 대형 폐기물이 일주일째 방치되어 있습니다."
):
    await h.say(CITIZEN, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(CITIZEN, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(CITIZEN, description, expect="사진이 있으면")
    await h.press(CITIZEN, "건너뛰기", expect="위치를 알려 주세요")
    await h.say(CITIZEN, address, expect="연락처를 남기시겠어요")
    summary = await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    assert address in shown(summary)
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    return await h.one(Complaint, citizen_id=CITIZEN)


async def test_an_address_with_markup_reaches_the_officers_as_typed(harness, fake):
    h = harness
    await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await consent(h)
    c = await file_with_typed_address(h, f"{PLACE} {LINK}")
    notice = await fake.wait_text(OFFICER, f"새 민원 {c.receipt_no}")
    assert f"위치: {PLACE} {LINK}" in shown(notice)
    assert not [e for e in parse_html(notice.params["text"])[1] if e["type"] == "text_link"]  # no working link
    card = await h.say(OFFICER, f"/find {c.receipt_no}", expect="위치:")
    assert f"{PLACE} {LINK}" in shown(card) and "접수" in str(card.params["reply_markup"])
    await h.say(OFFICER, "/inbox", expect="처리함")
    card = await h.press(OFFICER, c.receipt_no, expect="위치:")
    assert f"{PLACE} {LINK}" in shown(card)
    await h.press(OFFICER, "접수", expect="맡았습니다")  # and the card's buttons work


async def test_longest_answer_and_comment_reopen_reaches_the_department_and_status_shows_all(harness, fake):
    h = harness
    await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await consent(h)
    description = "폐기물 <대형> 방치: " + "설" * 1986  # 2,000 characters
    c = await file_with_typed_address(h, PLACE, description)
    await fake.wait_text(OFFICER, f"새 민원 {c.receipt_no}")

    await h.press(OFFICER, "답변", expect="답변을 적어 주세요")
    await h.say(OFFICER, ANSWER, expect="답변 미리보기")
    await h.press(OFFICER, "보내기", expect="답변을 보냈습니다")
    await fake.wait_text(CITIZEN, "문제가 해결되었나요")
    await h.press(CITIZEN, "해결 안 됨", expect="해결되지 않았는지")
    await h.say(CITIZEN, COMMENT, expect="재처리를 요청했습니다")

    # the department learns of it: the comment whole, the answer quoted as far as the message allows
    notice = await fake.wait_text(OFFICER, f"재처리 요청 {c.receipt_no}")
    text = shown(notice)
    assert text_length(text) <= TEXT_LIMIT and COMMENT in text and ANSWER[:2000] in text
    # ... and reads everything when opening the complaint: the last answer and the history, then the card
    mark = fake.mark()
    await h.say(OFFICER, f"/find {c.receipt_no}", expect="위치:")
    parts = [
        call for call in fake.requests[mark:] if call.method == "sendMessage" and call.params["chat_id"] == OFFICER
    ]
    seen = "\n".join(shown(call) for call in parts)
    assert ANSWER in seen and COMMENT in seen
    assert "위치:" in shown(parts[-1]) and parts[-1].params.get("reply_markup")  # the card with its buttons, last

    # the resident's /status shows all of it, in several messages
    await h.say(CITIZEN, "/status", expect="내 민원")
    mark = fake.mark()
    await h.press(CITIZEN, c.receipt_no, expect="처리 이력")
    await fake.wait_for(lambda call: COMMENT[-50:] in call.params.get("text", "") and call.status == 200, after=mark)
    parts = [
        call for call in fake.requests[mark:] if call.method == "sendMessage" and call.params["chat_id"] == CITIZEN
    ]
    assert len(parts) >= 2 and all(call.status == 200 for call in parts)
    seen = "\n".join(shown(call) for call in parts)
    assert description in seen and ANSWER in seen and COMMENT in seen
    assert all(text_length(shown(call)) <= TEXT_LIMIT for call in parts)
