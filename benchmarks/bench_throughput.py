"""Update throughput of the complaint conversation through the real Dispatcher: no pass/fail.

The Dispatcher, middlewares, FSM storage and handlers are the bot's own (bot/app.py build_app),
on a real database; the Bot's HTTP session is replaced by one that answers every Bot API method at
once in memory (benchmarks/instant_bot.py), so Telegram's latency is excluded and what is left is
the bot's own cost per update. N residents each walk the whole /complaint conversation (/start,
consent, /complaint, category, text, skip photos/location/phone, 제출: 9 updates), 64 of them
at a time (the bot handles at most 64 updates at once when polling). In the same run a bare aiogram Dispatcher
with one echo handler gets the same number of updates the same way; each result is printed as
updates/s and as a ratio to that echo baseline. The delivery worker and the scheduler do not run.

Beside each engine's row, the floor: the same echo handler also writing one row per update through
the bot's engine (floor_rate), as a ratio to echo; the complaint conversation cannot beat it.

Engines: SQLite (FSM in the database), PostgreSQL (FSM in the database) and PostgreSQL with FSM
and event isolation in Redis, each when reachable. PostgreSQL: a database of its own is created
on the server named by --postgres (maintenance URL) and dropped afterwards.

Run: .venv/bin/python benchmarks/bench_throughput.py [--residents 200] [--rounds 2]
     [--postgres postgresql+asyncpg://minwon_test:minwon_test@127.0.0.1:5432/postgres]
     [--redis redis://127.0.0.1:6379/0] [--engines sqlite,postgresql,postgresql+redis]
     [--in-flight 64] [--telegram-ms 0] [--offered 200]

--offered R: open loop instead: residents arrive at a fixed rate (R updates/s offered over the
conversation) whatever the bot's speed; latency percentiles count the wait for a place among the
updates handled at once, and the echo baseline is offered the same rate.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from aiogram import Bot, Dispatcher, Router  # noqa: E402
from aiogram.types import Message  # noqa: E402

from bot.db.session import ONE_STATEMENT, READ_ONLY  # noqa: E402
from instant_bot import TOKEN, InstantSession, Resident, Updates, run_residents  # noqa: E402

DEFAULT_PG = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://minwon_test:minwon_test@127.0.0.1:5432/postgres"
)
DEFAULT_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
CONCURRENCY = 64  # tasks_concurrency_limit in bot/app.py run(); --in-flight changes it
CATEGORY_LABELS = ("도로·보도·가로등", "쓰레기·청소", "공원·놀이터·가로수", "소음·악취·환경")


def settings_for(database_url: str, data_dir: Path, redis_url: str | None = None, redis_prefix: str = ""):
    from bot.config import load_settings

    env = {
        "BOT_TOKEN": TOKEN,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "DATA_KEY": base64.urlsafe_b64encode(b"b" * 32).decode(),
        "FLOOD_LIMIT": "1000000",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
    }
    if redis_url:
        env.update(REDIS_URL=redis_url, REDIS_PREFIX=redis_prefix)
    return load_settings(env, dotenv=False)


def instant_app(settings, latency: float = 0.0, held: bool = False):
    """build_app's App with the Bot's session answering in memory (after ``latency`` s). ``held``:
    without bot/commit_first.py, the update's transaction stays open across its Bot API calls (the
    behaviour before it, measured in the same run as the baseline)."""
    from bot.app import build_app, request_middlewares
    from bot.retry import RetryAfterMiddleware
    from workflows import heap

    app = build_app(settings)
    heap.settle(collect=False)  # as python -m bot does before it serves
    session = InstantSession(latency)
    if held:
        session.middleware(RetryAfterMiddleware())
    else:
        request_middlewares(session)  # the bot's own: the update's writes committed before each call, 429s
    app.bot.session = session
    app.svc.bot_username = "bench_bot"
    return app, session


async def drive(
    dp: Dispatcher, bot: Bot, session: InstantSession, uids: range, steps
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    seconds, retries = await run_residents(dp, bot, session, uids, steps, CATEGORY_LABELS, CONCURRENCY, latencies)
    return seconds, latencies, retries


class Gate:
    """A Dispatcher behind the polling loop's limit of updates handled at once: an update offered
    while all places are taken waits (its latency counts the wait, as a queued update's would)."""

    def __init__(self, dp: Dispatcher, in_flight: int):
        self.dp, self._places = dp, asyncio.Semaphore(in_flight)

    async def feed_update(self, bot: Bot, update) -> None:  # noqa: ANN001
        async with self._places:
            await self.dp.feed_update(bot, update)


async def open_loop(
    dp: Dispatcher, bot: Bot, session: InstantSession, first: int, n_residents: int, offered: float
) -> tuple[float, list[float], int]:
    """Open loop: residents arrive at a fixed rate whatever the bot's speed (``offered`` updates/s
    over the whole conversation), each answering every reply at once; at most CONCURRENCY updates
    handled at once. Returns (seconds, latencies from each update's arrival to its answer, retries)."""
    gate, updates, latencies, retries = Gate(dp, CONCURRENCY), Updates(), [], [0]
    every = len(Resident.FULL) / offered
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def arrive(k: int) -> None:
        await asyncio.sleep(max(0.0, start + k * every - loop.time()))
        r = Resident(first + k, CATEGORY_LABELS[k % len(CATEGORY_LABELS)], gate, bot, session, updates, latencies)
        await r.run(Resident.FULL)
        retries[0] += r.retries

    await asyncio.gather(*(arrive(k) for k in range(n_residents)))
    return loop.time() - start, latencies, retries[0]


def echo_bot(latency: float = 0.0, write=None) -> tuple[Dispatcher, Bot]:  # noqa: ANN001
    """The baseline: a bare Dispatcher with one echo handler, its Bot answered in memory. With
    ``write`` (an async function), the handler awaits it before it answers (the floor)."""
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        if write is not None:
            await write()
        await message.answer(message.text)

    dp = Dispatcher()
    dp.include_router(router)
    return dp, Bot(TOKEN, session=InstantSession(latency))


async def echo_open_loop(n_residents: int, steps: int, offered: float, latency: float = 0.0) -> list[float]:
    """The bare echo Dispatcher offered the same rate the same way: its latencies."""
    dp, bot = echo_bot(latency)
    gate, updates, latencies = Gate(dp, CONCURRENCY), Updates(), []
    loop = asyncio.get_running_loop()
    start, every = loop.time(), steps / offered

    async def arrive(k: int) -> None:
        await asyncio.sleep(max(0.0, start + k * every - loop.time()))
        for i in range(steps):
            t0 = time.perf_counter()
            await gate.feed_update(bot, updates.message(60_000 + k, f"메아리 {i}", bot))
            latencies.append(time.perf_counter() - t0)

    await asyncio.gather(*(arrive(k) for k in range(n_residents)))
    return latencies


async def echo_rate(n_residents: int, steps: int, latency: float = 0.0, write=None) -> tuple[float, list[float]]:  # noqa: ANN001
    """Updates/s of a bare Dispatcher with one echo handler, fed like the residents."""
    dp, bot = echo_bot(latency, write)
    updates, todo, latencies = Updates(), iter(range(50_000, 50_000 + n_residents)), []

    async def worker() -> None:  # like run_residents: one resident's messages in order
        for uid in todo:
            for k in range(steps):
                update = updates.message(uid, f"메아리 {k}", bot)
                t0 = time.perf_counter()
                await dp.feed_update(bot, update)
                latencies.append(time.perf_counter() - t0)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return (n_residents * steps) / (time.perf_counter() - started), latencies


CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


async def floor_rate(settings, n_residents: int, steps: int, latency: float = 0.0) -> float:
    """The floor of any design that writes once per update through the bot's engine: the bare echo
    handler, each update also writing one row (a processed-update mark) in a short session of the
    bot's own engine (bot/db/session.py: writer turns, SQLite calls inline), committed before it
    answers. A complaint update cannot be cheaper than this; its ratio to echo bounds the goal."""
    import itertools

    from sqlalchemy import insert

    from bot.db.session import make_engine, make_sessionmaker
    from workflows.models import ProcessedUpdate

    engine = make_engine(settings.database_url)
    sm, mark = make_sessionmaker(engine, short=True), insert(ProcessedUpdate.__table__)
    ids = itertools.count(9 * 10**15 + uuid.uuid4().int % 10**12)  # apart from every update id here

    async def write() -> None:
        async with sm() as s:
            await s.execute(mark, {"update_id": next(ids)})
            await s.commit()

    try:
        rate, _ = await echo_rate(n_residents, steps, latency, write)
        return rate
    finally:
        await engine.dispose()


async def complaint_rate(
    settings, n_residents: int, round_no: int, latency: float = 0.0, held: bool = False, offered: float = 0.0
) -> tuple:
    from sqlalchemy import func, select

    from workflows.models import Complaint

    from sqlalchemy import event

    app, session = instant_app(settings, latency, held)
    # [data statements, transaction control]: SQLite's BEGIN [IMMEDIATE] is a statement the engine
    # issues (bot/db/session.py), asyncpg's is not; SAVEPOINTs are statements on both
    statements, transactions = [0, 0], {"read": 0, "write": 0}

    def count(_conn, _cursor, statement: str, *_args) -> None:
        statements[statement.lstrip()[:9].upper().startswith(CONTROL)] += 1

    def began(conn) -> None:  # noqa: ANN001
        options = conn.get_execution_options()
        if not options.get(ONE_STATEMENT):  # a single statement read without BEGIN is no transaction of ours
            transactions["read" if options.get(READ_ONLY) else "write"] += 1

    event.listen(app.engine.sync_engine, "before_cursor_execute", count)
    event.listen(app.engine.sync_engine, "begin", began)
    try:
        first = 100_000 * round_no
        if offered:
            seconds, latencies, retries = await open_loop(app.dp, app.bot, session, first, n_residents, offered)
        else:
            seconds, latencies, retries = await drive(
                app.dp, app.bot, session, range(first, first + n_residents), Resident.FULL
            )
        event.remove(app.engine.sync_engine, "before_cursor_execute", count)
        event.remove(app.engine.sync_engine, "begin", began)
        async with app.sessionmaker() as s:
            filed = await s.scalar(
                select(func.count())
                .select_from(Complaint)
                .where(Complaint.citizen_id >= first, Complaint.citizen_id < first + n_residents)
            )
        n_updates = n_residents * len(Resident.FULL)
        return (
            n_updates / seconds,
            latencies,
            int(filed or 0),
            (statements[0] / n_updates, statements[1] / n_updates),
            retries,
            session.in_transaction / n_updates,
            (transactions["read"] / n_updates, transactions["write"] / n_updates),
        )
    finally:
        await app.dp.storage.close()
        await app.engine.dispose()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")


# --- PostgreSQL: a database of our own ---------------------------------------------------------


def pg_create(maintenance_url: str) -> str | None:
    import asyncpg

    base, _, _ = maintenance_url.rpartition("/")
    name = f"minwon_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    async def go():
        conn = await asyncpg.connect(maintenance_url.replace("postgresql+asyncpg://", "postgresql://", 1), timeout=5)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    try:
        asyncio.run(go())
    except Exception as e:  # noqa: BLE001 - not reachable: that engine is skipped
        print(f"PostgreSQL at {maintenance_url.rpartition('@')[2]} not usable ({type(e).__name__}); skipped")
        return None
    return f"{base}/{name}"


def pg_drop(maintenance_url: str, url: str) -> None:
    import asyncpg

    async def go():
        conn = await asyncpg.connect(maintenance_url.replace("postgresql+asyncpg://", "postgresql://", 1))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(go())


def redis_ok(url: str) -> bool:
    from redis import Redis

    try:
        r = Redis.from_url(url, socket_connect_timeout=2)
        r.ping()
        r.close()
        return True
    except Exception:  # noqa: BLE001
        print(f"Redis at {url} not usable; skipped")
        return False


def redis_drop(url: str, prefix: str) -> None:
    from redis import Redis

    r = Redis.from_url(url)
    keys = list(r.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        r.delete(*keys)
    r.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--residents", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2, help="best of this many rounds per engine")
    ap.add_argument("--postgres", default=DEFAULT_PG)
    ap.add_argument("--redis", default=DEFAULT_REDIS)
    ap.add_argument("--engines", default="sqlite,postgresql,postgresql+redis")
    ap.add_argument("--in-flight", type=int, default=CONCURRENCY, help="updates handled at once (polling: 64)")
    ap.add_argument(
        "--telegram-ms",
        type=float,
        default=0.0,
        help="let every Bot API answer take this long (default 0: Telegram excluded)",
    )
    ap.add_argument(
        "--offered",
        type=float,
        default=0.0,
        help="open loop: residents arrive so that this many updates/s are offered; prints latency percentiles",
    )
    ap.add_argument(
        "--held",
        action="store_true",
        help="also run each engine with the transaction held across Bot API calls (the old way)",
    )
    args = ap.parse_args()
    globals()["CONCURRENCY"] = args.in_flight
    from bot.db.migrate import upgrade_to_head
    from bot.logs import setup_logging

    setup_logging("WARNING")
    steps = len(Resident.FULL)
    tmp = Path(tempfile.mkdtemp(prefix="minwon-bench-"))
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    pg_url = pg_create(args.postgres) if any(e.startswith("postgresql") for e in engines) else None
    targets: list[tuple[str, object]] = []
    if "sqlite" in engines:
        url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
        upgrade_to_head(url)
        targets.append(("SQLite, FSM in the database", settings_for(url, tmp), False))
        if args.held:
            targets.append(("SQLite, held across Telegram", settings_for(url, tmp), True))
    prefix = f"minwon_bench_{os.getpid()}"
    if pg_url:
        upgrade_to_head(pg_url)
        if "postgresql" in engines:
            targets.append(("PostgreSQL, FSM in the database", settings_for(pg_url, tmp), False))
            if args.held:
                targets.append(("PostgreSQL, held across Telegram", settings_for(pg_url, tmp), True))
        if "postgresql+redis" in engines and redis_ok(args.redis):
            targets.append(("PostgreSQL, FSM in Redis", settings_for(pg_url, tmp, args.redis, prefix), False))

    async def run_all():
        rows = []
        for label, settings, held in targets:
            best = None
            for round_no in range(1, args.rounds + 1):
                latency = args.telegram_ms / 1000
                echo, echo_lat = await echo_rate(args.residents, steps, latency)
                floor = await floor_rate(settings, args.residents, steps, latency)
                if args.offered:
                    echo_lat = await echo_open_loop(args.residents, steps, args.offered, latency)
                rate, lat, filed, sql, retries, in_tx, tx = await complaint_rate(
                    settings, args.residents, round_no + 10 * len(rows), latency, held, args.offered
                )
                if filed != args.residents:
                    raise SystemExit(f"{label}: {filed} complaints filed by {args.residents} residents")
                if best is None or rate / echo > best[0] / best[1]:
                    best = (rate, echo, lat, echo_lat, sql, retries, in_tx, tx, floor)
            rows.append((label, *best))
        return rows

    try:
        rows = asyncio.run(run_all())
    finally:
        if pg_url:
            pg_drop(args.postgres, pg_url)
            redis_drop(args.redis, prefix)
    mode = f"open loop: {args.offered:g} updates/s offered" if args.offered else "closed loop"
    print(
        f"\n{args.residents} residents × {steps} updates = {args.residents * steps} updates per run, {mode}, "
        f"{CONCURRENCY} in flight, Telegram answering in memory after {args.telegram_ms:g} ms; best of {args.rounds} rounds; "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"{'engine':34} {'updates/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'SQL/upd':>8} {'ctl':>5} {'tx r+w':>9} "
        f"{'in tx':>6} {'retry':>6}   {'echo/s':>8} {'ratio':>7} {'echo p99':>9}   {'floor/s':>8} {'floor':>6}"
    )
    for label, rate, echo, lat, echo_lat, sql, retries, in_tx, tx, floor in rows:
        print(
            f"{label:34} {rate:10.0f} {pct(lat, 50) * 1000:8.1f} {pct(lat, 95) * 1000:8.1f} {pct(lat, 99) * 1000:8.1f} "
            f"{sql[0]:8.1f} {sql[1]:5.1f} {tx[0]:4.1f}+{tx[1]:<4.1f} {in_tx:6.2f} {retries:6d}   {echo:8.0f} {rate / echo:7.3f} "
            f"{pct(echo_lat, 99) * 1000:9.2f}   {floor:8.0f} {floor / echo:6.3f}"
        )
    if rows:
        echo_all = [r[2] for r in rows]
        print(
            f"bare aiogram echo handler: {statistics.median(echo_all):.0f} updates/s "
            f"(p50 {pct(rows[0][4], 50) * 1000:.2f} ms); ratio = complaint updates/s ÷ echo updates/s of the same round; "
            "SQL/upd = statements per update other than transaction control (BEGIN, SAVEPOINT, RELEASE, "
            "ROLLBACK, COMMIT), which ctl counts (SQLite's BEGIN is issued as a statement, asyncpg's is not); "
            "tx r+w = read and write transactions per update (a read of one statement without BEGIN, "
            "the update's first look, is not one); "
            "in tx = Bot API calls per update made while its database transaction was open; "
            "retry = answers 'try again shortly' (the database did not answer in time), each sent again; "
            "open loop: latency from an update's arrival (queue wait included) to its answer; "
            "floor = the echo handler writing one row per update through the bot's engine (a short "
            "session, committed before it answers), with its ratio to echo: no design that writes "
            "once per update through this engine reaches a higher ratio"
        )


if __name__ == "__main__":
    main()
