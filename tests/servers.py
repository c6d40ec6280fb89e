"""`python -m tests.servers POSTGRES_URL REDIS_URL`: exit 0 when both answer (scripts/test)."""

from __future__ import annotations

import asyncio
import sys


async def _check(pg_url: str, redis_url: str) -> str | None:
    import asyncpg
    from redis.asyncio import Redis

    try:
        conn = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://", 1), timeout=3)
        await conn.close()
    except Exception as e:  # noqa: BLE001 - any failure means "not usable"
        return f"PostgreSQL at {pg_url.rpartition('@')[2]}: {type(e).__name__}"
    r = Redis.from_url(redis_url, socket_connect_timeout=3)
    try:
        await r.ping()
    except Exception as e:  # noqa: BLE001
        return f"Redis at {redis_url}: {type(e).__name__}"
    finally:
        await r.aclose()
    return None


if __name__ == "__main__":
    problem = asyncio.run(_check(sys.argv[1], sys.argv[2]))
    if problem:
        print(problem, file=sys.stderr)
    sys.exit(1 if problem else 0)
