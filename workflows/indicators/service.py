"""Satisfaction and performance indicators (친절 OSS, 서산시 5S, the BSC of the 통합성과관리시스템).

Every indicator is a SQL aggregation at the finest grain (department, officer) — counts and sums
with GROUP BY and CASE — rolled up in Python over those few grouped rows to the department and
the district. Processing time in business hours needs the working calendar (holidays, lunch):
it is computed once when a complaint is answered and stored (complaints.processing_hours); its
median and 90th percentile are taken over the stored values of the period, read from an index
(hour_quantiles).
The business hours a transfer's sender held the complaint are stored with the transfer
(complaint_events.held_hours) and summed in SQL. The calendar runs at report time only for a row
stored without its hours. Definitions and formulas: docs/indicators.md.

Periods are Monday–Sunday weeks, calendar months, quarters and years in the district's time
zone, half-open [start, end). A period still running is cut at "now".
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections import Counter
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Generic, Iterable, Sequence, TypeVar

from sqlalchemy import Integer, and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import Complaint, ComplaintEvent, OnestopApplication, OnestopItem, Rating, UTCDateTime
from workflows.complaints import states, transfers
from workflows.complaints.common import dong_case, padded_address
from workflows.context import Services
from workflows.ratings import COMPLAINT, ITEMS, ONESTOP, counted
from workflows.opinion_days import service as od

RULES_FILE = Path(__file__).parent.parent / "data" / "indicators.json"
METRES_PER_DEGREE = 111_320.0


@cache
def rules(path: str | None = None) -> dict:
    return json.loads(Path(path or RULES_FILE).read_text(encoding="utf-8"))


# --- periods -------------------------------------------------------------------------------

PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


def iso_weeks(year: int) -> int:
    """Number of ISO weeks in ``year`` (52 or 53): 28 December is always in the last one."""
    return date(year, 12, 28).isocalendar()[1]


@dataclass(frozen=True)
class Span:
    """A calendar month, quarter or year, or a Monday–Sunday week (ISO week numbering: year and
    week of the ISO calendar), in the district's time zone."""

    kind: str  # "week" | "month" | "quarter" | "year"
    year: int
    index: int = 1  # week 1-53, month 1-12, quarter 1-4, 1 for a year

    def __post_init__(self) -> None:
        if not 1900 < self.year < 3000:
            raise ValueError(f"no such period: {self!r}")
        top = iso_weeks(self.year) if self.kind == "week" else PER_YEAR.get(self.kind)
        if top is None or not 1 <= self.index <= top:
            raise ValueError(f"no such period: {self!r}")

    @property
    def start(self) -> date:
        if self.kind == "week":
            return date.fromisocalendar(self.year, self.index, 1)
        first_month = {"month": self.index, "quarter": 3 * self.index - 2, "year": 1}[self.kind]
        return date(self.year, first_month, 1)

    @property
    def end(self) -> date:
        """First day after the period."""
        if self.kind == "week":
            return self.start + timedelta(days=7)
        return add_months(self.start, 12 // PER_YEAR[self.kind])

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        """Short and sortable, for file names and outbox keys: 2026-W47, 2026-10, 2026-Q4, 2026."""
        if self.kind == "week":
            return f"{self.year}-W{self.index:02d}"
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        return str(self.year)

    def shifted(self, periods: int) -> "Span":
        """The period ``periods`` steps later (negative: earlier), of the same kind."""
        if self.kind == "week":
            return Span.containing("week", self.start + timedelta(weeks=periods))
        per_year = PER_YEAR[self.kind]
        n = self.year * per_year + self.index - 1 + periods
        return Span(self.kind, n // per_year, n % per_year + 1)

    def previous(self) -> "Span":
        return self.shifted(-1)

    def year_before(self) -> "Span":
        """The same period a year earlier; a week 53 compares with week 52 of a 52-week year."""
        if self.kind == "week":
            return Span("week", self.year - 1, min(self.index, iso_weeks(self.year - 1)))
        return Span(self.kind, self.year - 1, self.index)

    def bounds(self, svc: Services) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes, the end cut at now for a period still running."""
        lo = datetime.combine(self.start, datetime.min.time(), svc.tz)
        hi = datetime.combine(self.end, datetime.min.time(), svc.tz)
        return lo, min(hi, max(lo, svc.now()))

    def running(self, today: date) -> bool:
        """Still running on ``today`` (not complete)."""
        return self.end > today

    @classmethod
    def containing(cls, kind: str, d: date) -> "Span":
        if kind == "week":
            iso = d.isocalendar()
            return cls("week", iso[0], iso[1])
        index = {"month": d.month, "quarter": (d.month - 1) // 3 + 1, "year": 1}[kind]
        return cls(kind, d.year, index)

    @classmethod
    def last_complete(cls, kind: str, today: date) -> "Span":
        """The last period of this kind that has ended before ``today``."""
        return cls.containing(kind, today).previous()


def add_months(d: date, n: int) -> date:
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


_MONTH_RE = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER_RE = re.compile(r"(\d{4})-?[qQ]([1-4])")
_WEEK_RE = re.compile(r"(\d{4})-?[wW](\d{1,2})")
_YEAR_RE = re.compile(r"(\d{4})")
# A kind alone is the last complete period of that kind: a report is read on finished figures.
LAST_COMPLETE = {
    "week": "week",
    "주": "week",
    "지난주": "week",
    "month": "month",
    "월": "month",
    "지난달": "month",
    "quarter": "quarter",
    "분기": "quarter",
    "지난분기": "quarter",
    "year": "year",
    "연": "year",
    "년": "year",
    "작년": "year",
    "지난해": "year",
}
# "This ..." names the period still running, figures so far (as a YYYY-MM of this month does).
CURRENT = {"이번주": "week", "이번달": "month", "이번분기": "quarter", "올해": "year"}


def parse_span(arg: str | None, today: date) -> Span:
    """/report's argument. None or empty: the last complete month (the scheduled report's);
    week | month | quarter | year (or 주, 월, 분기, 연, 지난달, ...): the last complete one of that
    kind; 이번주 | 이번달 | 이번분기 | 올해: the one running, so far; YYYY-Www, YYYY-MM, YYYY-Qn,
    YYYY: that period. Raises ValueError("bad") for anything else and ValueError("future") for a
    period not begun."""
    arg = (arg or "").strip().lower()
    if not arg:
        return Span.last_complete("month", today)
    if arg in LAST_COMPLETE:
        return Span.last_complete(LAST_COMPLETE[arg], today)
    if arg in CURRENT:
        return Span.containing(CURRENT[arg], today)
    try:
        if m := _MONTH_RE.fullmatch(arg):
            span = Span("month", int(m[1]), int(m[2]))
        elif m := _QUARTER_RE.fullmatch(arg):
            span = Span("quarter", int(m[1]), int(m[2]))
        elif m := _WEEK_RE.fullmatch(arg):
            span = Span("week", int(m[1]), int(m[2]))
        elif m := _YEAR_RE.fullmatch(arg):
            span = Span("year", int(m[1]))
        else:
            raise ValueError("bad")
    except ValueError:
        raise ValueError("bad") from None
    if span.start > today:
        raise ValueError("future")
    return span


def requested_span(arg: str | None, svc: Services) -> Span:
    """parse_span on the district's today (the clock in the district's time zone)."""
    return parse_span(arg, local_today(svc))


def local_today(svc: Services) -> date:
    return svc.now().astimezone(svc.tz).date()


# --- large results ---------------------------------------------------------------------------

CHUNK = 5000


async def in_chunks(session: AsyncSession, q) -> AsyncIterator[Sequence[Any]]:
    """The rows of a large result (a year's report reads 100,000s) a chunk at a time from a
    streamed cursor: the event loop serves other updates between chunks, where converting the
    whole result in one go held it for seconds. Core rows (the session's connection), not the
    ORM's: these are plain columns, and the ORM's row loading cost more than the query."""
    result = await (await session.connection()).stream(q)
    async for chunk in result.partitions(CHUNK):
        yield chunk
        await asyncio.sleep(0)


T = TypeVar("T")


class Lanes:
    """Where a report's parts are read.

    ``Lanes.of(session)``: one session, one part after another. This is the bot's own process,
    where a report must not take the event loop or the read connections from the residents.
    ``Lanes(sessions, width)``: each part in a session of its own from ``sessions``, ``width`` at a
    time. This is the report process, on an engine of its own: SQLite's C code and the driver's
    thread run beside the Python that turns rows into figures, and PostgreSQL runs the parts on
    server processes of their own. The parts are independent reads, started in the order given."""

    def __init__(
        self,
        sessions: Callable[[], AbstractAsyncContextManager[AsyncSession]] | None = None,
        width: int = 1,
        *,
        session: AsyncSession | None = None,
    ) -> None:
        if (sessions is None) == (session is None):
            raise ValueError("Lanes take sessions to open or one session, not both")
        if session is not None and width != 1:
            raise ValueError("one session reads one part at a time")
        self._sessions, self._session, self._gate = sessions, session, asyncio.Semaphore(max(1, width))

    @classmethod
    def of(cls, reads: "AsyncSession | Lanes") -> "Lanes":
        return reads if isinstance(reads, Lanes) else cls(session=reads)

    async def read(self, part: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with self._gate:
            if self._session is not None:
                return await part(self._session)
            assert self._sessions is not None
            async with self._sessions() as session:
                return await part(session)

    async def all(self, *parts: Callable[[AsyncSession], Awaitable[Any]]) -> list[Any]:
        """Each part's result, in order. If one fails the others are cancelled (a TaskGroup), so
        no part goes on reading a session its caller has closed."""
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(self.read(p)) for p in parts]
        return [t.result() for t in tasks]


# --- roll-up -------------------------------------------------------------------------------

M = TypeVar("M")
OfficerKey = tuple[str, int]  # (department code, officer's Telegram id)


@dataclass
class Levels(Generic[M]):
    """One indicator at three levels: the district, each department, each officer."""

    district: M
    departments: dict[str, M]
    officers: dict[OfficerKey, M]


def _rollup(fine: dict[tuple[str, int | None], M], new: Callable[[], M]) -> Levels[M]:
    """Officer-level rows (department, officer or None) summed up to departments and district.
    Rows without an officer count for their department but are not an officer of their own."""
    district, depts, officers = new(), {}, {}
    for (dept, officer), m in sorted(fine.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        district.merge(m)
        depts.setdefault(dept, new()).merge(m)
        if officer is not None:
            officers.setdefault((dept, officer), new()).merge(m)
    return Levels(district, depts, officers)


OWN = {"own": True}  # a Summable field's metadata: each level's own figure, not summed up


class Summable:
    """Dataclass mix-in: merge() adds numbers, adds lists of counts element-wise and extends
    the list of samples (``hours``); fields marked OWN are left as they are."""

    def merge(self, other) -> None:
        for f in fields(self):
            if f.metadata.get("own"):
                continue
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name == "hours":
                mine.extend(theirs)
            elif isinstance(mine, list):
                setattr(self, f.name, [a + b for a, b in zip(mine, theirs)])
            else:
                setattr(self, f.name, mine + theirs)


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def quantile(values: Iterable[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (Excel PERCENTILE.INC, numpy 'linear'):
    sorted x_0..x_{n-1}, position p = (n - 1)·q, value x_⌊p⌋ + (p - ⌊p⌋)·(x_⌊p⌋+1 - x_⌊p⌋)."""
    xs = sorted(values)
    if not xs:
        return None
    p = (len(xs) - 1) * q
    lo = math.floor(p)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (p - lo) * (xs[hi] - xs[lo])


# --- satisfaction (Smile) ------------------------------------------------------------------


@dataclass
class Smile(Summable):
    sent: int = 0  # surveys sent in the period
    responded: int = 0  # of those, answered (an overall score was given)
    rated: int = 0  # overall scores given in the period (rated_at)
    total: int = 0  # their sum
    share_top: int = 0  # of those, 4 or 5
    dist: list[int] = field(default_factory=lambda: [0] * 5)  # ratings 1..5
    item_n: list[int] = field(default_factory=lambda: [0] * len(ITEMS))
    item_sum: list[int] = field(default_factory=lambda: [0] * len(ITEMS))

    @property
    def mean(self) -> float | None:
        return ratio(self.total, self.rated)

    @property
    def top_share(self) -> float | None:
        return ratio(self.share_top, self.rated)

    @property
    def response_rate(self) -> float | None:
        return ratio(self.responded, self.sent)

    def item_mean(self, item: str) -> float | None:
        i = ITEMS.index(item)
        return ratio(self.item_sum[i], self.item_n[i])


async def satisfaction(session: AsyncSession, lo: datetime, hi: datetime) -> Levels[Smile]:
    R = Rating
    keys = (R.department_code, R.officer_id)
    fine: dict[tuple[str, int | None], Smile] = {}
    given = [
        func.count(R.overall),
        func.coalesce(func.sum(R.overall), 0),
        func.sum(case((R.overall >= 4, 1), else_=0)),
        *(func.sum(case((R.overall == s, 1), else_=0)) for s in range(1, 6)),
        *(func.count(getattr(R, i)) for i in ITEMS),
        *(func.coalesce(func.sum(getattr(R, i)), 0) for i in ITEMS),
    ]
    q = (
        select(*keys, *given)
        .where(R.rated_at >= lo, R.rated_at < hi, R.overall.is_not(None), counted())
        .group_by(*keys)
    )
    for dept, officer, n, total, top, *rest in (await session.execute(q)).all():
        k = len(ITEMS)
        fine[(dept, officer)] = Smile(
            rated=n,
            total=int(total),
            share_top=int(top),
            dist=[int(x) for x in rest[:5]],
            item_n=[int(x) for x in rest[5 : 5 + k]],
            item_sum=[int(x) for x in rest[5 + k :]],
        )
    q = (
        select(*keys, func.count(), func.count(R.overall))
        .where(R.sent_at >= lo, R.sent_at < hi, R.service == COMPLAINT)
        .group_by(*keys)
    )
    for dept, officer, sent, responded in (await session.execute(q)).all():
        s = fine.setdefault((dept, officer), Smile())
        s.sent, s.responded = sent, responded
    return _rollup(fine, Smile)


# --- speed and simplicity ------------------------------------------------------------------


@dataclass
class Speed(Summable):
    answered: int = 0  # answered in the period
    on_time: int = 0  # of those, answered by the deadline
    overdue: int = 0  # deadlines that fell in the period and were missed
    extensions: int = 0  # deadline extensions granted in the period
    # business hours receipt → answer of those answered in the period (hour_quantiles)
    median: float | None = field(default=None, metadata=OWN)
    p90: float | None = field(default=None, metadata=OWN)

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.answered)


Quantiles = dict[Any, tuple[float | None, float | None]]  # level key -> (median, p90)
_OFFICER, _HOURS = itemgetter(0, 1), itemgetter(2)  # of a row (department, officer, hours)


async def hour_quantiles(session: AsyncSession, svc: Services, in_period) -> Quantiles:
    """The median and 90th percentile of the business hours receipt → answer of the complaints
    answered ``in_period``, for each officer ((department, officer) key), each department
    (department key) and the district (None).

    The hours are stored when a complaint is answered (the working calendar's rule,
    workflows.complaints.answer) and read from the answered-at index, which covers them, in
    officer order: each officer's run of rows is taken in one step (itemgetter, C), not one Python
    call a row, and each level's hours are sorted once (a department's are its officers' sorted
    runs, which the sort merges). A month of a large district is ~25,000 hours; row by row into
    each level's array they took ~0.1 s more of the report's 1.3 s. An answer without them (written around
    complaints.answer, or a row the migration could not fill) has them from the calendar now, as
    the report did before the column existed."""
    C = Complaint
    by_officer: dict[tuple[str, int | None], list[float]] = {}
    q = (
        select(C.department_code, C.answered_by, C.processing_hours)
        .where(in_period, C.processing_hours.is_not(None))
        .order_by(C.department_code, C.answered_by)
    )
    async for chunk in in_chunks(session, q):
        for key, run in groupby(chunk, key=_OFFICER):
            by_officer.setdefault(key, []).extend(map(_HOURS, run))
    missing = select(C.department_code, C.answered_by, C.received_at, C.answered_at).where(
        in_period, C.processing_hours.is_(None)
    )
    between = svc.calendar.business_hours_between
    async for chunk in in_chunks(session, missing):
        for dept, officer, received, answered in chunk:
            by_officer.setdefault((dept, officer), []).append(between(received, answered))
    out: Quantiles = {}
    by_dept: dict[str, list[float]] = {}
    for (dept, officer), hours in by_officer.items():
        hours.sort()
        out[(dept, officer)] = _quantiles(hours)
        by_dept.setdefault(dept, []).extend(hours)
    district: list[float] = []
    for dept, hours in by_dept.items():
        hours.sort()
        out[dept] = _quantiles(hours)
        district.extend(hours)
    district.sort()
    out[None] = _quantiles(district)
    return out


def _quantiles(ordered: list[float]) -> tuple[float | None, float | None]:
    return quantile(ordered, 0.5), quantile(ordered, 0.9)


async def speed(session: AsyncSession, svc: Services, lo: datetime, hi: datetime) -> Levels[Speed]:
    C, E = Complaint, ComplaintEvent
    fine: dict[tuple[str, int | None], Speed] = {}

    def row(dept: str, officer: int | None) -> Speed:
        return fine.setdefault((dept, officer), Speed())

    in_period = and_(C.answered_at >= lo, C.answered_at < hi)
    q = (
        select(
            C.department_code, C.answered_by, func.count(), func.sum(case((C.answered_at <= C.deadline_at, 1), else_=0))
        )
        .where(in_period)
        .group_by(C.department_code, C.answered_by)
    )
    for dept, officer, n, on_time in (await session.execute(q)).all():
        s = row(dept, officer)
        s.answered, s.on_time = n, int(on_time)
    # Overdue: the deadline fell in the period (up to now) and it passed without a decision.
    decided = func.coalesce(C.answered_at, C.closed_at)
    officer_col = func.coalesce(C.answered_by, C.officer_id)
    q = (
        select(C.department_code, officer_col, func.count())
        .where(
            C.deadline_at >= lo,
            C.deadline_at < min(hi, svc.now()),
            or_(and_(C.state.in_(states.OPEN), C.paused_at.is_(None)), decided > C.deadline_at),
        )
        .group_by(C.department_code, officer_col)
    )
    for dept, officer, n in (await session.execute(q)).all():
        row(dept, officer).overdue = n
    q = (
        select(E.department_code, E.actor_id, func.count())
        .where(E.action == "extend", E.at >= lo, E.at < hi)
        .group_by(E.department_code, E.actor_id)
    )
    for dept, officer, n in (await session.execute(q)).all():
        row(dept, officer).extensions = n
    levels = _rollup(fine, Speed)
    for key, (median, p90) in (await hour_quantiles(session, svc, in_period)).items():
        level = (
            levels.district
            if key is None
            else (levels.officers if isinstance(key, tuple) else levels.departments).get(key)
        )
        if level is not None:  # an answer without an officer: no officer level of its own
            level.median, level.p90 = median, p90
    return levels


# --- soft and smart ------------------------------------------------------------------------


@dataclass
class Flow(Summable):
    transfers: int = 0  # complaints passed on to another department (counted at the sender)
    transfer_hours: float = 0.0  # business hours they spent at the sender before being passed on
    answers: int = 0  # answers sent in the period
    reopens: int = 0  # of all answers, reopened by the resident in the period
    closed: int = 0  # complaints closed in the period after an answer
    first_contact: int = 0  # of those, never transferred and never reopened

    @property
    def reopen_rate(self) -> float | None:
        return ratio(self.reopens, self.answers)

    @property
    def fcr(self) -> float | None:
        return ratio(self.first_contact, self.closed)


async def flow(session: AsyncSession, svc: Services, lo: datetime, hi: datetime) -> Levels[Flow]:
    C, E = Complaint, ComplaintEvent
    fine: dict[tuple[str, int | None], Flow] = {}

    def row(dept: str, officer: int | None) -> Flow:
        return fine.setdefault((dept, officer), Flow())

    def touched(action: str):
        return select(E.complaint_id).where(E.action == action, E.at >= lo, E.at < hi)

    # Transfers: the sender is the department before the event (LAG over the complaint's hops:
    # submit, transfer, return, to the desk); the time lost is from the hop that brought it there,
    # stored with the transfer (held_hours, workflows.complaints.service.transfer) and summed here.
    order = {"partition_by": E.complaint_id, "order_by": E.id}
    hops = (
        select(
            E.action,
            E.at,
            E.actor_id,
            E.held_hours,
            func.lag(E.department_code).over(**order).label("sender"),
            func.lag(E.at, type_=UTCDateTime()).over(**order).label("since"),
        )
        .where(E.action.in_(transfers.HOPS), E.complaint_id.in_(touched("transfer")))
        .subquery()
    )
    sent_on = and_(hops.c.action == "transfer", hops.c.at >= lo, hops.c.at < hi)
    q = (
        select(hops.c.sender, hops.c.actor_id, func.count(), func.sum(hops.c.held_hours), func.count(hops.c.held_hours))
        .where(sent_on)
        .group_by(hops.c.sender, hops.c.actor_id)
    )
    missing = 0
    for dept, officer, n, held, stored in (await session.execute(q)).all():
        f = row(dept, officer)
        f.transfers, f.transfer_hours, missing = n, float(held or 0.0), missing + n - stored
    # A transfer without it (written around complaints.transfer, or one the migration could not
    # fill): the calendar now, as the report did before the column existed. Only if there is one:
    # the query costs as much as the sums (0.3 s for a year of a large district).
    if missing:
        hours = svc.calendar.business_hours_between
        q = select(hops.c.sender, hops.c.actor_id, hops.c.since, hops.c.at).where(
            sent_on, hops.c.held_hours.is_(None), hops.c.since.is_not(None)
        )
        async for chunk in in_chunks(session, q):
            for dept, officer, since, at in chunk:
                row(dept, officer).transfer_hours += hours(since, at)

    q = (
        select(E.department_code, E.actor_id, func.count())
        .where(E.action == "answer", E.at >= lo, E.at < hi)
        .group_by(E.department_code, E.actor_id)
    )
    for dept, officer, n in (await session.execute(q)).all():
        row(dept, officer).answers = n
    # A reopen always follows the answer it reopens: LAG(actor) is the officer who answered.
    prev = (
        select(E.action, E.at, E.department_code, func.lag(E.actor_id).over(**order).label("answerer"))
        .where(E.complaint_id.in_(touched("reopen")))
        .subquery()
    )
    q = (
        select(prev.c.department_code, prev.c.answerer, func.count())
        .where(prev.c.action == "reopen", prev.c.at >= lo, prev.c.at < hi)
        .group_by(prev.c.department_code, prev.c.answerer)
    )
    for dept, officer, n in (await session.execute(q)).all():
        row(dept, officer).reopens = n

    # select the id, not *: the events' (complaint, action) index answers it without the table
    detour = exists(select(E.id).where(E.complaint_id == C.id, E.action.in_(("transfer", "reopen"))))
    q = (
        select(C.department_code, C.answered_by, func.count(), func.sum(case((~detour, 1), else_=0)))
        .where(C.state == states.CLOSED, C.closed_at >= lo, C.closed_at < hi)
        .group_by(C.department_code, C.answered_by)
    )
    for dept, officer, n, first in (await session.execute(q)).all():
        f = row(dept, officer)
        f.closed, f.first_contact = n, int(first)
    return _rollup(fine, Flow)


# --- volume --------------------------------------------------------------------------------


@dataclass
class Volume:
    received: dict[str, int]  # department -> complaints received
    by_category: dict[str, int]
    by_dong: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.received.values())


