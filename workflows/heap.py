"""A long-lived process's start, out of the garbage collector's sight."""

from __future__ import annotations

import gc


def settle(*, collect: bool = True) -> None:
    """Collect, then freeze what is alive (gc.freeze): the modules, classes, routers and settings a
    process made are never walked again by a full collection, which each burst of short-lived
    objects (an update's, a report's rows) would otherwise set off over all of them. What was
    frozen is still freed when nothing refers to it; only a cycle among frozen objects would stay,
    and the collect before the freeze leaves none.

    In the report and chart processes before each task (workflows.indicators.reports): the
    collect walks just what the task before left behind. ``python -m bot`` before it serves, with
    ``collect=False``: a start leaves a few dozen unreachable objects (20 measured), not worth
    the 0.18 s a full collection of its ~300,000 takes before the first getUpdates."""
    if collect:
        gc.collect()
    gc.freeze()
