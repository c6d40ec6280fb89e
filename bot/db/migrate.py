"""Apply Alembic migrations programmatically (the schema exists only through them).

A restart finds the database at head: that is read first with one query, and Alembic (about 0.4 s
of imports and the migration scripts' loading) runs only when there is something to do, or when
the quick look cannot tell.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "alembic" / "versions"
_REVISION = re.compile(r'^revision(?:: str)? = "([^"]+)"', re.M)
_DOWN = re.compile(r'^down_revision(?:: [^=]+)? = (None|"([^"]+)")', re.M)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def head_revision(versions: Path = VERSIONS) -> str | None:
    """The newest migration's revision, read from the scripts' text (not imported): the one no
    other script names as its down_revision. None when that is not one plain answer (a branch, a
    merge, a script in another form): then Alembic decides."""
    revisions, downs = set(), set()
    for script in versions.glob("*.py"):
        text = script.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN.search(text)
        if rev is None or down is None:
            return None
        revisions.add(rev.group(1))
        if down.group(2):
            downs.add(down.group(2))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


async def _stamped(url: str) -> set[str] | None:
    """The revisions the database is stamped with; None if it has no schema yet or cannot be read."""
    from sqlalchemy import pool, text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            return set((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    except Exception:  # noqa: BLE001 - a new database (no table) or anything odd: Alembic looks properly
        return None
    finally:
        await engine.dispose()


def at_head(url: str) -> bool:
    head = head_revision()
    return head is not None and asyncio.run(_stamped(url)) == {head}


def upgrade_to_head(url: str) -> None:
    """Synchronous: call before the event loop starts, or via asyncio.to_thread."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            if Path(path).exists() and at_head(url):
                return
    elif at_head(url):
        return
    from alembic import command

    command.upgrade(alembic_config(url), "head")
