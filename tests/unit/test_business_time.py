"""Unit tests for workflows.business_time (민원처리법 §19 counting).

Every expected value below was worked out by hand from the 2025/2026 calendars
(kr-facts §6); the reasoning is in the comment next to each case.
"""

import json
import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from workflows.business_time import DEFAULT_CALENDAR_FILE, BusinessCalendar, Period

KST = ZoneInfo("Asia/Seoul")


def kst(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=KST)


@pytest.fixture(scope="module")
def cal():
    return BusinessCalendar.from_file()


# --- holidays ---------------------------------------------------------------------------

HOLIDAYS_2026 = [
    (date(2026, 2, 16), "설날"),  # 설날 전날 (Mon)
    (date(2026, 2, 17), "설날"),
    (date(2026, 2, 18), "설날"),  # 설날 다음날 (Wed)
    (date(2026, 3, 2), "삼일절 대체"),  # 3/1 is a Sunday
    (date(2026, 5, 24), "부처님오신날"),  # Sunday
    (date(2026, 5, 25), "부처님오신날 대체"),
    (date(2026, 6, 3), "지방선거일"),
    (date(2026, 7, 17), "제헌절"),  # restored from 2026
    (date(2026, 8, 17), "광복절 대체"),  # 8/15 is a Saturday
    (date(2026, 9, 24), "추석"),
    (date(2026, 9, 25), "추석"),
    (date(2026, 9, 26), "추석"),
    (date(2026, 10, 5), "개천절 대체"),  # 10/3 is a Saturday
    (date(2026, 10, 9), "한글날"),
]


@pytest.mark.parametrize("d,name", HOLIDAYS_2026)
def test_2026_holidays(cal, d, name):
    assert cal.is_holiday(d)
    assert not cal.is_business_day(d)
    assert name in cal.holiday_name(d)


def test_2025_temporary_holiday(cal):
    assert cal.is_holiday(date(2025, 1, 27))
    assert cal.holiday_name(date(2025, 1, 27)) == "임시공휴일"


def test_workers_day_2025_is_a_business_day(cal):
    # 근로자의날 2025-05-01 (Thu) is only a BANK holiday, not a 관공서 공휴일.
    assert not cal.is_holiday(date(2025, 5, 1))
    assert cal.is_business_day(date(2025, 5, 1))


def test_labor_day_2026_is_a_public_holiday(cal):
    # From 2026 노동절 (5/1) is a 공휴일 under the amended 공휴일에 관한 법률 (passed
    # 2026-03-31, in force for 2026-05-01); holidays==0.108 lists it in PUBLIC.
    assert cal.holiday_name(date(2026, 5, 1)) == "노동절"
    assert not cal.is_business_day(date(2026, 5, 1))


def test_ordinary_days(cal):
    assert cal.is_business_day(date(2026, 2, 19))  # Thu after 설
    assert cal.is_business_day(date(2026, 9, 28))  # no 대체 for 추석 ending on a Saturday
    assert not cal.is_holiday(date(2026, 3, 7))  # a plain Saturday is not a "holiday"
    assert not cal.is_business_day(date(2026, 3, 7))
    assert not cal.is_business_day(date(2026, 3, 8))  # Sunday
    assert cal.holiday_name(date(2026, 3, 9)) is None


def test_next_business_day(cal):
    # Fri 2/13 -> Sat, Sun, 설 16-18 -> Thu 2/19
    assert cal.next_business_day(date(2026, 2, 13)) == date(2026, 2, 19)
    # strictly after: a business day does not return itself
    assert cal.next_business_day(date(2026, 3, 9)) == date(2026, 3, 10)
    # Fri 10/2 -> Sat 10/3, Sun, Mon 10/5 (대체) -> Tue 10/6
    assert cal.next_business_day(date(2026, 10, 2)) == date(2026, 10, 6)


# --- day periods (6 days or more, first day counted) --------------------------------------


