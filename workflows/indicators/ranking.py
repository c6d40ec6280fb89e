"""Best Office (친절 OSS): the public ranking of departments by their residents' ratings.

A plain mean rewards luck: 3 ratings of 5 would beat 300 ratings averaging 4.8. Two rules make it
fair (rules in workflows/data/indicators.json, "ranking"):

* a department is ranked only with at least ``min_ratings`` ratings in the window;
* its score is the Bayesian mean — its ratings plus ``prior_weight`` (C) pseudo-ratings at the
  district mean m:

      score_d = (C · m + Σ overall_d) / (C + n_d)

  so a small sample stays near the district mean and a large one is ranked on its own merit.
  With m = 4.2 and C = 20: 3 × 5 → (84 + 15) / 23 = 4.30, 300 × 4.8 → (84 + 1440) / 320 = 4.76.

Ties are broken by more ratings, then by department code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import Rating
from workflows.ratings import counted
from workflows.context import Services
from workflows.indicators.service import rules


def bayesian_mean(total: float, n: int, prior_mean: float, prior_weight: float) -> float:
    """(C·m + Σx) / (C + n)."""
    return (prior_weight * prior_mean + total) / (prior_weight + n)


@dataclass(frozen=True)
class Standing:
    department: str
    n: int  # ratings in the window
    mean: float  # plain mean
    score: float  # Bayesian mean
    rank: int | None  # None: fewer than the minimum number of ratings


@dataclass(frozen=True)
class Ranking:
    ranked: list[Standing]
    unranked: list[Standing]  # below the minimum sample, most ratings first
    prior_mean: float | None  # m: the district mean over the window
    min_ratings: int
    prior_weight: float
    since: datetime | None = None
    until: datetime | None = None


def rank(
    rows: list[tuple[str, int, float]], *, min_ratings: int, prior_weight: float, prior_mean: float | None = None
) -> Ranking:
    """``rows``: (department, number of ratings, sum of overall scores). The prior mean is the
    district mean of these rows unless given."""
    rows = [(d, n, float(s)) for d, n, s in rows if n]
    n_all = sum(n for _, n, _ in rows)
    if prior_mean is None:
        prior_mean = sum(s for *_, s in rows) / n_all if n_all else None
    if prior_mean is None:
        return Ranking([], [], None, min_ratings, prior_weight)
    scored = sorted(
        ((bayesian_mean(s, n, prior_mean, prior_weight), n, d, s / n) for d, n, s in rows),
        key=lambda x: (-x[0], -x[1], x[2]),
    )
    ranked, unranked = [], []
    for score, n, d, mean in scored:
        if n >= min_ratings:
            ranked.append(Standing(d, n, mean, score, len(ranked) + 1))
        else:
            unranked.append(Standing(d, n, mean, score, None))
    unranked.sort(key=lambda s: (-s.n, s.department))
    return Ranking(ranked, unranked, prior_mean, min_ratings, prior_weight)


async def department_totals(session: AsyncSession, since: datetime, until: datetime) -> list[tuple[str, int, float]]:
    """(department, ratings, sum of overall) for ratings given in [since, until)."""
    R = Rating
    q = (
        select(R.department_code, func.count(R.overall), func.sum(R.overall))
        .where(R.rated_at >= since, R.rated_at < until, R.overall.is_not(None), counted())
        .group_by(R.department_code)
    )
    return [(d, n, float(s or 0)) for d, n, s in (await session.execute(q)).all()]


async def public_ranking(
    session: AsyncSession, svc: Services, *, since: datetime | None = None, until: datetime | None = None
) -> Ranking:
    """The ranking shown by /ranking: the last ``window_days`` days up to now by default."""
    r = rules()["ranking"]
    until = until or svc.now()
    since = since or until - timedelta(days=r["window_days"])
    result = rank(
        await department_totals(session, since, until), min_ratings=r["min_ratings"], prior_weight=r["prior_weight"]
    )
    return replace(result, since=since, until=until)
