"""Memory of the bot process with 10,000 open complaint forms (FSM conversations): no pass/fail.

Each storage is measured in a fresh process: the bot's Dispatcher, middlewares and handlers
(bot/app.py build_app) on a SQLite database, the Bot's session answering in memory
(benchmarks/instant_bot.py). N residents who consented earlier (seeded in bulk) each send
/complaint, pick a category and type their text, 64 at a time (as many updates as the bot
handles at once), so N forms wait at the photo step. The process's resident set size (VmRSS in
/proc/self/status, after gc and malloc_trim) is read after a warm-up of 200 such conversations
and again after the N; the difference per conversation is printed, with the storage's own
footprint (fsm_records rows and database file growth, or Redis used_memory growth), which lives
in the database or the Redis server rather than in this process. "w/o DB conns" is the growth left
once the pooled database connections (each with its own SQLite page cache) are closed.
--trace adds tracemalloc's top allocation sites of the growth (slower).

Run: .venv/bin/python benchmarks/bench_fsm_memory.py [--conversations 10000] [--storages db,redis]
     [--redis redis://127.0.0.1:6379/0] [--trace] [--in-flight 64]
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_throughput import DEFAULT_REDIS, CATEGORY_LABELS, instant_app, settings_for  # noqa: E402
from instant_bot import Resident, run_residents  # noqa: E402

IN_FLIGHT = 64
WARM_UP = 200


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def settle() -> int:
    """RSS after freeing what can be freed (the allocator keeps freed arenas otherwise)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    return rss_bytes()


async def seed(app, first: int, n: int) -> None:
    """Residents who consented earlier, inserted in bulk."""
    from sqlalchemy import insert

    from workflows.models import Consent, User, utcnow
    from workflows.texts import PRIVACY_VERSION
    from workflows.users import COMPLAINT_PURPOSE

    now = utcnow()
    async with app.sessionmaker() as s, s.begin():
        for i in range(first, first + n, 2000):
            ids = range(i, min(i + 2000, first + n))
            await s.execute(
                insert(User),
                [
                    {"id": u, "language": "ko", "language_chosen": False, "is_active": True, "created_at": now}
                    for u in ids
                ],
            )
            await s.execute(
                insert(Consent),
                [
                    {"user_id": u, "purpose": COMPLAINT_PURPOSE, "version": PRIVACY_VERSION, "granted_at": now}
                    for u in ids
                ],
            )


async def open_forms(app, session, first: int, n: int) -> tuple[float, int]:
    return await run_residents(
        app.dp, app.bot, session, range(first, first + n), Resident.FORM_OPEN, CATEGORY_LABELS, IN_FLIGHT
    )


async def store_footprint(app, db_path: Path, redis_url: str | None, prefix: str) -> dict:
    from sqlalchemy import func, select

    from workflows.models import FsmRecord

    if redis_url:
        redis = app.dp.storage.redis
        info = await redis.info("memory")
        keys = [k async for k in redis.scan_iter(match=f"{prefix}:*", count=5000)]
        return {"redis_used_memory": info["used_memory"], "keys": len(keys)}
    async with app.sessionmaker() as s:
        rows = await s.scalar(select(func.count()).select_from(FsmRecord).where(FsmRecord.state.is_not(None)))
    size = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))
    return {"fsm_rows": int(rows or 0), "db_bytes": size}


