"""The evaluation team's report: a text summary, a chart (PNG) and a spreadsheet (XLSX).

``build`` gathers the figures (workflows/indicators.py, workflows/ranking.py); ``summary``,
``chart_png`` and ``workbook_xlsx`` render them; ``send_monthly`` is the scheduled duty that
queues last month's report to the evaluation team on the first working day of the month.

Charts are labelled with department codes and English text: no CJK font ships with matplotlib
or the locked dependencies, and Hangul would render as empty boxes. The XLSX carries the
Korean department names.

Files through the outbox: the PNG and the XLSX are stored once in ``outbox_files`` (same
transaction as the outbox rows) and each recipient's sendPhoto / sendDocument row refers to
them as ``{"outbox_file": id}``; bot/delivery.py uploads the bytes by multipart.
"""
from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxFile, OutboxMessage, Rating, RoleGrant, User
from workflows import audit
from workflows import indicators as ind
from workflows.context import Services
from workflows.indicators import ITEMS, Indicators, Levels, Span, change, rules
from workflows.outbox import enqueue
from workflows.ranking import Ranking, department_totals, rank
from workflows.roles import EVALUATOR
from workflows.texts import escape, t

PNG_TYPE = "image/png"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Report:
    indicators: Indicators
    ranking: Ranking            # the period's ratings, minimum-sample rule applied
    raw_ratings: list[tuple]    # anonymised: see raw_ratings()
    generated_at: datetime

    @property
    def span(self) -> Span:
        return self.indicators.span


async def raw_ratings(session: AsyncSession, lo: datetime, hi: datetime) -> list[tuple]:
    """The period's ratings without anything that leads back to the resident: no complaint or
    receipt number, no comment (free text), dates without times."""
    R = Rating
    rows = await session.execute(
        select(R.department_code, R.officer_id, R.sent_at, R.rated_at, R.overall,
               *(getattr(R, i) for i in ITEMS))
        .where(R.rated_at >= lo, R.rated_at < hi, R.overall.is_not(None))
        .order_by(R.rated_at, R.id))
    return [tuple(r) for r in rows.all()]


async def build(session: AsyncSession, svc: Services, span: Span) -> Report:
    lo, hi = span.bounds(svc)
    r = rules()["ranking"]
    ranking = rank(await department_totals(session, lo, hi), min_ratings=r["min_ratings"],
                   prior_weight=r["prior_weight"])
    return Report(await ind.compute(session, svc, span), ranking, await raw_ratings(session, lo, hi),
                  svc.now())


def record_export(session: AsyncSession, svc: Services, report: Report, *, actor_id: int | None,
                  recipients: int | None = None) -> None:
    """The report leaves the system with officer ids, addresses of recurring places and receipt
    numbers: an evaluator's /report (report_export) or the monthly send (report_send) is audited."""
    audit.record(session, audit.REPORT_EXPORT if actor_id is not None else audit.REPORT_SEND,
                 actor_id=actor_id, actor_role="evaluator" if actor_id is not None else audit.SYSTEM,
                 subject_kind="report", subject_id=report.span.label,
                 detail=audit.details(ratings=len(report.raw_ratings), recurring=len(report.indicators.hotspots),
                                      recipients=recipients), at=svc.now())


# --- formatting ----------------------------------------------------------------------------

def num(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.0f}%"


def signed(x: float | None, digits: int = 1, percent: bool = False) -> str:
    """+1.5 / -0.25 / +3%p; a change that rounds to zero is +0 (never -0.00)."""
    if x is None:
        return "-"
    if percent:
        return f"{round(x * 100) or 0:+d}%p"
    return f"{round(x, digits) or 0.0:+.{digits}f}"


def departments_in(svc: Services, *levels: Levels) -> list[str]:
    """The departments with figures, in the district profile's order (unknown codes last)."""
    codes = set().union(*(lv.departments for lv in levels))
    order = {code: k for k, code in enumerate(svc.district.departments)}
    return sorted(codes, key=lambda c: (order.get(c, len(order)), c))


