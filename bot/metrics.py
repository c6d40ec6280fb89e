"""Process counters for /healthz and /metrics (Prometheus text format, no extra dependency)."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class Metrics:
    updates: int = 0  # updates handled (after de-duplication)
    handler_seconds: float = 0.0  # total time spent handling them
    last_update_at: float | None = None  # time.time() of the last handled update
    last_webhook_at: float | None = None  # time.time() of the last webhook request (webhook mode)

    def observe(self, seconds: float) -> None:
        self.updates += 1
        self.handler_seconds += seconds
        self.last_update_at = time.time()
