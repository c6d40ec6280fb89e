"""The monthly indicator report on a large SQLite database: no pass/fail.

Generates (seeded, so runs compare) --complaints complaints over three years with their events
(submit, take, answer, close; some transfers, extensions, reopens, rejections) and --ratings
ratings, through the real migrations and a bulk executemany insert. Then, in the same run, times

* the monthly report's figures (workflows.reports.build: every indicator, the previous period
  and a year earlier, the 12-month trend, the recurring finder, the ranking, the raw ratings),
* the same plus rendering (chart PNG and XLSX),
* a bare ``SELECT count(*)`` over complaints, complaint_events and ratings,

and prints each (best of --repeat) and the ratio report / count(*), which stays meaningful on a
noisy machine.

Run: .venv/bin/python benchmarks/bench_indicators.py [--complaints 1000000] [--ratings 600000]
     [--db /tmp/bench_indicators.db] [--reuse] [--repeat 3]
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

from sqlalchemy import text  # noqa: E402

from bot.db.migrate import upgrade_to_head  # noqa: E402
from bot.db.session import make_engine, make_sessionmaker  # noqa: E402
from workflows import reports  # noqa: E402
from workflows.business_time import BusinessCalendar  # noqa: E402
from workflows.contact import Cipher  # noqa: E402
from workflows.context import Services  # noqa: E402
from workflows.district import load_district  # noqa: E402
from workflows.indicators import Span  # noqa: E402

KST = ZoneInfo("Asia/Seoul")
START = datetime(2023, 11, 1, tzinfo=KST).astimezone(timezone.utc).replace(tzinfo=None)
END = datetime(2026, 11, 1, tzinfo=KST).astimezone(timezone.utc).replace(tzinfo=None)
NOW = datetime(2026, 11, 2, 10, tzinfo=KST)
REPORT = Span("month", 2026, 10)
FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's SQLite DateTime stores a (UTC) value
OFFICERS_PER_DEPT = 6
CITIZENS = 200_000


def ts(dt: datetime) -> str:
    return dt.strftime(FMT)


def generate(path: Path, n_complaints: int, n_ratings: int, seed: int = 8) -> dict:
    """Bulk insert with executemany in batches; returns row counts."""
    rnd = random.Random(seed)
    district = load_district()
    cats = list(district.categories.values())
    depts = list(district.departments)
    officers = {d: [9_000_000 + i * 100 + k for k in range(OFFICERS_PER_DEPT)] for i, d in enumerate(depts)}
    streets = [f"서울 광진구 {dong} {rnd.randint(1, 400)}-{rnd.randint(1, 30)}"
               for dong in district.dongs for _ in range(60)]
    streets += [f"광진구 {name}로 {rnd.randint(1, 300)}" for name in ("능동", "자양", "구의", "아차산", "광나루")
                for _ in range(100)]
    hot = [(37.535 + rnd.random() * 0.02, 127.065 + rnd.random() * 0.03) for _ in range(40)]
    span_s = (END - START).total_seconds()

    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-400000")
    # Bulk load without the secondary indexes, then rebuild exactly the migrations' ones.
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                         "AND tbl_name IN ('users', 'complaints', 'complaint_events', 'ratings')").fetchall()
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')
    now_s = ts(END)
    db.executemany("INSERT INTO users (id, language, language_chosen, is_active, created_at) VALUES (?,?,?,?,?)",
                   ((i, "ko", 0, 1, now_s) for i in range(1, CITIZENS + 1)))
    db.executemany("INSERT INTO users (id, language, language_chosen, is_active, created_at) VALUES (?,?,?,?,?)",
                   ((o, "ko", 0, 1, now_s) for os_ in officers.values() for o in os_))

    c_sql = ("INSERT INTO complaints (id, receipt_no, submit_key, citizen_id, category_code, kind, period, "
             "description, address, latitude, longitude, phone_enc, department_code, officer_id, state, "
             "received_at, deadline_at, extended, answer_text, answered_at, answered_by, closed_at, resolved, "
             "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    e_sql = ("INSERT INTO complaint_events (complaint_id, at, actor_id, actor_role, action, from_state, to_state, "
             "department_code, note) VALUES (?,?,?,?,?,?,?,?,?)")
    r_sql = ("INSERT INTO ratings (complaint_id, department_code, officer_id, sent_at, overall, greeting, "
             "guidance, tone, answer, closing, comment, rated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
    counts = {"complaints": 0, "events": 0, "ratings": 0}
    batch_c, batch_e = [], []
    finals = []  # (complaint, closed at, department, officer): n_ratings of them get a survey
    receipt_seq: dict[int, int] = {}
    offsets = sorted(rnd.random() * span_s for _ in range(n_complaints))

    def flush():
        db.executemany(c_sql, batch_c)
        db.executemany(e_sql, batch_e)
        counts["complaints"] += len(batch_c)
        counts["events"] += len(batch_e)
        batch_c.clear(), batch_e.clear()

    for cid, off in enumerate(offsets, start=1):
        received = START + timedelta(seconds=off)
        cat = cats[rnd.randrange(len(cats))]
        dept = cat.department
        year = (received + timedelta(hours=9)).year
        receipt_seq[year] = receipt_seq.get(year, 0) + 1
        address = lat = lon = None
        if rnd.random() < 0.6:
            if rnd.random() < 0.1:
                lat, lon = hot[rnd.randrange(len(hot))]
                lat, lon = lat + rnd.gauss(0, 0.0003), lon + rnd.gauss(0, 0.0003)
            else:
                lat, lon = 37.525 + rnd.random() * 0.045, 127.055 + rnd.random() * 0.055
        else:
            address = streets[rnd.randrange(len(streets))]
        deadline = received + timedelta(days=9)
        events = [(cid, ts(received), rnd.randint(1, CITIZENS), "citizen", "submit", None, "received", dept, None)]
        at, state = received, "received"
        if rnd.random() < 0.08:  # filed at the wrong desk: transferred once
            sender, dept = dept, depts[rnd.randrange(len(depts))]
            events[0] = events[0][:7] + (sender,) + events[0][8:]
            at += timedelta(hours=rnd.uniform(1, 30))
            events.append((cid, ts(at), rnd.choice(officers[sender]), "officer", "transfer", state,
                           "transferred", dept, "이송 사유"))
            state = "transferred"
        officer = rnd.choice(officers[dept])
        at += timedelta(hours=rnd.uniform(0.2, 20))
        events.append((cid, ts(at), officer, "officer", "take", state, "assigned", dept, None))
        state, extended = "assigned", 0
        if rnd.random() < 0.03:
            at += timedelta(hours=rnd.uniform(1, 40))
            events.append((cid, ts(at), officer, "officer", "extend", state, "extended", dept, "연장 사유"))
            state, extended, deadline = "extended", 1, deadline + timedelta(days=9)
        answered_at = answered_by = closed_at = resolved = None
        fate = rnd.random()
        if received > END - timedelta(days=20) and fate < 0.3:
            pass  # recent and still open
        elif fate < 0.05:
            at += timedelta(hours=rnd.uniform(1, 40))
            events.append((cid, ts(at), officer, "officer", "reject", state, "rejected", dept, "반려"))
            state, closed_at = "rejected", at
        else:
            at += timedelta(hours=rnd.expovariate(1 / 60))
            answered_at, answered_by = at, officer
            events.append((cid, ts(at), officer, "officer", "answer", state, "answered", dept, "답변"))
            state = "answered"
            if rnd.random() < 0.04:
                at += timedelta(hours=rnd.uniform(2, 48))
                events.append((cid, ts(at), None, "citizen", "reopen", state, "reopened", dept, "미해결"))
                at += timedelta(hours=rnd.uniform(2, 48))
                answered_at = at
                events.append((cid, ts(at), officer, "officer", "answer", "reopened", "answered", dept, "재답변"))
            if at < END + timedelta(days=5) and rnd.random() < 0.97:
                at += timedelta(hours=rnd.uniform(1, 72))
                events.append((cid, ts(at), None, "citizen", "close", state, "closed", dept, None))
                state, closed_at, resolved = "closed", at, 1
        batch_c.append((cid, f"{year}-{receipt_seq[year]:06d}", f"bench-{cid}", events[0][2], cat.code, cat.kind,
                        "7d", "벤치마크 민원 내용입니다.", address, lat, lon, None, dept,
                        answered_by or officer, state, ts(received), ts(deadline), extended,
                        "답변" if answered_at else None, ts(answered_at) if answered_at else None, answered_by,
                        ts(closed_at) if closed_at else None, resolved, ts(at)))
        batch_e.extend(events)
        if closed_at:
            finals.append((cid, closed_at, dept, answered_by or officer))
        if len(batch_c) >= 50_000:
            flush()
    flush()

    def survey(final):
        cid, sent, dept, officer = final
        answered = rnd.random() < 0.85
        rated = sent + timedelta(minutes=rnd.uniform(1, 3000)) if answered else None
        overall = rnd.choices((1, 2, 3, 4, 5), (3, 5, 12, 35, 45))[0] if answered else None
        items = [min(5, max(1, overall + rnd.randint(-1, 1))) if answered and rnd.random() < 0.6 else None
                 for _ in range(5)]
        return (cid, dept, officer, ts(sent), overall, *items, None, ts(rated) if rated else None)

    chosen = sorted(rnd.sample(range(len(finals)), min(n_ratings, len(finals))))
    db.executemany(r_sql, (survey(finals[k]) for k in chosen))
    counts["ratings"] = len(chosen)
    db.commit()
    for _, sql in indexes:
        db.execute(sql)
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return counts


def services() -> Services:
    return Services(district=load_district(), calendar=BusinessCalendar.from_file(),
                    cipher=Cipher(base64.urlsafe_b64encode(b"k" * 32)), tz=KST, clock=lambda: NOW)


async def best(repeat: int, fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = await fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


async def measure(path: Path, repeat: int) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    sm = make_sessionmaker(engine)
    svc = services()
    async with sm() as s:
        sizes = {t: await s.scalar(text(f"SELECT count(*) FROM {t}"))
                 for t in ("complaints", "complaint_events", "ratings")}
    print("rows:", ", ".join(f"{t} {n:,}" for t, n in sizes.items()))

    async def count_all():
        async with sm() as s:
            for t in sizes:
                await s.scalar(text(f"SELECT count(*) FROM {t}"))

    async def figures():
        async with sm() as s:
            return await reports.build(s, svc, REPORT)

    async def everything():
        async with sm() as s:
            r = await reports.build(s, svc, REPORT)
        return (r, *await reports.render(r, svc))

    await count_all()  # warm the page cache the same way for both
    t_count, _ = await best(repeat, count_all)
    t_fig, report = await best(repeat, figures)
    t_all, (_, png, xlsx) = await best(repeat, everything)
    i = report.indicators
    d = i.current
    print(f"report {REPORT.label}: {d.smile.district.rated:,} ratings (mean {d.smile.district.mean:.3f}), "
          f"{d.speed.district.answered:,} answered (median {d.speed.district.median:.1f} business h, "
          f"on time {d.speed.district.on_time_rate:.1%}), {i.volume.total:,} received, "
          f"{len(i.hotspots)} recurring places, {len(report.raw_ratings):,} raw ratings; "
          f"PNG {len(png):,} B, XLSX {len(xlsx):,} B")
    print(f"SELECT count(*) x3 tables:        {t_count * 1000:9.1f} ms")
    print(f"monthly report, figures only:     {t_fig * 1000:9.1f} ms   ratio {t_fig / t_count:6.1f}x count(*)")
    print(f"monthly report, with PNG + XLSX:  {t_all * 1000:9.1f} ms   ratio {t_all / t_count:6.1f}x count(*)")
    await engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--complaints", type=int, default=1_000_000)
    ap.add_argument("--ratings", type=int, default=600_000)
    ap.add_argument("--db", type=Path, default=Path("/tmp/bench_indicators.db"))
    ap.add_argument("--reuse", action="store_true", help="keep an existing --db instead of regenerating")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not (args.reuse and args.db.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        t0 = time.perf_counter()
        upgrade_to_head(f"sqlite+aiosqlite:///{args.db}")
        counts = generate(args.db, args.complaints, args.ratings)
        print(f"generated {counts['complaints']:,} complaints, {counts['events']:,} events, "
              f"{counts['ratings']:,} ratings in {time.perf_counter() - t0:.1f} s")
    asyncio.run(measure(args.db, args.repeat))


if __name__ == "__main__":
    main()