async def volume(session: AsyncSession, svc: Services, lo: datetime, hi: datetime) -> Volume:
    """Complaints received in the period by department, category and 동: one pass over the
    period's rows, each address padded once (in a subquery that OFFSET 0 keeps apart, so the
    padding is not repeated for each 동 of the CASE), the groups summed here. Three counts, one of
    them padding each address for each 동, took 130 ms on a month of a large district; this, 80."""
    C = Complaint
    rows = (
        select(C.department_code.label("dept"), C.category_code.label("cat"), padded_address().label("place"))
        .where(C.received_at >= lo, C.received_at < hi)
        .offset(0)
        .subquery()
    )
    dong = dong_case(svc.district.dongs, padded=rows.c.place).label("dong")
    received: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_dong: Counter[str] = Counter()
    q = select(rows.c.dept, rows.c.cat, dong, func.count()).group_by(rows.c.dept, rows.c.cat, dong)
    for dept, cat, place, n in (await session.execute(q)).all():
        received[dept] += n
        by_category[cat] += n
        by_dong[place] += n
    return Volume(dict(sorted(received.items())), dict(sorted(by_category.items())), dict(sorted(by_dong.items())))


# --- recurring complaints (서초구 model) ---------------------------------------------------


@dataclass
class Hotspot:
    category: str
    address: str | None
    latitude: float | None
    longitude: float | None
    count: int  # complaints at this place in the window
    receipts: list[str]  # their receipt numbers, oldest first
    first: datetime
    last: datetime


