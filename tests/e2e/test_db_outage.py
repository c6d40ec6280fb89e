"""The database unreachable for a while, through the real bot (bot/errors.py, bot/middlewares.py).

PostgreSQL: a TCP proxy (tests/fakes/tcp_proxy.py) sits between the bot and the server and is cut
for 10 s: open connections are reset, new ones refused. SQLite has no server to lose; the faithful
equivalent is another process holding the database's write lock (a backup, a VACUUM, a stuck
writer) for longer than the bot's busy_timeout, so every transaction fails with "database is
locked" after waiting busy_timeout — the answer comes that late, by SQLite's design.

During the outage a resident who sends a message or presses a button hears "잠시 후 다시 시도해
주세요" once, the bot keeps running, the update is not marked processed, and no complaint, outbox
row or form change remains; the delivery worker and a scheduled duty survive it. Afterwards the
same conversation goes on where it was.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from workflows.models import Complaint, OutboxMessage, ProcessedUpdate
from tests import databases
from tests.e2e.harness import ADMIN, BotHarness
from tests.e2e.test_complaint_loop import consent
from tests.fakes.tcp_proxy import TcpProxy

A, B, OFFICER = 301, 302, 399
RETRY = "잠시 후 다시 시도해 주세요"
OUTAGE_SECONDS = 10.0
TEXT_A = "정류장 옆 배수구가 막혀 비만 오면 물이 넘칩니다."
TEXT_B = "공원 쓰레기통이 사흘째 비워지지 않았습니다."


class SqliteLock:
    """Another connection holding the write lock of a SQLite file until released."""

    def __init__(self, path: Path):
        self.path, self._release, self._held = path, threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def _hold(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            conn.execute("BEGIN EXCLUSIVE")
            self._held.set()
            self._release.wait(120)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    async def cut(self) -> None:
        self._thread = threading.Thread(target=self._hold, daemon=True)
        self._thread.start()
        assert await asyncio.to_thread(self._held.wait, 30), "could not take the SQLite write lock"

    async def restore(self) -> None:
        self._release.set()
        await asyncio.to_thread(self._thread.join, 30)


@asynccontextmanager
async def outage_switch(tmp_path):
    """(database URL for the bot, the switch with cut()/restore(), seconds to keep it cut)."""
    url = databases.new_database_url(tmp_path)
    if databases.POSTGRES:
        u = make_url(url)
        proxy = TcpProxy(u.host or "127.0.0.1", u.port or 5432)
        await proxy.start()
        try:
            yield u.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy, None
        finally:
            await proxy.stop()
    else:
        yield url, SqliteLock(Path(make_url(url).database)), "sqlite"


async def _busy_timeout_s(h: BotHarness) -> float:
    async with h.app.engine.connect() as c:
        return (await c.exec_driver_sql("PRAGMA busy_timeout")).scalar() / 1000


async def _fsm(h: BotHarness, user_id: int) -> tuple[str | None, dict]:
    ctx = h.app.dp.fsm.get_context(bot=h.app.bot, chat_id=user_id, user_id=user_id)
    return await ctx.get_state(), await ctx.get_data()


async def _at(h: BotHarness, user_id: int, state: str) -> bool:
    return (await _fsm(h, user_id))[0] == state


async def _counts(h: BotHarness) -> dict[str, int]:
    async with h.app.sessionmaker() as s:
        return {
            m.__tablename__: await s.scalar(select(func.count()).select_from(m))
            for m in (Complaint, OutboxMessage, ProcessedUpdate)
        }


async def _to_summary(h: BotHarness, user_id: int, text: str) -> None:
    await h.say(user_id, text, expect="사진이 있으면")
    await h.press(user_id, "건너뛰기", expect="위치를 알려 주세요")
    await h.press(user_id, "건너뛰기", expect="연락처를 남기시겠어요")
    await h.press(user_id, "건너뛰기", expect="신청 내용 확인")


@pytest.mark.slow
async def test_database_outage_asks_to_retry_and_keeps_nothing_half_written(fake, tmp_path, caplog):
    caplog.set_level("INFO")
    async with outage_switch(tmp_path) as (url, switch, sqlite):
        h = await BotHarness(fake, tmp_path, DATABASE_URL=url).start()
        try:
            await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
            for user in (A, B):
                await consent(h, user)
                await h.say(user, "/complaint", expect="민원 분야를 골라 주세요")
                await h.press(user, "쓰레기·청소", expect="무엇이 문제인지")
            await _to_summary(h, B, TEXT_B)  # B is at the summary, A at the text step
            await h.eventually(lambda: _at(h, B, "ComplaintForm:confirm"))  # committed after the reply
            fsm_before = {u: await _fsm(h, u) for u in (A, B)}
            counts_before = await _counts(h)
            # SQLite: a transaction fails only after waiting busy_timeout, so the lock is held longer
            hold = (await _busy_timeout_s(h) + 3.0) if sqlite else OUTAGE_SECONDS
            answer_within = hold + 5.0

            mark = fake.mark()
            started = time.monotonic()
            await switch.cut()
            a_update = fake.message(A, TEXT_A)
            submit_msg, submit_data = fake.button(B, "제출")
            b_update = fake.callback(B, submit_data, message_id=submit_msg)
            duty = asyncio.create_task(h.app.duties.deadlines())  # a scheduled duty in the outage
            await fake.wait_text(A, RETRY, after=mark, timeout=answer_within)
            alert = await fake.wait_for(
                lambda c: c.method == "answerCallbackQuery" and RETRY in (c.params.get("text") or ""),
                after=mark,
                timeout=answer_within,
            )
            assert alert.params.get("show_alert") is True
            assert h._task is not None and not h._task.done(), "the bot stopped during the outage"
            await asyncio.sleep(max(0.0, hold - (time.monotonic() - started)))
            await switch.restore()
            outage = time.monotonic() - started
            await duty  # its failure was logged and recorded, not raised
            duty_failures = list(h.app.duties.failures)

            # the user was answered once per update; nothing of the two updates was kept
            assert sum(RETRY in t for t in fake.texts(A)) == 1
            assert not any(RETRY in t for t in fake.texts(B)), "B was answered by an alert, not twice"
            assert await _counts(h) == counts_before
            marked = await h.db(
                select(ProcessedUpdate.update_id).where(
                    ProcessedUpdate.update_id.in_([a_update["update_id"], b_update["update_id"]])
                )
            )
            assert marked == [], "an update that was not handled is marked processed"
            assert {u: await _fsm(h, u) for u in (A, B)} == fsm_before
            assert fsm_before[A][0] == "ComplaintForm:description" and fsm_before[B][0] == "ComplaintForm:confirm"

            # the same conversations go on where they were: A sends the text again, B presses 제출 again
            await _to_summary(h, A, TEXT_A)
            await h.press(A, "제출", expect="민원이 접수되었습니다")
            mark = fake.mark()
            fake.callback(B, submit_data, message_id=submit_msg)
            await fake.wait_text(B, "민원이 접수되었습니다", after=mark, timeout=10)
            complaints = {c.citizen_id: c for c in await h.db(select(Complaint))}
            assert set(complaints) == {A, B}
            assert complaints[A].description == TEXT_A and complaints[B].description == TEXT_B
            # the delivery worker survived: both cards reach the officer, once each
            for c in complaints.values():
                await fake.wait_text(OFFICER, f"새 민원 {c.receipt_no}", timeout=15)
            await asyncio.sleep(1.5)  # a second copy would come within the officer's 1 s spacing
            for c in complaints.values():
                assert sum(f"새 민원 {c.receipt_no}" in t for t in fake.texts(OFFICER)) == 1
            # a scheduled duty runs again once the database is back
            h.app.duties.failures.clear()
            await h.app.duties.deadlines()
            assert h.app.duties.failures == []
        finally:
            h.app.duties.failures.clear()  # the outage's expected failures (checked below)
            await h.stop()

    assert "reminders" in duty_failures, duty_failures
    warnings = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    updates = [r.getMessage() for r in warnings if r.name == "bot.errors"]
    assert len(updates) == 2, updates  # one line per update
    assert not any(r.exc_info for r in warnings)  # no traceback: an outage is not a bug
    # the delivery worker says so in one line per pass, pausing longer each time
    assert all(r.levelname == "WARNING" for r in warnings if r.name == "bot.delivery")
    logged = caplog.text
    assert TEXT_A not in logged and TEXT_B not in logged  # no personal data, even in tracebacks
    print(f"\n[db outage {databases.BACKEND}] held {outage:.1f} s; duties failed during it: {duty_failures}")
