"""The indicator report on a large SQLite database: no pass/fail.

Generates (seeded, so runs compare) --complaints complaints over three years with their events
(submit, take, answer, close; some transfers, extensions, reopens, rejections; the processing
time stored as complaints.answer stores it) and --ratings ratings, through the real migrations
and a bulk executemany insert; the file is cached in the temp dir per size and schema head.
Then, in the same run, --repeat times each (min / median / max):

* a bare ``SELECT count(*)`` over complaints, complaint_events and ratings,
* the monthly report's figures (workflows.reports.build: every indicator, the previous period
  and a year earlier, the 12-month trend, the recurring finder, the ranking, the raw ratings),
  read in one read session in this process, with its parts read several at once
  (service.Lanes: each part in a session of its own), and as /report reads them: in the report
  process, for each --lanes width (its first run starts the process),
* the report as /report makes it (reports.produce: the figures read in the report process, then
  the chart PNG and the XLSX drawn there; the first run starts the process), for each --lanes
  width (parts read at once there: 1, and reports.LANES by default),
* the same two for the yearly report (/report year),

with the ratio to count(*) (median to median), which stays meaningful on a noisy machine; and
the residents' updates while /report year runs (for each --lanes width): 8 residents each issue
a small write transaction every 50 ms during the report, and the max and p99 of their waits are
printed beside
the same writes for as long with no report running (--old-way adds the report read in the
writer's session, as before read sessions).

Run: .venv/bin/python benchmarks/bench_indicators.py [--complaints 1000000] [--ratings 600000]
     [--db FILE [--reuse]] [--fresh] [--repeat 3] [--lanes 1,2,3] [--no-concurrency] [--old-way]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import text, update  # noqa: E402

from bot.db.migrate import alembic_config, upgrade_to_head  # noqa: E402
from workflows.models import Complaint, ProcessedUpdate  # noqa: E402
from bot.db.session import ReadsAt, make_engine, make_read_sessionmaker, make_sessionmaker  # noqa: E402
from workflows.indicators import reports  # noqa: E402
from workflows.business_time import BusinessCalendar  # noqa: E402
from workflows.contact import Cipher  # noqa: E402
from workflows.context import Services  # noqa: E402
from workflows.district import load_district  # noqa: E402
from workflows.indicators.service import Lanes, Span  # noqa: E402

KST = ZoneInfo("Asia/Seoul")
START = datetime(2023, 11, 1, tzinfo=KST).astimezone(timezone.utc).replace(tzinfo=None)
END = datetime(2026, 11, 1, tzinfo=KST).astimezone(timezone.utc).replace(tzinfo=None)
NOW = datetime(2026, 11, 2, 10, tzinfo=KST)
REPORT = Span("month", 2026, 10)
YEAR = Span("year", 2025)  # /report year on NOW: the last complete year
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
    streets = [
        f"서울 광진구 {dong} {rnd.randint(1, 400)}-{rnd.randint(1, 30)}" for dong in district.dongs for _ in range(60)
    ]
    streets += [
        f"광진구 {name}로 {rnd.randint(1, 300)}"
        for name in ("능동", "자양", "구의", "아차산", "광나루")
        for _ in range(100)
    ]
    hot = [(37.535 + rnd.random() * 0.02, 127.065 + rnd.random() * 0.03) for _ in range(40)]
    span_s = (END - START).total_seconds()

    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-400000")
    # Bulk load without the secondary indexes, then rebuild exactly the migrations' ones.
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('users', 'complaints', 'complaint_events', 'ratings')"
    ).fetchall()
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')
    now_s = ts(END)
    db.executemany(
        "INSERT INTO users (id, language, language_chosen, is_active, created_at) VALUES (?,?,?,?,?)",
        ((i, "ko", 0, 1, now_s) for i in range(1, CITIZENS + 1)),
    )
    db.executemany(
        "INSERT INTO users (id, language, language_chosen, is_active, created_at) VALUES (?,?,?,?,?)",
        ((o, "ko", 0, 1, now_s) for os_ in officers.values() for o in os_),
    )

    c_sql = (
        "INSERT INTO complaints (id, receipt_no, submit_key, citizen_id, category_code, kind, period, "
        "description, address, latitude, longitude, phone_enc, department_code, officer_id, state, "
        "received_at, deadline_at, extended, answer_text, answered_at, answered_by, processing_hours, "
        "closed_at, resolved, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    hours = BusinessCalendar.from_file().business_hours_between  # stored when answered, as the bot does
    e_sql = (
        "INSERT INTO complaint_events (complaint_id, at, actor_id, actor_role, action, from_state, to_state, "
        "department_code, note, held_hours) VALUES (?,?,?,?,?,?,?,?,?,?)"
    )
    r_sql = (
        "INSERT INTO ratings (service, complaint_id, department_code, officer_id, sent_at, overall, greeting, "
        "guidance, tone, answer, closing, comment, rated_at) VALUES ('complaint',?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    counts = {"complaints": 0, "events": 0, "ratings": 0}
    batch_c, batch_e = [], []
    finals = []  # (complaint, closed at, department, officer): n_ratings of them get a survey
    receipt_seq: dict[int, int] = {}
    offsets = sorted(rnd.random() * span_s for _ in range(n_complaints))

    def flush():
        db.executemany(c_sql, batch_c)
        db.executemany(e_sql, (e if len(e) == 10 else (*e, None) for e in batch_e))  # held_hours: transfers
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
            events.append(
                (
                    cid,
                    ts(at),
                    rnd.choice(officers[sender]),
                    "officer",
                    "transfer",
                    state,
                    "transferred",
                    dept,
                    "이송 사유",
                    hours(
                        received.replace(tzinfo=timezone.utc), at.replace(tzinfo=timezone.utc)
                    ),  # as the bot stores it
                )
            )
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
        batch_c.append(
            (
                cid,
                f"{year}-{receipt_seq[year]:06d}",
                f"bench-{cid}",
                events[0][2],
                cat.code,
                cat.kind,
                "7d",
                "벤치마크 민원 내용입니다.",
                address,
                lat,
                lon,
                None,
                dept,
                answered_by or officer,
                state,
                ts(received),
                ts(deadline),
                extended,
                "답변" if answered_at else None,
                ts(answered_at) if answered_at else None,
                answered_by,
                hours(received.replace(tzinfo=timezone.utc), answered_at.replace(tzinfo=timezone.utc))
                if answered_at
                else None,
                ts(closed_at) if closed_at else None,
                resolved,
                ts(at),
            )
        )
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
        items = [
            min(5, max(1, overall + rnd.randint(-1, 1))) if answered and rnd.random() < 0.6 else None for _ in range(5)
        ]
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


def services(path: Path | None = None) -> Services:
    """As the bot has them; with ``path``, the report process reads the figures there (as the bot's
    reports.produce does on a database file)."""
    return Services(
        district=load_district(),
        calendar=BusinessCalendar.from_file(),
        cipher=Cipher(base64.urlsafe_b64encode(b"k" * 32)),
        tz=KST,
        clock=lambda: NOW,
        reads_elsewhere=ReadsAt(f"sqlite+aiosqlite:///{path}") if path else None,
    )


def spread(xs: list[float]) -> str:
    """min / median / max in milliseconds."""
    return f"{min(xs) * 1000:8.1f} / {statistics.median(xs) * 1000:8.1f} / {max(xs) * 1000:8.1f} ms"


async def timed(repeat: int, fn) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = await fn()
        times.append(time.perf_counter() - t0)
    return times, result


class Residents:
    """Small write transactions, as residents' updates make them (the processed-update mark and a
    complaint's updated_at), issued every ``every`` seconds by each of ``n`` residents; records
    how long each waited from its start to its commit, and how many failed."""

    def __init__(self, sm, n: int = 8, every: float = 0.05):
        self.sm, self.n, self.every = sm, n, every
        self.waits: list[float] = []
        self.failed = 0
        self._ids = itertools.count(10_000_000_000 + random.randrange(10**9) * 1000)

    async def one(self) -> None:
        t0 = time.perf_counter()
        try:
            async with self.sm() as s:
                s.add(ProcessedUpdate(update_id=next(self._ids)))
                await s.execute(
                    update(Complaint)
                    .where(Complaint.id == random.randint(1, 1000))
                    .values(updated_at=datetime.now(timezone.utc))
                )
                await s.commit()
        except Exception:  # noqa: BLE001 - "database is locked": the resident is told to try again
            self.failed += 1
        self.waits.append(time.perf_counter() - t0)

    async def run_while(self, stop: asyncio.Event) -> None:
        async def resident(k: int) -> None:
            await asyncio.sleep(self.every * k / self.n)
            while not stop.is_set():
                await self.one()
                await asyncio.sleep(self.every)

        await asyncio.gather(*(resident(k) for k in range(self.n)))

    def summary(self) -> str:
        w = sorted(self.waits)
        p99 = w[min(len(w) - 1, int(len(w) * 0.99))]
        return f"{len(w):5d} writes, max {w[-1] * 1000:8.1f} ms, p99 {p99 * 1000:7.1f} ms, failed {self.failed}"


async def writes_during(sm, job, *, seconds: float | None = None) -> tuple[Residents, float]:
    """Residents write while ``job`` runs (or for ``seconds`` with no job: the baseline)."""
    residents, stop = Residents(sm), asyncio.Event()
    writers = asyncio.create_task(residents.run_while(stop))
    t0 = time.perf_counter()
    if job is None:
        await asyncio.sleep(seconds)
    else:
        await job()
    took = time.perf_counter() - t0
    stop.set()
    await writers
    return residents, took


async def figure_timings(repeat: int, count_all, figures, figures_there, everything, widths: list[int]) -> None:
    t_count, _ = await timed(repeat, count_all)
    base = statistics.median(t_count)
    print(f"{'':48s} {'min / median / max':>32s}   ratio to count(*) (median)")
    print(f"{'SELECT count(*) x3 tables':48s} {spread(t_count)}")
    results = {}
    for label, span in (("monthly", REPORT), ("yearly", YEAR)):
        rows = [(f"{label} report, figures only", figures(span))]
        rows += [(f"{label} report, figures, {w} parts at once", figures(span, w)) for w in widths if w > 1]
        rows += [
            (f"{label} report, figures in the report process, {w} at once", figures_there(span, w)) for w in widths
        ]
        rows += [(f"{label} report, with PNG + XLSX, {w} at once", everything(span, w)) for w in widths]
        for name, fn in rows:
            times, results[name] = await timed(repeat, fn)
            print(f"{name:48s} {spread(times)}   {statistics.median(times) / base:7.1f}x")
    report = results["monthly report, figures only"]
    _, png, xlsx = results[f"monthly report, with PNG + XLSX, {widths[-1]} at once"]
    i = report.indicators
    d = i.current
    print(
        f"report {REPORT.label}: {d.smile.district.rated:,} ratings (mean {d.smile.district.mean:.3f}), "
        f"{d.speed.district.answered:,} answered (median {d.speed.district.median:.1f} business h, "
        f"on time {d.speed.district.on_time_rate:.1%}), {i.volume.total:,} received, "
        f"{len(i.hotspots)} recurring places, {len(report.raw_ratings):,} raw ratings; "
        f"PNG {len(png):,} B, XLSX {len(xlsx):,} B"
    )


async def measure(
    path: Path, repeat: int, concurrency: bool, old_way: bool, timings: bool = True, widths: list[int] | None = None
) -> None:
    widths = widths or [1, reports.LANES]
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    sm, reads = make_sessionmaker(engine), make_read_sessionmaker(engine)
    svc = services(path)
    async with reads() as s:
        sizes = {
            t: await s.scalar(text(f"SELECT count(*) FROM {t}")) for t in ("complaints", "complaint_events", "ratings")
        }
    print("rows:", ", ".join(f"{t} {n:,}" for t, n in sizes.items()))

    async def count_all():
        async with reads() as s:
            for t in sizes:
                await s.scalar(text(f"SELECT count(*) FROM {t}"))

    def figures(span, width: int | None = None):  # in this process: one session, or lanes of sessions
        async def run():
            if width is not None:
                return await reports.build(Lanes(reads, width), svc, span)
            async with reads() as s:
                return await reports.build(s, svc, span)

        return run

    def figures_there(span, width: int):  # as /report reads them: in the report process (its first run starts it)
        async def run():
            return await reports._there(reports._figures_there, reports._portable(svc), span, width)

        return run

    def everything(span, width: int = reports.LANES):  # as /report makes it: in the report process
        async def run():
            return await reports.produce(reads, svc, span, width=width)

        return run

    def figures_here(span):  # for comparison: the figures read on this event loop, files drawn there
        async def run():
            async with reads() as s:
                r = await reports.build(s, svc, span)
            return (r, *await reports.render(r, svc))

        return run

    await count_all()  # warm the page cache the same way for all
    if timings:
        await figure_timings(repeat, count_all, figures, figures_there, everything, widths)
    if concurrency:
        print("residents' updates (8 residents, one small write transaction each every 50 ms):")
        for k in range(repeat):
            for w in widths:
                during, took = await writes_during(sm, everything(YEAR, w))
                print(f"  run {k + 1}: /report year, {w} parts at once ({took:5.1f} s): {during.summary()}")
            quiet, _ = await writes_during(sm, None, seconds=took)
            here, took_here = await writes_during(sm, figures_here(YEAR))
            print(f"         no report, same time:         {quiet.summary()}")
            print(f"         figures read in this process ({took_here:5.1f} s): {here.summary()}")
        if old_way:

            async def in_writer():  # as before: the report read in the update's own (writer) session
                async with sm() as s:
                    await s.execute(text("SELECT 1"))  # the update's session had begun (BEGIN IMMEDIATE)
                    r = await reports.build(s, svc, YEAR)
                    await reports.render(r, svc)
                    await s.commit()

            during, took = await writes_during(sm, in_writer)
            print(f"  for comparison, /report year in the writer's session ({took:5.1f} s): {during.summary()}")
    await engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--complaints", type=int, default=1_000_000)
    ap.add_argument("--ratings", type=int, default=600_000)
    ap.add_argument(
        "--db",
        type=Path,
        default=None,
        help="default: a cached file in the temp dir per size and schema head, reused when present",
    )
    ap.add_argument("--reuse", action="store_true", help="keep an existing --db instead of regenerating")
    ap.add_argument("--fresh", action="store_true", help="regenerate even the cached default database")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-concurrency", action="store_true", help="skip the residents' writes during /report year")
    ap.add_argument("--no-timings", action="store_true", help="only the residents' writes during /report year")
    ap.add_argument(
        "--old-way",
        action="store_true",
        help="also run /report year in the writer's session, as before read sessions (stalls writes)",
    )
    ap.add_argument(
        "--lanes",
        default=f"1,{reports.LANES}",
        help="report parts read at once in the report process, compared in the same run (default: 1 and reports.LANES)",
    )
    args = ap.parse_args()
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    reuse = args.reuse
    if args.db is None:
        args.db = Path(tempfile.gettempdir()) / f"bench_indicators-{args.complaints}-{args.ratings}-{head}.db"
        reuse = not args.fresh
    if not (reuse and args.db.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        t0 = time.perf_counter()
        upgrade_to_head(f"sqlite+aiosqlite:///{args.db}")
        counts = generate(args.db, args.complaints, args.ratings)
        print(
            f"generated {counts['complaints']:,} complaints, {counts['events']:,} events, "
            f"{counts['ratings']:,} ratings in {time.perf_counter() - t0:.1f} s ({args.db})"
        )
    else:
        print(f"database: {args.db} (cached)")
    widths = [int(w) for w in args.lanes.split(",")]
    asyncio.run(measure(args.db, args.repeat, not args.no_concurrency, args.old_way, not args.no_timings, widths))


if __name__ == "__main__":
    main()