def _close(a, b, radius: float, kx: float) -> bool:
    if a.cat != b.cat:
        return False
    if a.addr is not None and a.addr == b.addr:
        return True
    if None in (a.lat, a.lon, b.lat, b.lon):
        return False
    dy, dx = (a.lat - b.lat) * METRES_PER_DEGREE, (a.lon - b.lon) * kx
    return dy * dy + dx * dx <= radius * radius


# a cell and the cells "after" it: every pair of neighbouring cells is looked at once
_FORWARD = ((0, 0), (0, 1), (1, -1), (1, 0), (1, 1))


def _runs_within(key, width: int, forward=_FORWARD):
    """For cell numbers ``key`` (a numpy array), each pair of positions (a, b) whose cells are one
    cell and one of ``forward`` from it (a row is ``width`` cells), each pair once: one sort brings
    each cell's positions together, and searchsorted finds the neighbouring cell's run. Yields
    (a, b) as arrays of positions into ``key``, one per step of ``forward``."""
    import numpy as np

    order = np.argsort(key, kind="stable")
    key, at = key[order], np.arange(len(key))
    for dy, dx in forward:
        target = key + dy * width + dx
        lo = at + 1 if (dy, dx) == (0, 0) else np.searchsorted(key, target, "left")
        counts = np.maximum(np.searchsorted(key, target, "right") - lo, 0)
        a = np.repeat(at, counts)
        b = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts - lo, counts)
        yield order[a], order[b]


