"""APScheduler 3.11 in the bot process: fixed jobs, explicit misfire and coalesce settings.

What is due lives in our own tables (deadlines, reminded_for/escalated_for, outbox dedup keys),
so a job that runs late or twice does the right thing once.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ProcessedUpdate, utcnow
from workflows import complaints
from workflows.context import Services

log = logging.getLogger(__name__)
Job = Callable[[AsyncSession, Services], Awaitable[int]]


async def _purge_processed_updates(session: AsyncSession, svc: Services) -> int:
    """Telegram re-delivers within hours at most; a week of update ids is plenty."""
    res = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < utcnow() - timedelta(days=7)))
    return res.rowcount or 0


class Duties:
    """Runs one workflow duty in its own transaction and wakes the delivery worker after it."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], svc: Services, wake: Callable[[], None]):
        self.sm, self.svc, self.wake = sessionmaker, svc, wake

    async def run(self, name: str, job: Job) -> int:
        try:
            async with self.sm() as s:
                n = await job(s, self.svc)
                await s.commit()
                if s.info.pop("outbox_added", False):
                    self.wake()
            if n:
                log.info("duty %s: %d", name, n)
            return n
        except Exception:
            log.exception("duty %s failed", name)
            return 0

    async def deadlines(self) -> None:
        await self.run("reminders", complaints.send_due_reminders)
        await self.run("escalation", complaints.escalate_overdue)

    async def autoclose(self) -> None:
        await self.run("autoclose", complaints.autoclose_answered)

    async def housekeeping(self) -> None:
        await self.run("purge_updates", _purge_processed_updates)


def build_scheduler(duties: Duties, tz: str) -> AsyncIOScheduler:
    sched = AsyncIOScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1})
    # Every 5 minutes; a run missed while the process was down is done once on start (coalesce).
    sched.add_job(duties.deadlines, "interval", minutes=5, id="deadlines", replace_existing=True,
                  misfire_grace_time=300)
    sched.add_job(duties.autoclose, "cron", minute=7, id="autoclose", replace_existing=True,
                  misfire_grace_time=3600)
    sched.add_job(duties.housekeeping, "cron", hour=3, minute=30, id="housekeeping", replace_existing=True,
                  misfire_grace_time=6 * 3600)
    return sched
