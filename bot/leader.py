"""Which instance runs the singletons (the scheduler and the delivery worker) when several bot
instances share one database behind a load balancer (webhook mode).

A row in ``leases`` names the holder and when its claim expires. Every instance tries to take or
renew it every ``lease_seconds / 3``: one UPDATE that succeeds only for the holder or once the
claim has expired, so two instances can never both hold it (the database serialises the UPDATE;
on PostgreSQL the row lock, on SQLite the write lock). An instance that dies stops renewing and
another takes over after at most ``lease_seconds`` plus one renewal interval. The holder that
loses the lease (a pause longer than the lease, a partition from the database) stops its
singletons before anything else would start them twice: it gives up as soon as a renewal fails,
while the others wait for the full expiry.

A stopping instance releases the lease so another takes over at its next renewal.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflows.models import Lease

log = logging.getLogger(__name__)
SINGLETONS = "singletons"


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def try_acquire(
    sm: async_sessionmaker[AsyncSession], name: str, holder: str, seconds: float, now: datetime | None = None
) -> bool:
    """Take or renew the lease ``name`` for ``holder``; True when ``holder`` has it afterwards."""
    now = now or _now()
    until = now + timedelta(seconds=seconds)
    async with sm() as s:
        res = await s.execute(
            update(Lease)
            .where(Lease.name == name, (Lease.holder == holder) | (Lease.expires_at < now))
            .values(holder=holder, expires_at=until)
        )
        if res.rowcount:
            await s.commit()
            return True
        await s.rollback()
    try:
        async with sm() as s:
            s.add(Lease(name=name, holder=holder, acquired_at=now, expires_at=until))
            await s.commit()
            return True
    except IntegrityError:
        return False  # somebody holds it and it has not expired


async def release(sm: async_sessionmaker[AsyncSession], name: str, holder: str) -> None:
    async with sm() as s:
        await s.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(expires_at=_now() - timedelta(seconds=1))
        )
        await s.commit()


class Leadership:
    """Runs ``start`` when this instance gains the lease and ``stop`` when it loses it."""

    def __init__(
        self,
        sm: async_sessionmaker[AsyncSession],
        holder: str,
        seconds: float,
        start: Callable[[], Awaitable[None]],
        stop: Callable[[], Awaitable[None]],
    ):
        self.sm, self.holder, self.seconds = sm, holder, seconds
        self._start, self._stop = start, stop
        self.leading = False
        self.changes = 0  # how often leadership was gained or lost (for /healthz and tests)
        self._task: asyncio.Task | None = None

    async def step(self) -> bool:
        """One renewal: take/renew the lease, start or stop the singletons to match."""
        try:
            # bounded: a renewal stuck on an unreachable database must not outlive the claim
            held = await asyncio.wait_for(try_acquire(self.sm, SINGLETONS, self.holder, self.seconds), self.seconds / 3)
        except Exception as e:  # noqa: BLE001 - the database is unreachable: assume the worst
            log.warning("lease renewal failed (%s)", type(e).__name__)
            held = False
        if held and not self.leading:
            log.info("this instance (%s) now runs the scheduler and the delivery worker", self.holder)
            self.leading = True
            self.changes += 1
            await self._start()
        elif not held and self.leading:
            log.warning("lost the lease: stopping the scheduler and the delivery worker here")
            self.leading = False
            self.changes += 1
            await self._stop()
        return held

    async def run(self) -> None:
        while True:
            await self.step()
            await asyncio.sleep(self.seconds / 3)

    async def begin(self) -> None:
        await self.step()
        self._task = asyncio.create_task(self.run(), name="leadership")

    async def end(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self.leading:
            self.leading = False
            await self._stop()
            try:
                await release(self.sm, SINGLETONS, self.holder)
            except Exception as e:  # noqa: BLE001
                log.warning("could not release the lease (%s); it expires on its own", type(e).__name__)