def test_7_days_received_before_seollal(cal):
    # Fri 2/13 = day 1; 2/14-15 weekend; 2/16-18 설; 2/19 d2, 2/20 d3, 2/23 d4,
    # 2/24 d5, 2/25 d6, 2/26 d7.
    assert cal.deadline(kst(2026, 2, 13, 10), Period(days=7)) == kst(2026, 2, 26, 18)


def test_14_days_across_samiljeol_substitute(cal):
    # Thu 2/26 d1, Fri 2/27 d2, (2/28, 3/1 weekend, 3/2 대체), 3/3-3/6 d3-d6,
    # 3/9-3/13 d7-d11, 3/16 d12, 3/17 d13, 3/18 d14.
    assert cal.deadline(kst(2026, 2, 26, 15), Period(days=14)) == kst(2026, 3, 18, 18)


def test_14_days_across_chuseok_and_october(cal):
    # Tue 9/22 d1, 9/23 d2, (9/24-26 추석, 9/27 Sun), 9/28-10/2 d3-d7,
    # (10/3-4 weekend, 10/5 대체), 10/6-10/8 d8-d10, (10/9 한글날, weekend),
    # 10/12-10/15 d11-d14.
    assert cal.deadline(kst(2026, 9, 22, 10), Period(days=14)) == kst(2026, 10, 15, 18)


def test_days_received_on_saturday(cal):
    # Sat 3/7 -> day 1 is Mon 3/9; 3/9,10,11,12,13,16,17 -> Tue 3/17.
    assert cal.deadline(kst(2026, 3, 7, 10), Period(days=7)) == kst(2026, 3, 17, 18)


def test_days_received_after_closing(cal):
    # Fri 4/10 19:00 -> day 1 is Mon 4/13; 4/13..4/17, 4/20, 4/21 -> Tue 4/21.
    assert cal.deadline(kst(2026, 4, 10, 19), Period(days=7)) == kst(2026, 4, 21, 18)
    # exactly at 18:00 is also after working hours
    assert cal.add_business_days(kst(2026, 4, 10, 18), 1) == kst(2026, 4, 13, 18)
    # 17:59 still counts as day 1
    assert cal.add_business_days(kst(2026, 4, 10, 17, 59), 1) == kst(2026, 4, 10, 18)


def test_days_received_during_lunch(cal):
    # Tue 3/10 12:30 counts as day 1: 3/10,11,12,13,16,17,18.
    assert cal.deadline(kst(2026, 3, 10, 12, 30), Period(days=7)) == kst(2026, 3, 18, 18)


def test_6_days_are_counted_in_days_5_days_in_hours(cal):
    received = kst(2026, 4, 8, 14)  # Wed
    # 6d: 4/8, 4/9, 4/10, 4/13, 4/14, 4/15 -> end of day 4/15
    assert cal.deadline(received, Period(days=6)) == kst(2026, 4, 15, 18)
    # 5d = 40h: Wed 4h, Thu 8, Fri 8, Mon 8, Tue 8 (=36), Wed 09-12 + 13-14 -> 14:00
    assert cal.deadline(received, Period(days=5)) == kst(2026, 4, 15, 14)


# --- hour periods (5 days or less, from the receipt time) --------------------------------


def test_immediate_3h_received_at_17(cal):
    # Fri 7/10 17:00: 1h on Friday, then Mon 7/13 09:00 + 2h.
    assert cal.deadline(kst(2026, 7, 10, 17), Period(hours=3)) == kst(2026, 7, 13, 11)
    # Thu 7/16 17:00: 1h, then Fri 7/17 is 제헌절 -> Mon 7/20 11:00.
    assert cal.deadline(kst(2026, 7, 16, 17), Period(hours=3)) == kst(2026, 7, 20, 11)


def test_hours_received_during_lunch(cal):
    # Tue 3/10 12:30: counting starts at 13:00 -> 16:00.
    assert cal.deadline(kst(2026, 3, 10, 12, 30), Period(hours=3)) == kst(2026, 3, 10, 16)
    # 10:00 + 3h: 10-12 is 2h, then 13:00 + 1h.
    assert cal.deadline(kst(2026, 3, 10, 10), Period(hours=3)) == kst(2026, 3, 10, 14)


