"""Issue 16 §5, rules that keep the figures honest, through the real bot: staff do not rate their
own department's or their own handling, and the figures leave such ratings out."""

from datetime import timedelta

from sqlalchemy import select

from workflows.models import Complaint, Rating, RoleGrant
from tests.e2e.harness import ADMIN
from tests.e2e.test_complaint_loop import consent, file_complaint
from workflows.indicators.ranking import department_totals

CITIZEN, CLEAN_OFFICER, CLEAN_OFFICER2, ROADS_OFFICER = 100, 200, 201, 300


async def setup_officers(h):
    for uid, dept in ((CLEAN_OFFICER, "CLEAN"), (CLEAN_OFFICER2, "CLEAN"), (ROADS_OFFICER, "ROADS")):
        await h.say(ADMIN, f"/grant {uid} officer {dept}", expect="부여했습니다")


async def answer(h, officer):
    await h.press(officer, "답변", expect="답변을 적어 주세요")
    await h.say(officer, "오늘 오후 수거를 마쳤습니다. 확인 부탁드립니다.", expect="답변 미리보기")
    await h.press(officer, "보내기", expect="답변을 보냈습니다")


async def last_alert(fake) -> str:
    return [r for r in fake.requests if r.method == "answerCallbackQuery"][-1].params.get("text", "")


async def test_staff_filing_to_own_department_are_told_why_there_is_no_survey(harness, fake):
    h = harness
    await setup_officers(h)
    await consent(h, CLEAN_OFFICER)
    await file_complaint(h, CLEAN_OFFICER, photo=False, location=False)
    c = await h.one(Complaint, citizen_id=CLEAN_OFFICER)
    await fake.wait_text(CLEAN_OFFICER2, f"새 민원 {c.receipt_no}")
    await answer(h, CLEAN_OFFICER2)
    await fake.wait_text(CLEAN_OFFICER, "문제가 해결되었나요")
    await h.press(CLEAN_OFFICER, "해결됨", expect="민원을 종결했습니다")
    why = await fake.wait_text(CLEAN_OFFICER, "만족도 평가는 받지 않습니다")
    assert c.receipt_no in why.params["text"] and "소속 부서" in why.params["text"]
    assert not any("얼마나 만족하셨나요" in x for x in fake.texts(CLEAN_OFFICER))
    assert await h.one(Rating, complaint_id=c.id) is None

    # an officer of another department files to 청소 as a resident: rated as usual
    await consent(h, ROADS_OFFICER)
    await file_complaint(h, ROADS_OFFICER, photo=False, location=False)
    c2 = await h.one(Complaint, citizen_id=ROADS_OFFICER)
    await fake.wait_text(CLEAN_OFFICER2, f"새 민원 {c2.receipt_no}")
    await answer(h, CLEAN_OFFICER2)
    await fake.wait_text(ROADS_OFFICER, "문제가 해결되었나요")
    await h.press(ROADS_OFFICER, "해결됨", expect="민원을 종결했습니다")
    await fake.wait_text(ROADS_OFFICER, "얼마나 만족하셨나요")
    await h.press(ROADS_OFFICER, "4", expect="평가해 주셔서 감사합니다")


async def test_officer_who_handled_their_own_complaint_cannot_rate_it(harness, fake):
    h = harness
    await setup_officers(h)
    await consent(h, ROADS_OFFICER)
    await file_complaint(h, ROADS_OFFICER, photo=False, location=False)
    c = await h.one(Complaint, citizen_id=ROADS_OFFICER)
    await fake.wait_text(CLEAN_OFFICER, f"새 민원 {c.receipt_no}")
    # the ROADS officer takes it over after a transfer and answers it themselves
    await h.press(CLEAN_OFFICER, "이송", expect="어느 부서로 이송할까요")
    await h.press(CLEAN_OFFICER, "건설과", expect="이송하는 사유")
    await h.say(CLEAN_OFFICER, "도로 위 적치물은 건설과 소관입니다.", expect="이송했습니다")
    await fake.wait_text(ROADS_OFFICER, f"이송된 민원 {c.receipt_no}")
    await answer(h, ROADS_OFFICER)
    await fake.wait_text(ROADS_OFFICER, "문제가 해결되었나요")
    await h.press(ROADS_OFFICER, "해결됨", expect="민원을 종결했습니다")
    why = await fake.wait_text(ROADS_OFFICER, "직접 처리하신 민원")
    assert c.receipt_no in why.params["text"]
    assert await h.one(Rating, complaint_id=c.id) is None


async def test_rating_refused_after_joining_the_department_and_left_out_of_the_figures(harness, fake):
    h = harness
    await setup_officers(h)
    await consent(h)
    await file_complaint(h, photo=False, location=False)
    c = await h.one(Complaint, citizen_id=CITIZEN)
    await fake.wait_text(CLEAN_OFFICER, f"새 민원 {c.receipt_no}")
    await answer(h, CLEAN_OFFICER)
    await fake.wait_text(CITIZEN, "문제가 해결되었나요")
    await h.press(CITIZEN, "해결됨", expect="민원을 종결했습니다")
    await fake.wait_text(CITIZEN, "얼마나 만족하셨나요")
    # the resident joins 청소행정과 before answering the survey: the rating is refused, with the reason
    await h.say(ADMIN, f"/grant {CITIZEN} officer CLEAN", expect="부여했습니다")
    await h.press(CITIZEN, "5 😊", expect=None)
    assert "소속 부서의 민원은 평가할 수 없습니다" in await last_alert(fake)
    assert (await h.one(Rating, complaint_id=c.id)).overall is None

    # a rating stored while the rater was staff (as before this rule) is not counted; the same
    # rating given before the grant is
    now = h.app.svc.now()
    grant = (await h.db(select(RoleGrant).where(RoleGrant.user_id == CITIZEN)))[0]
    async with h.app.sessionmaker() as s:
        r = (await s.execute(select(Rating).where(Rating.complaint_id == c.id))).scalar_one()
        r.overall, r.rated_at = 5, now
        await s.commit()
        assert await department_totals(s, now - timedelta(days=1), now + timedelta(days=1)) == []
        r.rated_at = grant.granted_at - timedelta(hours=1)
        await s.commit()
        assert await department_totals(s, now - timedelta(days=1), now + timedelta(days=1)) == [("CLEAN", 1, 5.0)]


