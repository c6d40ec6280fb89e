"""Processing time stored when a complaint is answered (complaints.processing_hours, migration
0013): the report reads it in SQL, and its figures are the ones the working calendar gave when
the report computed every pair (received_at, answered_at) in Python."""

from __future__ import annotations

import random
from datetime import timedelta
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from workflows.models import Complaint, ComplaintEvent, User
from tests.indicator_sample import CITIZEN, KST, NOW, OFFICERS, kst, seed
from tests.unit.test_complaints_service import ANSWER, CLEAN_1, ROADS_1, file, people, who  # noqa: F401 (fixture)
from workflows.complaints import service as complaints
from workflows.indicators import service as ind
from workflows.indicators.service import Span

OCT = Span("month", 2026, 10)


def _backfill_of(revision: str):
    """A migration's own backfill, to run on the test database (session.run_sync)."""
    path = Path(__file__).resolve().parents[2] / "alembic" / "versions" / f"{revision}.py"
    spec = spec_from_file_location(f"migration_{revision}", path)
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return lambda sync_session: module.backfill(sync_session.connection())


backfill = _backfill_of("0013_processing_hours")
backfill_transfers = _backfill_of("0015_transfer_hours")


async def _citizen(conn) -> None:  # noqa: ANN001 - a Core connection of an older schema
    """The complaints' resident, as a migration test's database of an older revision holds it."""
    await conn.execute(
        insert(User.__table__).values(id=CITIZEN, language="ko", language_chosen=False, is_active=True, created_at=NOW)
    )


def generated(n: int, seed_: int = 17) -> list[Complaint]:
    """Complaints received over September–October 2026 at any hour (nights, weekends, 10-05 and
    10-09 holidays, lunch), answered minutes to weeks later, by the sample's officers."""
    rnd = random.Random(seed_)
    officers = [(o, d) for o, d in OFFICERS.items()]
    out = []
    start = kst(2026, 9, 1)
    for k in range(n):
        received = start + timedelta(minutes=rnd.randrange(60 * 24 * 58))
        officer, dept = officers[rnd.randrange(len(officers))]
        answered = received + timedelta(minutes=rnd.choice((rnd.randrange(1, 600), rnd.randrange(1, 60 * 24 * 20))))
        if answered > NOW:
            answered = None
        out.append(
            Complaint(
                receipt_no=f"2026-9{k:05d}",
                submit_key=f"gen-{k}",
                citizen_id=CITIZEN,
                category_code="waste",
                kind="고충",
                period="7d",
                description="생성된 민원입니다.",
                department_code=dept,
                officer_id=officer,
                state="answered" if answered else "assigned",
                received_at=received,
                deadline_at=received + timedelta(days=rnd.choice((3, 9, 14))),
                answer_text="답변" if answered else None,
                answered_at=answered,
                answered_by=officer if answered else None,
                updated_at=received,
                events=[
                    ComplaintEvent(
                        at=received,
                        actor_id=CITIZEN,
                        actor_role="citizen",
                        action="submit",
                        to_state="received",
                        department_code=dept,
                    )
                ],
            )
        )
    return out


def figures(levels: ind.Levels[ind.Speed]) -> dict:
    """Every speed figure at every level."""

    def one(s: ind.Speed):
        return (s.answered, s.on_time, s.overdue, s.extensions, s.median, s.p90, s.on_time_rate)

    return {
        "district": one(levels.district),
        **{d: one(s) for d, s in levels.departments.items()},
        **{f"{d}/{o}": one(s) for (d, o), s in levels.officers.items()},
    }


async def test_stored_hours_give_the_figures_the_calendar_gave(session, svc, clock, monkeypatch):
    """On the hand sample plus 400 generated complaints: the speed figures of September, October
    and the year from the calendar in Python (nothing stored yet, as before migration 0013) and
    from the stored column (filled by the migration's backfill) are identical, to the last bit."""
    clock.at = NOW
    await seed(session)
    session.add_all(generated(400))
    await session.commit()
    spans = [OCT, OCT.previous(), Span("year", 2026), Span("week", 2026, 41)]
    assert await session.scalar(select(Complaint.id).where(Complaint.processing_hours.is_not(None))) is None
    before = [figures(await ind.speed(session, svc, *s.bounds(svc))) for s in spans]
    assert before[2]["district"][0] > 300  # the generated complaints are in there

    filled = await session.run_sync(backfill)
    await session.commit()
    assert filled == before[2]["district"][0] + 1  # + c8, answered in 2025
    stored = (
        await session.execute(
            select(Complaint.received_at, Complaint.answered_at, Complaint.processing_hours).where(
                Complaint.answered_at.is_not(None)
            )
        )
    ).all()
    assert all(h == svc.calendar.business_hours_between(r, a) for r, a, h in stored)
    # the Python pass is gone: the calendar is not asked again
    calls = []
    real = svc.calendar.business_hours_between
    monkeypatch.setattr(svc.calendar, "business_hours_between", lambda *a: calls.append(a) or real(*a))
    after = [figures(await ind.speed(session, svc, *s.bounds(svc))) for s in spans]
    assert after == before and calls == []


