"""Throughput of the outbox worker (bot/delivery.py) against the local fake Bot API: no pass/fail.

Queues N rows to N distinct chats in a temp SQLite, runs DeliveryWorker at --rate against
tests/fakes/telegram_server.py for --seconds or until done (no 429s injected) and prints
messages/s, enqueue->sent latency (p50/p95, from the rows' created_at/sent_at), the number of
429s and the DB time per row (wall time inside the worker's sessions; they overlap when several
sends are in flight).

Run: .venv/bin/python benchmarks/bench_delivery.py [--rows 2000] [--rate 25] [--seconds 20]
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bot.db.migrate import upgrade_to_head  # noqa: E402
from workflows.models import OutboxMessage  # noqa: E402
from bot.db.session import make_engine, make_sessionmaker  # noqa: E402
from bot.delivery import DeliveryWorker  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402
from workflows.outbox import enqueue  # noqa: E402


class TimedSessions:
    """A sessionmaker wrapper that adds up the wall time spent inside each session."""

    def __init__(self, maker):
        self.maker, self.seconds, self.count = maker, 0.0, 0

    def __call__(self):
        return _Timed(self, self.maker())


class _Timed:
    def __init__(self, owner, session):
        self.owner, self.session = owner, session

    async def __aenter__(self):
        self.t0 = time.perf_counter()
        return await self.session.__aenter__()

    async def __aexit__(self, *exc):
        try:
            return await self.session.__aexit__(*exc)
        finally:
            self.owner.seconds += time.perf_counter() - self.t0
            self.owner.count += 1


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")


async def main(rows: int, rate: float, seconds: float) -> None:
    fake = FakeTelegram()
    await fake.start()
    bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await asyncio.to_thread(upgrade_to_head, url)
        engine = make_engine(url)
        maker = make_sessionmaker(engine)

        t0 = time.perf_counter()
        async with maker() as session:
            for i in range(rows):
                await enqueue(session, key=f"bench:{i}", chat_id=10_000 + i, text=f"알림 {i}")
            await session.commit()
        enqueue_s = time.perf_counter() - t0

        timed = TimedSessions(maker)
        worker = DeliveryWorker(bot, timed, rate=rate)
        task = asyncio.create_task(worker.run())
        start = time.perf_counter()
        while time.perf_counter() - start < seconds and worker.stats["sent"] < rows:
            await asyncio.sleep(0.1)
        await worker.stop()
        await task
        elapsed = time.perf_counter() - start

        async with maker() as session:
            sent = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.status == "sent")))
        await engine.dispose()
    await bot.session.close()
    await fake.stop()

    latency = [(r.sent_at - r.created_at).total_seconds() for r in sent]
    accepted = [c.time for c in fake.sent()]
    print(
        f"rows queued                {rows} to {rows} chats in {enqueue_s:.2f} s "
        f"({enqueue_s / rows * 1e3:.2f} ms/row, one transaction)"
    )
    print(f"worker rate limit          {rate:g}/s, ran {elapsed:.1f} s")
    print(f"sent                       {len(sent)} rows ({worker.stats})")
    print(
        f"throughput                 {len(sent) / elapsed:.1f} messages/s "
        f"(fake-side: {(len(accepted) - 1) / (max(accepted) - min(accepted)):.1f}/s between "
        f"first and last)"
        if len(accepted) > 1
        else "throughput n/a"
    )
    print(
        f"enqueue->sent latency      p50 {statistics.median(latency):.2f} s, "
        f"p95 {pct(latency, 95):.2f} s (all rows queued at t=0, so this is queue position)"
    )
    print(f"429s                       {sum(c.status == 429 for c in fake.requests)}")
    print(
        f"DB time per sent row       {timed.seconds / max(len(sent), 1) * 1e3:.2f} ms "
        f"({timed.count} sessions, {timed.seconds:.2f} s in total)"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=25.0)
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()
    asyncio.run(main(args.rows, args.rate, args.seconds))