def _within(lat, lon, a, b, kx: float, r2: float):
    """Whether places a[k] and b[k] are at most sqrt(r2) metres apart (False where one has no
    coordinates)."""
    return ((lat[a] - lat[b]) * METRES_PER_DEGREE) ** 2 + ((lon[a] - lon[b]) * kx) ** 2 <= r2


def neighbour_pairs(
    cats: Sequence[str], addrs: Sequence[str | None], lats: Sequence, lons: Sequence, radius: float, kx: float
):
    """Every pair of neighbours among the places given column by column (``_close``: the same
    category, and within ``radius`` metres or at the same address), each pair once, as two numpy
    arrays of indices.

    Within the radius: the located places are put in grid cells at least ``radius`` wide, numbered
    so that one sort brings each cell's places together; a place is compared only with those in
    its own cell (after it) and in the four cells "after" that one (searchsorted on the sorted cell
    numbers). The work grows with the pairs, not with the square of the window.
    At the same address, and not near already (or without coordinates): each (category, address)
    numbered, and each number's places paired the same way, as one cell."""
    import numpy as np

    gy, gx, r2 = METRES_PER_DEGREE / radius, kx / radius, radius * radius
    lat = np.array(lats, dtype=np.float64)  # None: NaN
    lon = np.array(lons, dtype=np.float64)
    codes = {c: k for k, c in enumerate(sorted(set(cats)))}
    firsts, seconds = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    idx = np.flatnonzero(~np.isnan(lat) & ~np.isnan(lon))
    if len(idx):
        cat = np.array([codes[c] for c in cats], dtype=np.int64)[idx]
        cy, cx = np.floor(lat[idx] * gy).astype(np.int64), np.floor(lon[idx] * gx).astype(np.int64)
        cy, cx = cy - cy.min() + 1, cx - cx.min() + 1  # from 1: a neighbouring cell's number is never negative
        width, height = int(cx.max()) + 2, int(cy.max()) + 2  # nor does it run into the next row
        for a, b in _runs_within((cat * height + cy) * width + cx, width):
            a, b = idx[a], idx[b]
            near = _within(lat, lon, a, b, kx, r2)
            firsts.append(a[near])
            seconds.append(b[near])
    # the same category at the same address, and not near already (or without coordinates)
    places: dict[tuple[str, str], int] = {}
    place = np.fromiter(
        (-1 if a is None else places.setdefault((c, a), len(places)) for c, a in zip(cats, addrs)),
        dtype=np.int64,
        count=len(cats),
    )
    idx = np.flatnonzero(place >= 0)
    for a, b in _runs_within(place[idx], 0, forward=((0, 0),)):
        a, b = idx[a], idx[b]
        apart = ~_within(lat, lon, a, b, kx, r2)  # NaN (no coordinates) compares false: kept
        firsts.append(a[apart])
        seconds.append(b[apart])
    return np.concatenate(firsts), np.concatenate(seconds)


