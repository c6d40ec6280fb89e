"""How people type a date, in Korean, English and Chinese: the words and shapes both date readers
(workflows/birth_death.parse_date, workflows/new_residents.parse_move_in_date) accept."""

from __future__ import annotations

import re

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
