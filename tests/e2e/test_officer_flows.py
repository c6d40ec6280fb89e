"""Transfer, reject, extend, reopen and the department wall, through the real bot."""

from sqlalchemy import select

from workflows.models import Complaint, ComplaintEvent, Rating
from tests.e2e.harness import ADMIN
from tests.e2e.test_complaint_loop import consent, file_complaint

CITIZEN, CLEAN_OFFICER, ROADS_OFFICER, OTHER_CITIZEN = 100, 200, 300, 400


async def setup_officers(h):
    await h.say(ADMIN, f"/grant {CLEAN_OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await h.say(ADMIN, f"/grant {ROADS_OFFICER} officer ROADS", expect="역할을 부여했습니다")


async def test_transfer_then_answer_by_new_department(harness, fake):
    h = harness
    await setup_officers(h)
    await consent(h)
    await file_complaint(h, photo=False, location=False)
    c = await h.one(Complaint, citizen_id=CITIZEN)
    deadline = c.deadline_at
    await fake.wait_text(CLEAN_OFFICER, f"새 민원 {c.receipt_no}")
    # the roads officer never received it and cannot open it
    assert not any(c.receipt_no in t for t in fake.texts(ROADS_OFFICER))
    await h.say(ROADS_OFFICER, f"/find {c.receipt_no}", expect="찾을 수 없습니다")

    await h.press(CLEAN_OFFICER, "이송", expect="어느 부서로 이송할까요")
    await h.press(CLEAN_OFFICER, "건설과", expect="이송하는 사유")
    await h.say(CLEAN_OFFICER, "짧", expect="사유를 조금 더")
    await h.say(CLEAN_OFFICER, "도로 위 적치물은 건설과 소관입니다.", expect="건설과로 이송했습니다")
    pushed = await fake.wait_text(CITIZEN, "이송되었습니다")
    assert "건설과 소관" in pushed.params["text"]
    card = await fake.wait_text(ROADS_OFFICER, f"이송된 민원 {c.receipt_no}")
    assert "청소행정과" in card.params["text"]

    c = await h.one(Complaint, id=c.id)
    assert c.department_code == "ROADS" and c.state == "transferred" and c.deadline_at == deadline
    # the old department has lost it: its buttons and /find no longer work
    await h.say(CLEAN_OFFICER, f"/find {c.receipt_no}", expect="찾을 수 없습니다")
    await h.say(CLEAN_OFFICER, "/inbox", expect="처리할 민원이 없습니다")
    await h.press(ROADS_OFFICER, "답변", expect="답변을 적어 주세요")
    await h.say(ROADS_OFFICER, "적치물을 오늘 치웠습니다. 감사합니다.", expect="답변 미리보기")
    await h.press(ROADS_OFFICER, "보내기", expect="답변을 보냈습니다")
    await fake.wait_text(CITIZEN, "건설과의 답변")
    events = await h.db(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id))
    transfer = next(e for e in events if e.action == "transfer")
    assert (transfer.from_state, transfer.to_state, transfer.actor_id, transfer.department_code) == (
        "received",
        "transferred",
        CLEAN_OFFICER,
        "ROADS",
    )


async def test_reopen_goes_back_to_the_same_department(harness, fake):
    h = harness
    await setup_officers(h)
    await consent(h)
    await file_complaint(h, photo=False, location=False)
    c = await h.one(Complaint, citizen_id=CITIZEN)
    await fake.wait_text(CLEAN_OFFICER, "새 민원")
    await h.press(CLEAN_OFFICER, "답변", expect="답변을 적어 주세요")
    await h.say(CLEAN_OFFICER, "수거 완료했습니다. 확인 부탁드립니다.", expect="답변 미리보기")
    await h.press(CLEAN_OFFICER, "보내기", expect="답변을 보냈습니다")
    await fake.wait_text(CITIZEN, "문제가 해결되었나요")
    await h.press(CITIZEN, "해결 안 됨", expect="해결되지 않았는지")
    await h.say(CITIZEN, "아직 그대로 있습니다. 다시 확인해 주세요.", expect="재처리를 요청했습니다")
    again = await fake.wait_text(CLEAN_OFFICER, f"재처리 요청 {c.receipt_no}")
    assert "아직 그대로" in again.params["text"]
    c = await h.one(Complaint, id=c.id)
    assert c.state == "reopened" and c.department_code == "CLEAN" and c.resolved is False
    # the old 해결됨 button is stale now
    await h.press(CITIZEN, "해결됨", expect=None)
    answer = [r for r in fake.requests if r.method == "answerCallbackQuery"][-1]
    assert "유효하지 않습니다" in answer.params.get("text", "")
    assert await h.one(Rating, complaint_id=c.id) is None


async def test_reject_with_remedy_and_extend_once(harness, fake):
    h = harness
    await setup_officers(h)
    await consent(h)
    await file_complaint(h, photo=False, location=False)
    c = await h.one(Complaint, citizen_id=CITIZEN)
    await fake.wait_text(CLEAN_OFFICER, "새 민원")
    await h.press(CLEAN_OFFICER, "연장", expect="기한 연장 사유")
    await h.say(CLEAN_OFFICER, "현장 확인에 시간이 더 필요합니다.", expect="연장했습니다")
    await fake.wait_text(CITIZEN, "처리 기한이")
    extended = await h.one(Complaint, id=c.id)
    assert extended.extended and extended.deadline_at > c.deadline_at and extended.state == "extended"
    await h.say(CLEAN_OFFICER, f"/find {c.receipt_no}", expect=c.receipt_no)
    assert "연장" not in str(fake.last_markup(CLEAN_OFFICER))  # extension offered once only

    await h.press(CLEAN_OFFICER, "반려", expect="반려하는 사유")
    await h.say(CLEAN_OFFICER, "사유지 내 적치물로 구청이 수거할 수 없습니다.", expect="구제 절차")
    await h.press(CLEAN_OFFICER, "이의신청", expect="반려했습니다")
    pushed = await fake.wait_text(CITIZEN, "반려되었습니다")
    assert "60일" in pushed.params["text"] and "사유지" in pushed.params["text"]
    await fake.wait_text(CITIZEN, "얼마나 만족하셨나요")
    c = await h.one(Complaint, id=c.id)
    assert c.state == "rejected" and c.closed_at is not None


async def test_residents_see_only_their_own(harness, fake):
    h = harness
    await setup_officers(h)
    await consent(h)
    await file_complaint(h, photo=False, location=False)
    c = await h.one(Complaint, citizen_id=CITIZEN)
    await consent(h, OTHER_CITIZEN)
    await h.say(OTHER_CITIZEN, f"/find {c.receipt_no}", expect="찾을 수 없습니다")
    await h.say(OTHER_CITIZEN, "/status", expect="신청하신 민원이 없습니다")
    # a forged button press for someone else's complaint changes nothing
    mark = fake.mark()
    fake.callback(OTHER_CITIZEN, f"fb:1:{c.id}", message_id=1)
    fake.callback(OTHER_CITIZEN, f"op:take:{c.id}", message_id=1)
    fake.callback(ROADS_OFFICER, f"op:answer:{c.id}", message_id=1)
    for _ in range(3):
        await fake.wait_for(lambda r: r.method == "answerCallbackQuery", after=mark)
        mark = fake.mark()
    assert (await h.one(Complaint, id=c.id)).state == "received"
    # non-admins cannot grant
    await h.say(OTHER_CITIZEN, f"/grant {OTHER_CITIZEN} admin", expect="권한이 없습니다")