def dept_name(svc: Services, code: str, lang: str) -> str:
    d = svc.district.departments.get(code)
    return d.name(lang) if d else code


def category_name(svc: Services, code: str, lang: str) -> str:
    c = svc.district.categories.get(code)
    return c.name(lang) if c else code


def _place(h: ind.Hotspot) -> str:
    """A recurring place for the HTML summary: the address residents typed (escaped), or the point."""
    if h.address:
        return escape(h.address)
    return f"{h.latitude:.5f}, {h.longitude:.5f}"


def summary(report: Report, svc: Services, lang: str) -> str:
    """The chat summary (HTML, well under Telegram's 4,096 characters)."""
    i = report.indicators
    cur, prev, year = i.current, i.previous, i.year_ago
    s, sp, f = cur.smile.district, cur.speed.district, cur.flow.district
    lines = [
        t(lang, "report.title", district=escape(svc.district.name_en if lang == "en" else svc.district.name_ko),
          period=report.span.label),
        t(lang, "report.smile", mean=num(s.mean, 2), rated=s.rated, top=pct(s.top_share),
          rr=pct(s.response_rate), d_prev=signed(change(s.mean, prev.smile.district.mean), 2),
          d_year=signed(change(s.mean, year.smile.district.mean), 2)),
        t(lang, "report.speed", median=num(sp.median), p90=num(sp.p90), on_time=pct(sp.on_time_rate),
          overdue=sp.overdue, ext=sp.extensions,
          d_prev=signed(change(sp.median, prev.speed.district.median)),
          d_year=signed(change(sp.median, year.speed.district.median)),
          d_ot_prev=signed(change(sp.on_time_rate, prev.speed.district.on_time_rate), percent=True)),
        t(lang, "report.flow", transfers=f.transfers, hours=num(ind.ratio(f.transfer_hours, f.transfers)),
          reopen=pct(f.reopen_rate),
          fcr=pct(f.fcr)),
        t(lang, "report.volume", received=i.volume.total, hotspots=len(i.hotspots)),
    ]
    if i.onestop:
        hours = [h for w in i.onestop.values() for h in w.hours]
        lines.append(t(lang, "report.onestop", done=sum(w.done for w in i.onestop.values()),
                       offices=len(i.onestop), median=num(ind.quantile(hours, 0.5))))
    topics, od = i.opinion_days
    if topics:
        lines.append(t(lang, "report.opinion", topics=od["topics"], opinions=od["opinions"],
                       analysis=num(od["avg_days_to_analysis"]), answer=num(od["avg_days_to_answer"]),
                       on_time=pct(od["on_time_rate"])))
    depts = departments_in(svc, cur.smile, cur.speed)
    if depts:
        lines.append(t(lang, "report.dept_head"))
        for code in depts:
            sm, spd = cur.smile.departments.get(code), cur.speed.departments.get(code)
            lines.append(t(lang, "report.dept_line", department=escape(dept_name(svc, code, lang)),
                           mean=num(sm.mean if sm else None, 2), rated=sm.rated if sm else 0,
                           on_time=pct(spd.on_time_rate if spd else None),
                           overdue=spd.overdue if spd else 0))
    for h in i.hotspots[:3]:
        lines.append(t(lang, "report.hotspot_line", category=escape(category_name(svc, h.category, lang)),
                       place=_place(h), count=h.count))
    best = report.ranking.ranked[:1]
    if best:
        lines.append(t(lang, "report.best", department=escape(dept_name(svc, best[0].department, lang)),
                       score=num(best[0].score, 2), n=best[0].n))
    else:
        lines.append(t(lang, "report.best_none", min=report.ranking.min_ratings))
    return "\n".join(lines)


# --- chart ---------------------------------------------------------------------------------

