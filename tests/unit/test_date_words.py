"""Both date readers take a date as a Korean, English or Chinese resident types it (workflows/date_words.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workflows.date_words import DateInputError, parse_date
from workflows.new_residents.service import DateError, parse_move_in_date

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize("typed, days", [("今天", 0), ("昨天", -1), ("오늘", 0), ("yesterday", -1)])
def test_words_for_a_day(typed, days):
    assert parse_date(typed, TODAY, oldest=TODAY - timedelta(days=30)) == TODAY + timedelta(days=days)
    assert parse_move_in_date(typed, TODAY) == TODAY + timedelta(days=days)


@pytest.mark.parametrize(
    "typed", ["2026年3月2日", "2026년 3월 2일", "2026-03-02", "3月2日", "3월 2일", "3/2", "3月2号"]
)
def test_shapes_of_a_date(typed):
    assert parse_date(typed, TODAY, oldest=TODAY - timedelta(days=30)) == date(2026, 3, 2)
    assert parse_move_in_date(typed, TODAY) == date(2026, 3, 2)


@pytest.mark.parametrize("typed", ["2026年13月2日", "三月二日", "明年", "2026年3月"])
def test_what_is_not_a_date_is_told_as_such(typed):
    with pytest.raises(DateInputError) as e:
        parse_date(typed, TODAY, oldest=TODAY - timedelta(days=30))
    assert e.value.code == "format"
    with pytest.raises(DateError):
        parse_move_in_date(typed, TODAY)
