"""bot/scheduler.Duties on stop: a duty that is running commits before the scheduler shuts down
(CI once saw a SIGTERM cancel the 소통 Day duty half-way, logged by APScheduler as a traceback)."""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.scheduler import Duties


class FakeSession:
    def __init__(self, log: list[str]):
        self.log, self.info = log, {}

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False

    async def commit(self):
        self.log.append("commit")


def make_duties(log: list[str]) -> Duties:
    return Duties(lambda: FakeSession(log), None, lambda: None)


async def test_finish_waits_for_the_running_duty_and_starts_no_new_one():
    log: list[str] = []
    duties = make_duties(log)
    release = asyncio.Event()

    async def slow(session, svc):
        log.append("slow started")
        await release.wait()
        return 1

    async def other(session, svc):
        log.append("other ran")
        return 1

    async def job():  # a scheduler job with two duties, like Duties.opinion_days
        await duties.run("slow", slow)
        await duties.run("other", other)

    task = asyncio.create_task(job())
    await asyncio.sleep(0)
    assert log == ["slow started"]
    finishing = asyncio.create_task(duties.finish(timeout=5))
    await asyncio.sleep(0.05)
    assert not finishing.done()  # waits for the running duty
    release.set()
    assert await finishing is True
    await task
    assert log == ["slow started", "commit"]  # committed; the job's second duty was not started
    assert await duties.run("other", other) == 0 and "other ran" not in log

    duties.resume()  # the instance runs the duties again (webhook mode: lease won back)
    assert await duties.run("other", other) == 1 and log[-2:] == ["other ran", "commit"]


async def test_finish_gives_up_after_the_timeout():
    duties = make_duties([])
    never = asyncio.Event()

    async def stuck(session, svc):
        await never.wait()
        return 0

    task = asyncio.create_task(duties.run("stuck", stuck))
    await asyncio.sleep(0)
    assert await duties.finish(timeout=0.05) is False
    task.cancel()


async def test_finish_with_nothing_running_returns_at_once():
    assert await make_duties([]).finish(timeout=0.01) is True


async def test_scheduler_stop_during_a_duty_logs_no_failure(caplog):
    """The order Singletons.stop uses: pause, finish, shutdown. Before, shutdown(wait=False)
    cancelled the running job and APScheduler logged 'raised an exception' with a traceback."""
    log: list[str] = []
    duties = make_duties(log)
    started = asyncio.Event()

    async def slow(session, svc):
        started.set()
        await asyncio.sleep(0.2)
        return 1

    async def scheduled():
        await duties.run("slow", slow)

    sched = AsyncIOScheduler(timezone="Asia/Seoul")
    sched.add_job(scheduled, "date", id="slow")
    sched.start()
    with caplog.at_level(logging.INFO):
        await asyncio.wait_for(started.wait(), 5)
        sched.pause()
        assert await duties.finish(timeout=5) is True
        sched.shutdown(wait=False)
        await asyncio.sleep(0.05)
    assert log == ["commit"] and duties.failures == []
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]


def test_every_duty_is_scheduled_once_and_coalesces():
    """bot/scheduler.SCHEDULE names each duty of Duties once; a run missed while the bot was down is
    done once, late by at most its grace."""
    import inspect

    from bot.scheduler import SCHEDULE, Duties, build_scheduler

    sched = build_scheduler(Duties(None, None, lambda: None), "Asia/Seoul")
    duties = {n for n, f in inspect.getmembers(Duties, inspect.iscoroutinefunction) if not n.startswith("_")} - {
        "run",
        "finish",
    }
    assert {j.id for j in sched.get_jobs()} == duties == {name for name, *_ in SCHEDULE}
    assert len(SCHEDULE) == len(duties)
    assert all(j.coalesce and j.misfire_grace_time >= 50 for j in sched.get_jobs())
