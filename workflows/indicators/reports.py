"""The evaluation team's report: a text summary, a chart (PNG) and a spreadsheet (XLSX).

``build`` gathers the figures (workflows/indicators/service.py, workflows/indicators/ranking.py); ``summary``,
``chart_png`` and ``workbook_xlsx`` render them; ``send_monthly`` is the scheduled duty that
queues last month's report to the evaluation team on the first working day of the month.

The chart and the spreadsheet are in Korean, with the departments' names from the district
profile (one file is shared by every recipient of the monthly report). The chart is drawn with
NanumGothic, the font the 등록면허세 notice uses (found by ``workflows.fonts.korean_font_dir``).

Figures: the sheets keep the exact values and show them through number formats (means 0.00,
rates 0.0 %, hours 0.0, changes with their sign; rate changes in %p), so an evaluator can still
compute with them; the chart and the chat text show means to 1 (chart) or 2 (text) decimals
and percentages to 1. A department, officer or district figure resting on fewer than
``report.min_sample`` ratings (for the on-time rate: answered complaints) is a small sample:
flagged "표본 적음 (n=…)" in the sheets, drawn hatched and grey after the others in the chart,
listed apart in the text, and left out of the report's Best Office ranking.

Files through the outbox: the PNG and the XLSX are stored once in ``outbox_files`` (same
transaction as the outbox rows) and each recipient's sendPhoto / sendDocument row refers to
them as ``{"outbox_file": id}``; bot/delivery.py uploads the bytes by multipart.
"""

from __future__ import annotations

import asyncio
import atexit
import dataclasses
import io
import itertools
import logging
import os
import threading
import time
from contextlib import AbstractAsyncContextManager, AsyncExitStack, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Callable, Coroutine, NamedTuple, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflows.models import OutboxFile, OutboxMessage, Rating, RoleGrant, User
from workflows import audit, heap
from workflows.indicators import service as ind
from workflows.complaints.common import NO_ADDRESS, OTHER_PLACE
from workflows.fonts import korean_font_dir
from workflows.context import Services
from workflows.indicators.service import Indicators, Levels, Span, change, local_today, rules
from workflows.outbox import attach, enqueue
from workflows.indicators.ranking import Ranking, department_totals, rank
from workflows.ratings import ITEMS, counted
from workflows.roles import EVALUATOR
from workflows.texts import escape, t
from workflows.onestop import service as birth_death

log = logging.getLogger(__name__)

PNG_TYPE = "image/png"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_LANG = "ko"  # the chart and the spreadsheet: Korean, for the evaluation team


@dataclass
class Report:
    indicators: Indicators
    ranking: Ranking  # the period's ratings, minimum-sample rule applied
    raw_ratings: list[tuple]  # anonymised: see raw_ratings(); for the spreadsheet (empty from produce's process)
    generated_at: datetime
    min_sample: int  # below this many ratings (answered complaints): a small sample

    @property
    def span(self) -> Span:
        return self.indicators.span

    @property
    def rated(self) -> int:
        """The period's ratings as counted: as many as the raw ratings (the same filter)."""
        return self.indicators.current.smile.district.rated

    def small(self, n: int) -> bool:
        return n < self.min_sample


async def raw_ratings(session: AsyncSession, lo: datetime, hi: datetime) -> list[tuple]:
    """The period's ratings without anything that leads back to the resident: no complaint or
    receipt number, no comment (free text), dates without times."""
    R = Rating
    q = (
        select(R.department_code, R.officer_id, R.sent_at, R.rated_at, R.overall, *(getattr(R, i) for i in ITEMS))
        .where(R.rated_at >= lo, R.rated_at < hi, R.overall.is_not(None), counted())
        .order_by(R.rated_at, R.id)
    )
    out: list[tuple] = []
    async for chunk in ind.in_chunks(session, q):  # a year: 100,000s of rows, the loop free between chunks
        out.extend(tuple(r) for r in chunk)
    return out


async def build(reads: AsyncSession | ind.Lanes, svc: Services, span: Span, *, min_sample: int | None = None) -> Report:
    """The report for ``span``; ``min_sample`` defaults to indicators.json's report.min_sample and
    is also the report's Best Office minimum (one threshold per report). ``reads``: one session,
    or ``Lanes`` to read the parts several at once (the report process)."""
    lanes = ind.Lanes.of(reads)
    lo, hi = span.bounds(svc)
    minimum = rules()["report"]["min_sample"] if min_sample is None else min_sample

    async with asyncio.TaskGroup() as tg:  # the lanes' gate, not this, bounds what runs at once
        ratings = tg.create_task(lanes.all(lambda s: raw_ratings(s, lo, hi), lambda s: department_totals(s, lo, hi)))
        figures = tg.create_task(ind.compute(lanes, svc, span))
    (raw, totals), indicators = ratings.result(), figures.result()
    ranking = rank(totals, min_ratings=minimum, prior_weight=rules()["ranking"]["prior_weight"])
    return Report(indicators, ranking, raw, svc.now(), minimum)


def record_export(
    session: AsyncSession, svc: Services, report: Report, *, actor_id: int | None, recipients: int | None = None
) -> None:
    """The report leaves the system with officer ids, addresses of recurring places and receipt
    numbers: an evaluator's /report (report_export) or the monthly send (report_send) is audited."""
    audit.record(
        session,
        audit.REPORT_EXPORT if actor_id is not None else audit.REPORT_SEND,
        actor_id=actor_id,
        actor_role="evaluator" if actor_id is not None else audit.SYSTEM,
        subject_kind="report",
        subject_id=report.span.label,
        detail=audit.details(ratings=report.rated, recurring=len(report.indicators.hotspots), recipients=recipients),
        at=svc.now(),
    )


# --- formatting ----------------------------------------------------------------------------