def chart_png(report: Report, svc: Services) -> bytes:
    """Three panels: mean rating per department, on-time rate per department, and the last
    12 months' district rating and on-time rate. Agg backend, no display, no pyplot state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    cur = report.indicators.current
    depts = departments_in(svc, cur.smile, cur.speed)
    fig = Figure(figsize=(10, 10), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax1, ax2, ax3 = fig.subplots(3, 1)
    fig.suptitle(f"{svc.district.name_en}: complaint indicators {report.span.label}", fontsize=14)

    def bars(ax, values: list[float | None], scale: float, labels: list[str], colour: str) -> None:
        """Bars with their label written upright inside (seventeen departments still fit)."""
        drawn = ax.bar(depts, [(v or 0) * scale for v in values], color=colour)
        for bar, label in zip(drawn, labels):
            ax.text(bar.get_x() + bar.get_width() / 2, 0.03, label, rotation=90, ha="center", va="bottom",
                    fontsize=8, transform=ax.get_xaxis_transform())

    smile = [cur.smile.departments.get(d) for d in depts]
    bars(ax1, [s.mean if s else None for s in smile], 1,
         [f"{s.mean:.2f}  n={s.rated}" if s and s.mean is not None else "no ratings" for s in smile], "#A1BEE6")
    if cur.smile.district.mean is not None:
        ax1.axhline(cur.smile.district.mean, color="#4C72B0", linestyle="--", linewidth=1,
                    label=f"district mean {cur.smile.district.mean:.2f}")
        ax1.legend(loc="upper right", fontsize=8)
    ax1.set_ylim(0, 5.5)
    ax1.set_ylabel("mean rating (1-5)")
    ax1.set_title("Satisfaction by department", fontsize=11)

    speed = [cur.speed.departments.get(d) for d in depts]
    bars(ax2, [s.on_time_rate if s else None for s in speed], 100,
         [f"{s.on_time_rate:.0%} of {s.answered}" if s and s.on_time_rate is not None else "none answered"
          for s in speed], "#A3D9B1")
    ax2.set_ylim(0, 110)
    ax2.set_ylabel("answered on time (%)")
    ax2.set_title("On-time rate by department (statutory deadline)", fontsize=11)
    for ax in (ax1, ax2):
        ax.tick_params(axis="x", labelsize=8, labelrotation=30)
        if not depts:
            ax.text(0.5, 0.5, "no data in this period", ha="center", va="center", transform=ax.transAxes)

    tr = report.indicators.trend
    xs = range(len(tr))  # every month gets a tick; a month without data is a gap (NaN)
    nan = float("nan")
    ax3.plot(xs, [nan if p.mean is None else p.mean for p in tr], marker="o", color="#4C72B0",
             label="mean rating")
    ax3.set_ylim(0, 5.5)
    ax3.set_ylabel("mean rating (1-5)")
    ax3b = ax3.twinx()
    ax3b.plot(xs, [nan if p.on_time_rate is None else p.on_time_rate * 100 for p in tr],
              marker="s", color="#55A868", label="on-time rate")
    ax3b.set_ylim(0, 110)
    ax3b.set_ylabel("on time (%)")
    ax3.set_xticks(list(xs), [p.month for p in tr])
    ax3.set_title(f"District trend, last {len(tr)} months", fontsize=11)
    ax3.tick_params(axis="x", labelsize=8, labelrotation=30)
    handles = ax3.get_legend_handles_labels()[0] + ax3b.get_legend_handles_labels()[0]
    ax3.legend(handles, [h.get_label() for h in handles], loc="lower left", fontsize=8)

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


# --- spreadsheet ---------------------------------------------------------------------------

LEVEL_COLUMNS = ["level", "department", "department name", "officer"]


def _level_rows(svc: Services, levels: Levels, *others: Levels):
    """(label columns, metric, [same key in the other snapshots]) for district, departments,
    officers in that order."""
    yield ["district", "", "", ""], levels.district, [o.district for o in others]
    for code, m in sorted(levels.departments.items()):
        yield (["department", code, dept_name(svc, code, "ko"), ""], m,
               [o.departments.get(code) for o in others])
    for (code, officer), m in sorted(levels.officers.items()):
        yield (["officer", code, dept_name(svc, code, "ko"), officer], m,
               [o.officers.get((code, officer)) for o in others])


def _with_changes(value, before: list) -> list:
    """value, then (value in the other period, change) for each other period."""
    out = [value]
    for b in before:
        out += [b, change(value, b)]
    return out


def workbook_xlsx(report: Report, svc: Services) -> bytes:
    """One sheet per indicator group, plus the anonymised raw ratings. Rates are fractions
    (formatted as %), times are business hours."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    i = report.indicators
    cur, prev, year = i.current, i.previous, i.year_ago
    wb = Workbook(write_only=True)  # streamed: the raw ratings can be tens of thousands of rows
    bold = Font(bold=True)

    def is_rate(name: str) -> bool:
        return name.endswith("rate") or " rate " in name or name.startswith("share")

    def sheet(title: str, header: list[str], rows, percent_rows: frozenset[str] = frozenset()):
        """A sheet with a bold, frozen header; "... rate ..." and "share ..." columns, and the
        rows named in percent_rows, are formatted as %."""
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        ws.column_dimensions["A"].width = 24

        def cell(value, *, fmt: str | None = None, font=None):
            c = WriteOnlyCell(ws, value=value)
            if fmt:
                c.number_format = fmt
            if font:
                c.font = font
            return c

        ws.append([cell(h, font=bold) for h in header])
        rate_cols = {k for k, name in enumerate(header) if is_rate(name)}
        for row in rows:
            row = list(row)
            whole = bool(row) and row[0] in percent_rows
            ws.append([cell(v, fmt="0.0%") if isinstance(v, float) and (k in rate_cols or (whole and k > 0))
                       else v for k, v in enumerate(row)])

    p_label, y_label = prev.span.label, year.span.label

    s, sp, f = cur.smile.district, cur.speed.district, cur.flow.district
    ps, pp, ys, yp = prev.smile.district, prev.speed.district, year.smile.district, year.speed.district
    summary_rows = [
        ("period", report.span.label, None, None, None, None),
        ("generated", report.generated_at.astimezone(svc.tz).strftime("%Y-%m-%d %H:%M"), None, None, None, None),
        ("mean rating", *_with_changes(s.mean, [ps.mean, ys.mean])),
        ("ratings", *_with_changes(s.rated, [ps.rated, ys.rated])),
        ("share 4-5", *_with_changes(s.top_share, [ps.top_share, ys.top_share])),
        ("response rate", *_with_changes(s.response_rate, [ps.response_rate, ys.response_rate])),
        ("answered", *_with_changes(sp.answered, [pp.answered, yp.answered])),
        ("median business hours", *_with_changes(sp.median, [pp.median, yp.median])),
        ("p90 business hours", *_with_changes(sp.p90, [pp.p90, yp.p90])),
        ("on-time rate", *_with_changes(sp.on_time_rate, [pp.on_time_rate, yp.on_time_rate])),
        ("overdue", *_with_changes(sp.overdue, [pp.overdue, yp.overdue])),
        ("extensions", *_with_changes(sp.extensions, [pp.extensions, yp.extensions])),
        ("transfers", f.transfers, None, None, None, None),
        ("business hours lost in transfers", f.transfer_hours, None, None, None, None),
        ("reopen rate", f.reopen_rate, None, None, None, None),
        ("first-contact resolution", f.fcr, None, None, None, None),
        ("complaints received", i.volume.total, None, None, None, None),
        ("recurring places", len(i.hotspots), None, None, None, None),
    ]
    sheet("Summary", ["indicator", report.span.label, p_label, f"change vs {p_label}",
                      y_label, f"change vs {y_label}"], summary_rows,
          percent_rows=frozenset({"share 4-5", "response rate", "on-time rate", "reopen rate",
                                  "first-contact resolution"}))

    smile_header = LEVEL_COLUMNS + [
        "surveys sent", "responses", "response rate", "ratings", "mean", "greeting", "guidance",
        "tone", "answer", "closing", "share 4-5", "n1", "n2", "n3", "n4", "n5",
        f"mean {p_label}", f"mean change vs {p_label}", f"mean {y_label}", f"mean change vs {y_label}"]

    def smile_rows():
        for label, m, (pm, ym) in _level_rows(svc, cur.smile, prev.smile, year.smile):
            yield label + [m.sent, m.responded, m.response_rate, m.rated, m.mean,
                           *(m.item_mean(it) for it in ITEMS), m.top_share, *m.dist,
                           *_with_changes(m.mean, [pm.mean if pm else None, ym.mean if ym else None])[1:]]

    sheet("Satisfaction", smile_header, smile_rows())

    speed_header = LEVEL_COLUMNS + ["answered"]
    for name in ("median hours", "p90 hours", "on-time rate", "overdue", "extensions"):
        speed_header += [name, f"{name} {p_label}", f"{name} change vs {p_label}", f"{name} {y_label}",
                         f"{name} change vs {y_label}"]

    def speed_rows():
        for label, m, (pm, ym) in _level_rows(svc, cur.speed, prev.speed, year.speed):
            row = label + [m.answered]
            for attr in ("median", "p90", "on_time_rate", "overdue", "extensions"):
                row += _with_changes(getattr(m, attr), [getattr(pm, attr) if pm else None,
                                                        getattr(ym, attr) if ym else None])
            yield row

    sheet("Speed", speed_header, speed_rows())

    def flow_rows():
        for label, m, _ in _level_rows(svc, cur.flow):
            per = ind.ratio(m.transfer_hours, m.transfers)
            yield label + [m.transfers, round(m.transfer_hours, 2), None if per is None else round(per, 2),
                           m.answers, m.reopens, m.reopen_rate, m.closed, m.first_contact, m.fcr]

    sheet("Soft and Smart", LEVEL_COLUMNS + [
        "transfers", "business hours lost", "hours lost per transfer", "answers", "reopens", "reopen rate",
        "closed", "first contact", "first-contact rate"], flow_rows())

    v = i.volume
    volume_rows = ([("department", k, dept_name(svc, k, "ko"), n) for k, n in sorted(v.received.items())]
                   + [("category", k, category_name(svc, k, "ko"), n) for k, n in sorted(v.by_category.items())]
                   + [("dong", k, k, n) for k, n in sorted(v.by_dong.items())])
    sheet("Volume", ["by", "code", "name", "received"], volume_rows)

    sheet("Recurring", ["category", "category name", "address", "latitude", "longitude", "count",
                        "first", "last", "receipts"],
          ((h.category, category_name(svc, h.category, "ko"), h.address, h.latitude, h.longitude, h.count,
            h.first.astimezone(svc.tz).strftime("%Y-%m-%d"), h.last.astimezone(svc.tz).strftime("%Y-%m-%d"),
            ", ".join(h.receipts)) for h in i.hotspots))

    topics, od = i.opinion_days
    other = [("one-stop office", code, dept_name(svc, code, "ko"), w.done, w.median, None, None, None, None)
             for code, w in sorted(i.onestop.items())]
    other += [("opinion day", tp.day, None, tp.opinions, None, tp.analysis.days, tp.analysis.on_time,
               tp.answer.days, tp.answer.on_time) for tp in topics]
    sheet("One-stop and opinion days", ["kind", "office or day", "name", "completed or opinions",
                                        "median business hours", "days to analysis", "analysis on time",
                                        "days to policy answer", "answer on time"], other)

    rk = report.ranking
    sheet("Ranking", ["rank", "department", "department name", "ratings", "mean", "bayesian score"],
          [(s_.rank if s_.rank else f"< {rk.min_ratings} ratings", s_.department,
            dept_name(svc, s_.department, "ko"), s_.n, round(s_.mean, 4), round(s_.score, 4))
           for s_ in rk.ranked + rk.unranked])

    sheet("Trend", ["month", "ratings", "mean rating", "answered", "on-time rate"],
          ((p.month, p.rated, p.mean, p.answered, p.on_time_rate) for p in i.trend))

    def raw():
        for n, (dept, officer, sent, rated, *scores) in enumerate(report.raw_ratings, start=1):
            yield [n, dept, officer, sent.astimezone(svc.tz).date(), rated.astimezone(svc.tz).date(), *scores]

    sheet("Ratings (raw)", ["no", "department", "officer", "survey sent", "rated", "overall", *ITEMS], raw())
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def render(report: Report, svc: Services) -> tuple[bytes, bytes]:
    """PNG and XLSX, rendered in a worker thread: seconds of CPU must not stall the bot."""
    return (await asyncio.to_thread(chart_png, report, svc),
            await asyncio.to_thread(workbook_xlsx, report, svc))


