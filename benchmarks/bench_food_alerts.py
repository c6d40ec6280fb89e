"""Food-alert fan-out to N operators against the fake Bot API with its rate limit ENFORCED: no pass/fail.

Each scenario: a fresh SQLite database with N active operators, ``FakeTelegram(rate_limit=LIMIT)``
(a sendMessage beyond LIMIT in one second gets 429 retry_after=1), a DeliveryWorker at ``--rate``
and the real morning run (workflows/food_alerts.morning through bot.scheduler.Duties.run, the NHIS
API answered by an httpx.MockTransport). The worker runs while the fan-out is still queueing.

  steady        one worker from start to end
  cancel        the worker task is cancelled after --kill-at of the operators were reached, then a
                new worker starts (an orderly stop: in-flight sends finish and are recorded)
  kill-9        the worker runs in a subprocess that gets SIGKILL mid-send, then a new subprocess
                starts (at-least-once: a send Telegram accepted but not yet recorded goes again)

Printed per scenario: fan-out (queueing) time, achieved messages/s between the first and the last
accepted alert and its ratio to the worker's rate (Telegram's 25/s scaled up: the ratio is what
counts), 429s answered by the fake, duplicates (operators who got the alert twice) and losses
(operators who never got it).

Run: .venv/bin/python benchmarks/bench_food_alerts.py [--operators 10000] [--rate 100] [--limit 120]
     [--kill-at 0.4] [--scenarios steady,cancel,kill-9]
"""

import argparse
import asyncio
import base64
import os
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402

from bot.db.migrate import upgrade_to_head  # noqa: E402
from workflows.models import FoodOperator, User  # noqa: E402
from bot.db.session import make_engine, make_sessionmaker  # noqa: E402
from bot.delivery import DeliveryWorker  # noqa: E402
from bot.scheduler import Duties  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402
from workflows.food_alerts import service as food_alerts  # noqa: E402
from workflows.business_time import BusinessCalendar  # noqa: E402
from workflows.contact import Cipher  # noqa: E402
from workflows.context import Services  # noqa: E402
from workflows.district import load_district  # noqa: E402

KST = ZoneInfo("Asia/Seoul")
MORNING = datetime(2026, 7, 1, 6, 30, tzinfo=KST)
FIRST = 10_000_000  # operator chat ids start here


def nhis() -> httpx.MockTransport:
    item = {
        "dissCd": "3",
        "dt": "20260701",
        "znCd": "11",
        "lowrnkZnCd": "11215",
        "cnt": 900,
        "risk": 3,
        "dissRiskXpln": "식중독 발생 가능성이 높으므로 식중독 예방에 경계가 요망됩니다.",
    }
    body = {"response": {"header": {"resultCode": "00"}, "body": {"items": [item]}}}
    return httpx.MockTransport(lambda request: httpx.Response(200, json=body))


def services() -> Services:
    return Services(
        district=load_district(),
        calendar=BusinessCalendar.from_file(),
        cipher=Cipher(base64.urlsafe_b64encode(b"k" * 32)),
        tz=KST,
        clock=lambda: MORNING,
        nhis_service_key="bench",
        http_transport=nhis(),
    )


def bot_for(url: str, token: str) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))


class InProcessWorker:
    def __init__(self, url, token, sm, rate):
        self.url, self.token, self.sm, self.rate = url, token, sm, rate
        self.task = self.worker = self.bot = None

    async def start(self):
        self.bot = bot_for(self.url, self.token)
        self.worker = DeliveryWorker(self.bot, self.sm, rate=self.rate)
        self.task = asyncio.create_task(self.worker.run())

    def wake(self):
        if self.worker is not None:
            self.worker.wake()

    async def kill(self):
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.bot.session.close()

    async def stop(self):
        await self.worker.stop()
        await self.task
        await self.bot.session.close()


class SubprocessWorker:
    def __init__(self, url, token, db_url, rate):
        self.args = [sys.executable, __file__, "--worker", db_url, url, token, str(rate)]
        self.proc = None

    async def start(self):
        self.proc = subprocess.Popen(self.args)

    def wake(self):
        pass  # the worker polls the outbox every 0.5 s

    async def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(self.proc.wait)

    stop = kill  # everything is sent by then


async def run_worker_process(db_url: str, url: str, token: str, rate: float) -> None:
    engine = make_engine(db_url)
    await DeliveryWorker(bot_for(url, token), make_sessionmaker(engine), rate=rate).run()


class Deliveries:
    """Accepted alerts per operator, read incrementally from the fake's request log."""

    def __init__(self, fake: FakeTelegram):
        self.fake, self.seen, self.by_chat, self.times, self.throttled = fake, 0, Counter(), [], 0

    def update(self) -> int:
        calls = self.fake.requests
        while self.seen < len(calls) and calls[self.seen].status:
            c = calls[self.seen]
            self.seen += 1
            if c.method != "sendMessage" or c.params.get("chat_id", 0) < FIRST:
                continue
            if c.status == 200:
                self.by_chat[c.params["chat_id"]] += 1
                self.times.append(c.time)
            elif c.status == 429:
                self.throttled += 1
        return len(self.by_chat)