def num(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def pct(x: float | None) -> str:
    """A rate as a percentage with one decimal: 0.6667 -> 66.7%."""
    return "-" if x is None else f"{x * 100:.1f}%"


def signed(x: float | None, digits: int = 1, percent: bool = False) -> str:
    """+1.5 / -0.25 / +3.0%p; a change that rounds to zero is +0 (never -0.00)."""
    if x is None:
        return "-"
    if percent:
        return f"{round(x * 100, 1) or 0.0:+.1f}%p"
    return f"{round(x, digits) or 0.0:+.{digits}f}"


def count(n: int) -> str:
    return f"{n:,}"


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


def office_name(svc: Services, code: str, lang: str) -> str:
    """A one-stop office: a department of the district, or an outside body of the birth or death
    one-stop (their catalogues), else the code."""
    if code in svc.district.departments:
        return dept_name(svc, code, lang)

    for kind in (birth_death.BIRTH, birth_death.DEATH):
        try:
            return birth_death.body_info(kind, code, lang)[0]
        except KeyError:
            continue
    return code


def _place(h: ind.Hotspot) -> str:
    """A recurring place for the HTML summary: the address residents typed (escaped), or the point."""
    if h.address:
        return escape(h.address)
    return f"{h.latitude:.5f}, {h.longitude:.5f}"


# --- the period in words -------------------------------------------------------------------

PERIOD_NAME_KEYS = {
    "week": "report.period_name.week",
    "month": "report.period_name.month",
    "quarter": "report.period_name.quarter",
    "year": "report.period_name.year",
}


def _month(lang: str, m: int, *, long: bool = False) -> str:
    return t(lang, "report.months_long" if long else "report.months").split("|")[m - 1]


def period_name(span: Span, lang: str) -> str:
    """2026년 11월 / November 2026, 2026년 4분기, 2026년, 2026년 47주."""
    return t(
        lang,
        PERIOD_NAME_KEYS[span.kind],
        year=span.year,
        week=span.index,
        quarter=span.index,
        month=_month(lang, span.index, long=True) if span.kind == "month" else "",
    )


def date_range(first: date, last: date, lang: str, year: int) -> str:
    """first..last (both included), the year written only when the range leaves ``year``:
    11월 1일~30일, 11월 30일~12월 6일, 2026년 12월 28일~2027년 1월 3일."""
    m1, m2 = _month(lang, first.month), _month(lang, last.month)
    if not first.year == last.year == year:
        return t(lang, "report.range.other_year", y1=first.year, m1=m1, d1=first.day, y2=last.year, m2=m2, d2=last.day)
    if first == last:
        return t(lang, "report.range.one_day", month=m1, d1=first.day)
    if first.month == last.month:
        return t(lang, "report.range.same_month", month=m1, d1=first.day, d2=last.day)
    return t(lang, "report.range.same_year", m1=m1, d1=first.day, m2=m2, d2=last.day)


def period_text(span: Span, svc: Services, lang: str) -> str:
    """The period in words with its days: "2026년 11월 (11월 1일~30일)"; a period still running
    ends today and says so ("(11월 1일~21일, 집계 중)")."""
    today = local_today(svc)
    last = span.last_day
    rng = None
    if span.running(today):
        last = max(span.start, min(last, today))
        rng = t(lang, "report.range.running", range=date_range(span.start, last, lang, span.year))
    return t(
        lang, "report.period", name=period_name(span, lang), range=rng or date_range(span.start, last, lang, span.year)
    )


def small_flag(n: int, lang: str = FILE_LANG) -> str:
    return t(lang, "report.small_sample", n=count(n))


# --- the chat summary ----------------------------------------------------------------------


def summary(report: Report, svc: Services, lang: str) -> str:
    """The chat summary (HTML, well under Telegram's 4,096 characters)."""
    i = report.indicators
    cur, prev, year = i.current, i.previous, i.year_ago
    s, sp, f = cur.smile.district, cur.speed.district, i.flow.district
    lines = [
        t(
            lang,
            "report.title",
            district=escape(svc.district.name_en if lang == "en" else svc.district.name_ko),
            period=escape(period_text(report.span, svc, lang)),
        ),
        t(
            lang,
            "report.smile",
            mean=num(s.mean, 2),
            rated=count(s.rated),
            top=pct(s.top_share),
            rr=pct(s.response_rate),
            d_prev=signed(change(s.mean, prev.smile.district.mean), 2),
            d_year=signed(change(s.mean, year.smile.district.mean), 2),
        ),
        t(
            lang,
            "report.speed",
            median=num(sp.median),
            p90=num(sp.p90),
            on_time=pct(sp.on_time_rate),
            overdue=count(sp.overdue),
            ext=count(sp.extensions),
            d_prev=signed(change(sp.median, prev.speed.district.median)),
            d_year=signed(change(sp.median, year.speed.district.median)),
            d_ot_prev=signed(change(sp.on_time_rate, prev.speed.district.on_time_rate), percent=True),
        ),
        t(
            lang,
            "report.flow",
            transfers=count(f.transfers),
            hours=num(ind.ratio(f.transfer_hours, f.transfers)),
            reopen=pct(f.reopen_rate),
            fcr=pct(f.fcr),
        ),
        t(lang, "report.volume", received=count(i.volume.total), hotspots=len(i.hotspots)),
    ]
    if i.onestop:
        hours = [h for w in i.onestop.values() for h in w.hours]
        lines.append(
            t(
                lang,
                "report.onestop",
                done=sum(w.done for w in i.onestop.values()),
                offices=len(i.onestop),
                median=num(ind.quantile(hours, 0.5)),
            )
        )
        rated = sum(w.rated for w in i.onestop.values())
        if rated:  # the family's ratings; an office's own staff never count (ratings.onestop_conflict)
            lines.append(
                t(
                    lang,
                    "report.onestop_rating",
                    rated=count(rated),
                    mean=num(ind.ratio(sum(w.rating_sum for w in i.onestop.values()), rated), 2),
                )
            )
    topics, od = i.opinion_days
    if topics:
        lines.append(
            t(
                lang,
                "report.opinion",
                topics=od["topics"],
                opinions=od["opinions"],
                analysis=num(od["avg_days_to_analysis"]),
                answer=num(od["avg_days_to_answer"]),
                on_time=pct(od["on_time_rate"]),
            )
        )
    depts = departments_in(svc, cur.smile, cur.speed)

    def dept_line(code: str) -> str:
        sm, spd = cur.smile.departments.get(code), cur.speed.departments.get(code)
        return t(
            lang,
            "report.dept_line",
            department=escape(dept_name(svc, code, lang)),
            mean=num(sm.mean if sm else None, 2),
            rated=count(sm.rated if sm else 0),
            on_time=pct(spd.on_time_rate if spd else None),
            overdue=count(spd.overdue if spd else 0),
        )

    def rated(code: str) -> int:
        sm = cur.smile.departments.get(code)
        return sm.rated if sm else 0

    enough = [c for c in depts if not report.small(rated(c))]
    small = [c for c in depts if report.small(rated(c))]
    if depts:
        lines.append(t(lang, "report.dept_head"))
        lines += [dept_line(c) for c in enough]
        if small:
            lines.append(t(lang, "report.dept_small_head", min=count(report.min_sample)))
            lines += [dept_line(c) for c in small]
    for h in i.hotspots[:3]:
        lines.append(
            t(
                lang,
                "report.hotspot_line",
                category=escape(category_name(svc, h.category, lang)),
                place=_place(h),
                count=h.count,
            )
        )
    best = report.ranking.ranked[:1]
    if best:
        lines.append(
            t(
                lang,
                "report.best",
                department=escape(dept_name(svc, best[0].department, lang)),
                score=num(best[0].score, 2),
                n=count(best[0].n),
            )
        )
    else:
        lines.append(t(lang, "report.best_none", min=count(report.ranking.min_ratings)))
    return "\n".join(lines)


# --- chart ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One department's bar: its name, value (None: no data), sample size and the label drawn."""

    name: str
    value: float | None
    n: int
    label: str
    small: bool


def _ordered(bars: list[Bar]) -> list[Bar]:
    """Sufficient samples first, best first; then small samples (most data first); then none:
    a small sample is shown, never ranked among the others."""
    return (
        sorted((b for b in bars if not b.small), key=lambda b: -(b.value or 0))
        + sorted((b for b in bars if b.small and b.value is not None), key=lambda b: (-b.n, b.name))
        + [b for b in bars if b.value is None]
    )


def chart_bars(report: Report, svc: Services, lang: str = FILE_LANG) -> tuple[list[Bar], list[Bar]]:
    """The bars of the two department panels (mean rating, on-time rate), in the order drawn."""
    cur = report.indicators.current
    depts = departments_in(svc, cur.smile, cur.speed)
    smile, speed = [], []
    for code in depts:
        name = dept_name(svc, code, lang)
        sm = cur.smile.departments.get(code)
        n, mean = (sm.rated, sm.mean) if sm else (0, None)
        key = (
            "report.chart.smile_none"
            if mean is None
            else "report.chart.smile_small"
            if report.small(n)
            else "report.chart.smile_label"
        )
        smile.append(Bar(name, mean, n, t(lang, key, mean=num(mean), n=count(n)), report.small(n)))
        spd = cur.speed.departments.get(code)
        n, rate = (spd.answered, spd.on_time_rate) if spd else (0, None)
        key = (
            "report.chart.speed_none"
            if rate is None
            else "report.chart.speed_small"
            if report.small(n)
            else "report.chart.speed_label"
        )
        speed.append(Bar(name, rate, n, t(lang, key, rate=pct(rate), n=count(n)), report.small(n)))
    return _ordered(smile), _ordered(speed)


_CHART_LOCK = threading.Lock()  # rc_context is process-wide: one chart at a time
SMILE_COLOUR, SPEED_COLOUR, SMALL_COLOUR, SMALL_EDGE = "#A1BEE6", "#A3D9B1", "#E3E3E3", "#8C8C8C"
SMALL_HATCH = "///"
BELOW = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.09), "frameon": False}  # legend under the axis label


