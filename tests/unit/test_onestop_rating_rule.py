"""Honest one-stop figures (issue 16 §5; workflows/ratings.onestop_conflict, birth_death.send_survey and
ratings.rate, indicators.onestop_offices): a staff member who handled items of an application is not asked
to rate it, and a department's figures never count a rating from its own staff — as for complaints.

The clock starts on Monday 2026-11-23 10:00 Asia/Seoul (tests/unit/conftest.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from workflows.models import Rating
from tests.unit.conftest import ADMIN_ID
from tests.unit.test_birth_death import (
    DONG_OFFICER,
    HEALTH_OFFICER,
    PARENT,
    _file_birth,
    _outbox,
    officers,  # noqa: F401 - a fixture, used by name
)
from workflows import ratings, roles
from workflows.indicators import service as indicators
from workflows.onestop import service as bd
from workflows.onestop.service import BirthAnswers
from workflows.ratings import RatingError


async def _complete_all(session, svc, app, officer_for) -> None:
    for it in list(app.items):
        if it.state != bd.PENDING:
            continue
        item = await bd.get_item(session, it.id)
        await bd.complete(session, svc, officer_for(it.department_code), item)
        await session.commit()


async def _figures(session, svc) -> dict[str, tuple[int, float | None]]:
    work = await indicators.onestop_offices(session, svc, svc.now() - timedelta(days=1), svc.now() + timedelta(days=1))
    return {k: (w.rated, w.rating_mean) for k, w in work.items() if k in ("DONG-JUNGGOK1", "HEALTH")}


async def _grant(session, district, uid: int, dept: str) -> None:
    await roles.grant(
        session, user_id=uid, role="officer", department_code=dept, by=ADMIN_ID, departments=district.departments
    )
    await session.commit()


def _by(officers, dept):
    return officers[DONG_OFFICER] if dept == "DONG-JUNGGOK1" else officers[HEALTH_OFFICER]


async def test_a_parent_who_is_staff_of_one_office_rates_only_the_others(session, svc, district, officers):
    await _grant(session, district, PARENT, "HEALTH")  # the parent works at 보건소; a colleague handled it
    app, _ = await _file_birth(
        session, svc, BirthAnswers(svc.now().date() - timedelta(days=21), 1, "중곡1동", True), {"KEPCO": False}
    )
    await _complete_all(session, svc, app, lambda dept: _by(officers, dept))
    rows = (await session.execute(select(Rating))).scalars().all()
    assert [r.department_code for r in rows] == ["DONG-JUNGGOK1"]  # 보건소 is not offered for rating
    [ask] = await _outbox(session, "ossurvey:")
    assert "중곡1동" in ask.payload["text"] and "보건소" not in ask.payload["text"]
    await ratings.rate(session, svc, user_id=PARENT, application_id=app.id, item="overall", score=5)
    await session.commit()
    figures = await _figures(session, svc)
    assert figures["DONG-JUNGGOK1"] == (1, 5.0) and figures["HEALTH"][0] == 0


async def test_a_staff_member_who_handled_items_is_not_asked(session, svc, district, officers):
    await _grant(session, district, PARENT, "DONG-JUNGGOK1")  # the parent is the 주민센터 officer themself
    parent = await roles.load_principal(session, PARENT, frozenset())
    app, _ = await _file_birth(
        session, svc, BirthAnswers(svc.now().date() - timedelta(days=21), 1, "중곡1동", True), {"KEPCO": False}
    )
    await _complete_all(session, svc, app, lambda dept: parent if dept == "DONG-JUNGGOK1" else officers[HEALTH_OFFICER])
    assert (await session.execute(select(Rating))).scalars().all() == []
    [told] = await _outbox(session, "ossurvey:")
    assert told.chat_id == PARENT and "직접 처리하셔서 만족도 평가는 받지 않습니다" in told.payload["text"]
    assert told.payload.get("reply_markup") is None


async def test_a_role_granted_after_the_survey_leaves_that_office_unrated(session, svc, district, officers):
    app, _ = await _file_birth(
        session, svc, BirthAnswers(svc.now().date() - timedelta(days=21), 1, "중곡1동", True), {"KEPCO": False}
    )
    await _complete_all(session, svc, app, lambda dept: _by(officers, dept))
    assert len((await session.execute(select(Rating))).scalars().all()) == 2
    await _grant(session, district, PARENT, "HEALTH")  # joined 보건소 before answering
    r = await ratings.rate(session, svc, user_id=PARENT, application_id=app.id, item="overall", score=2)
    assert r.department_code == "DONG-JUNGGOK1"
    await ratings.rate(session, svc, user_id=PARENT, application_id=app.id, item="greeting", score=3)
    await session.commit()
    figures = await _figures(session, svc)
    assert figures["DONG-JUNGGOK1"] == (1, 2.0) and figures["HEALTH"][0] == 0
    await roles.grant(
        session,
        user_id=PARENT,
        role="head",
        department_code="DONG-JUNGGOK1",
        by=ADMIN_ID,
        departments=district.departments,
    )  # also 과장 of the 주민센터: every office is their own
    with pytest.raises(RatingError) as e:
        await ratings.rate(session, svc, user_id=PARENT, application_id=app.id, item="guidance", score=3)
    assert e.value.code == "own_staff"


async def test_one_stop_ratings_stay_out_of_the_complaint_figures(session, svc, officers):
    """One table holds both services' ratings: the complaint figures (Smile, trend, ranking, the
    report's raw ratings) read only complaint rows, the one-stop figures only one-stop rows."""
    from workflows.indicators import ranking
    from workflows.indicators import reports

    app, _ = await _file_birth(
        session, svc, BirthAnswers(svc.now().date() - timedelta(days=21), 1, "중곡1동", True), {"KEPCO": False}
    )
    await _complete_all(session, svc, app, lambda dept: _by(officers, dept))
    await ratings.rate(session, svc, user_id=PARENT, application_id=app.id, item="overall", score=1)
    await session.commit()
    lo, hi = svc.now() - timedelta(days=1), svc.now() + timedelta(days=1)
    smile = await indicators.satisfaction(session, lo, hi)
    assert smile.district.sent == 0 and smile.district.rated == 0 and smile.departments == {}
    assert await ranking.department_totals(session, lo, hi) == []
    assert await reports.raw_ratings(session, lo, hi) == []
    assert all(p.rated == 0 for p in await indicators.trend(session, svc, svc.now().date(), months=2))
    assert (await _figures(session, svc))["DONG-JUNGGOK1"] == (1, 1.0)
