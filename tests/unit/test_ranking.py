"""Best Office: minimum sample and Bayesian mean, so 3 ratings of 5 do not beat 300 of 4.8."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workflows.models import Complaint, Rating, User
from tests.indicator_sample import NOW
from workflows.indicators.ranking import bayesian_mean, public_ranking, rank


def test_bayesian_mean_formula():
    # (C·m + Σx) / (C + n) with m = 4.2, C = 20
    assert bayesian_mean(15, 3, 4.2, 20) == pytest.approx(99 / 23)  # 4.304
    assert bayesian_mean(1440, 300, 4.2, 20) == pytest.approx(1524 / 320)  # 4.7625
    assert bayesian_mean(0, 0, 4.2, 20) == 4.2  # no ratings: the prior


def test_three_fives_do_not_beat_three_hundred_at_4_8_even_without_a_minimum():
    rows = [("LUCKY", 3, 15), ("STEADY", 300, 1440)]
    r = rank(rows, min_ratings=0, prior_weight=20, prior_mean=4.2)
    assert [s.department for s in r.ranked] == ["STEADY", "LUCKY"]
    assert r.ranked[0].score == pytest.approx(4.7625) and r.ranked[1].score == pytest.approx(4.3043, abs=1e-4)
    assert r.ranked[1].mean == 5.0  # the plain mean would have put it first


def test_minimum_sample_and_district_prior():
    # LUCKY 3 × 5 = 15, STEADY 300 ratings at 4.8 = 1440, OK 12 × 4 = 48
    rows = [("LUCKY", 3, 15), ("STEADY", 300, 1440), ("OK", 12, 48), ("NONE", 0, 0)]
    r = rank(rows, min_ratings=10, prior_weight=20)
    # m = (15 + 1440 + 48) / 315 = 4.77143
    assert r.prior_mean == pytest.approx(1503 / 315)
    m = 1503 / 315
    assert [(s.department, s.rank) for s in r.ranked] == [("STEADY", 1), ("OK", 2)]
    assert r.ranked[0].score == pytest.approx((20 * m + 1440) / 320)  # 4.79911
    assert r.ranked[1].score == pytest.approx((20 * m + 48) / 32)  # 4.48214
    assert [(s.department, s.n, s.rank) for s in r.unranked] == [("LUCKY", 3, None)]


def test_ties_go_to_more_ratings_then_code():
    r = rank([("B", 20, 80), ("A", 20, 80), ("C", 40, 160)], min_ratings=1, prior_weight=20, prior_mean=4.0)
    assert [s.department for s in r.ranked] == ["C", "A", "B"]


def test_no_ratings_no_ranking():
    r = rank([], min_ratings=10, prior_weight=20)
    assert r.ranked == [] and r.unranked == [] and r.prior_mean is None


async def test_public_ranking_reads_the_last_year_of_ratings(session, svc, clock):
    clock.at = NOW
    session.add(User(id=100))
    await session.flush()
    n = 0

    def rated(dept: str, score: int, when):
        nonlocal n
        n += 1
        c = Complaint(
            receipt_no=f"2026-{n:06d}",
            submit_key=f"k{n}",
            citizen_id=100,
            category_code="waste",
            kind="고충",
            period="7d",
            description="x" * 10,
            department_code=dept,
            state="closed",
            received_at=when,
            deadline_at=when,
            updated_at=when,
        )
        session.add(c)
        return c, Rating(
            service="complaint", department_code=dept, officer_id=None, sent_at=when, rated_at=when, overall=score
        )

    pairs = (
        [rated("CLEAN", 5, NOW - timedelta(days=10)) for _ in range(3)]
        + [rated("ROADS", 4, NOW - timedelta(days=d)) for d in range(1, 13)]
        + [rated("PARKS", 1, NOW - timedelta(days=400)) for _ in range(20)]  # too old
        + [rated("PARKS", 5, NOW + timedelta(hours=1))]
    )  # not yet
    await session.flush()
    for c, r in pairs:
        r.complaint_id = c.id
        session.add(r)
    await session.commit()
    r = await public_ranking(session, svc)
    assert r.until == NOW and r.since == NOW - timedelta(days=365)
    # m = (15 + 48) / 15 = 4.2; ROADS (12 ratings) ranked, CLEAN (3) below the minimum of 10
    assert r.prior_mean == pytest.approx(4.2)
    assert [(s.department, s.rank, s.n) for s in r.ranked] == [("ROADS", 1, 12)]
    assert [s.department for s in r.unranked] == ["CLEAN"]