@lru_cache(maxsize=1)
def korean_font_family() -> str | None:
    """NanumGothic, registered with matplotlib from the folder the tax notice loads it from
    (workflows.fonts.korean_font_dir); None without it (Hangul would then be boxes)."""
    from matplotlib import font_manager

    folder = korean_font_dir()
    if folder is None:
        log.warning("no Korean font (koreanize-matplotlib's NanumGothic): the report chart's Hangul will not show")
        return None
    for name in ("NanumGothic.ttf", "NanumGothicBold.ttf"):
        if (folder / name).exists():
            font_manager.fontManager.addfont(str(folder / name))
    return font_manager.FontProperties(fname=str(folder / "NanumGothic.ttf")).get_name()


def chart_figure(report: Report, svc: Services, lang: str = FILE_LANG):
    """The chart as a matplotlib Figure (Agg canvas, no pyplot state): mean rating and on-time
    rate per department side by side (horizontal bars, names in Korean), and the last 12 months'
    district rating and on-time rate. Call inside ``_chart_style()``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    smile, speed = chart_bars(report, svc, lang)
    fig = Figure(figsize=(10, 10), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplot_mosaic([["smile", "speed"], ["trend", "trend"]], height_ratios=[2.3, 1])
    district = svc.district.name_en if lang == "en" else svc.district.name_ko
    fig.suptitle(
        t(lang, "report.chart.title", district=district, period=period_text(report.span, svc, lang)),
        fontsize=14,
        fontweight=600,
    )  # NanumGothicBold registers as 600
    small_patch = Patch(
        facecolor=SMALL_COLOUR,
        edgecolor=SMALL_EDGE,
        hatch=SMALL_HATCH,
        label=t(lang, "report.chart.small_legend", min=count(report.min_sample)),
    )

    def panel(ax, bars: list[Bar], scale: float, top: float, colour: str, title: str, axis: str) -> list:
        ys = list(range(len(bars)))
        for y, b in zip(ys, bars):
            ax.barh(
                y,
                (b.value or 0) * scale,
                height=0.7,
                color=SMALL_COLOUR if b.small else colour,
                edgecolor=SMALL_EDGE if b.small else colour,
                hatch=SMALL_HATCH if b.small else None,
            )
            ax.text(
                0.01,
                y,
                b.label,
                va="center",
                ha="left",
                fontsize=8,
                color="#555555" if b.small or b.value is None else "#1b1f24",
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1} if b.small else None,
                transform=ax.get_yaxis_transform(),
            )
        ax.set_yticks(ys, [b.name for b in bars], fontsize=8)
        for tick, b in zip(ax.get_yticklabels(), bars):
            if b.small or b.value is None:
                tick.set_color("#777777")
        cut = sum(1 for b in bars if not b.small)
        if 0 < cut < len(bars):  # where the ranked departments end
            ax.axhline(cut - 0.5, color="#999999", linestyle=":", linewidth=1)
        ax.set_ylim(max(len(bars), 8) - 0.5, -0.5)  # first bar on top; a few bars stay bars, not slabs
        ax.set_xlim(0, top)
        ax.set_xlabel(axis)
        ax.set_title(title, fontsize=11)
        if not bars:
            ax.text(0.5, 0.5, t(lang, "report.chart.no_data"), ha="center", va="center", transform=ax.transAxes)
        return [small_patch] if any(b.small and b.value is not None for b in bars) else []

    ax1, ax2, ax3 = axes["smile"], axes["speed"], axes["trend"]
    handles = panel(
        ax1, smile, 1, 5.0, SMILE_COLOUR, t(lang, "report.chart.smile_title"), t(lang, "report.chart.smile_axis")
    )
    mean = report.indicators.current.smile.district.mean
    if mean is not None:
        handles.insert(
            0,
            ax1.axvline(
                mean,
                color="#4C72B0",
                linestyle="--",
                linewidth=1,
                label=t(lang, "report.chart.district_mean", mean=num(mean)),
            ),
        )
    if handles:
        ax1.legend(handles=handles, fontsize=8, **BELOW)
    handles = panel(
        ax2, speed, 100, 100.0, SPEED_COLOUR, t(lang, "report.chart.speed_title"), t(lang, "report.chart.speed_axis")
    )
    if handles:
        ax2.legend(handles=handles, fontsize=8, **BELOW)

    tr = report.indicators.trend
    xs = range(len(tr))  # every month gets a tick; a month without data is a gap (NaN)
    nan = float("nan")
    ax3.plot(
        xs,
        [nan if p.mean is None else p.mean for p in tr],
        marker="o",
        color="#4C72B0",
        label=t(lang, "report.chart.trend_mean"),
    )
    ax3.set_ylim(0, 5.5)
    ax3.set_ylabel(t(lang, "report.chart.smile_axis"))
    ax3b = ax3.twinx()
    ax3b.plot(
        xs,
        [nan if p.on_time_rate is None else p.on_time_rate * 100 for p in tr],
        marker="s",
        color="#55A868",
        label=t(lang, "report.chart.trend_on_time"),
    )
    ax3b.set_ylim(0, 110)
    ax3b.set_ylabel(t(lang, "report.chart.speed_axis"))
    ax3.set_xticks(list(xs), [p.month for p in tr])
    ax3.set_title(t(lang, "report.chart.trend_title", months=len(tr)), fontsize=11)
    ax3.tick_params(axis="x", labelsize=8, labelrotation=30)
    lines = ax3.get_legend_handles_labels()[0] + ax3b.get_legend_handles_labels()[0]
    ax3.legend(lines, [h.get_label() for h in lines], loc="lower left", fontsize=8)
    return fig


class _chart_style:
    """NanumGothic for every text of the figure (and ASCII '-' for minus signs, which the font
    lacks), for the time one chart is drawn; charts are drawn one at a time."""

    def __enter__(self):
        import matplotlib

        _CHART_LOCK.acquire()
        family = korean_font_family()
        self._rc = matplotlib.rc_context({"axes.unicode_minus": False, **({"font.family": [family]} if family else {})})
        self._rc.__enter__()
        return self

    def __exit__(self, *exc):
        try:
            return self._rc.__exit__(*exc)
        finally:
            _CHART_LOCK.release()


def chart_png(report: Report, svc: Services) -> bytes:
    with _chart_style():
        fig = chart_figure(report, svc)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()


# --- spreadsheet ---------------------------------------------------------------------------

# Number formats (the stored values stay exact).
MEAN, PCT, HOURS, COUNT, COORD, DATE = "0.00", "0.0%", "0.0", "#,##0", "0.00000", "yyyy-mm-dd"
CHANGE = {MEAN: "+0.00;-0.00;0.00", PCT: '+0.0%"p";-0.0%"p";0.0%"p"', HOURS: "+0.0;-0.0;0.0", COUNT: "+#,##0;-#,##0;0"}


class Formatted(NamedTuple):
    """A spreadsheet row with its own number formats (the Summary sheet: one indicator a row)."""

    values: list
    formats: list[str | None]


def _with_changes(value, before: list) -> list:
    """value, then (value in the other period, change) for each other period."""
    out = [value]
    for b in before:
        out += [b, change(value, b)]
    return out


def _change_formats(fmt: str, others: int = 2) -> list[str]:
    return [fmt] + [fmt, CHANGE[fmt]] * others


def workbook_xlsx(report: Report, svc: Services, lang: str = FILE_LANG) -> bytes:
    """One sheet per indicator group, plus the anonymised raw ratings, in Korean. Rates are
    fractions shown as %, times are business hours; every figure keeps its exact value under a
    number format."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from workflows.indicators.xlsx_rows import append_rows  # openpyxl too: loaded for a report only

    i = report.indicators
    cur, prev, year = i.current, i.previous, i.year_ago
    wb = Workbook(write_only=True)  # streamed: the raw ratings can be tens of thousands of rows
    bold = Font(bold=True)
    names = iter(t(lang, "report.xlsx.sheets").split("|"))

    def cols(key: str, **kw) -> list[str]:
        return t(lang, key, **kw).split("|")

    p_name, y_name = period_name(prev.span, lang), period_name(year.span, lang)
    items = "|".join(t(lang, f"rate.item.{it}") for it in ITEMS)

    def sheet(header: list[str], rows, formats: list[str | None] | None = None, widths: dict[str, int] | None = None):
        """A sheet with a bold, frozen header. ``formats``: a number format per column for its
        numbers; a row given as (values, formats) carries its own."""
        ws = wb.create_sheet(next(names))
        ws.freeze_panes = "A2"
        for col, w in {"A": 24, **(widths or {})}.items():
            ws.column_dimensions[col].width = w

        def cell(value, fmt: str | None):
            value = audit._cell(value)  # a resident's text never runs as a formula
            if fmt == DATE and isinstance(value, date) and not isinstance(value, datetime):
                return value  # openpyxl gives a date this format by itself
            if fmt and isinstance(value, (int, float, date)) and not isinstance(value, bool):
                c = WriteOnlyCell(ws, value=value)
                c.number_format = fmt
                return c
            return value  # a plain value: no cell object of our own (most of a large sheet)

        head = []
        for h in header:
            c = WriteOnlyCell(ws, value=h)
            c.font = bold
            head.append(c)
        ws.append(head)
        for row in rows:
            values, fmts = (row.values, row.formats) if isinstance(row, Formatted) else (list(row), formats or [])
            ws.append([cell(v, fmts[k] if k < len(fmts) else None) for k, v in enumerate(values)])
        return ws

    level_names = cols("report.xlsx.levels")

    def level_rows(levels: Levels, *others: Levels, n=lambda m: None):
        """(label columns, metric, [same key in the other snapshots]) for the district, the
        departments (profile order) and the officers; the sample column flags n < minimum."""

        def flag(m) -> str | None:
            k = n(m)
            return None if k is None or not report.small(k) else small_flag(k, lang)

        yield [level_names[0], None, None, flag(levels.district)], levels.district, [o.district for o in others]
        for code in departments_in(svc, levels):
            m = levels.departments[code]
            yield (
                [level_names[1], dept_name(svc, code, lang), None, flag(m)],
                m,
                [o.departments.get(code) for o in others],
            )
        order = {code: k for k, code in enumerate(departments_in(svc, levels))}
        for (code, officer), m in sorted(
            levels.officers.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0])
        ):
            yield (
                [level_names[2], dept_name(svc, code, lang), officer, flag(m)],
                m,
                [o.officers.get((code, officer)) for o in others],
            )

    levels_fmt = [None, None, None, None]

    # 요약
    s, sp, f = cur.smile.district, cur.speed.district, i.flow.district
    ps, pp, ys, yp = prev.smile.district, prev.speed.district, year.smile.district, year.speed.district
    labels = cols("report.xlsx.summary_rows")
    generated = report.generated_at.astimezone(svc.tz).strftime("%Y-%m-%d %H:%M")
    figures = [
        ([period_text(report.span, svc, lang)], []),
        ([generated], []),
        (_with_changes(s.mean, [ps.mean, ys.mean]), _change_formats(MEAN)),
        (_with_changes(s.rated, [ps.rated, ys.rated]), _change_formats(COUNT)),
        (_with_changes(s.top_share, [ps.top_share, ys.top_share]), _change_formats(PCT)),
        (_with_changes(s.response_rate, [ps.response_rate, ys.response_rate]), _change_formats(PCT)),
        (_with_changes(sp.answered, [pp.answered, yp.answered]), _change_formats(COUNT)),
        (_with_changes(sp.median, [pp.median, yp.median]), _change_formats(HOURS)),
        (_with_changes(sp.p90, [pp.p90, yp.p90]), _change_formats(HOURS)),
        (_with_changes(sp.on_time_rate, [pp.on_time_rate, yp.on_time_rate]), _change_formats(PCT)),
        (_with_changes(sp.overdue, [pp.overdue, yp.overdue]), _change_formats(COUNT)),
        (_with_changes(sp.extensions, [pp.extensions, yp.extensions]), _change_formats(COUNT)),
        ([f.transfers], [COUNT]),
        ([f.transfer_hours], [HOURS]),
        ([f.reopen_rate], [PCT]),
        ([f.fcr], [PCT]),
        ([i.volume.total], [COUNT]),
        ([len(i.hotspots)], [COUNT]),
        ([report.min_sample], [COUNT]),
    ]
    sheet(
        [
            t(lang, "report.xlsx.indicator"),
            period_name(report.span, lang),
            p_name,
            t(lang, "report.xlsx.vs", period=p_name),
            y_name,
            t(lang, "report.xlsx.vs", period=y_name),
        ],
        [Formatted([label, *values], [None, *fmts]) for label, (values, fmts) in zip(labels, figures, strict=True)],
        widths={"A": 36, "B": 30, "C": 14, "D": 18, "E": 14, "F": 18},
    )

    # 만족도
    mean_name = t(lang, "report.xlsx.mean")
    smile_header = (
        cols("report.xlsx.level_cols")
        + cols("report.xlsx.smile_cols", items=items)
        + [
            t(lang, "report.xlsx.metric_in", name=mean_name, period=p_name),
            t(lang, "report.xlsx.metric_vs", name=mean_name, period=p_name),
            t(lang, "report.xlsx.metric_in", name=mean_name, period=y_name),
            t(lang, "report.xlsx.metric_vs", name=mean_name, period=y_name),
        ]
    )
    smile_fmt = levels_fmt + [
        COUNT,
        COUNT,
        PCT,
        COUNT,
        MEAN,
        *[MEAN] * len(ITEMS),
        PCT,
        *[COUNT] * 5,
        MEAN,
        CHANGE[MEAN],
        MEAN,
        CHANGE[MEAN],
    ]

    def smile_rows():
        for label, m, (pm, ym) in level_rows(cur.smile, prev.smile, year.smile, n=lambda m: m.rated):
            yield label + [
                m.sent,
                m.responded,
                m.response_rate,
                m.rated,
                m.mean,
                *(m.item_mean(it) for it in ITEMS),
                m.top_share,
                *m.dist,
                *_with_changes(m.mean, [pm.mean if pm else None, ym.mean if ym else None])[1:],
            ]

    sheet(smile_header, smile_rows(), smile_fmt, widths={"B": 18, "D": 16})

    # 처리 속도
    speed_header = cols("report.xlsx.level_cols") + [t(lang, "report.xlsx.answered")]
    speed_fmt = levels_fmt + [COUNT]
    metrics = list(
        zip(
            ("median", "p90", "on_time_rate", "overdue", "extensions"),
            cols("report.xlsx.speed_metrics"),
            (HOURS, HOURS, PCT, COUNT, COUNT),
            strict=True,
        )
    )
    for _, name, fmt in metrics:
        speed_header += [
            name,
            t(lang, "report.xlsx.metric_in", name=name, period=p_name),
            t(lang, "report.xlsx.metric_vs", name=name, period=p_name),
            t(lang, "report.xlsx.metric_in", name=name, period=y_name),
            t(lang, "report.xlsx.metric_vs", name=name, period=y_name),
        ]
        speed_fmt += _change_formats(fmt)

    def speed_rows():
        for label, m, (pm, ym) in level_rows(cur.speed, prev.speed, year.speed, n=lambda m: m.answered):
            row = label + [m.answered]
            for attr, _, _ in metrics:
                row += _with_changes(
                    getattr(m, attr), [getattr(pm, attr) if pm else None, getattr(ym, attr) if ym else None]
                )
            yield row

    sheet(speed_header, speed_rows(), speed_fmt, widths={"B": 18, "D": 16})

    # 이송·재개
    def flow_rows():
        for label, m, _ in level_rows(i.flow):
            yield label[:3] + [
                m.transfers,
                m.transfer_hours,
                ind.ratio(m.transfer_hours, m.transfers),
                m.answers,
                m.reopens,
                m.reopen_rate,
                m.closed,
                m.first_contact,
                m.fcr,
            ]

    sheet(
        cols("report.xlsx.level_cols")[:3] + cols("report.xlsx.flow_cols"),
        flow_rows(),
        [None] * 3 + [COUNT, HOURS, HOURS, COUNT, COUNT, PCT, COUNT, COUNT, PCT],
        widths={"B": 18},
    )

    # 접수량
    v = i.volume
    by = cols("report.xlsx.volume_by")
    places = {NO_ADDRESS: t(lang, "report.xlsx.location_only"), OTHER_PLACE: t(lang, "report.xlsx.no_dong")}
    volume_rows = (
        [(by[0], dept_name(svc, k, lang), n) for k, n in sorted(v.received.items(), key=lambda kv: -kv[1])]
        + [(by[1], category_name(svc, k, lang), n) for k, n in sorted(v.by_category.items(), key=lambda kv: -kv[1])]
        + [(by[2], places.get(k, k), n) for k, n in sorted(v.by_dong.items(), key=lambda kv: -kv[1])]
    )
    sheet(cols("report.xlsx.volume_cols"), volume_rows, [None, None, COUNT], widths={"A": 10, "B": 24})

    # 반복 민원
    sheet(
        cols("report.xlsx.recurring_cols"),
        (
            (
                category_name(svc, h.category, lang),
                h.address,
                h.latitude,
                h.longitude,
                h.count,
                h.first.astimezone(svc.tz).date(),
                h.last.astimezone(svc.tz).date(),
                ", ".join(h.receipts),
            )
            for h in i.hotspots
        ),
        [None, None, COORD, COORD, COUNT, DATE, DATE, None],
        widths={"A": 16, "B": 40, "H": 60},
    )

    # 원스톱·소통 Day
    topics, _ = i.opinion_days
    kinds, yes_no = cols("report.xlsx.other_kinds"), cols("report.xlsx.yes_no")

    def yn(x: bool | None) -> str | None:
        return None if x is None else yes_no[0] if x else yes_no[1]

    other = [
        (kinds[0], office_name(svc, code, lang), w.done, w.median, None, None, None, None)
        for code, w in sorted(i.onestop.items())
    ]
    other += [
        (
            kinds[1],
            tp.day,
            tp.opinions,
            None,
            tp.analysis.days,
            yn(tp.analysis.on_time),
            tp.answer.days,
            yn(tp.answer.on_time),
        )
        for tp in topics
    ]
    sheet(
        cols("report.xlsx.other_cols"),
        other,
        [None, DATE, COUNT, HOURS, COUNT, None, COUNT, None],
        widths={"A": 18, "B": 24},
    )

    # 부서 순위: ranked, then the small samples without a rank
    rk = report.ranking
    sheet(
        cols("report.xlsx.ranking_cols"),
        [
            (
                st.rank,
                dept_name(svc, st.department, lang),
                st.n,
                st.mean,
                st.score,
                None if st.rank else small_flag(st.n, lang),
            )
            for st in rk.ranked + rk.unranked
        ],
        [COUNT, None, COUNT, MEAN, MEAN, None],
        widths={"A": 8, "B": 20, "F": 20},
    )

    # 월별 추이
    sheet(
        cols("report.xlsx.trend_cols"),
        ((p.month, p.rated, p.mean, p.answered, p.on_time_rate) for p in i.trend),
        [None, COUNT, MEAN, COUNT, PCT],
        widths={"A": 10},
    )

    # 평가 원자료 (anonymised)
    def raw():
        for n, (dept, officer, sent, rated, *scores) in enumerate(report.raw_ratings, start=1):
            yield [
                n,
                dept_name(svc, dept, lang),
                officer,
                sent.astimezone(svc.tz).date(),
                rated.astimezone(svc.tz).date(),
                *scores,
            ]

    # openpyxl writes the header and the first rating; the rest (numbers, text and dates only) are
    # written as the sheet's XML, styled as that first row: a year's are 1.5M cells (xlsx_rows)
    ratings = raw()
    ws = sheet(
        cols("report.xlsx.raw_cols", items=items),
        itertools.islice(ratings, 1),
        [None, None, None, DATE, DATE],
        widths={"A": 8, "B": 18, "D": 12, "E": 12},
    )
    buf = io.BytesIO()
    wb.save(buf)
    return append_rows(buf.getvalue(), ws.path.lstrip("/"), ([audit._cell(v) for v in r] for r in ratings))


