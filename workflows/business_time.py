"""Korean business time for 민원 processing deadlines (민원 처리에 관한 법률 §19).

민원처리법 §19:
* a period of 5 days or less is counted in working HOURS from the receipt time,
  1 day = 8 working hours ("즉시" = 3 working hours);
* a period of 6 days or more is counted in DAYS, the first (receipt) day included;
* Saturdays, Sundays and 공휴일 are excluded.

공휴일 = ``holidays.KR`` (PUBLIC category: 대체공휴일, 선거일 and known 임시공휴일 included)
plus ``extra_holidays`` minus ``not_holidays`` from ``workflows/data/calendar.json``, which
also holds the working periods (default 09:00-12:00 and 13:00-18:00, Asia/Seoul).

All datetimes in and out are timezone-aware; results are in the calendar's time zone.
Internally everything is local wall-clock time in integer microseconds, iterated by day.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

__all__ = ["Period", "BusinessCalendar", "HOURS_PER_DAY", "DEFAULT_CALENDAR_FILE"]

HOURS_PER_DAY = 8  # 민원처리법 §19①: 1일 = 8근무시간 (statutory, not calendar data)
DEFAULT_CALENDAR_FILE = Path(__file__).parent / "data" / "calendar.json"
DEFAULT_PERIODS = [(time(9, 0), time(12, 0)), (time(13, 0), time(18, 0))]

_US_PER_HOUR = 3_600_000_000
_ONE_DAY = timedelta(days=1)
_PERIOD_RE = re.compile(r"\s*(\d+)\s*([dh])\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A statutory processing period: ``days`` (e.g. 7 for 질의) or, if days == 0, ``hours``."""

    days: int = 0
    hours: int = 0

    def __post_init__(self) -> None:
        if self.days < 0 or self.hours < 0 or (self.days > 0) == (self.hours > 0):
            raise ValueError(f"a Period needs exactly one of days/hours > 0, got {self!r}")

    @classmethod
    def parse(cls, s: str) -> "Period":
        """``"7d"`` -> 7 days, ``"3h"`` -> 3 hours; anything else raises ValueError."""
        m = _PERIOD_RE.fullmatch(s) if isinstance(s, str) else None
        if not m:
            raise ValueError(f"not a period (expected e.g. '7d' or '3h'): {s!r}")
        n = int(m.group(1))
        return cls(days=n) if m.group(2).lower() == "d" else cls(hours=n)

    def __str__(self) -> str:
        return f"{self.days}d" if self.days else f"{self.hours}h"


@cache
def _library_holidays(year: int) -> dict[date, str]:
    """holidays.KR public holidays of one year, Korean names (cached per year)."""
    return dict(holidays.KR(years=year, language="ko"))


def _us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


