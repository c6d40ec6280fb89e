"""The benefits engine (workflows/onestop/benefits.py) on real cases, against the catalogue as shipped."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from workflows.onestop.benefits import (
    CATALOGUE_PATH,
    Catalogue,
    Household,
    add_months,
    age_months,
    district_grant,
    load_catalogue,
    voucher_last_day,
    won,
)
from workflows.district import load_district

CAT = load_catalogue()
SAMPLE_GRANT = district_grant(load_district().raw["onestop"])


def _by_code(ev):
    return {e.code: e for e in ev.entitled}


def test_first_child_born_2026_03_02_in_the_sample_district():
    """A first child, no optional answers, a 수도권 district (no 아동수당 add-on)."""
    h = Household(birth_date=date(2026, 3, 2), order=1)
    ev = CAT.evaluate(h, today=date(2026, 3, 10), region_class="capital_area", grant=SAMPLE_GRANT)
    got = _by_code(ev)
    assert list(got) == [
        "parental_allowance",
        "child_allowance",
        "first_meeting_voucher",
        "home_care_allowance",
        "birth_household_electricity",
        "district_birth_grant",
    ]
    assert got["parental_allowance"].first_year == 12 * 1_000_000  # 0세 월 100만원 x 12
    assert got["child_allowance"].first_year == 12 * 100_000  # 월 10만원, no add-on in 수도권
    assert got["first_meeting_voucher"].first_year == 2_000_000  # 첫째 200만원
    assert got["home_care_allowance"].first_year == 0 and got["home_care_allowance"].starts_later
    assert got["home_care_allowance"].confirmed is False  # kr-facts [L]
    elec = got["birth_household_electricity"]
    assert (elec.first_year, elec.upper_bound, elec.confirmed) == (12 * 16_000, True, False)
    assert got["district_birth_grant"].first_year == 300_000 and got["district_birth_grant"].confirmed is False
    assert ev.total(confirmed=True) == 15_200_000
    assert ev.total(confirmed=False) == 192_000 + 300_000
    assert ev.not_combined == []


def test_regional_add_on_counts_only_payment_months_inside_its_window():
    """Non-수도권 (대전 유성구): +5천원 for payment days 2026-03-27..2026-12-31: April to December."""
    h = Household(birth_date=date(2026, 3, 2), order=1)
    ev = CAT.evaluate(h, today=date(2026, 3, 10), region_class="non_capital", grant=None)
    assert _by_code(ev)["child_allowance"].first_year == 12 * 100_000 + 9 * 5_000
    assert "district_birth_grant" not in _by_code(ev)  # a district without its own grant
    dep = CAT.evaluate(h, today=date(2026, 3, 10), region_class="depopulation_special", grant=None)
    assert _by_code(dep)["child_allowance"].first_year == 12 * 100_000 + 9 * 20_000


def test_second_child_in_a_basic_livelihood_household():
    h = Household(birth_date=date(2026, 11, 2), order=2, recipient=True)
    ev = CAT.evaluate(h, today=date(2026, 11, 23), region_class="capital_area", grant=SAMPLE_GRANT)
    got = _by_code(ev)
    assert got["first_meeting_voucher"].first_year == 3_000_000  # 둘째 이후 300만원
    assert got["childbirth_grant"].first_year == 1_000_000  # 해산급여, kr-facts [L]
    assert got["childbirth_grant"].confirmed is False
    assert got["diaper_formula_voucher"].first_year is None  # amount not known: no guess
    assert got["district_birth_grant"].first_year == 500_000
    assert "multi_child_electricity" not in got and "multi_child_city_gas" not in got
    assert ev.total(confirmed=True) == 12_000_000 + 1_200_000 + 3_000_000
    # the same family skipping the optional question is not offered 해산급여
    skipped = CAT.evaluate(
        Household(date(2026, 11, 2), 2, recipient=None),
        today=date(2026, 11, 23),
        region_class="capital_area",
        grant=SAMPLE_GRANT,
    )
    assert "childbirth_grant" not in _by_code(skipped) and "diaper_formula_voucher" not in _by_code(skipped)


def test_third_child_heating_and_the_kepco_exclusive_group():
    h = Household(birth_date=date(2026, 11, 2), order=3, heating="city_gas")
    ev = CAT.evaluate(h, today=date(2026, 11, 23), region_class="capital_area", grant=SAMPLE_GRANT)
    got = _by_code(ev)
    assert got["first_meeting_voucher"].first_year == 3_000_000
    assert "multi_child_city_gas" in got and got["multi_child_city_gas"].first_year is None
    assert "multi_child_district_heating" not in got
    assert "birth_household_electricity" in got and "multi_child_electricity" not in got
    assert [(a.code, b.code) for a, b in ev.not_combined] == [
        ("multi_child_electricity", "birth_household_electricity")
    ]
    assert got["district_birth_grant"].first_year == 1_000_000
    district = CAT.evaluate(
        Household(date(2026, 11, 2), 3, heating="district"),
        today=date(2026, 11, 23),
        region_class="capital_area",
        grant=None,
    )
    assert "multi_child_district_heating" in _by_code(district)


def test_age_limits_follow_the_application_day():
    h = Household(birth_date=date(2024, 10, 1), order=1)
    ev = CAT.evaluate(h, today=date(2026, 11, 23), region_class="capital_area", grant=None)
    got = _by_code(ev)
    assert "parental_allowance" not in got and "first_meeting_voucher" not in got  # 2세 이상
    assert "birth_household_electricity" in got  # under 3 years
    assert age_months(date(2024, 10, 1), date(2026, 11, 23)) == 25


def test_amount_rule_text_and_won():
    h = Household(birth_date=date(2026, 3, 2), order=1)
    b = CAT.benefits["parental_allowance"]
    assert CAT.amount_rule_text(b, h, "ko", None, "capital_area") == "월 100만원 (0세) · 월 50만원 (1세)"
    assert CAT.amount_rule_text(b, h, "en", None, "capital_area") == "₩1,000,000/month (age 0) · ₩500,000/month (age 1)"
    voucher = CAT.amount_rule_text(CAT.benefits["first_meeting_voucher"], h, "ko", None, "capital_area")
    assert voucher == "200만원 (한 번), 2028-03-01까지 사용"
    assert "지역 추가 월 5천원" not in CAT.amount_rule_text(
        CAT.benefits["child_allowance"], h, "ko", None, "capital_area"
    )
    assert (
        won(16_000, "ko") == "1만 6천원" and won(12_000_000, "ko") == "1,200만원" and won(192_000, "ko") == "19만 2천원"
    )
    assert won(5_000, "ko") == "5,000원" and won(None, "ko") == "-"


def test_add_months_and_age():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 2), -24) == date(2024, 3, 2)
    assert age_months(date(2026, 3, 31), date(2026, 4, 30)) == 1
    assert age_months(date(2026, 3, 15), date(2026, 4, 14)) == 0


def test_the_catalogue_keeps_unconfirmed_values_flagged_not_hidden():
    raw = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    assert raw["source"] and raw["updated"]
    for b in raw["benefits"]:
        assert b["legal_basis"] and b["source"] and b["confidence"], b["code"]
        if b["confidence"] == "L":
            assert b["confirmed"] is False, b["code"]
    unconfirmed = {b["code"] for b in raw["benefits"] if not b["confirmed"]}
    assert {"home_care_allowance", "birth_household_electricity", "childbirth_grant"} <= unconfirmed
    assert {"parental_allowance", "first_meeting_voucher"}.isdisjoint(unconfirmed)


def test_bad_catalogue_entries_are_refused():
    raw = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    bad = copy.deepcopy(raw)
    next(b for b in bad["benefits"] if b["code"] == "birth_household_electricity")["consents"] = ["collection"]
    with pytest.raises(ValueError, match="provision"):
        Catalogue(bad)
    bad = copy.deepcopy(raw)
    bad["benefits"][0]["amount"] = {"type": "guess"}
    with pytest.raises(ValueError, match="amount type"):
        Catalogue(bad)
    with pytest.raises(ValueError):
        CAT.evaluate(Household(date(2026, 3, 2), 1), today=date(2026, 3, 10), region_class="mars")
    with pytest.raises(ValueError):
        CAT.evaluate(Household(date(2026, 3, 2), 4), today=date(2026, 3, 10), region_class="capital_area")


def test_the_voucher_s_last_day_is_one_date_in_both_languages():
    """시행령 §10의3⑥ "출생한 날부터 2년이 되는 날까지": born 2026-01-31, the last day is 2028-01-30
    (the birth day is day 1), and the English text says so as well as the Korean one."""
    b = CAT.benefits["first_meeting_voucher"]
    h = Household(birth_date=date(2026, 1, 31), order=1)
    ko = CAT.amount_rule_text(b, h, "ko", None, "capital_area")
    en = CAT.amount_rule_text(b, h, "en", None, "capital_area")
    assert ko == "200만원 (한 번), 2028-01-30까지 사용"
    assert en == "₩2,000,000 (once), usable up to and including 2028-01-30"
    assert "2028-01-31" not in ko + en
    assert voucher_last_day(date(2024, 2, 29), 2) == date(2026, 2, 28)  # no 2/29: the month's last day
    assert voucher_last_day(date(2026, 3, 1), 2) == date(2028, 2, 29)


def test_monthly_benefits_count_from_the_month_the_60_day_rule_allows():
    """Born 2026-10-01. Applied within 60 days (2026-11-30): paid from October, the whole first year.
    Applied 64 days after birth (2026-12-04): paid from December only, so October and November
    are not in the first-year total (it was 1,620만 원 either way)."""
    h = Household(birth_date=date(2026, 10, 1), order=1)
    on_time = CAT.evaluate(h, today=date(2026, 11, 30), region_class="capital_area", grant=SAMPLE_GRANT)
    late = CAT.evaluate(h, today=date(2026, 12, 4), region_class="capital_area", grant=SAMPLE_GRANT)
    t_on, t_late = _by_code(on_time), _by_code(late)
    assert t_on["parental_allowance"].first_year == 12 * 1_000_000 and not t_on["parental_allowance"].late
    assert t_on["child_allowance"].first_year == 12 * 100_000
    assert on_time.total(confirmed=True) == 15_200_000
    assert t_late["parental_allowance"].first_year == 10 * 1_000_000
    assert t_late["parental_allowance"].paid_from == date(2026, 12, 1) and t_late["parental_allowance"].late
    assert t_late["child_allowance"].first_year == 10 * 100_000
    assert t_late["first_meeting_voucher"].first_year == 2_000_000  # a lump sum: no month rule
    assert late.total(confirmed=True) == 15_200_000 - 2 * 1_100_000
    # the 60th day after birth is still in time (the birth day not counted); the 61st is not
    assert not _by_code(CAT.evaluate(h, today=date(2026, 11, 30), region_class="capital_area"))["child_allowance"].late
    assert _by_code(CAT.evaluate(h, today=date(2026, 12, 1), region_class="capital_area"))["child_allowance"].late
    # the family is told from which month
    rule = CAT.amount_rule_text(
        CAT.benefits["parental_allowance"], h, "ko", None, "capital_area", applied_on=date(2026, 12, 4)
    )
    assert rule.endswith("2026-12분부터 지급 (출생 후 60일이 지나 신청하면 신청한 달부터)")
    en = CAT.amount_rule_text(
        CAT.benefits["child_allowance"], h, "en", None, "capital_area", applied_on=date(2026, 12, 4)
    )
    assert "paid from 2026-12" in en
    assert "분부터" not in CAT.amount_rule_text(
        CAT.benefits["parental_allowance"], h, "ko", None, "capital_area", applied_on=date(2026, 11, 30)
    )


def test_a_late_application_keeps_regional_add_ons_to_the_months_paid():
    h = Household(birth_date=date(2026, 3, 2), order=1)
    ev = CAT.evaluate(h, today=date(2026, 6, 10), region_class="non_capital", grant=None)
    # paid from June: June 2026 .. February 2027 = 9 months, the add-on for June..December = 7
    assert _by_code(ev)["child_allowance"].first_year == 9 * 100_000 + 7 * 5_000
