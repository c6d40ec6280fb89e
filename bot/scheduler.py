"""APScheduler 3.11 in the bot process: fixed jobs, explicit misfire and coalesce settings.

What is due lives in our own tables (deadlines, reminded_for/escalated_for, outbox dedup keys),
so a job that runs late or twice does the right thing once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from functools import partial
from typing import Any, Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflows.models import ProcessedUpdate, utcnow
from workflows.complaints import escalation
from workflows.complaints import service as complaints
from workflows.context import Services

log = logging.getLogger(__name__)
Job = Callable[[AsyncSession, Services], Awaitable[int]]


async def _purge_processed_updates(session: AsyncSession, svc: Services) -> int:
    """Telegram re-delivers within hours at most; a week of update ids is plenty."""
    res = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < utcnow() - timedelta(days=7)))
    return res.rowcount or 0


class Duties:
    """Runs one workflow duty in its own transaction and wakes the delivery worker after it."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        svc: Services,
        wake: Callable[[], None],
        reads: async_sessionmaker[AsyncSession] | None = None,
    ):
        self.sm, self.svc, self.wake = sessionmaker, svc, wake
        self.reads = reads  # read sessions (no write lock) for duties that read long: the monthly report
        self.failures: list[str] = []  # names of duties that raised (for health checks and tests)
        self._running: set[asyncio.Task] = set()  # scheduler jobs that are inside run() now
        self._stopping = False

    async def run(self, name: str, job: Job) -> int:
        if self._stopping:
            return 0  # the process is stopping: a job with several duties ends after the current one
        task = asyncio.current_task()
        self._running.add(task)
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
            self.failures.append(name)
            return 0
        finally:
            self._running.discard(task)

    async def finish(self, timeout: float) -> bool:
        """On stop: start no new duty and wait for the running ones to commit, so a stop never
        cancels a duty half-way (what is due is in the tables, but a cancelled job is logged as a
        failure). True if all finished within `timeout`."""
        self._stopping = True
        running = {t for t in self._running if t is not asyncio.current_task()}
        if not running:
            return True
        _, pending = await asyncio.wait(running, timeout=timeout)
        if pending:
            log.warning("stopping with %d duties still running after %.0f s", len(pending), timeout)
        return not pending

    def resume(self) -> None:
        """After finish(): this instance runs the duties again (webhook mode, lease won back)."""
        self._stopping = False

    async def deadlines(self) -> None:
        await self.run("reminders", escalation.send_due_reminders)
        await self.run("escalation", escalation.escalate_overdue)

    async def supplement(self) -> None:
        """보완 요청: the resident's reminder the business day before the last day, and the officer's
        notice once the last day has passed (workflows/supplement.run_duty; once each: outbox keys
        and the supplement_expired event)."""
        from workflows.complaints import supplement

        await self.run("supplement", supplement.run_duty)

    async def officer_digest(self) -> None:
        """08:30 on business days: the morning digest to each officer who chose it (/settings);
        once per officer per day (outbox dedup key), so a late or repeated run sends nothing twice."""
        from workflows import worklist

        await self.run("officer_digest", worklist.send_digests)

    async def autoclose(self) -> None:
        await self.run("autoclose", complaints.autoclose_answered)

    async def housekeeping(self) -> None:
        await self.run("purge_updates", _purge_processed_updates)

    async def retention(self) -> None:
        """개인정보 보호법 §21: anonymise or delete the personal data whose retention period
        (svc.retention, the RETENTION_* settings) has run out; batched, each batch committed."""
        from workflows.privacy import retention

        await self.run("retention", retention.run_duty)

    async def onestop(self) -> None:
        """Birth/death one-stop: due reminders, webhook notices to outside bodies (retried with
        backoff), destruction after the retention period (what is due is in the onestop tables)."""
        from workflows.onestop import service as birth_death

        await self.run("onestop", birth_death.run_duties)

    async def monthly_report(self) -> None:
        """Due from the first working day of the month; hourly runs after that are no-ops."""
        from workflows.indicators import reports

        await self.run("monthly_report", partial(reports.send_monthly, reads=self.reads))

    async def food_alerts(self) -> str:
        """In season: fetch the NHIS food-poisoning forecast and alert the operators; a failed fetch
        is retried until 07:30, then the 위생과 officers are told once (workflows/food_alerts/service.py)."""
        from workflows.food_alerts import service as food_alerts

        return await food_alerts.morning(self.svc, self.run)

    async def opinion_days(self) -> None:
        """소통 Day: announce at 10:00, close and draft the analysis at 24:00, preparation and
        deadline reminders, escalation, retention (each checks what is due in opinion_topics)."""
        from workflows.opinion_days import service as opinion_days

        for name, job in opinion_days.DUTIES:
            await self.run(name, job)

    async def newsletter(self) -> None:
        """Daily at the newsletter's send time: delete expired new-resident subscriptions, queue the
        month's issue on its send date (once: newsletter_issues and the outbox keys), report."""
        from workflows.new_residents import newsletter

        await self.run("newsletter", newsletter.daily)

    async def newsletter_report(self) -> None:
        """Delivery counts to the editor once an issue's rows are all sent or failed; the same for
        food alerts and outbreak notices, to the 위생과 officers (workflows/outbox.delivery_counts)."""
        from workflows.new_residents import newsletter
        from workflows.food_alerts import service as food_alerts

        await self.run("newsletter_report", newsletter.report)
        await self.run("food_report", food_alerts.report_deliveries)

    async def license_tax(self) -> None:
        """등록면허세: POST the payment confirmations due to licensing bodies' webhooks (also started at
        once after each payment; rows are claimed, so overlapping runs send each once)."""
        from workflows.license_tax import service as license_tax

        await self.run("license_tax", license_tax.deliver_confirmations)


