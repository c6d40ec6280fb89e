"""Several bot processes on one PostgreSQL + Redis: does the complaint conversation scale with
processes? No pass/fail.

One Python process handles the conversation at a rate bound by its own per-update cost
(benchmarks/bench_throughput.py). A district deploys several instances on PostgreSQL with FSM
state and event isolation in Redis (README, Deploying). Here 1, 2, ... processes each run the bot's
own Dispatcher, middlewares and handlers (bot/app.py build_app; the Bot answered in memory:
benchmarks/instant_bot.py) against the same database and the same Redis, each with its own
residents (64 in flight per process, closed loop), all starting at the same moment. Printed: the
updates/s of all processes together and its ratio to one process measured in the same run, and
whether every resident's complaint was filed.

Run: .venv/bin/python benchmarks/bench_instances.py [--instances 1,2] [--residents 200] [--runs 3]
     [--postgres postgresql+asyncpg://minwon_test:minwon_test@127.0.0.1:5432/postgres]
     [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_throughput import (  # noqa: E402
    CATEGORY_LABELS,
    CONCURRENCY,
    DEFAULT_PG,
    DEFAULT_REDIS,
    instant_app,
    pg_create,
    pg_drop,
    redis_drop,
    redis_ok,
    settings_for,
)
from instant_bot import Resident, run_residents  # noqa: E402


async def child(url: str, redis: str, prefix: str, first: int, residents: int, start_at: float) -> dict:
    from sqlalchemy import func, select

    from workflows.models import Complaint

    import itertools

    import instant_bot

    instant_bot._update_ids = itertools.count(first * 20)  # as Telegram's: no two processes share an id
    app, session = instant_app(settings_for(url, Path(tempfile.mkdtemp(prefix="minwon-inst-")), redis, prefix))
    try:
        await asyncio.sleep(max(0.0, start_at - time.time()))  # every process starts at the same moment
        began = time.time()
        await run_residents(
            app.dp, app.bot, session, range(first, first + residents), Resident.FULL, CATEGORY_LABELS, CONCURRENCY
        )
        ended = time.time()
        async with app.sessionmaker() as s:
            filed = await s.scalar(
                select(func.count())
                .select_from(Complaint)
                .where(Complaint.citizen_id >= first, Complaint.citizen_id < first + residents)
            )
        return {"began": began, "ended": ended, "updates": residents * len(Resident.FULL), "filed": filed}
    finally:
        await app.dp.storage.close()
        await app.engine.dispose()


def run_instances(n: int, args, url: str, prefix: str, run_no: int) -> tuple[float, bool]:
    """(updates/s of the n processes together, every resident's complaint filed)."""
    start_at = time.time() + 8.0  # time for the processes to import and build their apps
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                url,
                "--redis",
                args.redis,
                "--prefix",
                prefix,
                "--first",
                str(10_000_000 * run_no + 1_000_000 * n + 100_000 * k),
                "--residents",
                str(args.residents),
                "--start-at",
                str(start_at),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for k in range(n)
    ]
    results = []
    for p in procs:
        out, _ = p.communicate(timeout=1800)
        if p.returncode != 0:
            raise SystemExit(f"an instance failed (exit {p.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    span = max(r["ended"] for r in results) - min(r["began"] for r in results)
    return sum(r["updates"] for r in results) / span, all(r["filed"] == args.residents for r in results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instances", default="1,2")
    ap.add_argument("--residents", type=int, default=200, help="residents per process (9 updates each)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--postgres", default=DEFAULT_PG)
    ap.add_argument("--redis", default=DEFAULT_REDIS)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--prefix", help=argparse.SUPPRESS)
    ap.add_argument("--first", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    from bot.logs import setup_logging

    setup_logging("WARNING")
    if args.child:
        result = asyncio.run(child(args.child, args.redis, args.prefix, args.first, args.residents, args.start_at))
        print(json.dumps(result))
        return
    if not redis_ok(args.redis):
        raise SystemExit(f"Redis does not answer at {args.redis}")
    from bot.db.migrate import upgrade_to_head

    url = pg_create(args.postgres)
    if url is None:
        raise SystemExit(f"PostgreSQL does not answer at {args.postgres}")
    prefix = f"minwon_inst_{os.getpid()}"
    counts = [int(x) for x in args.instances.split(",")]
    rates: dict[int, list[float]] = {n: [] for n in counts}
    ratios: dict[int, list[float]] = {n: [] for n in counts}
    complete = True
    try:
        upgrade_to_head(url)
        for run_no in range(1, args.runs + 1):
            one = None
            for n in counts:
                rate, filed = run_instances(n, args, url, prefix, run_no)
                complete = complete and filed
                rates[n].append(rate)
                one = rate if n == 1 or one is None else one
                ratios[n].append(rate / one)
    finally:
        pg_drop(args.postgres, url)
        redis_drop(args.redis, prefix)
    print(
        f"\nPostgreSQL + Redis, {args.residents} residents × {len(Resident.FULL)} updates per process, "
        f"{CONCURRENCY} in flight per process, Telegram answering in memory; {args.runs} runs; {os.cpu_count()} CPUs"
    )
    print(f"{'processes':>9} {'updates/s together (min / median / max)':>42} {'× one process, same run':>26}")
    for n in counts:
        r, q = rates[n], ratios[n]
        print(
            f"{n:9d} {f'{min(r):.0f} / {statistics.median(r):.0f} / {max(r):.0f}':>42} "
            f"{f'{min(q):.2f} / {statistics.median(q):.2f} / {max(q):.2f}':>26}"
        )
    print("every complaint filed" if complete else "SOME COMPLAINTS WERE NOT FILED")


if __name__ == "__main__":
    main()