def filenames(span: Span) -> tuple[str, str]:
    return f"indicators-{span.label}.png", f"indicators-{span.label}.xlsx"


# --- the scheduled monthly report ----------------------------------------------------------

def first_working_day(svc: Services, day: date) -> date:
    d = date(day.year, day.month, 1)
    return d if svc.calendar.is_business_day(d) else svc.calendar.next_business_day(d)


async def evaluators(session: AsyncSession) -> list[int]:
    rows = await session.execute(
        select(RoleGrant.user_id).join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == EVALUATOR, RoleGrant.revoked_at.is_(None), User.is_active.is_(True)))
    return sorted(set(rows.scalars()))


async def attach(session: AsyncSession, filename: str, content: bytes, content_type: str) -> dict:
    """Store a file for the outbox; the returned value goes into a payload field."""
    f = OutboxFile(filename=filename, content=content, content_type=content_type)
    session.add(f)
    await session.flush()
    return {"outbox_file": f.id}


def _key(span: Span, chat_id: int, part: str) -> str:
    return f"report:{span.label}:{chat_id}:{part}"


async def send_monthly(session: AsyncSession, svc: Services) -> int:
    """Queue last month's report to the evaluation team's chat (EVALUATION_CHAT_ID; without one,
    to every evaluator), once, from ``send_hour`` on the first working day of the month. Returns the
    number of recipients queued. Safe to run often: the outbox keys make a repeat a no-op."""
    r = rules()["report"]
    now = svc.now().astimezone(svc.tz)
    due = datetime.combine(first_working_day(svc, now.date()), datetime.min.time(), svc.tz) \
        + timedelta(hours=r["send_hour"])
    if now < due:
        return 0
    span = Span.containing("month", now.date()).previous()
    recipients = [svc.evaluation_chat_id] if svc.evaluation_chat_id else await evaluators(session)
    queued = set((await session.scalars(select(OutboxMessage.dedup_key).where(
        OutboxMessage.dedup_key.in_([_key(span, c, "text") for c in recipients])))).all())
    todo = [c for c in recipients if _key(span, c, "text") not in queued]
    if not todo:
        return 0
    report = await build(session, svc, span)
    png_name, xlsx_name = filenames(span)
    png, xlsx = await render(report, svc)
    photo = await attach(session, png_name, png, PNG_TYPE)
    document = await attach(session, xlsx_name, xlsx, XLSX_TYPE)
    record_export(session, svc, report, actor_id=None, recipients=len(todo))
    for chat in todo:
        user = await session.get(User, chat) if chat > 0 else None
        lang = user.language if user else "ko"
        await enqueue(session, key=_key(span, chat, "text"), chat_id=chat, text=summary(report, svc, lang))
        await enqueue(session, key=_key(span, chat, "chart"), chat_id=chat, method="sendPhoto",
                      params={"photo": photo, "caption": t(lang, "report.chart_caption", period=span.label)})
        await enqueue(session, key=_key(span, chat, "xlsx"), chat_id=chat, method="sendDocument",
                      params={"document": document,
                              "caption": t(lang, "report.xlsx_caption", period=span.label)})
    await session.execute(delete(OutboxFile).where(
        OutboxFile.created_at < svc.now() - timedelta(days=r["file_retention_days"])))
    return len(todo)
