"""Start to first getUpdates, and the idle process's memory: `python -m bot` against bare aiogram.

Each run starts, as a fresh process on this machine, (a) `python -m bot` on a SQLite file and
(b) a bare aiogram process (a Bot and an empty Dispatcher, `start_polling`), both against the
fake Bot API of the test suite (tests/fakes/telegram_server.py) on 127.0.0.1, and times from the
process's start to its first getUpdates request. The bot is started twice per run: on a new
database (its migrations run first) and again on the same database (a restart: the case that
matters in operation). When the first getUpdates arrives, and again after `--idle` seconds with no
update, the process's resident set size (VmRSS) is read from /proc. Each figure is printed as
min / median / max over the runs and as a ratio to bare aiogram measured in the same runs. No
pass/fail.

Before the runs the project's code is compiled to bytecode and the text catalogues are read once,
as the Docker image does at build time (the image sets PYTHONDONTWRITEBYTECODE and its /app is
read-only to the bot, so nothing is compiled or cached at start); aiogram's own bytecode was
written when pip installed it.

Run: .venv/bin/python benchmarks/bench_startup.py [--runs 3] [--idle 5]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.telegram_server import FakeTelegram  # noqa: E402

BARE = """
import asyncio, sys
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
bot = Bot(sys.argv[1], session=AiohttpSession(api=TelegramAPIServer.from_base(sys.argv[2])))
asyncio.run(Dispatcher().start_polling(bot, polling_timeout=1, handle_signals=True))
"""


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one(tg: FakeTelegram, argv: list[str], env: dict[str, str], idle: float) -> tuple[float, float, float]:
    """(seconds to the first getUpdates, RSS MiB then, RSS MiB after ``idle`` s)."""
    mark = tg.mark()
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, cwd=ROOT
    )
    try:
        await tg.wait_for(lambda c: c.method == "getUpdates", timeout=120, after=mark)
        took = time.perf_counter() - started
        first = rss_mib(proc.pid)
        await asyncio.sleep(idle)
        return took, first, rss_mib(proc.pid)
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def bot_env(tg: FakeTelegram, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "DATABASE_", "REDIS_"))}
    env.update(
        BOT_TOKEN=tg.token,
        TELEGRAM_API_URL=tg.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{data_dir / 'bot.db'}",
        DATA_DIR=str(data_dir),
        DATA_KEY=base64.urlsafe_b64encode(b"s" * 32).decode(),
        POLLING_TIMEOUT="1",
        LOG_LEVEL="WARNING",
    )
    return env


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return " / ".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def as_the_image_is_built() -> None:
    """What the Dockerfile's build step does: bytecode for the project, the catalogues' cache."""
    import subprocess

    dirs = ["bot", "handlers", "workflows", "alembic"]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-c", "import workflows.texts"], cwd=ROOT, check=True)


async def main(runs: int, idle: float) -> None:
    as_the_image_is_built()
    tg = FakeTelegram()
    await tg.start()
    figures: dict[str, list[tuple[float, float, float]]] = {"bare": [], "first": [], "restart": []}
    try:
        for _ in range(runs):
            data_dir = Path(tempfile.mkdtemp(prefix="minwon-start-"))
            env = bot_env(tg, data_dir)
            figures["bare"].append(await one(tg, [sys.executable, "-c", BARE, tg.token, tg.base_url], env, idle))
            figures["first"].append(await one(tg, [sys.executable, "-m", "bot"], env, idle))
            figures["restart"].append(await one(tg, [sys.executable, "-m", "bot"], env, idle))
    finally:
        await tg.stop()
    bare = figures["bare"]
    print(f"\nstart to the first getUpdates, {runs} runs (min / median / max); VmRSS of the process")
    print(
        f"{'process':38} {'seconds':>20} {'× bare':>7} {'RSS MiB at start':>22} {f'RSS MiB idle {idle:.0f}s':>22} "
        f"{'× bare':>7}"
    )
    labels = {
        "bare": "bare aiogram (Bot + empty Dispatcher)",
        "first": "python -m bot, new database",
        "restart": "python -m bot, restart (db at head)",
    }
    for key, rows in figures.items():
        secs, rss0, rss1 = ([r[i] for r in rows] for i in range(3))
        print(
            f"{labels[key]:38} {spread(secs):>20} {statistics.median(secs) / statistics.median([b[0] for b in bare]):7.2f} "
            f"{spread(rss0, '{:.0f}'):>22} {spread(rss1, '{:.0f}'):>22} "
            f"{statistics.median(rss1) / statistics.median([b[2] for b in bare]):7.2f}"
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--idle", type=float, default=5.0, help="seconds without updates before the second RSS reading")
    args = ap.parse_args()
    asyncio.run(main(args.runs, args.idle))
