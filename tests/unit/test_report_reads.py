"""Reports never hold anyone up: the figures are read in a read session (no write lock), and the
writer's session begins its transaction only after them, for the rows the report writes."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from workflows.models import OutboxMessage, ProcessedUpdate
from bot.db.session import ReadOnlySession, make_read_sessionmaker
from bot.scheduler import Duties
from tests.indicator_sample import NOW, kst, seed
from workflows import roles
from workflows.indicators import reports
from workflows.indicators import service as ind


@pytest.fixture
def reads(db_sessionmaker):
    return make_read_sessionmaker(db_sessionmaker.kw["bind"])


async def _evaluator(session, uid: int) -> None:
    from workflows.models import User

    session.add(User(id=uid, language="ko"))
    await session.flush()
    await roles.grant(session, user_id=uid, role="evaluator", department_code=None, by=None, departments={})


async def test_the_monthly_duty_reads_its_figures_beside_the_writer(db_sessionmaker, reads, svc, clock, monkeypatch):
    """The scheduled report: the figures come from a read session while a resident's write goes
    through at once, and the duty's own transaction starts only for the outbox rows."""
    async with db_sessionmaker() as s:
        clock.at = NOW
        await seed(s)
        await _evaluator(s, 700)
        await s.commit()
    clock.at = kst(2026, 11, 2, 9, 30)
    real_build, seen = reports.build, []

    async def build(session, svc_, span, **kw):
        seen.append(isinstance(session.sync_session, ReadOnlySession))
        # a resident's write while the figures are read: not held up (on SQLite: the lock is free)
        async with db_sessionmaker() as w:
            w.add(ProcessedUpdate(update_id=77))
            await asyncio.wait_for(w.commit(), timeout=2)
        return await real_build(session, svc_, span, **kw)

    monkeypatch.setattr(reports, "build", build)
    duties = Duties(db_sessionmaker, svc, lambda: None, reads)
    await duties.monthly_report()
    assert duties.failures == [] and seen == [True]
    async with db_sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 3
        assert await s.get(ProcessedUpdate, 77) is not None
    await duties.monthly_report()  # a repeat the same month: nothing again
    async with db_sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 3


async def test_without_reads_the_duty_reads_on_its_own_session(session, svc, clock):
    clock.at = NOW
    await seed(session)
    await _evaluator(session, 700)
    clock.at = kst(2026, 11, 2, 9, 30)
    assert await reports.send_monthly(session, svc) == 1


async def test_the_files_are_drawn_in_another_process(session, svc, clock, caplog, monkeypatch):
    """matplotlib and openpyxl hold the GIL for long stretches: the PNG and XLSX are drawn in a
    separate (spawned) process, so the event loop keeps serving residents meanwhile; the processes
    run at a lower priority than the bot."""
    import gc
    import io
    import os

    from openpyxl import load_workbook

    clock.at = NOW
    await seed(session)
    report = await reports.build(session, svc, reports.Span("month", 2026, 10))
    png, xlsx = await reports.render(report, svc)
    assert "report process unavailable" not in caplog.text
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert load_workbook(io.BytesIO(xlsx))["요약"]["B2"].value == "2026년 10월 (10월 1일~31일)"
    # two processes, neither this one: the chart is drawn while the spreadsheet is written
    pids = {name: reports._pool(name).submit(os.getpid).result(timeout=30) for name in reports._POOLS}
    assert sorted(pids) == ["chart", "report"] and len({os.getpid(), *pids.values()}) == 3
    # both behind the bot: on few cores the residents' updates get the CPU first
    behind = {name: reports._pool(name).submit(os.nice, 0).result(timeout=30) for name in reports._POOLS}
    assert behind == {name: min(19, os.nice(0) + reports.NICE) for name in ("chart", "report")}
    # the modules they work with are out of the collector's sight (a full collection during a
    # report walked them all again): frozen before each task
    frozen = {name: reports._pool(name).submit(gc.get_freeze_count).result(timeout=30) for name in reports._POOLS}
    assert all(n > 10_000 for n in frozen.values()), frozen
    # idle for POOL_IDLE_S after the last report: the processes end (their memory is not kept idle)
    monkeypatch.setattr(reports, "POOL_IDLE_S", 0.0)
    reports._retire_if_idle()
    assert reports._POOLS == {}


def _elsewhere(db_sessionmaker, svc, url: str | None = None):
    from dataclasses import replace

    from bot.db.session import ReadsAt

    url = url or db_sessionmaker.kw["bind"].url.render_as_string(hide_password=False)
    return replace(svc, reads_elsewhere=ReadsAt(url))