async def recurring(
    session: AsyncSession,
    svc: Services,
    until: datetime,
    *,
    radius_m: float | None = None,
    days: int | None = None,
    min_count: int | None = None,
    limit: int | None = None,
) -> list[Hotspot]:
    """Places where the same category was reported ``min_count``+ times in the ``days`` before
    ``until``: same address, or within ``radius_m`` metres. A complaint is the centre of a
    hotspot when at least min_count complaints (itself included) are its neighbours; hotspots
    are listed busiest first, one per place (a centre inside a listed hotspot is skipped).

    The window's places are read once (five columns, no dates) and paired in Python
    (``neighbour_pairs``): a self-join in SQL took from 1 s to 2.5 s on a month of a large
    district, as SQLite's planner chose."""
    r = rules()["recurring"]
    radius = float(radius_m or r["radius_m"])
    days, min_count, limit = days or r["days"], min_count or r["min_count"], limit or r["max_listed"]
    C = Complaint
    kx = METRES_PER_DEGREE * math.cos(math.radians(r["reference_latitude"]))
    window = (C.received_at >= until - timedelta(days=days), C.received_at < until)
    places = (
        await (await session.connection()).execute(  # Core rows: no ORM loading for a whole window
            select(
                C.id,
                C.category_code.label("cat"),
                C.address.label("addr"),
                C.latitude.label("lat"),
                C.longitude.label("lon"),
            ).where(
                *window,
                C.anonymised_at.is_(None),  # an anonymised complaint keeps only its 동: no place
                # nor is one with neither an address nor both coordinates near anything (_close)
                or_(C.address.is_not(None), and_(C.latitude.is_not(None), C.longitude.is_not(None))),
            )
        )
    ).all()
    import numpy as np  # here, not at start (issue 17: the bot starts without the report's libraries)

    ids, cats, addrs, lats, lons = zip(*places) if places else ((),) * 5
    first, second = neighbour_pairs(cats, addrs, lats, lons, radius, kx)
    count = 1 + np.bincount(first, minlength=len(places)) + np.bincount(second, minlength=len(places))
    busy = np.flatnonzero(count >= min_count)
    centres = busy[np.lexsort((np.array(ids, dtype=np.int64)[busy], -count[busy]))]  # busiest, then oldest id
    chosen: list[tuple[Any, int, list[int]]] = []
    for i in centres.tolist():
        anchor = places[i]
        if not any(_close(anchor, c, radius, kx) for c, _, _ in chosen):
            group = [i, *second[first == i].tolist(), *first[second == i].tolist()]
            chosen.append((anchor, int(count[i]), [ids[k] for k in group]))
            if len(chosen) == limit:
                break
    if not chosen:
        return []
    when = {
        i: (receipt, at)
        for i, receipt, at in await session.execute(
            select(C.id, C.receipt_no, C.received_at).where(C.id.in_({i for _, _, group in chosen for i in group}))
        )
    }
    out = []
    for c, n, group in chosen:
        m = sorted((when[i][1], i) for i in group)
        out.append(Hotspot(c.cat, c.addr, c.lat, c.lon, n, [when[i][0] for _, i in m], m[0][0], m[-1][0]))
    return out