async def scenario(name: str, n: int, rate: float, limit: int, kill_at: float) -> dict:
    fake = FakeTelegram(rate_limit=limit)
    await fake.start()
    tmp = tempfile.TemporaryDirectory()
    db_url = f"sqlite+aiosqlite:///{tmp.name}/bench.db"
    await asyncio.to_thread(upgrade_to_head, db_url)
    engine = make_engine(db_url)
    sm = make_sessionmaker(engine)
    async with sm() as s:
        s.add_all(User(id=FIRST + i) for i in range(n))
        await s.flush()
        s.add_all(
            FoodOperator(
                user_id=FIRST + i, business_name=f"식당{i}", business_type="korean", dong="자양1동", status="active"
            )
            for i in range(n)
        )
        await s.commit()

    worker = (
        SubprocessWorker(fake.base_url, fake.token, db_url, rate)
        if name == "kill-9"
        else InProcessWorker(fake.base_url, fake.token, sm, rate)
    )
    await worker.start()
    svc = services()
    duties = Duties(sm, svc, worker.wake)
    seen = Deliveries(fake)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    fanout = asyncio.create_task(food_alerts.morning(svc, duties.run))
    fanout_s = None
    killed_at = kill_time = None
    last_progress, last_count = loop.time(), 0
    while True:
        await asyncio.sleep(0.1)
        count = seen.update()
        if fanout_s is None and fanout.done():
            assert fanout.result() == "alerted", fanout.result()
            fanout_s = loop.time() - t0
        if name != "steady" and killed_at is None and count >= kill_at * n:
            await worker.kill()
            killed_at, kill_time = count, loop.time()
            await worker.start()
        if count != last_count:
            last_progress, last_count = loop.time(), count
        if fanout.done() and (count >= n or loop.time() - last_progress > 60):
            break  # all delivered, or nothing more for a minute (then the losses show below)
    await asyncio.sleep(1.5)  # anything still in flight (a duplicate would show up now)
    seen.update()
    await worker.stop()
    await engine.dispose()
    await fake.stop()
    tmp.cleanup()
    first, last = min(seen.times), max(seen.times)
    achieved = (len(seen.times) - 1) / (last - first)
    after = sorted(x for x in seen.times if x >= t0 + fanout_s)  # once the fan-out has finished
    steady = (len(after) - 1) / (after[-1] - after[0]) if len(after) > 50 else float("nan")
    restart_gap = None
    if kill_time is not None:  # last accepted before the kill -> first accepted from the new worker
        restart_gap = min(x for x in seen.times if x > kill_time) - max(x for x in seen.times if x <= kill_time)
    sending = (len(seen.times) - 1) / (last - first - (restart_gap or 0))
    return {
        "name": name,
        "fanout_s": fanout_s,
        "achieved": achieved,
        "ratio": achieved / rate,
        "steady": steady,
        "restart_gap": restart_gap,
        "first_s": first - t0,
        "sending": sending,
        "total_s": last - t0,
        "throttled": seen.throttled,
        "killed_at": killed_at,
        "duplicates": sum(1 for v in seen.by_chat.values() if v > 1),
        "extra_sends": sum(v - 1 for v in seen.by_chat.values()),
        "lost": n - len(seen.by_chat),
    }


async def main(n: int, rate: float, limit: int, kill_at: float, names: list[str]) -> None:
    print(
        f"{n} operators, worker rate {rate:g}/s, fake's enforced limit {limit}/s "
        f"(Telegram: 25/s target, ~30/s limit; ratio {rate / 25:g}x)\n"
    )
    for name in names:
        r = await scenario(name, n, rate, limit, kill_at)
        kill = f", worker killed after {r['killed_at']} delivered and restarted" if r["killed_at"] else ""
        print(f"[{r['name']}{kill}]")
        print(
            f"  fan-out (queue {n} alerts)   {r['fanout_s']:.1f} s ({r['fanout_s'] / n * 1e3:.2f} ms/operator, "
            f"the worker sends meanwhile)"
        )
        print(
            f"  achieved                     {r['achieved']:.1f} messages/s = {r['ratio']:.2f} x the configured "
            f"{rate:g}/s  (first->last accepted)"
        )
        print(
            f"  after the fan-out finished   {r['steady']:.1f} messages/s = {r['steady'] / rate:.2f} x (steady state)"
        )
        print(
            f"  first alert / all alerted    {r['first_s']:.1f} s / {r['total_s']:.1f} s after the run started "
            f"(ideal {n / rate:.1f} s)"
        )
        if r["restart_gap"] is not None:
            print(
                f"  restart gap                  {r['restart_gap']:.1f} s without sends (process start-up); "
                f"excluding it: {r['sending']:.1f} messages/s = {r['sending'] / rate:.2f} x"
            )
        print(f"  429s from the fake           {r['throttled']}")
        print(
            f"  duplicates / losses          {r['duplicates']} operators got it twice "
            f"({r['extra_sends']} extra sends) / {r['lost']} never got it\n"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        db, url, token, rate = sys.argv[2:6]
        asyncio.run(run_worker_process(db, url, token, float(rate)))
        sys.exit(0)
    ap = argparse.ArgumentParser()
    ap.add_argument("--operators", type=int, default=10_000)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--limit", type=int, default=120)
    ap.add_argument("--kill-at", type=float, default=0.4)
    ap.add_argument("--scenarios", default="steady,cancel,kill-9")
    args = ap.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main(args.operators, args.rate, args.limit, args.kill_at, args.scenarios.split(",")))