async def test_a_row_without_stored_hours_is_still_counted(session, svc, clock):
    """A complaint answered without the column (written around complaints.answer) gets the
    calendar's hours at report time, beside the stored ones."""
    clock.at = NOW
    cs = await seed(session)
    await session.run_sync(backfill)
    await session.execute(update(Complaint).where(Complaint.id == cs[1].id).values(processing_hours=None))
    await session.commit()
    s = await ind.speed(session, svc, *OCT.bounds(svc))
    assert s.district.median == 16 and s.district.p90 == pytest.approx(39.4)  # of 4, 8, 24, 46


async def test_answer_stores_the_business_hours(session, svc, clock, people):
    clock.at = kst(2026, 10, 2, 17)  # Friday 17:00; Sat, Sun and 10-05 (대체공휴일) are not counted
    c = await file(session, svc)
    p = await who(session, ROADS_1)
    await complaints.take(session, svc, p, c)
    clock.at = kst(2026, 10, 6, 10)  # Tuesday 10:00: 1 h on Friday + 1 h on Tuesday
    await complaints.answer(session, svc, p, c, ANSWER)
    await session.commit()
    assert c.processing_hours == 2.0
    assert await session.scalar(select(Complaint.processing_hours).where(Complaint.id == c.id)) == 2.0
    assert c.answered_at.astimezone(KST) == kst(2026, 10, 6, 10)


@pytest.mark.parametrize("kind", ["month", "year"])
async def test_report_figures_do_not_change_with_the_column(session, svc, clock, kind):
    """The whole report (every indicator, three periods, trend, ranking) on the sample: the same
    with the hours stored as computed at report time."""
    from workflows.indicators import reports

    clock.at = NOW
    await seed(session)
    session.add_all(generated(120, seed_=3))
    await session.commit()
    span = OCT if kind == "month" else Span("year", 2026)
    old = await reports.build(session, svc, span)
    await session.run_sync(backfill)
    await session.commit()
    new = await reports.build(session, svc, span)
    old.generated_at = new.generated_at
    assert reports.summary(new, svc, "ko") == reports.summary(old, svc, "ko")
    for snap_old, snap_new in zip(
        (old.indicators.current, old.indicators.previous, old.indicators.year_ago),
        (new.indicators.current, new.indicators.previous, new.indicators.year_ago),
    ):
        assert figures(snap_new.speed) == figures(snap_old.speed)
        assert snap_new.smile == snap_old.smile
    assert new.indicators.flow == old.indicators.flow


async def test_migration_fills_the_answered_complaints_of_a_0012_database(tmp_path):
    """A database made by the previous head (0012) with answered and open complaints: upgrading
    fills processing_hours of the answered ones with the calendar's hours, leaves the others empty."""
    import asyncio

    from alembic import command
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.db.migrate import alembic_config, upgrade_to_head
    from tests import databases
    from workflows.business_time import BusinessCalendar

    url = databases.empty_database_url(tmp_path)
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0012_casework_resident")
    C = Complaint.__table__
    received = [kst(2026, 10, 2, 17), kst(2026, 10, 12, 10), kst(2026, 10, 14, 14)]
    answered = [kst(2026, 10, 6, 10), kst(2026, 10, 12, 15), None]
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await _citizen(conn)
            for k, (r, a) in enumerate(zip(received, answered)):
                await conn.execute(
                    insert(C).values(
                        id=k + 1,
                        receipt_no=f"2026-{k:06d}",
                        submit_key=f"m{k}",
                        citizen_id=CITIZEN,
                        category_code="waste",
                        kind="고충",
                        period="7d",
                        description="이전 민원",
                        department_code="CLEAN",
                        state="answered" if a else "assigned",
                        received_at=r,
                        deadline_at=r + timedelta(days=9),
                        extended=False,
                        answered_at=a,
                        answered_by=201 if a else None,
                        updated_at=r,
                    )
                )
        await asyncio.to_thread(upgrade_to_head, url)
        async with engine.connect() as conn:
            rows = dict((await conn.execute(select(C.c.id, C.c.processing_hours).order_by(C.c.id))).all())
    finally:
        await engine.dispose()
    calendar = BusinessCalendar.from_file()
    assert rows == {1: 2.0, 2: calendar.business_hours_between(received[1], answered[1]), 3: None}
    assert rows[2] == 4.0


# --- hours lost in transfers (complaint_events.held_hours, migration 0015) ----------------------

TRANSFER_REASON = "청소행정과 소관이라 이송합니다"