# --- trend ---------------------------------------------------------------------------------


@dataclass
class TrendPoint:
    month: str  # YYYY-MM
    rated: int
    mean: float | None
    answered: int
    on_time_rate: float | None


async def trend(session: AsyncSession, svc: Services, last: date, months: int = 12) -> list[TrendPoint]:
    """District rating mean and on-time rate for ``months`` months ending with the month of
    ``last``: one query each, a UNION ALL of one range aggregate per month."""
    first = add_months(date(last.year, last.month, 1), -(months - 1))
    edges = [datetime.combine(add_months(first, i), datetime.min.time(), svc.tz) for i in range(months + 1)]

    def monthly(col, *aggregates, where=()):
        """One aggregate row per month, each a range scan of ``col``'s index (no sort of the
        year's rows into groups), in one statement."""
        return union_all(
            *(
                select(literal(i, Integer).label("b"), *aggregates).where(col >= edges[i], col < edges[i + 1], *where)
                for i in range(months)
            )
        )

    R, C = Rating, Complaint
    ratings = {
        i: (n, s)
        for i, n, s in (
            await session.execute(
                monthly(
                    R.rated_at, func.count(R.overall), func.sum(R.overall), where=(R.overall.is_not(None), counted())
                )
            )
        ).all()
    }
    speed_rows = {
        i: (n, ok)
        for i, n, ok in (
            await session.execute(
                monthly(C.answered_at, func.count(), func.sum(case((C.answered_at <= C.deadline_at, 1), else_=0)))
            )
        ).all()
    }
    out = []
    for i in range(months):
        n, s = ratings.get(i, (0, 0))
        a, ok = speed_rows.get(i, (0, 0))
        out.append(TrendPoint(add_months(first, i).strftime("%Y-%m"), n, ratio(s or 0, n), a, ratio(ok or 0, a)))
    return out


