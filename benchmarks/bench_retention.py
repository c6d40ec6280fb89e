"""The daily retention purge (workflows/privacy/retention.py) over a large backlog: no pass/fail.

Fills a migrated database with --complaints closed complaints a year and a half old (each with 2
photos, 4 events with notes, a phone and a rated survey with a comment), as many outbox rows sent
100 days ago and --forms abandoned forms, then times ``purge_due`` (batches of --batch rows, one
transaction each) and a second run that finds nothing, and the longest single batch.

Run: .venv/bin/python benchmarks/bench_retention.py [--complaints 20000] [--batch 500]
     (SQLite in a temporary file; with TEST_DATABASE_URL=postgresql+asyncpg://... --postgres uses a
     fresh PostgreSQL database made like the test suite's, dropped afterwards)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from bot.db.migrate import upgrade_to_head  # noqa: E402
from workflows.models import (
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    FsmRecord,
    OutboxMessage,
    Rating,  # noqa: E402
    User,
)
from bot.db.session import make_engine, make_sessionmaker  # noqa: E402
from workflows.privacy import retention  # noqa: E402
from workflows.business_time import BusinessCalendar  # noqa: E402
from workflows.contact import Cipher  # noqa: E402
from workflows.context import Services  # noqa: E402
from workflows.district import load_district  # noqa: E402

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 23, 3, 45, tzinfo=KST)
CHUNK = 2000


async def fill(sm, n: int, forms: int) -> None:
    closed = NOW - timedelta(days=540)
    async with sm() as s:
        s.add_all([User(id=u) for u in range(1, 1001)])
        await s.commit()
        for lo in range(1, n + 1, CHUNK):
            ids = range(lo, min(lo + CHUNK, n + 1))
            await s.execute(
                insert(Complaint),
                [
                    dict(
                        id=i,
                        receipt_no=f"2025-{i:07d}",
                        submit_key=f"b{i}",
                        citizen_id=1 + i % 1000,
                        category_code="road",
                        kind="고충",
                        period="7d",
                        description="자양2동 우리 집 앞 보도블록이 깨졌습니다. " * 4,
                        address="서울 광진구 자양2동 12-3",
                        latitude=37.53,
                        longitude=127.07,
                        phone_enc="gAAAA" + "x" * 95,
                        department_code="ROADS",
                        officer_id=7,
                        state="closed",
                        received_at=closed - timedelta(days=3),
                        deadline_at=closed,
                        answer_text="교체했습니다. " * 5,
                        answered_at=closed - timedelta(days=1),
                        answered_by=7,
                        closed_at=closed,
                        updated_at=closed,
                    )
                    for i in ids
                ],
            )
            await s.execute(
                insert(ComplaintPhoto),
                [
                    dict(complaint_id=i, position=p, file_id=f"f{i}{p}", file_unique_id=f"u{i}{p}")
                    for i in ids
                    for p in (0, 1)
                ],
            )
            await s.execute(
                insert(ComplaintEvent),
                [
                    dict(
                        complaint_id=i,
                        at=closed,
                        actor_id=a,
                        actor_role=r,
                        action=act,
                        from_state=None,
                        to_state=to,
                        department_code="ROADS",
                        note="메모 " * 10,
                    )
                    for i in ids
                    for a, r, act, to in (
                        (1, "citizen", "submit", "received"),
                        (7, "officer", "take", "assigned"),
                        (7, "officer", "answer", "answered"),
                        (1, "citizen", "close", "closed"),
                    )
                ],
            )
            await s.execute(
                insert(Rating),
                [
                    dict(
                        service="complaint",
                        complaint_id=i,
                        department_code="ROADS",
                        officer_id=7,
                        sent_at=closed,
                        overall=4,
                        rated_at=closed,
                        comment="감사합니다 " * 5,
                    )
                    for i in ids
                ],
            )
            await s.execute(
                insert(OutboxMessage),
                [
                    dict(
                        dedup_key=f"old:{i}",
                        chat_id=1 + i % 1000,
                        method="sendMessage",
                        payload={"text": "답변 " * 20},
                        status="sent",
                        created_at=NOW - timedelta(days=100),
                        not_before=NOW - timedelta(days=100),
                        sent_at=NOW - timedelta(days=100),
                    )
                    for i in ids
                ],
            )
            await s.commit()
        await s.execute(
            insert(FsmRecord),
            [
                dict(
                    key=f"fsm:1:{i}:{i}:default",
                    state="X",
                    data={"d": "쓰다 만 글"},
                    updated_at=NOW - timedelta(days=40),
                )
                for i in range(forms)
            ],
        )
        await s.commit()


async def main(args) -> None:
    if args.postgres:
        from tests import databases

        url = databases.new_database_url(Path(tempfile.mkdtemp()))
    else:
        url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
        await asyncio.to_thread(upgrade_to_head, url)  # alembic runs its own event loop
    engine = make_engine(url)
    sm = make_sessionmaker(engine)
    svc = Services(
        district=load_district(),
        calendar=BusinessCalendar.from_file(),
        cipher=Cipher(base64.urlsafe_b64encode(b"k" * 32)),
        tz=KST,
        clock=lambda: NOW,
        retention=retention.RetentionPolicy(batch=args.batch),
    )
    t0 = time.perf_counter()
    await fill(sm, args.complaints, args.forms)
    print(
        f"{engine.dialect.name}: filled {args.complaints:,} complaints (+2 photos, 4 events, 1 rating each), "
        f"{args.complaints:,} outbox rows, {args.forms:,} forms in {time.perf_counter() - t0:.1f} s"
    )

    longest = 0.0
    original = retention._in_batches

    async def timed(session, query, key, size, handle, *a):
        async def h(keys):
            nonlocal longest
            t = time.perf_counter()
            out = await handle(keys)
            await session.flush()
            longest = max(longest, time.perf_counter() - t)
            return out

        return await original(session, query, key, size, h, *a)

    retention._in_batches = timed
    async with sm() as s:
        t0 = time.perf_counter()
        counts = await retention.purge_due(s, svc, svc.retention, NOW)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = await retention.purge_due(s, svc, svc.retention, NOW)
        second = time.perf_counter() - t0
        left = await s.scalar(select(Complaint.id).where(Complaint.anonymised_at.is_(None)).limit(1))
    rows = sum(counts.values())
    print(f"purge: {counts}")
    print(
        f"  {rows:,} rows in {first:.2f} s ({rows / first:,.0f} rows/s); longest batch of {args.batch}: "
        f"{longest * 1000:.0f} ms; second run {second * 1000:.0f} ms ({sum(again.values())} rows); "
        f"complaints left: {0 if left is None else 'some'}"
    )
    await engine.dispose()
    if args.postgres:
        databases.drop_test_databases(keep_template=False)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--complaints", type=int, default=20_000)
    p.add_argument("--forms", type=int, default=2_000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--postgres", action="store_true")
    asyncio.run(main(p.parse_args()))