class BusinessCalendar:
    def __init__(
        self,
        tz: str = "Asia/Seoul",
        periods: list[tuple[time, time]] = DEFAULT_PERIODS,
        extra_holidays: dict[date, str] | None = None,
        not_holidays: set[date] | None = None,
    ) -> None:
        self.tz = ZoneInfo(tz)
        self.periods = sorted(periods)
        # Working periods as (start, end) microseconds since local midnight.
        self._spans = [(_us(a), _us(b)) for a, b in self.periods]
        prev_end = 0
        for a, b in self._spans:
            if not prev_end <= a < b:
                raise ValueError(f"working periods must be ordered and disjoint: {periods}")
            prev_end = b
        self._day_us = sum(b - a for a, b in self._spans)
        self._close = self.periods[-1][1]
        self.extra_holidays = dict(extra_holidays or {})
        self.not_holidays = set(not_holidays or ())
        self._years: dict[int, dict[date, str]] = {}

    @classmethod
    def from_file(cls, path: str | Path | None = None, tz: str = "Asia/Seoul") -> "BusinessCalendar":
        """Load working hours and holiday overrides from calendar.json (see its ``_format``)."""
        data = json.loads(Path(path or DEFAULT_CALENDAR_FILE).read_text(encoding="utf-8"))
        periods = [
            (time.fromisoformat(a), time.fromisoformat(b))
            for a, b in data.get("working_hours", [["09:00", "12:00"], ["13:00", "18:00"]])
        ]
        extra = {date.fromisoformat(e["date"]): e["name"] for e in data.get("extra_holidays", [])}
        not_h = {date.fromisoformat(e if isinstance(e, str) else e["date"]) for e in data.get("not_holidays", [])}
        return cls(tz=tz, periods=periods, extra_holidays=extra, not_holidays=not_h)

    # --- days -------------------------------------------------------------------------

    def _holidays(self, year: int) -> dict[date, str]:
        try:
            return self._years[year]
        except KeyError:
            hs = {d: n for d, n in _library_holidays(year).items() if d not in self.not_holidays}
            hs.update((d, n) for d, n in self.extra_holidays.items() if d.year == year)
            self._years[year] = hs
            return hs

    def is_holiday(self, d: date) -> bool:
        """Public holiday (library or override). Weekends alone are not holidays."""
        return d in self._holidays(d.year)

    def holiday_name(self, d: date) -> str | None:
        return self._holidays(d.year).get(d)

    def is_business_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self._holidays(d.year)

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        d += _ONE_DAY
        while not self.is_business_day(d):
            d += _ONE_DAY
        return d

    # --- time -------------------------------------------------------------------------

    def _local(self, dt: datetime) -> datetime:
        """Aware datetime -> naive local wall-clock time in the calendar tz."""
        if not isinstance(dt, datetime):
            raise TypeError(f"expected a datetime, got {type(dt).__name__}")
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise ValueError(f"naive datetime not allowed: {dt!r}")
        return dt.astimezone(self.tz).replace(tzinfo=None)

    def _worked(self, t: datetime) -> int:
        """Working microseconds elapsed on t's day up to wall time t (0..8h)."""
        x = _us(t.time())
        total = 0
        for a, b in self._spans:
            if x <= a:
                break
            total += (x if x < b else b) - a
        return total

    def _at(self, d: date, worked: int) -> datetime:
        """The wall time on day d at which ``worked`` (0 < worked <= day total) is reached.
        A target exactly at the end of a period stays at that end."""
        for a, b in self._spans:
            if worked <= b - a:
                return datetime.combine(d, time.min, self.tz) + timedelta(microseconds=a + worked)
            worked -= b - a
        return datetime.combine(d, self._close, self.tz)

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """``start`` plus ``hours`` working hours. Counting begins at the next working moment
        (received 20:00 Friday -> from Monday 09:00; during lunch -> from 13:00)."""
        if hours < 0:
            raise ValueError("hours must be >= 0")
        local = self._local(start)
        if hours == 0:
            return local.replace(tzinfo=self.tz)
        remaining = round(hours * _US_PER_HOUR)
        d, worked = local.date(), self._worked(local)
        while True:
            if self.is_business_day(d):
                available = self._day_us - worked
                if remaining <= available:
                    return self._at(d, worked + remaining)
                remaining -= available
            d, worked = d + _ONE_DAY, 0

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """End of working hours on the ``days``-th business day, the receipt day counted as
        day 1 (초일 산입). Received on a non-business day or at/after closing -> day 1 is the
        next business day."""
        if days < 1:
            raise ValueError("days must be >= 1")
        local = self._local(start)
        d = local.date()
        if not self.is_business_day(d) or local.time() >= self._close:
            d = self.next_business_day(d)
        for _ in range(days - 1):
            d = self.next_business_day(d)
        return datetime.combine(d, self._close, self.tz)

    def deadline(self, received_at: datetime, period: Period) -> datetime:
        """Processing deadline under 민원처리법 §19 (≤5 days: hours; ≥6 days: days)."""
        if period.days == 0:
            return self.add_business_hours(received_at, period.hours)
        if period.days <= 5:
            return self.add_business_hours(received_at, period.days * HOURS_PER_DAY)
        return self.add_business_days(received_at, period.days)

    def business_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours elapsed from ``start`` to ``end``; 0 if end <= start."""
        s, e = self._local(start), self._local(end)
        if e <= s:
            return 0.0
        ds, de = s.date(), e.date()
        if ds == de:
            total = self._worked(e) - self._worked(s) if self.is_business_day(ds) else 0
        else:
            total = self._day_us - self._worked(s) if self.is_business_day(ds) else 0
            d = ds + _ONE_DAY
            while d < de:
                if self.is_business_day(d):
                    total += self._day_us
                d += _ONE_DAY
            if self.is_business_day(de):
                total += self._worked(e)
        return total / _US_PER_HOUR

    def business_hours_left(self, now: datetime, deadline: datetime) -> float:
        """Working hours until ``deadline``; negative (hours since it) once overdue."""
        if self._local(now) <= self._local(deadline):
            return self.business_hours_between(now, deadline)
        return -self.business_hours_between(deadline, now)