# --- one-stops and opinion days ------------------------------------------------------------


@dataclass
class OfficeWork(Summable):
    """One office's completed one-stop sub-requests (출생·사망 원스톱)."""

    done: int = 0
    hours: list[float] = field(default_factory=list)  # business hours application → item done
    rated: int = 0  # the family's overall ratings in the period (never by the office's own staff:
    rating_sum: int = 0  # ratings.onestop_conflict leaves those rows unrated)

    @property
    def rating_mean(self) -> float | None:
        return ratio(self.rating_sum, self.rated)

    @property
    def median(self) -> float | None:
        return quantile(self.hours, 0.5)


async def onestop_offices(session: AsyncSession, svc: Services, lo: datetime, hi: datetime) -> dict[str, OfficeWork]:
    """Sub-requests completed in the period per office (the department, or the outside body when
    no department handled it), business hours from the application to completion, and the
    family's ratings given in the period."""
    A, I = OnestopApplication, OnestopItem
    office = func.coalesce(I.department_code, I.agency_code)
    done = and_(I.done_at >= lo, I.done_at < hi)
    out = {
        k: OfficeWork(done=n)
        for k, n in (await session.execute(select(office, func.count()).where(done).group_by(office))).all()
    }
    hours = svc.calendar.business_hours_between
    for k, created, finished in (
        await session.execute(select(office, A.created_at, I.done_at).join(A, A.id == I.application_id).where(done))
    ).all():
        out[k].hours.append(hours(created, finished))
    R = Rating
    for k, n, total in (
        await session.execute(
            select(R.department_code, func.count(), func.sum(R.overall))
            .where(R.rated_at >= lo, R.rated_at < hi, R.overall.is_not(None), counted(ONESTOP))
            .group_by(R.department_code)
        )
    ).all():
        w = out.setdefault(k, OfficeWork())
        w.rated, w.rating_sum = int(n), int(total or 0)
    return out


