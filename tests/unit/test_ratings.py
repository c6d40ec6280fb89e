"""The 친절 OSS satisfaction survey (workflows/ratings.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from workflows.models import OutboxMessage, Rating, User
from tests.unit.conftest import ADMIN_ID
from workflows import ratings, roles
from workflows.complaints import service as complaints
from workflows.complaints.common import Draft
from workflows.ratings import ITEMS, OVERALL, RatingError

CITIZEN, OTHER, OFFICER = 1001, 1002, 2001


@pytest.fixture
async def closed(session, svc, district):
    """A complaint answered by OFFICER and closed by CITIZEN: the survey has been sent."""
    session.add_all([User(id=CITIZEN), User(id=OTHER)])
    await roles.grant(
        session, user_id=OFFICER, role="officer", department_code="ROADS", by=ADMIN_ID, departments=district.departments
    )
    c, _ = await complaints.submit(
        session,
        svc,
        citizen_id=CITIZEN,
        submit_key="s1",
        draft=Draft(category="road", description="집 앞 가로등이 고장났어요. 고쳐 주세요."),
    )
    officer = await roles.load_principal(session, OFFICER, frozenset())
    await complaints.answer(session, svc, officer, c, "가로등을 교체했습니다. 감사합니다.")
    await complaints.citizen_close(session, svc, await roles.load_principal(session, CITIZEN, frozenset()), c)
    await session.commit()
    return c


async def _rows(session, model) -> int:
    return await session.scalar(select(func.count()).select_from(model))


def test_items():
    assert ITEMS == ("greeting", "guidance", "tone", "answer", "closing")
    assert OVERALL == "overall"


async def test_survey_row_and_question(session, svc, closed):
    r = (await session.execute(select(Rating))).scalar_one()
    assert (r.complaint_id, r.department_code, r.officer_id, r.sent_at) == (closed.id, "ROADS", OFFICER, svc.now())
    assert r.overall is None and r.rated_at is None and ratings.next_item(r) == "greeting"
    ask = (
        await session.execute(select(OutboxMessage).where(OutboxMessage.dedup_key == f"survey:{closed.id}"))
    ).scalar_one()
    assert ask.chat_id == CITIZEN
    assert ask.payload["text"].startswith("[2026-000001] 건설과의 민원 처리에 얼마나 만족하셨나요?")
    kb = ask.payload["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for b in kb[0]] == [f"rt:{closed.id}:overall:{s}" for s in range(1, 6)]
    assert [b["text"] for b in kb[0]] == ["1 😞", "2", "3", "4", "5 😊"]


async def test_send_survey_twice_one_row(session, svc, closed):
    assert await ratings.send_survey(session, svc, closed) is False
    await session.commit()
    assert await _rows(session, Rating) == 1
    keys = (await session.execute(select(OutboxMessage.dedup_key))).scalars().all()
    assert keys.count(f"survey:{closed.id}") == 1


async def test_rate_overall_then_items_in_order(session, svc, clock, closed):
    clock.advance(minutes=5)
    r = await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id, item=OVERALL, score=4)
    assert r.overall == 4 and r.rated_at == clock()
    scores = dict(zip(ITEMS, (5, 4, 3, 2, 1)))
    for item in ITEMS:
        assert ratings.next_item(r) == item
        clock.advance(seconds=10)
        r = await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id, item=item, score=scores[item])
    assert ratings.next_item(r) is None
    await session.commit()
    stored = (await session.execute(select(Rating))).scalar_one()
    assert (stored.overall, stored.greeting, stored.guidance, stored.tone, stored.answer, stored.closing) == (
        4,
        5,
        4,
        3,
        2,
        1,
    )
    assert stored.rated_at == clock()


async def test_items_before_overall_refused(session, svc, closed):
    for item in ITEMS:
        with pytest.raises(RatingError) as ei:
            await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id, item=item, score=5)
        assert ei.value.code == "bad_item"
    r = (await session.execute(select(Rating))).scalar_one()
    assert all(getattr(r, i) is None for i in ITEMS)


@pytest.mark.parametrize("score", [0, 6, -1, 10])
async def test_score_out_of_range_refused(session, svc, closed, score):
    with pytest.raises(RatingError) as ei:
        await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id, item=OVERALL, score=score)
    assert ei.value.code == "bad_score"
    assert (await session.execute(select(Rating))).scalar_one().overall is None


@pytest.mark.parametrize("score", [1, 5])
async def test_score_bounds_accepted(session, svc, closed, score):
    r = await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id, item=OVERALL, score=score)
    assert r.overall == score


async def test_unknown_item_refused(session, svc, closed):
    for item in ("comment", "rated_at", "officer_id", ""):
        with pytest.raises(RatingError) as ei:
            await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id, item=item, score=3)
        assert ei.value.code == "bad_item"


async def test_rating_twice_refused(session, svc, closed):
    await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id, item=OVERALL, score=2)
    with pytest.raises(RatingError) as ei:
        await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id, item=OVERALL, score=5)
    assert ei.value.code == "already" and str(ei.value) == "already"
    await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id, item="tone", score=3)
    with pytest.raises(RatingError) as ei:
        await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id, item="tone", score=1)
    assert ei.value.code == "already"
    r = (await session.execute(select(Rating))).scalar_one()
    assert (r.overall, r.tone) == (2, 3)


async def test_another_users_complaint_not_found(session, svc, closed):
    with pytest.raises(RatingError) as ei:
        await ratings.rate(session, svc, user_id=OTHER, complaint_id=closed.id, item=OVERALL, score=5)
    assert ei.value.code == "not_found"
    with pytest.raises(RatingError) as ei:
        await ratings.rate(session, svc, user_id=OFFICER, complaint_id=closed.id, item=OVERALL, score=5)
    assert ei.value.code == "not_found"  # the officer cannot rate himself
    with pytest.raises(RatingError) as ei:
        await ratings.comment(session, svc, user_id=OTHER, complaint_id=closed.id, text="좋아요")
    assert ei.value.code == "not_found"
    assert (await session.execute(select(Rating))).scalar_one().overall is None


async def test_no_survey_not_found(session, svc, closed):
    with pytest.raises(RatingError) as ei:
        await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id + 1, item=OVERALL, score=5)
    assert ei.value.code == "not_found"


async def test_comment_limit_and_once(session, svc, closed):
    with pytest.raises(RatingError) as ei:
        await ratings.comment(session, svc, user_id=CITIZEN, complaint_id=closed.id, text="가" * 1001)
    assert ei.value.code == "too_long"
    r = await ratings.comment(
        session, svc, user_id=CITIZEN, complaint_id=closed.id, text="  " + "나" * ratings.COMMENT_MAX + "  "
    )
    assert r.comment == "나" * 1000
    with pytest.raises(RatingError) as ei:
        await ratings.comment(session, svc, user_id=CITIZEN, complaint_id=closed.id, text="또")
    assert ei.value.code == "already"


async def test_survey_keeps_the_department_it_was_sent_for(session, svc, clock, closed):
    # the survey keeps the department and officer of when it was sent
    closed.department_code = "CLEAN"
    await session.commit()
    r = (await session.execute(select(Rating))).scalar_one()
    assert (r.department_code, r.officer_id) == ("ROADS", OFFICER)
    clock.advance(days=30)
    await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=closed.id, item=OVERALL, score=3)
    assert r.sent_at == clock() - timedelta(days=30)