async def test_a_resident_files_at_most_the_daily_limit_and_is_told_when_again(fake, tmp_path):
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    from tests.e2e.harness import BotHarness

    h = await BotHarness(fake, tmp_path, DAILY_COMPLAINT_LIMIT="2").start()
    try:
        seoul = ZoneInfo("Asia/Seoul")
        today = datetime.now(timezone.utc).astimezone(seoul).date()
        # 00:30 in Seoul is still the previous day in UTC: the day is the district's
        morning = datetime.combine(today, datetime.min.time(), seoul) + timedelta(minutes=30)
        h.app.svc.clock = lambda: morning
        await consent(h)
        await file_complaint(h, photo=False, location=False)
        await file_complaint(h, photo=False, location=False)
        await h.say(CITIZEN, "/complaint", expect="민원 분야를 골라 주세요")
        await h.press(CITIZEN, "쓰레기·청소", expect="무엇이 문제인지")
        await h.say(CITIZEN, "골목 입구에 대형 폐기물이 일주일째 방치되어 있습니다.", expect="사진이 있으면")
        await h.press(CITIZEN, "건너뛰기", expect="위치를 알려 주세요")
        await h.press(CITIZEN, "건너뛰기", expect="연락처를 남기시겠어요")
        await h.say(CITIZEN, "010 1234 5678", expect="신청 내용 확인")
        refused = await h.press(CITIZEN, "제출", expect="이미 2건")
        tomorrow = today + timedelta(days=1)
        assert f"{tomorrow:%Y-%m-%d}" in refused.params["text"] and "00:00" in refused.params["text"]
        assert len(await h.db(select(Complaint).where(Complaint.citizen_id == CITIZEN))) == 2
        # the next district day the same form goes in
        h.app.svc.clock = lambda: morning + timedelta(days=1)
        await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
        assert len(await h.db(select(Complaint).where(Complaint.citizen_id == CITIZEN))) == 3
    finally:
        await h.stop()


async def test_grant_says_what_changed(harness, fake):
    h = harness
    await h.say(ADMIN, f"/grant {CLEAN_OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    same = await h.say(ADMIN, f"/grant {CLEAN_OFFICER} officer CLEAN", expect="바뀐 것은 없습니다")
    assert "청소행정과" in same.params["text"]
    moved = await h.say(ADMIN, f"/grant {CLEAN_OFFICER} officer ROADS", expect="부서를 옮겼습니다")
    assert "담당자: 청소행정과 → 건설과" in moved.params["text"]
    grants = await h.db(select(RoleGrant).where(RoleGrant.user_id == CLEAN_OFFICER).order_by(RoleGrant.id))
    assert [(g.department_code, g.revoked_at is None) for g in grants] == [("CLEAN", False), ("ROADS", True)]


async def test_a_repeated_identical_complaint_is_linked_to_the_first(harness, fake):
    h = harness
    await setup_officers(h)
    await consent(h)
    await file_complaint(h, photo=False, location=False)
    first = await h.one(Complaint, citizen_id=CITIZEN)
    await fake.wait_text(CLEAN_OFFICER, f"새 민원 {first.receipt_no}")
    # the same words again (spacing and punctuation aside)
    await h.say(CITIZEN, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(CITIZEN, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(CITIZEN, "골목 입구에  대형 폐기물이 일주일째 방치되어 있습니다!", expect="사진이 있으면")
    await h.press(CITIZEN, "건너뛰기", expect="위치를 알려 주세요")
    await h.press(CITIZEN, "건너뛰기", expect="연락처를 남기시겠어요")
    await h.say(CITIZEN, "010 1234 5678", expect="신청 내용 확인")
    done = await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    assert f"먼저 접수하신 민원 {first.receipt_no}" in done.params["text"]
    second = (await h.db(select(Complaint).where(Complaint.citizen_id == CITIZEN).order_by(Complaint.id)))[1]
    card = await fake.wait_text(CLEAN_OFFICER, f"새 민원 {second.receipt_no}")
    assert f"반복 민원: 같은 민원인이 같은 내용으로 {first.receipt_no}" in card.params["text"]
    # different words: not linked
    await h.say(CITIZEN, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(CITIZEN, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(CITIZEN, "공원 화장실 앞 쓰레기통이 넘쳐 악취가 납니다.", expect="사진이 있으면")
    await h.press(CITIZEN, "건너뛰기", expect="위치를 알려 주세요")
    await h.press(CITIZEN, "건너뛰기", expect="연락처를 남기시겠어요")
    await h.say(CITIZEN, "010 1234 5678", expect="신청 내용 확인")
    other = await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    assert "먼저 접수하신" not in other.params["text"]