async def opinion_days(session: AsyncSession, span: Span, svc: Services) -> tuple[list, dict]:
    """Opinion days held in the period: days to the analysis and to the policy answer, and
    whether each public deadline was met (workflows.opinion_days.indicators)."""
    return await od.indicators(session, svc, span.start, span.end - timedelta(days=1))


# --- one period, and a report's worth ------------------------------------------------------


@dataclass
class Snapshot:
    """Smile and Speed for one period: what a report compares with the period before and the
    same period a year earlier."""

    span: Span
    smile: Levels[Smile]
    speed: Levels[Speed]


async def snapshot(reads: AsyncSession | Lanes, svc: Services, span: Span) -> Snapshot:
    lo, hi = span.bounds(svc)
    return Snapshot(span, *await Lanes.of(reads).all(*_snapshot_parts(svc, lo, hi)))


def _snapshot_parts(svc: Services, lo: datetime, hi: datetime) -> list[Callable[[AsyncSession], Awaitable[Any]]]:
    return [lambda s: satisfaction(s, lo, hi), lambda s: speed(s, svc, lo, hi)]


@dataclass
class Indicators:
    current: Snapshot
    previous: Snapshot
    year_ago: Snapshot
    flow: Levels[Flow]  # Soft/Smart of the report's period (not compared: read for it alone)
    volume: Volume
    hotspots: list[Hotspot]
    trend: list[TrendPoint]
    onestop: dict[str, OfficeWork] = field(default_factory=dict)
    opinion_days: tuple[list, dict] = ([], {})

    @property
    def span(self) -> Span:
        return self.current.span


async def compute(reads: AsyncSession | Lanes, svc: Services, span: Span) -> Indicators:
    """Everything a report shows for ``span``, with the previous period and the same period a
    year earlier for the changes. The parts are read as ``reads`` allows (``Lanes``): one after
    another in one session, or several at once in sessions of their own."""
    lanes = Lanes.of(reads)
    lo, hi = span.bounds(svc)
    months = rules()["report"]["trend_months"]
    last_day = (min(hi, svc.now()) - timedelta(microseconds=1)).astimezone(svc.tz).date()
    # for a year the previous period is the year before: read once
    spans = [span, span.previous()] + ([] if span.year_before() == span.previous() else [span.year_before()])
    snapshot_parts = [p for s in spans for p in _snapshot_parts(svc, *s.bounds(svc))]
    parts = await lanes.all(  # the longest part of a month's report first (recurring: ~0.4 s)
        lambda s: recurring(s, svc, hi),
        *snapshot_parts,
        lambda s: flow(s, svc, lo, hi),
        lambda s: volume(s, svc, lo, hi),
        lambda s: trend(s, svc, max(last_day, span.start), months),
        lambda s: onestop_offices(s, svc, lo, hi),
        lambda s: opinion_days(s, span, svc),
    )
    hotspots, *parts = parts
    snaps = [Snapshot(s, *parts[2 * k : 2 * k + 2]) for k, s in enumerate(spans)]
    soft, vol, trend_points, offices, days = parts[len(snapshot_parts) :]
    return Indicators(
        current=snaps[0],
        previous=snaps[1],
        year_ago=snaps[2] if len(snaps) == 3 else snaps[1],
        flow=soft,
        volume=vol,
        hotspots=hotspots,
        trend=trend_points,
        onestop=offices,
        opinion_days=days,
    )


def change(now: float | None, before: float | None) -> float | None:
    """now − before, or None when either is unknown."""
    return None if now is None or before is None else now - before
