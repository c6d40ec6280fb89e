"""/inbox on a large SQLite database: query + render time of an officer's list page, no pass/fail.

Fills a migrated database (bulk executemany, seeded) with --complaints complaints spread over the
district's departments — --open-share of them still open, --dept-share of all in 청소행정과 — and
times, best of --repeat, what one press of /inbox or a list button costs the bot: the page query
(count + one page + the officers' names) and drawing the message and its buttons
(handlers/worklist.render), for the unfiltered first page, a late page, each filter, the category
counts of the picker, a search and the morning digest.

Run: .venv/bin/python benchmarks/bench_inbox.py [--complaints 10000] [--open-share 0.3]
     [--dept-share 0.25] [--repeat 5] [--db /tmp/bench_inbox.db]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import sqlite3
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.db.migrate import upgrade_to_head  # noqa: E402
from bot.db.session import make_engine, make_sessionmaker  # noqa: E402
from handlers.worklist import render  # noqa: E402
from workflows import worklist as wl  # noqa: E402
from workflows.business_time import BusinessCalendar  # noqa: E402
from workflows.contact import Cipher  # noqa: E402
from workflows.context import Services  # noqa: E402
from workflows.district import load_district  # noqa: E402
from workflows.roles import Principal  # noqa: E402

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 12, 7, 10, tzinfo=KST)
FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's SQLite DateTime stores a (UTC) value
OFFICERS = [9_000_001 + k for k in range(6)]  # 청소행정과


def ts(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(tzinfo=None).strftime(FMT)


def fill(path: Path, n: int, open_share: float, dept_share: float, seed: int = 16) -> dict:
    rnd = random.Random(seed)
    d = load_district()
    cats = [c for c in d.categories.values() if c.department]
    clean_cats = [c for c in cats if c.department == "CLEAN"]
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.executemany(
        "INSERT INTO users (id, language, language_chosen, is_active, created_at, staff_name, card_mode) "
        "VALUES (?, 'ko', 0, 1, ?, ?, 'cards')",
        [(uid, ts(NOW), f"담당자{k}") for k, uid in enumerate(OFFICERS)] + [(100, ts(NOW), None)],
    )
    db.executemany(
        "INSERT INTO role_grants (user_id, role, department_code, granted_at) VALUES (?, 'officer', 'CLEAN', ?)",
        [(uid, ts(NOW)) for uid in OFFICERS],
    )
    rows, events = [], []
    counts = {"open_clean": 0}
    for i in range(1, n + 1):
        cat = rnd.choice(clean_cats) if rnd.random() < dept_share else rnd.choice(cats)
        dept = cat.department
        received = NOW - timedelta(minutes=rnd.randrange(1, 365 * 24 * 60))
        is_open = rnd.random() < open_share
        state = (
            rnd.choice(("received", "assigned", "in_progress", "transferred"))
            if is_open
            else rnd.choice(("closed", "rejected", "answered"))
        )
        officer = rnd.choice(OFFICERS) if dept == "CLEAN" and state in ("assigned", "in_progress") else None
        deadline = NOW + timedelta(hours=rnd.randrange(-200, 400)) if is_open else received + timedelta(days=9)
        dong = rnd.choice(d.dongs)
        rows.append(
            (
                f"2025-{i:06d}",
                f"bench-{i}",
                100,
                cat.code,
                cat.kind,
                "7d",
                f"{dong} 골목 {i}번지 앞 {rnd.choice(('폐기물', '음식물 쓰레기', '재활용', '무단투기', '악취'))}"
                f" 문제로 민원을 넣습니다. 빠른 처리를 부탁드립니다.",
                f"서울 광진구 {dong} {rnd.randint(1, 400)}-{rnd.randint(1, 30)}",
                dept,
                officer,
                state,
                ts(received),
                ts(deadline),
                0,
                ts(received),
            )
        )
        counts["open_clean"] += is_open and dept == "CLEAN"
    db.executemany(
        "INSERT INTO complaints (receipt_no, submit_key, citizen_id, category_code, kind, period, description, address, "
        "department_code, officer_id, state, received_at, deadline_at, extended, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    ids = [r[0] for r in db.execute("SELECT id FROM complaints")]
    events = [(cid, ts(NOW), 100, "citizen", "submit", "received", "CLEAN") for cid in ids]
    db.executemany(
        "INSERT INTO complaint_events (complaint_id, at, actor_id, actor_role, action, to_state, department_code) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        events,
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()
    counts["complaints"] = n
    return counts


async def timed(label: str, fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        await fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<58} {best * 1000:8.1f} ms")
    return best


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--complaints", type=int, default=10_000)
    ap.add_argument("--open-share", type=float, default=0.3)
    ap.add_argument("--dept-share", type=float, default=0.25)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--db", default="/tmp/bench_inbox.db")
    a = ap.parse_args()
    path = Path(a.db)
    path.unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade_to_head, url)  # alembic runs its own event loop
    t0 = time.perf_counter()
    counts = fill(path, a.complaints, a.open_share, a.dept_share)
    print(
        f"filled {counts['complaints']:,} complaints ({counts['open_clean']:,} open in 청소행정과) "
        f"in {time.perf_counter() - t0:.1f} s"
    )

    svc = Services(
        district=load_district(),
        calendar=BusinessCalendar.from_file(),
        cipher=Cipher(base64.urlsafe_b64encode(b"k" * 32)),
        tz=KST,
        clock=lambda: NOW,
    )
    p = Principal(OFFICERS[0], frozenset({"citizen", "officer"}), "CLEAN")
    engine = make_engine(url)
    sm = make_sessionmaker(engine)

    async def page(view: wl.View):
        async with sm() as s:
            pg = await wl.page(s, svc, p, view, "ko")
            render(pg, svc, "ko")

    v = wl.View(wl.COMPLAINTS)
    dong = svc.district.dongs.index("자양1동")
    print(f"{'query + render, best of ' + str(a.repeat):<58} {'time':>8}")
    await timed("/inbox first page", lambda: page(v), a.repeat)
    await timed("/inbox page 30", lambda: page(v.with_(page=29)), a.repeat)
    for scope in (wl.MINE, wl.UNASSIGNED, wl.OVERDUE, wl.TODAY):
        await timed(f"/inbox filter {scope}", lambda scope=scope: page(v.with_(scope=scope)), a.repeat)
    await timed("/inbox category waste + 동 자양1동", lambda: page(v.with_(category="waste", dong=dong)), a.repeat)

    async def picker():
        async with sm() as s:
            await wl.category_counts(s, svc, p, v)

    await timed("category picker counts", picker, a.repeat)
    await timed(
        "/find 폐기물 자양1동 (search, any state)", lambda: page(wl.View(wl.SEARCH, query="폐기물 자양1동")), a.repeat
    )

    async def digest():
        async with sm() as s:
            d = await wl.digest_for(s, svc, p, NOW)
            await wl.render_digest(s, svc, p, d, NOW, "ko")

    await timed("morning digest of one officer", digest, a.repeat)
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