async def test_the_figures_are_read_in_the_report_process(db_sessionmaker, reads, svc, clock, caplog, monkeypatch):
    """A year's figures are seconds of SQL and of rows turned into figures: with a database another
    process can open, they are read there, not on the bot's event loop (this process's build is
    never called), and they are the figures this process would read."""
    async with db_sessionmaker() as s:
        clock.at = NOW
        await seed(s)
        await s.commit()
    span = reports.Span("month", 2026, 10)
    async with reads() as r:
        here = await reports.build(r, svc, span)
    real_build = reports.build

    async def not_here(*a, **kw):
        raise AssertionError("read in the bot's process")

    monkeypatch.setattr(reports, "build", not_here)
    report, png, xlsx = await reports.produce(reads, _elsewhere(db_sessionmaker, svc), span)
    assert "report process" not in caplog.text
    # the raw ratings stay in the spreadsheet (a year's would hold the bot's GIL coming back)
    assert report == dataclasses.replace(here, raw_ratings=[]) and report.indicators.volume.total
    assert report.rated == len(here.raw_ratings) > 0  # what the audit row counts
    raw_sheet = load_workbook(io.BytesIO(xlsx)).worksheets[-1]
    assert raw_sheet.max_row == 1 + len(here.raw_ratings)
    assert png.startswith(b"\x89PNG")
    # the next report reads through the same engine, kept in the report process (one made,
    # connected and compiled for each report cost ~80 ms of a month's ~1 s on a large district)
    kept = "id(__import__('workflows.indicators.reports', fromlist=['_kept'])._kept[2])"
    first = reports._pool().submit(eval, kept).result(timeout=30)
    again, png_again, _ = await reports.produce(reads, _elsewhere(db_sessionmaker, svc), span)
    assert (again, png_again) == (report, png)  # (the spreadsheet's zip carries the time it was written)
    assert reports._pool().submit(eval, kept).result(timeout=30) == first
    monkeypatch.setattr(reports, "build", real_build)


async def test_a_report_process_that_cannot_read_falls_back_to_a_read_session_here(
    db_sessionmaker, reads, svc, clock, caplog, tmp_path
):
    async with db_sessionmaker() as s:
        clock.at = NOW
        await seed(s)
        await s.commit()
    span = reports.Span("month", 2026, 10)
    broken = _elsewhere(db_sessionmaker, svc, f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    report, png, _ = await reports.produce(reads, broken, span)
    assert "report process could not make the report; making it here" in caplog.text
    async with reads() as r:
        assert reports.summary(report, svc, "ko") == reports.summary(await reports.build(r, svc, span), svc, "ko")
    assert png.startswith(b"\x89PNG")


async def test_a_chart_process_that_fails_leaves_the_chart_to_the_report_process(
    db_sessionmaker, reads, svc, clock, caplog
):
    from concurrent.futures import ProcessPoolExecutor

    async with db_sessionmaker() as s:
        clock.at = NOW
        await seed(s)
        await s.commit()
    broken = ProcessPoolExecutor(max_workers=1)
    broken.shutdown()
    reports._drop_pools()
    reports._POOLS["chart"] = broken  # every task refused
    report, png, xlsx = await reports.produce(reads, _elsewhere(db_sessionmaker, svc), reports.Span("month", 2026, 10))
    assert "chart process unavailable; drawing in the report process" in caplog.text
    assert "could not make the report" not in caplog.text  # the figures and sheet came as they should
    assert png.startswith(b"\x89PNG") and report.indicators.volume.total
    assert load_workbook(io.BytesIO(xlsx))["요약"]["B2"].value == "2026년 10월 (10월 1일~31일)"
    assert "chart" not in reports._POOLS  # dropped: the next report spawns a new one
    reports._drop_pools()


async def test_a_report_read_in_lanes_is_the_report_read_in_one_session(db_sessionmaker, reads, svc, clock):
    """The report process reads a report's parts several at once, each in a session of its own:
    the same report as one session reading them one after another, for a month and for a year."""
    async with db_sessionmaker() as s:
        clock.at = NOW
        await seed(s)
        await s.commit()
    for span in (reports.Span("month", 2026, 10), reports.Span("year", 2026)):
        async with reads() as r:
            one = await reports.build(r, svc, span)
        lanes = await reports.build(ind.Lanes(reads, 3), svc, span)
        assert lanes == one and one.raw_ratings and one.indicators.volume.total


class _Sessions:
    """Stand-in sessions that count how many are open at once."""

    def __init__(self) -> None:
        self.open = self.most = self.closed = 0

    @contextlib.asynccontextmanager
    async def __call__(self):
        self.open += 1
        self.most = max(self.most, self.open)
        try:
            yield self
        finally:
            self.open -= 1
            self.closed += 1


async def test_lanes_read_at_most_their_width_at_once_in_order_and_stop_on_a_failure():
    sessions = _Sessions()

    def part(k: int, fail: bool = False):
        async def read(session):
            assert isinstance(session, _Sessions)
            await asyncio.sleep(0.01 * (5 - k % 5))  # later parts finish first
            if fail:
                raise ValueError("part failed")
            return k

        return read

    assert await ind.Lanes(sessions, 2).all(*(part(k) for k in range(7))) == list(range(7))
    assert sessions.most == 2 and sessions.open == 0 and sessions.closed == 7
    # one session: one part after another, on that session
    one = _Sessions()
    assert await ind.Lanes(session=one).all(*(part(k) for k in range(3))) == [0, 1, 2]  # type: ignore[arg-type]
    # a failure cancels the parts still running or waiting: no session is left open
    sessions = _Sessions()
    started: list[int] = []

    def slow(k: int):
        async def read(session):
            started.append(k)
            await asyncio.sleep(1)
            return k

        return read

    with pytest.raises(ExceptionGroup) as failed:
        await ind.Lanes(sessions, 2).all(part(0, fail=True), slow(1), slow(2), slow(3))
    assert failed.group_contains(ValueError, match="part failed")
    # slow(1) ran beside the failing part; slow(2) may have taken its lane before the cancel
    # came; slow(3) never started (it would have, a second later, were the others not cancelled)
    assert started[0] == 1 and 3 not in started
    assert sessions.open == 0 and sessions.closed == 1 + len(started)
    with pytest.raises(ValueError, match="not both"):
        ind.Lanes(sessions, session=one)  # type: ignore[arg-type]