def test_hours_received_on_saturday(cal):
    # Sat 3/7: counting starts Mon 3/9 09:00; 3h ends exactly at 12:00 and stays there.
    assert cal.deadline(kst(2026, 3, 7, 10), Period(hours=3)) == kst(2026, 3, 9, 12)


def test_hours_received_friday_evening(cal):
    # Fri 4/10 20:00: counting starts Mon 4/13 09:00; 8h -> Mon 18:00.
    assert cal.deadline(kst(2026, 4, 10, 20), Period(days=1)) == kst(2026, 4, 13, 18)


def test_exact_period_end_stays(cal):
    # 8h from Mon 09:00 is Mon 18:00, not Tue 09:00.
    assert cal.add_business_hours(kst(2026, 4, 6, 9), 8) == kst(2026, 4, 6, 18)
    # 2h from 10:00 is 12:00, not 13:00.
    assert cal.add_business_hours(kst(2026, 4, 6, 10), 2) == kst(2026, 4, 6, 12)
    # 40h from Mon 09:00 is Fri 18:00.
    assert cal.deadline(kst(2026, 4, 6, 9), Period(days=5)) == kst(2026, 4, 10, 18)


def test_5_days_across_weekend(cal):
    # Wed 4/8 14:00 + 40h -> Wed 4/15 14:00 (see the 6-day test for the sum).
    assert cal.add_business_hours(kst(2026, 4, 8, 14), 40) == kst(2026, 4, 15, 14)


def test_hours_across_holidays(cal):
    # Fri 5/22 16:00: 2h; 5/23 Sat, 5/24 부처님오신날, 5/25 대체 -> Tue 5/26 10:00.
    assert cal.deadline(kst(2026, 5, 22, 16), Period(hours=3)) == kst(2026, 5, 26, 10)
    # Tue 6/2 17:30: 0.5h; 6/3 지방선거 -> Thu 6/4 09:00 + 2.5h = 11:30.
    assert cal.deadline(kst(2026, 6, 2, 17, 30), Period(hours=3)) == kst(2026, 6, 4, 11, 30)
    # Fri 8/14 09:00 + 16h: Fri 8h; 8/15-16 weekend, 8/17 대체 -> Tue 8/18 18:00.
    assert cal.deadline(kst(2026, 8, 14, 9), Period(days=2)) == kst(2026, 8, 18, 18)


def test_hours_across_2025_temporary_holiday_and_seollal(cal):
    # Fri 2025-01-24 10:00 + 24h: Fri 7h (rem 17); 1/27 임시, 1/28-30 설;
    # Fri 1/31 8h (rem 9); Mon 2/3 8h (rem 1); Tue 2/4 10:00.
    assert cal.deadline(kst(2025, 1, 24, 10), Period(days=3)) == kst(2025, 2, 4, 10)


def test_workers_day_vs_labor_day_in_hour_counting(cal):
    # Wed 2025-04-30 17:00: 1h; Thu 5/1 (근로자의날) is worked -> 11:00.
    assert cal.deadline(kst(2025, 4, 30, 17), Period(hours=3)) == kst(2025, 5, 1, 11)
    # Thu 2026-04-30 17:00: 1h; Fri 5/1 노동절, weekend -> Mon 5/4 11:00.
    assert cal.deadline(kst(2026, 4, 30, 17), Period(hours=3)) == kst(2026, 5, 4, 11)


def test_zero_and_fractional_hours(cal):
    assert cal.add_business_hours(kst(2026, 4, 10, 20), 0) == kst(2026, 4, 10, 20)
    assert cal.add_business_hours(kst(2026, 4, 6, 11), 1.5) == kst(2026, 4, 6, 13, 30)
    with pytest.raises(ValueError):
        cal.add_business_hours(kst(2026, 4, 6, 11), -1)
    with pytest.raises(ValueError):
        cal.add_business_days(kst(2026, 4, 6, 11), 0)


# --- time zones ---------------------------------------------------------------------------