# The report process reads the figures and writes the spreadsheet; the chart process, started at
# the same moment, imports matplotlib and the Korean font while the figures are read and draws the
# PNG while the spreadsheet is written (a month on 1M complaints: figures ~1.1 s, PNG ~0.45 s,
# XLSX ~0.42 s; the two files one after another in one process kept /report past 2 s).
REPORT_PROCESS, CHART_PROCESS = "report", "chart"
_POOLS: dict = {}  # name -> ProcessPoolExecutor of one process: spawned at a report, kept while reports come
_POOL_LOCK = threading.Lock()
# parts of a report read at once in the report process (service.Lanes): measured in
# benchmarks/bench_indicators.py against the residents' waits in the bot beside it
LANES = 2
POOL_IDLE_S = 600.0  # ended after this long without a report: their ~100 MB each are not kept idle
NICE = 10  # how far behind the bot the report and chart processes run (_pool)
_busy = 0  # reports in flight
_last_done = 0.0


def _warm_chart() -> None:
    """The chart process's first task: matplotlib and the Korean font loaded before the first chart."""
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401

    korean_font_family()
    heap.settle()


def _settled(fn: Callable, *args):
    """``fn(*args)`` in the report or chart process, after heap.settle (every task sent by _there):
    a report makes 100,000s of rows and tuples, and each full collection they set off walked every
    module object of SQLAlchemy, numpy, matplotlib and openpyxl there again, 0.2-0.3 s of a month's
    1.5 s of figures on a large district (benchmarks/bench_indicators.py)."""
    heap.settle()
    return fn(*args)


