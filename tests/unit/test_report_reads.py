"""Reports never hold anyone up: the figures are read in a read session (no write lock), and the
writer's session begins its transaction only after them, for the rows the report writes."""

from __future__ import annotations

import asyncio
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
    separate (spawned) process, so the event loop keeps serving residents meanwhile."""
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
    pool = reports._pool()
    assert pool.submit(os.getpid).result(timeout=30) != os.getpid()
    # idle for POOL_IDLE_S after the last report: the process ends (its memory is not kept idle)
    monkeypatch.setattr(reports, "POOL_IDLE_S", 0.0)
    reports._retire_if_idle()
    assert reports._POOL is None


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