def test_other_time_zone_in_calendar_zone_out(cal):
    # 2026-04-08 05:00 UTC = Wed 14:00 KST -> 5d = Wed 4/15 14:00 KST.
    got = cal.deadline(datetime(2026, 4, 8, 5, tzinfo=timezone.utc), Period(days=5))
    assert got == kst(2026, 4, 15, 14)
    assert got.tzinfo == KST and got.hour == 14
    # Sun 2026-04-12 23:30 UTC = Mon 4/13 08:30 KST -> 3h from 09:00 = 12:00 KST.
    got = cal.deadline(datetime(2026, 4, 12, 23, 30, tzinfo=timezone.utc), Period(hours=3))
    assert got == kst(2026, 4, 13, 12) and got.tzinfo == KST


def test_naive_datetime_rejected(cal):
    naive = datetime(2026, 4, 8, 14)
    with pytest.raises(ValueError):
        cal.deadline(naive, Period(days=7))
    with pytest.raises(ValueError):
        cal.add_business_hours(naive, 3)
    with pytest.raises(ValueError):
        cal.business_hours_between(naive, kst(2026, 4, 9, 14))
    with pytest.raises(ValueError):
        cal.business_hours_left(kst(2026, 4, 9, 14), naive)


# --- elapsed / remaining hours -------------------------------------------------------------


def test_business_hours_between(cal):
    # Fri 4/10 16:00 -> Mon 4/13 10:00: Fri 2h + Mon 1h.
    assert cal.business_hours_between(kst(2026, 4, 10, 16), kst(2026, 4, 13, 10)) == 3.0
    # across lunch: 11:00 -> 14:00 = 1h + 1h.
    assert cal.business_hours_between(kst(2026, 4, 14, 11), kst(2026, 4, 14, 14)) == 2.0
    # inside lunch only
    assert cal.business_hours_between(kst(2026, 4, 14, 12, 10), kst(2026, 4, 14, 12, 50)) == 0.0
    # over 설: Fri 2/13 09:00 -> Thu 2/19 09:00 = one full day.
    assert cal.business_hours_between(kst(2026, 2, 13, 9), kst(2026, 2, 19, 9)) == 8.0
    # 10 minutes -> 1/6 h
    assert cal.business_hours_between(kst(2026, 4, 14, 9), kst(2026, 4, 14, 9, 10)) == pytest.approx(1 / 6)
    # end before start
    assert cal.business_hours_between(kst(2026, 4, 14, 14), kst(2026, 4, 14, 11)) == 0.0
    # mixed zones: 07:00 UTC = 16:00 KST Friday -> Mon 10:00 KST
    start = datetime(2026, 4, 10, 7, tzinfo=timezone.utc)
    assert cal.business_hours_between(start, kst(2026, 4, 13, 10)) == 3.0


def test_between_matches_deadline(cal):
    received = kst(2026, 4, 8, 14)
    assert cal.business_hours_between(received, cal.deadline(received, Period(days=5))) == 40.0


def test_between_inverts_add_business_hours(cal):
    # Invariant over many receipt times in 2025-2026 (seeded, deterministic).
    rng = random.Random(19)
    for _ in range(500):
        received = kst(2025, 1, 1) + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        hours = rng.choice([1, 2.5, 3, 8, 16, 40])
        due = cal.add_business_hours(received, hours)
        assert due > received
        assert cal.business_hours_between(received, due) == pytest.approx(hours)
        end_of_day = cal.add_business_days(received, rng.randrange(6, 30))
        assert cal.is_business_day(end_of_day.date()) and end_of_day.time() == time(18)


def test_business_hours_left(cal):
    deadline = kst(2026, 4, 13, 18)  # Mon
    assert cal.business_hours_left(kst(2026, 4, 13, 10), deadline) == 7.0  # 2 + 5
    assert cal.business_hours_left(kst(2026, 4, 10, 17), deadline) == 9.0  # Fri 1 + Mon 8
    assert cal.business_hours_left(kst(2026, 4, 14, 10), deadline) == -1.0  # overdue 1h
    assert cal.business_hours_left(kst(2026, 4, 13, 20), deadline) == 0.0  # after hours