def _pool(name: str = REPORT_PROCESS):
    with _POOL_LOCK:
        pool = _POOLS.get(name)
        if pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn, never fork: the bot's process has threads (the database driver's, the loop's).
            # Behind the bot (os.nice, before the process imports anything of ours): on a machine
            # with few cores the residents' updates get the CPU first and the report waits. At the
            # same priority the report's processes and the bot shared two cores, and an update
            # now and then waited a whole scheduler slice: up to 115 ms during /report year
            # (benchmarks/bench_indicators.py). Raising one's niceness is always allowed.
            pool = _POOLS[name] = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=os.nice,
                initargs=(NICE,),
            )
        return pool


def _start(name: str) -> None:
    """Spawn a process now (a pool spawns at its first task), so it starts while other work runs;
    the chart process loads matplotlib meanwhile. Best effort: a process that cannot start fails
    its first real task, which has a way round."""
    try:
        _pool(name).submit(_warm_chart if name == CHART_PROCESS else heap.settle)
    except RuntimeError:  # shut down (retired between the lookup and the submit) or broken
        pass


def _retire_if_idle() -> None:
    if not _busy and time.monotonic() - _last_done >= POOL_IDLE_S - 1:
        _drop_pools()


def _drop_pools(*names: str) -> None:
    """End the named processes (all, if none is named); the next report spawns them again."""
    with _POOL_LOCK:
        pools = [_POOLS.pop(n) for n in (names or list(_POOLS)) if n in _POOLS]
    for pool in pools:
        pool.shutdown(wait=False, cancel_futures=True)


