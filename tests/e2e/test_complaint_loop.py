"""The whole loop through the real bot: consent, filing with photo and location, routing to the
officer, take, answer, resolved, 5-item rating — plus the history and the database rows."""

from sqlalchemy import select

from workflows.models import Complaint, ComplaintEvent, Consent, OutboxMessage, Rating
from tests.e2e.harness import ADMIN

CITIZEN, OFFICER = 100, 200


async def consent(h, user_id=CITIZEN):
    await h.say(user_id, "/start", expect="개인정보 수집·이용 동의")
    await h.press(user_id, "동의합니다", expect="동의가 기록되었습니다")


async def file_complaint(h, user_id=CITIZEN, *, photo=True, location=True):
    await h.say(user_id, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(user_id, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(user_id, "골목 입구에 대형 폐기물이 일주일째 방치되어 있습니다.", expect="사진이 있으면")
    if photo:
        await h.say(user_id, photo=True, expect="사진 1/5장")
        await h.press(user_id, "완료", expect="위치를 알려 주세요")
    else:
        await h.press(user_id, "건너뛰기", expect="위치를 알려 주세요")
    if location:
        await h.say(user_id, location=(37.5384, 127.0823), expect="연락처를 남기시겠어요")
    else:
        await h.press(user_id, "건너뛰기", expect="연락처를 남기시겠어요")
    summary = await h.say(user_id, "010 1234 5678", expect="신청 내용 확인")
    assert "010-****-5678" in summary.params["text"]
    done = await h.press(user_id, "제출", expect="민원이 접수되었습니다")
    return done


async def test_full_loop(harness, fake, caplog):
    caplog.set_level("INFO")  # production level; bot.logs keeps the DB drivers quiet even at DEBUG
    h = harness
    await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await consent(h)
    done = await file_complaint(h)
    assert "청소행정과" in done.params["text"]
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert c.receipt_no in done.params["text"] and c.state == "received" and c.department_code == "CLEAN"
    assert len(c.photos) == 1 and abs(c.latitude - 37.5384) < 1e-6
    assert c.phone_enc and "5678" not in c.phone_enc  # encrypted at rest

    # routed to the department's officer through the outbox, with action buttons
    card = await fake.wait_text(OFFICER, f"새 민원 {c.receipt_no}")
    assert "010-1234-5678" not in card.params["text"]  # the card says a phone exists, not the number
    await h.press(OFFICER, "접수", expect="맡았습니다")
    await fake.wait_text(CITIZEN, "담당자가 민원을 맡았습니다")

    await h.press(OFFICER, "사진·위치", expect=None)
    await fake.wait_for(lambda call: call.method == "sendPhoto" and call.params["chat_id"] == OFFICER)
    await fake.wait_for(lambda call: call.method == "sendLocation" and call.params["chat_id"] == OFFICER)

    await h.press(OFFICER, "답변", expect="답변을 적어 주세요")
    await h.say(OFFICER, "짧음", expect="너무 짧습니다")
    await h.say(OFFICER, "오늘 오후 수거를 마쳤습니다. 불편을 드려 죄송합니다.", expect="답변 미리보기")
    await h.press(OFFICER, "보내기", expect="답변을 보냈습니다")
    answer = await fake.wait_text(CITIZEN, "청소행정과의 답변")
    assert "수거를 마쳤습니다" in answer.params["text"]

    await h.press(CITIZEN, "해결됨", expect="민원을 종결했습니다")
    await fake.wait_text(CITIZEN, "얼마나 만족하셨나요")
    await h.press(CITIZEN, "5 😊", expect="평가해 주셔서 감사합니다")
    await h.press(CITIZEN, "항목별 평가하기", expect="첫인사")
    for label, nxt in (("4", "안내"), ("5", "말투"), ("5", "답변"), ("3", "끝인사")):
        await h.press(CITIZEN, label, expect=nxt)
    await h.press(CITIZEN, "5 😊", expect="하고 싶은 말씀")
    await h.say(CITIZEN, "빨리 처리해 주셔서 감사합니다.", expect="소중한 평가 감사합니다")

    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert c.state == "closed" and c.resolved is True
    events = await h.db(
        select(ComplaintEvent.action).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id)
    )
    assert events == ["submit", "take", "start", "answer", "close"]
    r = await h.one(Rating, complaint_id=c.id)
    assert (r.overall, r.greeting, r.guidance, r.tone, r.answer, r.closing) == (5, 4, 5, 5, 3, 5)
    assert r.officer_id == OFFICER and r.department_code == "CLEAN" and r.comment
    # /status shows it with its full history
    listing = await h.say(CITIZEN, "/status", expect="내 민원")
    assert c.receipt_no in str(listing.params["reply_markup"]) and "종결" in str(listing.params["reply_markup"])
    detail = await h.press(CITIZEN, c.receipt_no, expect="처리 이력")
    assert "수거를 마쳤습니다" in detail.params["text"]
    consent_row = await h.one(Consent, user_id=CITIZEN)
    assert consent_row.version and consent_row.granted_at
    # no personal data in the logs: neither the phone nor what the resident or officer wrote
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "5678" not in logged and "폐기물" not in logged and "수거를 마쳤습니다" not in logged
    # every outbox row went out exactly once
    rows = await h.db(select(OutboxMessage))
    assert rows and all(r.status == "sent" for r in rows)
