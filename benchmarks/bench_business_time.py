"""Timing of workflows.business_time (민원처리법 §19 deadlines): µs per call, no pass/fail.

Run: .venv/bin/python benchmarks/bench_business_time.py
"""

import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workflows.business_time import BusinessCalendar, Period  # noqa: E402

N = 10_000
KST = ZoneInfo("Asia/Seoul")


def bench(label, fn, args):
    t0 = time.perf_counter()
    for a in args:
        fn(*a)
    dt = time.perf_counter() - t0
    print(f"{label:<48} {dt / len(args) * 1e6:8.2f} µs/call  ({len(args)} calls)")


def main():
    rng = random.Random(19)
    cal = BusinessCalendar.from_file()
    base = datetime(2025, 1, 1, tzinfo=KST)
    received = [base + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)) for _ in range(N)]
    periods = [Period.parse(s) for s in ("3h", "5d", "7d", "14d")]
    for y in (2025, 2026, 2027):  # warm the per-year holiday cache
        cal.is_business_day(datetime(y, 1, 1).date())

    bench("deadline() mixed 3h/5d/7d/14d", cal.deadline, [(r, rng.choice(periods)) for r in received])
    for p in periods:
        bench(f"deadline() {p}", cal.deadline, [(r, p) for r in received])
    spans = [(r, r + timedelta(minutes=rng.randrange(1, 28 * 24 * 60))) for r in received]
    bench("business_hours_between() spans up to 4 weeks", cal.business_hours_between, spans)
    spans = [(r, r + timedelta(hours=rng.randrange(1, 48))) for r in received]
    bench("business_hours_between() spans up to 2 days", cal.business_hours_between, spans)


if __name__ == "__main__":
    main()