# When each duty runs: (duty, trigger, the trigger's fields, seconds a run missed while the bot was
# down may still start late). Every job coalesces (missed runs are done once) and runs one at a time;
# what is due is in the rows themselves, so a late or repeated run is harmless.
SCHEDULE: tuple[tuple[str, str, dict[str, Any], int], ...] = (
    ("deadlines", "interval", {"minutes": 5}, 300),
    ("supplement", "interval", {"minutes": 5}, 300),  # 보완 요청: reminders and expiry notices
    # officers' morning digest, Monday–Friday (send_digests skips public holidays)
    ("officer_digest", "cron", {"day_of_week": "mon-fri", "hour": 8, "minute": 30}, 3 * 3600),
    ("autoclose", "cron", {"minute": 7}, 3600),
    ("housekeeping", "cron", {"hour": 3, "minute": 30}, 6 * 3600),
    ("retention", "cron", {"hour": 3, "minute": 45}, 6 * 3600),  # at a quiet hour
    ("onestop", "interval", {"minutes": 1}, 300),
    ("monthly_report", "cron", {"minute": 11}, 3600),
    # 06:30 alerts (the morning run retries until 07:30) and a 12:30 re-check that sends an update if
    # the grade changed
    ("food_alerts", "cron", {"hour": "6,12", "minute": 30}, 3 * 3600),
    # 소통 Day: every minute, so 10:00 and 24:00 are kept to the minute
    ("opinion_days", "cron", {"hour": "*", "minute": "*"}, 50),
    # the newsletter: daily at the send time in data/new_residents.json (filled in below; the
    # issue row says whether today is its send date); its delivery counts every 5 minutes
    ("newsletter", "cron", {}, 6 * 3600),
    ("newsletter_report", "interval", {"minutes": 5}, 300),
    # 등록면허세 confirmations: retries every 30 s (the first attempt is made right after the payment)
    ("license_tax", "interval", {"seconds": 30}, 60),
)


def build_scheduler(duties: Duties, tz: str) -> AsyncIOScheduler:
    from workflows.new_residents.service import settings as new_resident_settings

    sched = AsyncIOScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1})
    send_at = new_resident_settings().newsletter.send_time
    for name, trigger, fields, grace in SCHEDULE:
        if name == "newsletter":
            fields = {"hour": send_at.hour, "minute": send_at.minute}
        sched.add_job(
            getattr(duties, name),
            trigger,
            **fields,
            id=name,
            replace_existing=True,
            misfire_grace_time=grace,
            coalesce=True,
        )
    return sched
