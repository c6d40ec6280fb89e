"""Event-isolation locks in Redis that a killed process left behind.

With REDIS_URL, aiogram's RedisEventIsolation holds one Redis lock per user while that user's update
is handled (so two quick messages cannot race on FSM state); the lock expires after 60 s. A process
killed mid-update (SIGKILL, OOM, power loss) never releases its locks, so after a restart each
user it was serving waits up to 60 s for every answer. In polling mode only one process may poll
a token (Telegram answers 409 to a second), so every lock that exists when polling starts belongs
to a dead process and is released here. Webhook mode (several live instances) cannot tell a dead
instance's lock from a live one's: there they expire on their own.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


async def release_dead_locks(isolation: object) -> int:
    """Delete the isolation locks under our key prefix; returns how many there were."""
    from aiogram.fsm.storage.redis import RedisEventIsolation

    if not isinstance(isolation, RedisEventIsolation):
        return 0  # in-memory isolation dies with its process
    keys = isolation.key_builder
    pattern = f"{keys.prefix}{keys.separator}*{keys.separator}lock"
    stale = [k async for k in isolation.redis.scan_iter(match=pattern, count=1000)]
    if stale:
        await isolation.redis.delete(*stale)
        log.warning("released %d event-isolation lock(s) left by a process that stopped mid-update", len(stale))
    return len(stale)
