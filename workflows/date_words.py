"""How people type a date, in Korean, English and Chinese: the words and shapes the date readers
accept (``parse_date`` here, for the one-stop reports and the tax notice's issue date;
workflows/new_residents/service.parse_move_in_date)."""

from __future__ import annotations

import re
from datetime import date, timedelta

# 2026-03-02, 2026.3.2, 2026/3/2, 2026년 3월 2일, 2026年3月2日
FULL = re.compile(r"(\d{4})\s*(?:[-./]|년|年)\s*(\d{1,2})\s*(?:[-./]|월|月)\s*(\d{1,2})\s*(?:일|日|号)?\.?")
COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 20260302
# 3/2, 3.2, 3월 2일, 3月2日 (the year is the reader's to choose)
SHORT = re.compile(r"(\d{1,2})\s*(?:[-./]|월|月)\s*(\d{1,2})\s*(?:일|日|号)?\.?")
RELATIVE_DAYS = {
    "오늘": 0,
    "today": 0,
    "今天": 0,
    "어제": -1,
    "yesterday": -1,
    "昨天": -1,
    "내일": 1,
    "tomorrow": 1,
    "明天": 1,
}


class DateInputError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # format / future / too_old


def parse_date(text: str, today: date, *, oldest: date, latest: date | None = None) -> date:
    """A date as people type it (workflows/date_words.py): 2026-03-02, 2026.3.2, 20260302, 2026년 3월 2일,
    2026年3月2日, 3월 2일, 오늘, 어제, 내일, 今天. Between `oldest` and `latest` (default: today). A date without a year is the one of last,
    this or next year that falls within that window, nearest to today (with the default window:
    this year, or last year if this year's would be in the future); DateInputError "future" past
    `latest`, "too_old" before `oldest`, "format" for anything else."""
    latest = today if latest is None else latest
    s = (text or "").strip().lower()
    if len(s) > 30:
        raise DateInputError("format")
    found: date | None = None
    if s in RELATIVE_DAYS:
        found = today + timedelta(days=RELATIVE_DAYS[s])
    else:
        m = FULL.fullmatch(s) or COMPACT.fullmatch(s)
        if m:
            found = _mk(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        else:
            m = SHORT.fullmatch(s)
            if m:
                month, day = int(m.group(1)), int(m.group(2))
                years = [c for c in (_mk(today.year + dy, month, day) for dy in (-1, 0, 1)) if c is not None]
                inside = [c for c in years if oldest <= c <= latest]
                if inside:
                    found = min(inside, key=lambda c: abs((c - today).days))
                else:
                    found = _mk(today.year, month, day)
                    if found is not None and found > latest:
                        found = _mk(today.year - 1, month, day)
    if found is None:
        raise DateInputError("format")
    if found > latest:
        raise DateInputError("future")
    if found < oldest:
        raise DateInputError("too_old")
    return found


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None