# --- overrides and calendar file ----------------------------------------------------------


def test_override_adds_and_removes_days():
    cal = BusinessCalendar(
        extra_holidays={date(2026, 11, 23): "임시공휴일 (test)"},
        not_holidays={date(2026, 6, 3)},
    )
    assert cal.is_holiday(date(2026, 11, 23))
    assert cal.holiday_name(date(2026, 11, 23)) == "임시공휴일 (test)"
    assert not cal.is_holiday(date(2026, 6, 3))
    assert cal.holiday_name(date(2026, 6, 3)) is None
    assert cal.is_business_day(date(2026, 6, 3))
    # Fri 11/20 17:00: 1h; Mon 11/23 now a holiday -> Tue 11/24 11:00.
    assert cal.deadline(kst(2026, 11, 20, 17), Period(hours=3)) == kst(2026, 11, 24, 11)
    # Tue 6/2 17:30: 0.5h; Wed 6/3 is worked again -> 6/3 11:30.
    assert cal.deadline(kst(2026, 6, 2, 17, 30), Period(hours=3)) == kst(2026, 6, 3, 11, 30)
    # library holidays not overridden are untouched
    assert cal.is_holiday(date(2026, 7, 17))


def test_without_override_same_cases(cal):
    assert cal.deadline(kst(2026, 11, 20, 17), Period(hours=3)) == kst(2026, 11, 23, 11)


def test_from_file_custom(tmp_path):
    path = tmp_path / "calendar.json"
    path.write_text(
        json.dumps(
            {
                "source": "test",
                "updated": "2026-11-21",
                "working_hours": [["08:00", "12:00"], ["13:00", "17:00"]],
                "extra_holidays": [{"date": "2026-11-23", "name": "임시공휴일"}],
                "not_holidays": ["2026-06-03", {"date": "2026-07-17", "reason": "test"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    cal = BusinessCalendar.from_file(path)
    assert cal.periods == [(time(8), time(12)), (time(13), time(17))]
    assert cal.is_holiday(date(2026, 11, 23))
    assert cal.is_business_day(date(2026, 6, 3)) and cal.is_business_day(date(2026, 7, 17))
    # Fri 11/20 16:00: 1h; Mon 11/23 holiday -> Tue 11/24 08:00 + 2h = 10:00.
    assert cal.deadline(kst(2026, 11, 20, 16), Period(hours=3)) == kst(2026, 11, 24, 10)
    # 7d closes at the configured end of day (17:00): Tue 11/24 d1 .. Wed 12/2 d7.
    assert cal.deadline(kst(2026, 11, 24, 9), Period(days=7)) == kst(2026, 12, 2, 17)


def test_default_file(cal):
    assert cal.periods == [(time(9), time(12)), (time(13), time(18))]
    assert cal.extra_holidays == {} and cal.not_holidays == set()
    data = json.loads(DEFAULT_CALENDAR_FILE.read_text(encoding="utf-8"))
    assert data["source"] and data["updated"] and "_format" in data


def test_bad_periods():
    with pytest.raises(ValueError):
        BusinessCalendar(periods=[(time(9), time(13)), (time(12), time(18))])
    with pytest.raises(ValueError):
        BusinessCalendar(periods=[(time(18), time(9))])


# --- Period -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "s,expected",
    [
        ("7d", Period(days=7)),
        ("14d", Period(days=14)),
        ("3h", Period(hours=3)),
        (" 7D ", Period(days=7)),
    ],
)
def test_period_parse_good(s, expected):
    assert Period.parse(s) == expected


@pytest.mark.parametrize("s", ["", "7", "d7", "7w", "-3h", "0d", "7d3h", "1.5h", "즉시", "abc", None])
def test_period_parse_bad(s):
    with pytest.raises(ValueError):
        Period.parse(s)


def test_period_str_and_validation():
    assert str(Period(days=7)) == "7d"
    assert str(Period(hours=3)) == "3h"
    assert str(Period.parse("14d")) == "14d"
    with pytest.raises(ValueError):
        Period(days=1, hours=3)
    with pytest.raises(ValueError):
        Period()
