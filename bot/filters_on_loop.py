"""aiogram calls a filter that is a plain function in a worker thread: ``CallableObject.call`` does
``await asyncio.to_thread(...)`` for anything not a coroutine function or a ``Filter``. That is every
``F.…`` magic filter and every FSM ``State`` given as a filter (``router.message(Form.text)``). Each
is a check of a few attributes, yet each became a hand-off to the thread pool and a wait for the
event loop to take the answer back: 9.7 per update in the filing conversation (bench_throughput),
each behind every other update in flight.

``filters_on_loop(router)`` makes every such filter under ``router`` a coroutine that calls it on
the event loop's thread. aiogram still passes it the arguments its signature asks for (worked out
from the original function when the filter was registered). Run once, after every router is
included (bot/app.py build_app). Our filters must therefore stay quick and never block: none does
I/O, and a check that must read the database is an async ``Filter``.

Handlers are left as they are: ours are all coroutine functions.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from aiogram import Router


def _on_loop(check: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(check)
    async def on_loop(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return on_loop


def filters_on_loop(router: Router) -> int:
    """Every plain-function filter under ``router`` (its own and its sub-routers', root filters
    included) is called on the event loop; returns how many were changed."""
    changed = 0
    for each in router.chain_tail:
        for observer in each.observers.values():
            for handler in (observer._handler, *observer.handlers):
                for check in handler.filters or ():
                    if not check.awaitable:
                        check.callback, check.awaitable = _on_loop(check.callback), True
                        changed += 1
    return changed
