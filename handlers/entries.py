"""The command handler of each resident service (services.json codes), registered by the module
that defines it (``@entry("birth")``), so that a /menu button or a hint runs the same function as
the typed command (handlers/common.run_entry) without the menu importing every feature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Handler = Callable[..., Awaitable[Any]]
ENTRIES: dict[str, Handler] = {}


def entry(code: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if ENTRIES.get(code, handler) is not handler:
            raise ValueError(f"two entries for the service {code!r}")
        ENTRIES[code] = handler
        return handler

    return register