async def child(storage: str, n: int, redis_url: str, trace: bool) -> dict:
    from bot.db.migrate import upgrade_to_head

    tmp = Path(tempfile.mkdtemp(prefix="minwon-mem-"))
    db_path = tmp / "mem.db"
    url = f"sqlite+aiosqlite:///{db_path}"
    await asyncio.to_thread(upgrade_to_head, url)
    prefix = f"minwon_mem_{os.getpid()}"
    use_redis = redis_url if storage == "redis" else None
    app, session = instant_app(settings_for(url, tmp, use_redis, prefix))
    try:
        await seed(app, 1, WARM_UP + n)
        await open_forms(app, session, 1, WARM_UP)
        store0 = await store_footprint(app, db_path, use_redis, prefix)
        if trace:
            import tracemalloc

            tracemalloc.start(8)
            snap0 = tracemalloc.take_snapshot()
        rss0 = settle()
        seconds, retries = await open_forms(app, session, 1 + WARM_UP, n)
        rss1 = settle()
        store1 = await store_footprint(app, db_path, use_redis, prefix)
        ctx = app.dp.fsm.get_context(bot=app.bot, chat_id=WARM_UP + n, user_id=WARM_UP + n)
        state = await ctx.get_state()
        await app.engine.dispose()  # closes the pooled SQLite connections and their page caches
        rss2 = settle()
        top = []
        if trace:
            snap1 = tracemalloc.take_snapshot()
            for stat in snap1.compare_to(snap0, "traceback")[:8]:
                frames = list(stat.traceback)  # oldest first
                ours = next(
                    (
                        f
                        for f in reversed(frames)
                        if any(d in f.filename for d in ("/bot/", "/handlers/", "/workflows/"))
                    ),
                    None,
                )
                where = lambda f: f"{f.filename.split('/site-packages/')[-1].split('/main/')[-1]}:{f.lineno}"  # noqa: E731
                top.append(
                    f"{stat.size_diff / n:7.0f} B/conv  allocated at {where(frames[-1])}"
                    + (f" (from {where(ours)})" if ours else "")
                )
        return {
            "storage": storage,
            "n": n,
            "rss0": rss0,
            "rss1": rss1,
            "rss2": rss2,
            "seconds": seconds,
            "retries": retries,
            "state": state,
            "store0": store0,
            "store1": store1,
            "top": top,
        }
    finally:
        if use_redis:
            redis = app.dp.storage.redis
            keys = [k async for k in redis.scan_iter(match=f"{prefix}:*", count=5000)]
            for i in range(0, len(keys), 5000):
                await redis.delete(*keys[i : i + 5000])
        await app.dp.storage.close()
        await app.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conversations", type=int, default=10_000)
    ap.add_argument("--storages", default="db,redis")
    ap.add_argument("--redis", default=DEFAULT_REDIS)
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--in-flight", type=int, default=IN_FLIGHT, help="updates handled at once (polling: 64)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        from bot.logs import setup_logging

        setup_logging("WARNING")
        globals()["IN_FLIGHT"] = args.in_flight
        print(json.dumps(asyncio.run(child(args.child, args.conversations, args.redis, args.trace))))
        return
    results = []
    for storage in [s.strip() for s in args.storages.split(",") if s.strip()]:
        if storage == "redis":
            from bench_throughput import redis_ok

            if not redis_ok(args.redis):
                continue
        cmd = [
            sys.executable,
            __file__,
            "--child",
            storage,
            "--conversations",
            str(args.conversations),
            "--redis",
            args.redis,
            "--in-flight",
            str(args.in_flight),
        ] + (["--trace"] if args.trace else [])
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{storage}: failed\n{out.stderr[-3000:]}")
            continue
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(
        f"\n{args.conversations} open complaint forms (each at the photo step), bot process VmRSS after gc + malloc_trim"
    )
    print(
        f"{'FSM storage':14} {'before MiB':>10} {'after MiB':>10} {'growth MiB':>10} {'per form':>10} "
        f"{'w/o DB conns':>12}   {'store per form':>15}  {'updates/s':>9} {'retry':>6}  state check"
    )
    for r in results:
        n, grow = r["n"], r["rss1"] - r["rss0"]
        if r["storage"] == "redis":
            store = f"{(r['store1']['redis_used_memory'] - r['store0']['redis_used_memory']) / n:.0f} B Redis"
        else:
            store = f"{(r['store1']['db_bytes'] - r['store0']['db_bytes']) / n:.0f} B file"
        print(
            f"{'database' if r['storage'] == 'db' else 'Redis':14} {r['rss0'] / 2**20:10.1f} {r['rss1'] / 2**20:10.1f} "
            f"{grow / 2**20:10.1f} {grow / n:8.0f} B {(r['rss2'] - r['rss0']) / n:10.0f} B   {store:>15}  "
            f"{3 * n / r['seconds']:9.0f} {r['retries']:6d}  {r['state']}"
        )
        for line in r["top"]:
            print(f"    {line}")


if __name__ == "__main__":
    main()