async def test_transfer_stores_the_hours_the_sender_held_it(session, svc, clock, people):
    """From the move that brought the complaint to the sender: its filing, then the transfer
    before (the desk's decision, too, counts from the move to the desk)."""
    clock.at = kst(2026, 10, 2, 17)  # Friday 17:00; Sat, Sun and 10-05 (대체공휴일) are not counted
    c = await file(session, svc)
    clock.at = kst(2026, 10, 6, 10)  # Tuesday 10:00: 1 h on Friday + 1 h on Tuesday
    await complaints.transfer(session, svc, await who(session, ROADS_1), c, "CLEAN", TRANSFER_REASON)
    await session.commit()
    clock.at = kst(2026, 10, 6, 15)  # 10:00-12:00 and 13:00-15:00: lunch is not counted
    await complaints.transfer(session, svc, await who(session, CLEAN_1), c, "CIVIL", "민원여권과 소관입니다")
    await session.commit()
    held = (
        await session.execute(
            select(ComplaintEvent.action, ComplaintEvent.held_hours)
            .where(ComplaintEvent.complaint_id == c.id)
            .order_by(ComplaintEvent.id)
        )
    ).all()
    assert held == [("submit", None), ("transfer", 2.0), ("transfer", 4.0)]
    clock.at = kst(2026, 10, 7, 9)  # a running month ends at "now": the second transfer in it
    f = await ind.flow(session, svc, *OCT.bounds(svc))
    assert (f.departments["ROADS"].transfers, f.departments["ROADS"].transfer_hours) == (1, 2.0)
    assert (f.departments["CLEAN"].transfers, f.departments["CLEAN"].transfer_hours) == (1, 4.0)


async def test_flow_sums_the_stored_hours_and_runs_the_calendar_only_for_a_transfer_without(
    session, svc, clock, monkeypatch
):
    """The sample's transfer (TRAFFIC held c4 4 h) before migration 0015: the calendar's hours;
    after its backfill: the same from the stored column, without the calendar; a stored value is
    what the report sums; a transfer stored without it is computed again."""
    clock.at = NOW
    await seed(session)
    await session.commit()
    E = ComplaintEvent
    assert await session.scalar(select(E.id).where(E.held_hours.is_not(None))) is None
    before = await ind.flow(session, svc, *OCT.bounds(svc))
    assert (before.departments["TRAFFIC"].transfers, before.departments["TRAFFIC"].transfer_hours) == (1, 4.0)

    assert await session.run_sync(backfill_transfers) == 1
    assert await session.run_sync(backfill_transfers) == 0  # once
    await session.commit()
    assert (await session.execute(select(E.held_hours).where(E.action == "transfer"))).scalars().all() == [4.0]
    calls = []
    real = svc.calendar.business_hours_between
    monkeypatch.setattr(svc.calendar, "business_hours_between", lambda *a: calls.append(a) or real(*a))
    assert await ind.flow(session, svc, *OCT.bounds(svc)) == before and calls == []

    await session.execute(update(E).where(E.action == "transfer").values(held_hours=7.5))
    assert (await ind.flow(session, svc, *OCT.bounds(svc))).departments["TRAFFIC"].transfer_hours == 7.5
    await session.execute(update(E).where(E.action == "transfer").values(held_hours=None))
    assert await ind.flow(session, svc, *OCT.bounds(svc)) == before and len(calls) == 1


async def test_migration_fills_the_transfers_of_a_0014_database(tmp_path):
    """A database made by the previous head (0014): upgrading fills held_hours of its transfers
    (from the filing, and from the transfer before) and leaves every other event empty."""
    import asyncio

    from alembic import command
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.db.migrate import alembic_config, upgrade_to_head
    from tests import databases

    url = databases.empty_database_url(tmp_path)
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0014_one_ratings_table")
    received = kst(2026, 10, 2, 17)
    hops = [
        (received, "submit", "ROADS"),
        (kst(2026, 10, 6, 10), "transfer", "CLEAN"),
        (kst(2026, 10, 6, 11), "take", "CLEAN"),
        (kst(2026, 10, 6, 15), "transfer", "CIVIL"),
    ]
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await _citizen(conn)
            await conn.execute(
                insert(Complaint.__table__).values(
                    id=1,
                    receipt_no="2026-000001",
                    submit_key="m1",
                    citizen_id=CITIZEN,
                    category_code="road",
                    kind="고충",
                    period="7d",
                    description="이전 민원",
                    department_code="CIVIL",
                    state="transferred",
                    received_at=received,
                    deadline_at=received + timedelta(days=9),
                    extended=False,
                    updated_at=received,
                )
            )
            for k, (at, action, dept) in enumerate(hops, start=1):
                await conn.execute(
                    insert(ComplaintEvent.__table__).values(
                        id=k,
                        complaint_id=1,
                        at=at,
                        actor_id=CITIZEN,
                        actor_role="officer",
                        action=action,
                        to_state="transferred",
                        department_code=dept,
                    )
                )
        await asyncio.to_thread(upgrade_to_head, url)
        async with engine.connect() as conn:
            E = ComplaintEvent.__table__
            rows = dict((await conn.execute(select(E.c.id, E.c.held_hours).order_by(E.c.id))).all())
    finally:
        await engine.dispose()
    assert rows == {1: None, 2: 2.0, 3: None, 4: 4.0}