class _At:
    """A clock stopped at one moment that pickles (the report's "now" in the report process)."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _portable(svc: Services) -> Services:
    """What the report needs of ``svc`` (district, time zone, now, how to open read sessions),
    without keys or callables that cannot or must not cross to another process."""
    return dataclasses.replace(
        svc,
        clock=_At(svc.now()),
        cipher=None,  # type: ignore[arg-type]  # not used there
        http_transport=None,
        nhis_service_key=None,
        agency_webhook_secret=None,
        receipt_key=b"",
    )


# In the report process: reports read there, kept until their spreadsheet is asked for (reports
# queue behind each other in the one process; a few at most wait).
_KEPT: dict[int, Report] = {}
_KEEP_AT_MOST = 4
_tokens = itertools.count(1)


# In the report process: one event loop, and the read sessions of the last svc.reads_elsewhere
# kept open from report to report: an engine made, connected and its statements compiled anew for
# each report cost ~80 ms of a month's ~1.05 s (benchmarks/bench_indicators.py). One database at a
# time (the bot has one); closed when another is asked for, after a failed report, and as the
# process ends.
T = TypeVar("T")
_runner: asyncio.Runner | None = None
_kept: tuple[Callable, AsyncExitStack, async_sessionmaker[AsyncSession]] | None = None


def _run_there(coro: Coroutine[Any, Any, T]) -> T:
    global _runner
    if _runner is None:
        _runner = asyncio.Runner()
        atexit.register(_end_there)
    return _runner.run(coro)


async def _kept_reads(reads_elsewhere: Callable) -> async_sessionmaker[AsyncSession]:
    global _kept
    if _kept is None or _kept[0] != reads_elsewhere:
        await _forget_reads()
        stack = AsyncExitStack()
        _kept = (reads_elsewhere, stack, await stack.enter_async_context(reads_elsewhere()))
    return _kept[2]


async def _forget_reads() -> None:
    global _kept
    if _kept is not None:
        stack, _kept = _kept[1], None
        await stack.aclose()


def _end_there() -> None:
    if _runner is not None:
        try:
            _runner.run(_forget_reads())
        finally:
            _runner.close()


def _figures_there(svc: Services, span: Span, width: int) -> tuple[Report, int]:
    """In the report process: the figures, read through ``svc.reads_elsewhere`` ``width`` parts at
    a time. They come back without the raw ratings, which only the spreadsheet shows (a year's are
    ~170,000 rows, 30 MB pickled; reading them back held the bot's GIL for half a second): the full
    report stays here under the returned token for ``_sheet_there``."""

    async def figures() -> Report:
        assert svc.reads_elsewhere is not None
        reads = await _kept_reads(svc.reads_elsewhere)
        try:
            return await build(ind.Lanes(reads, width), svc, span)
        except BaseException:
            await _forget_reads()  # whatever failed, the next report opens them afresh
            raise

    report = _run_there(figures())
    token = next(_tokens)
    _KEPT[token] = report
    while len(_KEPT) > _KEEP_AT_MOST:
        _KEPT.pop(next(iter(_KEPT)))
    return dataclasses.replace(report, raw_ratings=[]), token


def _sheet_there(token: int, svc: Services) -> bytes:
    """In the report process: the spreadsheet of a report ``_figures_there`` kept (KeyError if the
    process is not the one that read it)."""
    return workbook_xlsx(_KEPT.pop(token), svc)


async def _there(fn: Callable, *args, process: str = REPORT_PROCESS):
    """``fn(*args)`` in the report process (or the chart process)."""
    global _busy, _last_done
    loop = asyncio.get_running_loop()
    _busy += 1
    try:
        return await loop.run_in_executor(_pool(process), _settled, fn, *args)
    finally:
        _busy -= 1
        _last_done = time.monotonic()
        loop.call_later(POOL_IDLE_S, _retire_if_idle)


async def _chart(report: Report, svc: Services) -> bytes:
    """The PNG in the chart process (``report`` without its raw ratings: the chart does not show
    them); in the report process if the chart process fails."""
    try:
        png: bytes = await _there(chart_png, report, svc, process=CHART_PROCESS)
        return png
    except Exception:
        log.warning("chart process unavailable; drawing in the report process", exc_info=True)
        _drop_pools(CHART_PROCESS)
    png = await _there(chart_png, report, svc)
    return png


async def render(report: Report, svc: Services) -> tuple[bytes, bytes]:
    """PNG and XLSX, drawn off the event loop, at once: the PNG in the chart process, the XLSX in the
    report process. Not threads: matplotlib's drawing and openpyxl hold the GIL for long stretches,
    and the event loop waited behind them (residents' small writes took up to 200 ms during a chart
    drawn in a thread, 30 ms without). matplotlib, numpy, Pillow and openpyxl are imported there
    (and here only if the processes cannot be used: then worker threads, as before)."""
    p = _portable(svc)
    try:
        _start(CHART_PROCESS)
        png, xlsx = await asyncio.gather(
            _chart(dataclasses.replace(report, raw_ratings=[]), p), _there(workbook_xlsx, report, p)
        )
        return png, xlsx
    except Exception:
        log.warning("report process unavailable; drawing in threads", exc_info=True)
        _drop_pools()
    return (await asyncio.to_thread(chart_png, report, svc), await asyncio.to_thread(workbook_xlsx, report, svc))


async def produce(
    reads: Callable[[], AbstractAsyncContextManager[AsyncSession]], svc: Services, span: Span, *, width: int = LANES
) -> tuple[Report, bytes, bytes]:
    """The report for ``span`` and its PNG and XLSX. Where another process can open the database
    (``svc.reads_elsewhere``), the figures are read in the report process too: seconds of SQL and
    of rows turned into figures (a year: ~10 s on a large district) would otherwise run on the
    event loop between the residents' updates (their p99 wait during /report year: 101 ms, 20 ms
    so). The report then comes without its raw ratings (``_figures_there``); the chart process
    starts meanwhile and draws the PNG while the report process writes the XLSX. Else, or if that
    fails, the figures are read here in a read session from ``reads`` (no write lock either way)
    and drawn by ``render``."""
    if svc.reads_elsewhere is not None:
        p = _portable(svc)
        try:
            _start(CHART_PROCESS)
            report, token = await _there(_figures_there, p, span, width)
            png, xlsx = await asyncio.gather(_chart(report, p), _there(_sheet_there, token, p))
            return report, png, xlsx
        except Exception:
            log.warning("report process could not make the report; making it here", exc_info=True)
            _drop_pools()
    async with reads() as session:
        report = await build(session, svc, span)
    return (report, *await render(report, svc))


def filenames(span: Span) -> tuple[str, str]:
    return f"indicators-{span.label}.png", f"indicators-{span.label}.xlsx"


# --- the scheduled monthly report ----------------------------------------------------------


def first_working_day(svc: Services, day: date) -> date:
    d = date(day.year, day.month, 1)
    return d if svc.calendar.is_business_day(d) else svc.calendar.next_business_day(d)


async def evaluators(session: AsyncSession) -> list[int]:
    rows = await session.execute(
        select(RoleGrant.user_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == EVALUATOR, RoleGrant.revoked_at.is_(None), User.is_active.is_(True))
    )
    return sorted(set(rows.scalars()))


def _key(span: Span, chat_id: int, part: str) -> str:
    return f"report:{span.label}:{chat_id}:{part}"


async def send_monthly(
    session: AsyncSession, svc: Services, *, reads: async_sessionmaker[AsyncSession] | None = None
) -> int:
    """Queue last month's report to the evaluation team's chat (EVALUATION_CHAT_ID; without one,
    to every evaluator), once, from ``send_hour`` on the first working day of the month. Returns the
    number of recipients queued. Safe to run often: the outbox keys make a repeat a no-op.

    With ``reads`` (bot/scheduler.Duties passes its read sessionmaker), who is due is read in a read
    session, and the figures and files are made by ``produce`` before ``session`` issues its first
    statement: the write lock is taken only for the outbox rows, not for the seconds the report
    takes."""
    r = rules()["report"]
    now = svc.now().astimezone(svc.tz)
    due = datetime.combine(first_working_day(svc, now.date()), datetime.min.time(), svc.tz) + timedelta(
        hours=r["send_hour"]
    )
    if now < due:
        return 0
    span = Span.last_complete("month", now.date())
    async with reads() if reads is not None else nullcontext(session) as rs:
        recipients = [svc.evaluation_chat_id] if svc.evaluation_chat_id else await evaluators(rs)
        queued = set(
            (
                await rs.scalars(
                    select(OutboxMessage.dedup_key).where(
                        OutboxMessage.dedup_key.in_([_key(span, c, "text") for c in recipients])
                    )
                )
            ).all()
        )
    todo = [c for c in recipients if _key(span, c, "text") not in queued]
    if not todo:
        return 0
    report, png, xlsx = await produce(reads or (lambda: nullcontext(session)), svc, span)
    png_name, xlsx_name = filenames(span)
    photo = await attach(session, png_name, png, PNG_TYPE)
    document = await attach(session, xlsx_name, xlsx, XLSX_TYPE)
    record_export(session, svc, report, actor_id=None, recipients=len(todo))
    for chat in todo:
        user = await session.get(User, chat) if chat > 0 else None
        lang = user.language if user else "ko"
        period = escape(period_text(span, svc, lang))
        await enqueue(session, key=_key(span, chat, "text"), chat_id=chat, text=summary(report, svc, lang))
        await enqueue(
            session,
            key=_key(span, chat, "chart"),
            chat_id=chat,
            method="sendPhoto",
            params={"photo": photo, "caption": t(lang, "report.chart_caption", period=period)},
        )
        await enqueue(
            session,
            key=_key(span, chat, "xlsx"),
            chat_id=chat,
            method="sendDocument",
            params={"document": document, "caption": t(lang, "report.xlsx_caption", period=period)},
        )
    await session.execute(
        delete(OutboxFile).where(OutboxFile.created_at < svc.now() - timedelta(days=r["file_retention_days"]))
    )
    return len(todo)
