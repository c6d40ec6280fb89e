"""What a start loads (issue 17: start time and idle memory): a restart finds the database at head
without Alembic, and the libraries of the report (numpy, matplotlib, openpyxl), the PNG sheets
(Pillow), the catalogue parser (Babel) and the outbound jobs' HTTP client (httpx, which loads its
command line's libraries with it: ~0.1 s) wait until they are used."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys

from bot.db.migrate import upgrade_to_head
from tests import databases

LATER = ("alembic", "numpy", "matplotlib", "openpyxl", "PIL", "babel", "httpx")

START = """
import json, sys
from bot.config import load_settings
from bot.db.migrate import upgrade_to_head
settings = load_settings()
upgrade_to_head(settings.database_url)  # as python -m bot does before it polls
from bot.app import build_app
build_app(settings)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


async def _last_line_of(script: str, url: str, tmp_path) -> object:
    """``script`` run as a bot's process on the database at ``url``: the JSON of its last line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "DATABASE_", "REDIS_"))}
    env.update(
        BOT_TOKEN="123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        TELEGRAM_API_URL="http://127.0.0.1:9",
        DATABASE_URL=url,
        DATA_DIR=str(tmp_path),
        DATA_KEY=base64.urlsafe_b64encode(b"k" * 32).decode(),
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()[-2000:]
    return json.loads(out.decode().strip().splitlines()[-1])


async def test_a_restart_loads_no_migration_tool_nor_report_libraries(tmp_path):
    url = databases.empty_database_url(tmp_path)
    await asyncio.to_thread(upgrade_to_head, url)  # the first start migrated it
    loaded = set(await _last_line_of(START, url, tmp_path))  # type: ignore[call-overload]
    assert {"aiogram", "sqlalchemy", "workflows", "handlers"} <= loaded  # it did build the bot
    assert loaded.isdisjoint(LATER), sorted(loaded & set(LATER))


SERVE = """
import gc, json, sys
import bot.app


async def serve(app, **kw):  # where python -m bot would poll: how much of the heap is frozen
    print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}))


bot.app.run = serve
from bot.__main__ import main
sys.exit(main())
"""


async def test_what_start_made_is_frozen_before_the_bot_serves(tmp_path):
    """gc.freeze (workflows.heap): the modules, routers and settings of the start are out of the
    collector's sight, so each full collection during updates no longer walks them all."""
    heap = await _last_line_of(SERVE, databases.empty_database_url(tmp_path), tmp_path)
    assert isinstance(heap, dict) and heap["frozen"] > 100_000 and heap["tracked"] < heap["frozen"] / 10, heap
