"""Indicators on the hand-computed sample of tests/indicator_sample.py (see its table).
Every expected number below is worked out by hand in the comments."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import event

from workflows.complaints import common
from workflows.models import Complaint, User
from tests.indicator_sample import KST, NOW, kst, seed
from workflows.indicators import service as ind
from workflows.indicators.service import Span, parse_span, quantile

OCT = Span("month", 2026, 10)


@pytest.fixture
async def sample(session, clock):
    clock.at = NOW
    await seed(session)
    return session


# --- periods -------------------------------------------------------------------------------


def test_spans_and_their_neighbours():
    assert (OCT.start, OCT.end, OCT.label) == (date(2026, 10, 1), date(2026, 11, 1), "2026-10")
    assert OCT.previous().label == "2026-09" and OCT.year_before().label == "2025-10"
    assert Span("month", 2026, 1).previous().label == "2025-12"
    q = Span("quarter", 2026, 1)
    assert (q.start, q.end, q.label, q.previous().label) == (date(2026, 1, 1), date(2026, 4, 1), "2026-Q1", "2025-Q4")
    assert Span("year", 2026).end == date(2027, 1, 1) and Span("year", 2026).previous().label == "2025"
    with pytest.raises(ValueError):
        Span("month", 2026, 13)


def test_bounds_are_local_midnights_cut_at_now(svc, clock):
    clock.at = kst(2026, 10, 15, 12)
    lo, hi = OCT.bounds(svc)
    assert lo == kst(2026, 10, 1) and hi == kst(2026, 10, 15, 12)
    clock.at = NOW
    assert OCT.bounds(svc)[1] == kst(2026, 11, 1)


def test_weeks_run_monday_to_sunday_in_iso_numbering():
    w = Span.containing("week", date(2026, 11, 4))  # a Wednesday
    assert (w.label, w.start, w.end, w.last_day) == (
        "2026-W45",
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 8),
    )
    assert w.previous().label == "2026-W44" and w.year_before().label == "2025-W45"
    w53 = Span("week", 2026, 53)  # 2026 has 53 ISO weeks: 12-28 .. 2027-01-03
    assert (w53.start, w53.last_day) == (date(2026, 12, 28), date(2027, 1, 3))
    assert w53.shifted(1).label == "2027-W01" and w53.year_before().label == "2025-W52"  # 2025 has 52
    with pytest.raises(ValueError):
        Span("week", 2025, 53)


@pytest.mark.parametrize(
    ("arg", "label"),
    [
        (None, "2026-10"),
        ("", "2026-10"),
        ("month", "2026-10"),
        ("월", "2026-10"),
        ("지난달", "2026-10"),
        ("quarter", "2026-Q3"),
        ("year", "2025"),
        ("작년", "2025"),
        ("week", "2026-W44"),
        ("지난주", "2026-W44"),
        ("이번달", "2026-11"),
        ("이번주", "2026-W45"),
        ("이번분기", "2026-Q4"),
        ("올해", "2026"),
        ("2026-10", "2026-10"),
        ("2026-3", "2026-03"),
        ("2026-q2", "2026-Q2"),
        ("2025Q4", "2025-Q4"),
        ("2025", "2025"),
        ("2026-W44", "2026-W44"),
        ("2026w45", "2026-W45"),
        (" 분기 ", "2026-Q3"),
    ],
)
def test_parse_span(arg, label):
    # Monday 2026-11-02: a kind alone is the last complete period of that kind
    assert parse_span(arg, date(2026, 11, 2)).label == label


@pytest.mark.parametrize(
    ("arg", "error"),
    [
        ("2026-13", "bad"),
        ("2026-00", "bad"),
        ("last week", "bad"),
        ("2026-10-01", "bad"),
        ("99999", "bad"),
        ("2026-12", "future"),
        ("2027", "future"),
        ("2027-Q1", "future"),
        ("1800", "bad"),
        ("2025-W53", "bad"),
        ("2026-W46", "future"),
    ],
)
def test_parse_span_refuses(arg, error):
    with pytest.raises(ValueError, match=error):
        parse_span(arg, date(2026, 11, 2))


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # 00:30 on New Year's Day in Seoul is still 31 December in UTC: the district's day counts
        (
            (2027, 1, 1, 0, 30),
            {"": "2026-12", "month": "2026-12", "quarter": "2026-Q4", "year": "2026", "week": "2026-W52"},
        ),  # W53 (12-28 .. 01-03) is still running
        (
            (2026, 12, 31, 23, 59),
            {
                "": "2026-11",
                "month": "2026-11",
                "quarter": "2026-Q3",
                "year": "2025",
                "week": "2026-W52",
                "이번달": "2026-12",
            },
        ),
        ((2026, 3, 1, 0, 0), {"": "2026-02", "quarter": "2025-Q4", "year": "2025"}),
        ((2026, 11, 22, 23, 59), {"week": "2026-W46"}),  # Sunday night: this week is not over yet
        ((2026, 11, 23, 0, 0), {"week": "2026-W47"}),  # Monday 00:00: last week (16-22) is complete
    ],
)
def test_requested_span_is_the_last_complete_period_on_the_district_clock(at, expected, svc, clock):
    clock.at = kst(*at).astimezone(timezone.utc)  # the real clock is UTC
    assert {arg: ind.requested_span(arg, svc).label for arg in expected} == expected


# --- the business-hours median and percentile -----------------------------------------------


def test_quantile_interpolates_between_ranks():
    # sorted 4, 8, 24, 46: median at position 1.5 -> (8 + 24) / 2 = 16;
    # p90 at 3 × 0.9 = 2.7 -> 24 + 0.7 × (46 - 24) = 39.4
    assert quantile([24, 4, 46, 8], 0.5) == 16
    assert quantile([24, 4, 46, 8], 0.9) == pytest.approx(39.4)
    assert quantile([7], 0.9) == 7 and quantile([], 0.5) is None
    assert quantile([1, 2, 3], 0.5) == 2


async def test_speed_in_business_hours(sample, svc):
    lo, hi = OCT.bounds(svc)
    s = await ind.speed(sample, svc, lo, hi)
    # c1 10-12 10:00 → 15:00 = 2 h + 2 h (lunch skipped) = 4
    # c2 Tue 09:00 → Fri 09:00 = 3 working days = 24
    # c3 Wed 14:00 → next Thu 11:00 = 4 + 8 + 8 + 8 + 8 + 8 + 2 = 46 (weekend skipped)
    # c4 Thu 10:00 → Fri 10:00 = 7 + 1 = 8
    assert s.district.median == 16 and s.district.p90 == pytest.approx(39.4)  # of 4, 8, 24, 46
    assert (s.district.answered, s.district.on_time, s.district.on_time_rate) == (4, 3, 0.75)
    # overdue: c2 answered after its 10-14 deadline, c5 still open past 10-27; c6 rejected in time
    assert s.district.overdue == 2 and s.district.extensions == 1
    clean, roads = s.departments["CLEAN"], s.departments["ROADS"]
    # CLEAN 4, 24, 46: median 24, p90 at 1.8 -> 24 + 0.8 × 22 = 41.6
    assert (clean.median, clean.p90) == (24, pytest.approx(41.6))
    assert (clean.answered, clean.on_time, clean.overdue, clean.extensions) == (3, 2, 1, 1)
    assert clean.on_time_rate == pytest.approx(2 / 3)
    assert (roads.median, roads.on_time_rate, roads.overdue) == (8, 1.0, 1)
    officer = s.officers[("CLEAN", 201)]  # 4 and 46: median 25, p90 4 + 0.9 × 42 = 41.8
    assert (officer.median, officer.p90, officer.extensions) == (25, pytest.approx(41.8), 1)
    assert s.officers[("CLEAN", 202)].overdue == 1 and s.officers[("ROADS", 301)].overdue == 1


async def test_business_hours_skip_holidays(session, svc, clock):
    """Fri 10-02 17:00 → Tue 10-06 10:00: Sat, Sun and 10-05 (개천절 대체공휴일) skipped = 1 + 1 = 2."""
    clock.at = NOW
    session.add(User(id=100))
    await session.flush()
    session.add(
        Complaint(
            receipt_no="2026-000900",
            submit_key="h",
            citizen_id=100,
            category_code="waste",
            kind="고충",
            period="7d",
            description="x" * 10,
            department_code="CLEAN",
            state="answered",
            received_at=kst(2026, 10, 2, 17),
            deadline_at=kst(2026, 10, 13, 18),
            answered_at=kst(2026, 10, 6, 10),
            answered_by=201,
            updated_at=NOW,
        )
    )
    await session.commit()
    s = await ind.speed(session, svc, *OCT.bounds(svc))
    assert (s.district.median, s.district.p90) == (2.0, 2.0)


# --- satisfaction --------------------------------------------------------------------------


async def test_satisfaction(sample, svc):
    s = await ind.satisfaction(sample, *OCT.bounds(svc))
    d = s.district
    # rated in October: c1 5, c2 3, c4 4, c9 4 (sent 09-30, rated 10-01) -> mean 16 / 4 = 4.0
    assert (d.rated, d.mean, d.dist) == (4, 4.0, [0, 0, 1, 2, 1])
    assert d.top_share == 0.75  # 5, 4, 4 of four
    # sent in October: c1, c2, c4, c6; answered: c1, c2, c4 -> 3 / 4
    assert (d.sent, d.responded, d.response_rate) == (4, 3, 0.75)
    # items: greeting 5, 3, 4 -> 4.0; guidance 4, 4 -> 4.0; tone/answer/closing 5, 4 -> 4.5
    assert [d.item_mean(i) for i in ind.ITEMS] == [4.0, 4.0, 4.5, 4.5, 4.5]
    clean = s.departments["CLEAN"]
    assert (clean.rated, clean.mean, clean.sent, clean.responded) == (3, 4.0, 3, 2)
    assert clean.top_share == pytest.approx(2 / 3)
    assert s.officers[("CLEAN", 202)].mean == 3.5  # c2 3 and c9 4
    assert (s.officers[("CLEAN", 202)].sent, s.officers[("CLEAN", 202)].responded) == (2, 1)  # c2, c6
    assert s.departments["ROADS"].mean == 4.0 and ("TRAFFIC" not in s.departments)


# --- soft and smart ------------------------------------------------------------------------


async def test_transfers_reopens_first_contact(sample, svc):
    f = await ind.flow(sample, svc, *OCT.bounds(svc))
    # c4: filed at TRAFFIC 10-15 10:00, passed on at 15:00 by 401: 2 h + 2 h lost, counted at TRAFFIC
    assert (f.departments["TRAFFIC"].transfers, f.departments["TRAFFIC"].transfer_hours) == (1, 4.0)
    assert f.officers[("TRAFFIC", 401)].transfers == 1 and f.departments.get("ROADS").transfers == 0
    # answers in October: c1, c2, c3 (CLEAN), c4 (ROADS); reopened: c3 (answered by 201)
    assert (f.district.answers, f.district.reopens, f.district.reopen_rate) == (4, 1, 0.25)
    assert f.departments["CLEAN"].reopen_rate == pytest.approx(1 / 3)
    assert f.officers[("CLEAN", 201)].reopens == 1 and f.officers[("CLEAN", 201)].answers == 2
    # closed in October: c1, c2 (first contact), c4 (transferred: not) -> 2 / 3; c6 was rejected
    assert (f.district.closed, f.district.first_contact) == (3, 2)
    assert f.district.fcr == pytest.approx(2 / 3)
    assert f.departments["CLEAN"].fcr == 1.0 and f.departments["ROADS"].fcr == 0.0


# --- volume --------------------------------------------------------------------------------


async def test_volume_by_department_category_and_dong(sample, svc):
    v = await ind.volume(sample, svc, *OCT.bounds(svc))
    assert v.received == {"CLEAN": 4, "ROADS": 2} and v.total == 6
    assert v.by_category == {"waste": 4, "road": 2}
    # "자양2동 123-4" and "능동 45" name a 동; "능동로 120" is a road, not 능동; c3, c5, c6 have no address
    assert v.by_dong == {"자양2동": 1, "능동": 1, common.OTHER_PLACE: 1, common.NO_ADDRESS: 3}


# --- the report's bundle: changes and trend ------------------------------------------------


async def test_compute_gives_previous_and_year_ago_for_changes(sample, svc):
    i = await ind.compute(sample, svc, OCT)
    assert i.previous.span.label == "2026-09" and i.year_ago.span.label == "2025-10"
    # September: c7 (8 h) and c9 (8 h) answered; c7 rated 2. October 2025: c8 8 h, rated 5.
    assert i.previous.speed.district.median == 8 and i.year_ago.speed.district.median == 8
    assert ind.change(i.current.speed.district.median, i.previous.speed.district.median) == 8
    assert ind.change(i.current.smile.district.mean, i.previous.smile.district.mean) == 2.0
    assert ind.change(i.current.smile.district.mean, i.year_ago.smile.district.mean) == -1.0
    assert ind.change(None, 3) is None
    assert [p.month for p in i.trend][0] == "2025-11" and len(i.trend) == 12
    sep, oct_ = i.trend[-2], i.trend[-1]
    assert (sep.rated, sep.mean, sep.answered, sep.on_time_rate) == (1, 2.0, 2, 1.0)
    assert (oct_.rated, oct_.mean, oct_.answered, oct_.on_time_rate) == (4, 4.0, 4, 0.75)
    assert i.trend[0].mean is None and i.hotspots == []


async def test_a_year_reads_the_year_before_once(sample, svc):
    """For a year the previous period and the same period a year earlier are one year: read once
    (a third of /report year's work before)."""
    y = await ind.compute(sample, svc, Span("year", 2026))
    assert y.previous is y.year_ago and y.previous.span.label == "2025"
    m = await ind.compute(sample, svc, OCT)
    assert m.previous is not m.year_ago


async def test_indicators_run_grouped_sql_not_per_row(sample, svc, db_sessionmaker):
    """The number of statements does not grow with the rows: every query is an aggregate or
    a two-column fetch, never one query per complaint."""
    seen = []
    engine = sample.bind

    def count(*_a):
        seen.append(1)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        await ind.snapshot(sample, svc, OCT)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert 5 <= len(seen) <= 15


# --- recurring complaints ------------------------------------------------------------------


def _at(session, n: int, when: datetime, *, cat="waste", address=None, lat=None, lon=None):
    session.add(
        Complaint(
            receipt_no=f"2026-{n:06d}",
            submit_key=f"r{n}",
            citizen_id=100,
            category_code=cat,
            kind="고충",
            period="7d",
            description="x" * 10,
            department_code="CLEAN",
            state="received",
            received_at=when,
            deadline_at=when,
            address=address,
            latitude=lat,
            longitude=lon,
            updated_at=when,
        )
    )


async def test_recurring_finder(session, svc, clock):
    clock.at = NOW
    session.add(User(id=100))
    await session.flush()
    until = kst(2026, 11, 1)
    # A: three waste complaints within 100 m in October (0 m, ~56 m north, ~89 m west)
    _at(session, 1, kst(2026, 10, 2), lat=37.54000, lon=127.08000)
    _at(session, 2, kst(2026, 10, 9), lat=37.54050, lon=127.08000)
    _at(session, 3, kst(2026, 10, 20), lat=37.54000, lon=127.07899)
    # ... and one ROAD complaint at the same spot: another category, not counted
    _at(session, 4, kst(2026, 10, 21), cat="road", lat=37.54000, lon=127.08000)
    # B: the same address three times, no coordinates; a fourth 100 days earlier is outside 90 days
    for n, day in ((5, kst(2026, 9, 1)), (6, kst(2026, 9, 20)), (7, kst(2026, 10, 30))):
        _at(session, n, day, address="광진구 자양로 1")
    _at(session, 8, kst(2026, 7, 20), address="광진구 자양로 1")
    # C: a chain X — 90 m — Y — 90 m — Z: only Y has three neighbours (X, itself, Z)
    _at(session, 9, kst(2026, 10, 1), lat=37.55000, lon=127.10000)
    _at(session, 10, kst(2026, 10, 2), lat=37.55081, lon=127.10000)
    _at(session, 11, kst(2026, 10, 3), lat=37.55162, lon=127.10000)
    # D: two complaints only, 10 m apart: below three
    _at(session, 12, kst(2026, 10, 5), lat=37.53000, lon=127.06000)
    _at(session, 13, kst(2026, 10, 6), lat=37.53009, lon=127.06000)
    # E: three complaints 150 m apart pairwise (a triangle wider than 100 m): none
    _at(session, 14, kst(2026, 10, 5), lat=37.52000, lon=127.05000)
    _at(session, 15, kst(2026, 10, 6), lat=37.52135, lon=127.05000)
    _at(session, 16, kst(2026, 10, 7), lat=37.52000, lon=127.05170)
    await session.commit()

    hot = await ind.recurring(session, svc, until)
    by_receipts = {tuple(h.receipts): h for h in hot}
    assert set(by_receipts) == {
        ("2026-000001", "2026-000002", "2026-000003"),
        ("2026-000005", "2026-000006", "2026-000007"),
        ("2026-000009", "2026-000010", "2026-000011"),
    }
    a = by_receipts[("2026-000001", "2026-000002", "2026-000003")]
    assert a.category == "waste" and a.count == 3 and a.first == kst(2026, 10, 2)
    assert a.last == kst(2026, 10, 20)
    b = by_receipts[("2026-000005", "2026-000006", "2026-000007")]
    assert b.address == "광진구 자양로 1" and b.latitude is None
    c = by_receipts[("2026-000009", "2026-000010", "2026-000011")]
    assert c.latitude == pytest.approx(37.55081)  # the middle one is the centre

    # a fourth complaint at A makes it the busiest, listed first, still once
    _at(session, 17, kst(2026, 10, 25), lat=37.54020, lon=127.08020)
    await session.commit()
    hot = await ind.recurring(session, svc, until)
    assert hot[0].count == 4 and len(hot) == 3
    # a shorter window drops B's September complaints
    # and C's first one (10-01): only A is left
    assert len(await ind.recurring(session, svc, until, days=30)) == 1


def test_neighbour_pairs_are_every_close_pair_once():
    """The grid search (numpy) finds exactly the pairs a comparison of every two places finds
    (ind._close), each once: random places in a few clusters (some on cell edges, some without
    coordinates, some sharing an address, some south and west of 0°)."""
    import random
    from types import SimpleNamespace

    rnd = random.Random(17)
    radius, kx = 100.0, ind.METRES_PER_DEGREE * 0.79
    places = []
    for k in range(700):
        centre = rnd.choice([(37.54, 127.08), (37.5409, 127.0811), (0.0004, -0.0003), (-33.9, -70.6)])
        located = rnd.random() > 0.15
        lat = centre[0] + rnd.uniform(-0.002, 0.002) if located else None
        lon = centre[1] + rnd.uniform(-0.002, 0.002) if located else None
        addr = rnd.choice([None, None, "자양로 1", "자양로 2", "<b>&"])
        places.append(SimpleNamespace(id=k, cat=rnd.choice(["road", "waste"]), addr=addr, lat=lat, lon=lon))
    columns = [[getattr(p, c) for p in places] for c in ("cat", "addr", "lat", "lon")]
    first, second = ind.neighbour_pairs(*columns, radius, kx)
    found = sorted(zip(first.tolist(), second.tolist()))
    assert len(found) == len({frozenset(p) for p in found})  # each pair once, no place with itself
    expected = {
        frozenset((i, j))
        for i in range(len(places))
        for j in range(i + 1, len(places))
        if ind._close(places[i], places[j], radius, kx)
    }
    assert {frozenset(p) for p in found} == expected and len(expected) > 1000
    assert ind.neighbour_pairs([], [], [], [], radius, kx)[0].tolist() == []


def test_rules_file_has_a_source_and_date():
    r = ind.rules()
    assert r["source"] and r["updated"]
    assert r["recurring"]["radius_m"] == 100 and r["recurring"]["days"] == 90 and r["recurring"]["min_count"] == 3
    assert KST.key == "Asia/Seoul"


# --- one-stops and opinion days ------------------------------------------------------------


async def test_onestop_and_opinion_day_figures(session, svc, clock):
    from workflows.models import OnestopApplication, OnestopItem, OpinionTopic

    clock.at = NOW
    session.add(User(id=100))
    await session.flush()
    app = OnestopApplication(
        receipt_no="OS-1",
        submit_key="os1",
        kind="birth",
        citizen_id=100,
        dong="능동",
        event_date=date(2026, 10, 1),
        facts={},
        consents={},
        state="open",
        created_at=kst(2026, 10, 12, 10),
    )
    session.add(app)
    await session.flush()
    # done Mon 10:00 + 6 h -> 16:00 (lunch skipped) = 5 h; Tue 10:00 = 7 + 1 = 8 h; one not done; one in November
    for code, dept, agency, done in (
        ("a", "DONG-JAYANG1", None, kst(2026, 10, 12, 16)),
        ("b", "DONG-JAYANG1", None, kst(2026, 10, 13, 10)),
        ("c", None, "KEPCO", kst(2026, 10, 14, 10)),
        ("d", "HEALTH", None, None),
        ("e", "HEALTH", None, kst(2026, 11, 2, 9)),
    ):
        session.add(
            OnestopItem(
                application_id=app.id,
                code=code,
                department_code=dept,
                agency_code=agency,
                state="done" if done else "pending",
                done_at=done,
                updated_at=NOW,
            )
        )
    day = date(2026, 10, 15)  # the third Thursday
    session.add(
        OpinionTopic(
            day=day,
            department_code="CIVIL",
            status="answered",
            title="t",
            background="b",
            question="q",
            created_by=1,
            announce_at=kst(2026, 10, 15, 10),
            close_at=kst(2026, 10, 16),
            analysis_due_at=kst(2026, 10, 19),
            answer_due_at=kst(2026, 11, 5),
            analysis_published_at=kst(2026, 10, 17, 15),
            answer_published_at=kst(2026, 10, 30, 11),
            analysis={"participants": 12, "opinions": 30},
        )
    )
    await session.commit()
    lo, hi = OCT.bounds(svc)
    offices = await ind.onestop_offices(session, svc, lo, hi)
    assert {k: (w.done, w.hours) for k, w in offices.items()} == {"DONG-JAYANG1": (2, [5.0, 8.0]), "KEPCO": (1, [16.0])}
    assert offices["DONG-JAYANG1"].median == 6.5
    topics, summary = await ind.opinion_days(session, OCT, svc)
    # analysis published 10-17 = 2 days after the day (due 10-19: on time); answer 10-30 = 15 days
    assert [(tp.analysis.days, tp.analysis.on_time, tp.answer.days, tp.answer.on_time) for tp in topics] == [
        (2, True, 15, True)
    ]
    assert summary["opinions"] == 30 and summary["on_time_rate"] == 1.0
    assert (await ind.opinion_days(session, Span("month", 2026, 9), svc))[0] == []
