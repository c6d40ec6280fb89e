"""The district profile (workflows/district.py) on the bundled sample file."""

from __future__ import annotations

import json

import pytest

from workflows.business_time import Period
from workflows.district import DEFAULT_PATH, load_district


def test_sample_district_loads(district):
    assert district.name_ko == "샘플구" and district.name_en == "Sample-gu"
    assert district.first_contact == "CIVIL"
    assert len(district.departments) == 17
    assert len(district.categories) == 13
    assert district.department("ROADS").name("ko") == "건설과"
    assert district.department("ROADS").name("en") == "Roads & Construction Division"
    assert district.department("CIVIL").phone == "02-450-7100"
    assert district.department("CIVIL").group_chat_id is None
    assert district.category("waste").name("en") == "Waste and cleaning"
    assert district.category("waste").keywords[:2] == ("쓰레기", "무단투기")
    assert district.kind_periods == {
        "질의": Period(days=7),
        "건의": Period(days=14),
        "고충": Period(days=7),
        "기타": Period(hours=3),
    }
    assert "_source" not in district.kind_periods
    assert set(district.remedies) == {"objection", "appeal", "acrc", "other_agency"}
    assert district.remedies["acrc"].text("en").startswith("You may petition")
    assert "110" in district.remedies["acrc"].text("ko")
    assert district.answered_autoclose_days == 7
    assert district.reminder_business_hours_before == 8.0
    assert district.dongs[0] == "중곡1동" and len(district.dongs) == 15


def test_load_district_default_path_is_the_sample():
    assert load_district(DEFAULT_PATH) == load_district()


@pytest.mark.parametrize(
    ("category", "department"),
    [
        ("road", "ROADS"),
        ("traffic", "TRAFFIC"),
        ("parking", "PARKING"),
        ("waste", "CLEAN"),
        ("parks", "PARKS"),
        ("building", "BUILDING"),
        ("environment", "ENV"),
        ("hygiene", "HYGIENE"),
        ("welfare", "WELFARE"),
        ("tax", "TAX"),
        ("health", "HEALTH"),
        ("suggestion", "CIVIL"),
        ("other", "CIVIL"),
    ],
)
def test_route(district, category, department):
    assert district.route(category) == department


@pytest.mark.parametrize("category", ["no-such-category", "", "ROAD"])
def test_route_unknown_category_goes_to_first_contact_desk(district, category):
    assert district.route(category) == "CIVIL"


@pytest.mark.parametrize(
    ("category", "period"),
    [
        ("road", Period(days=7)),
        ("welfare", Period(days=7)),
        ("suggestion", Period(days=14)),
        ("other", Period(days=7)),
    ],
)
def test_period_for(district, category, period):
    assert district.period_for(category) == period


def test_the_catch_all_is_a_grievance_for_the_first_contact_desk(district, tmp_path):
    """기타 in the form is what a resident picks when nothing else fits (say, the waiting time at the
    counter): a 고충 answered within 7 days (시행령 §17①), not a 즉시 민원 promised in 3 working
    hours; it goes to the desk the profile names, which classifies it."""
    other = district.category("other")
    assert other.kind == "고충" and district.period_for("other") == Period(days=7)
    assert district.route("other") == district.first_contact
    assert not [c.code for c in district.categories.values() if c.kind == "기타"]

    def desk_elsewhere(raw):
        raw["first_contact_department"] = "ROADS"

    moved = load_district(_write(tmp_path, desk_elsewhere))
    assert moved.route("other") == "ROADS" and moved.route("suggestion") == "CIVIL"


@pytest.mark.parametrize(
    ("sentence", "category"),
    [
        ("집 앞 가로등이 고장났어요", "road"),
        ("골목에 쓰레기 무단투기가 심해요", "waste"),
        # building ("공사") and environment ("소음") both hit once with a 2-character keyword:
        # a tie keeps the category listed first in the profile, which is building.
        ("밤마다 공사 소음 때문에 잠을 못 자요", "building"),
        # 2 hits each (공사+공사장 / 소음+먼지): the longer keyword (공사장) decides
        ("공사장 소음과 먼지가 너무 심합니다", "building"),
        ("밤마다 소음과 진동 때문에 잠을 못 자요", "environment"),
        ("우리 동네 식당에서 식중독이 의심돼요", "hygiene"),
        ("아파트 앞 불법 주차 차량 때문에 못 나가요", "parking"),
        ("재산세 고지서가 잘못 나왔어요", "tax"),
        ("There is a pothole on the sidewalk", "road"),
        ("Broken street light near the bus stop", "road"),
    ],
)
def test_suggest_category(district, sentence, category):
    got = district.suggest_category(sentence)
    assert got is not None and got.code == category


@pytest.mark.parametrize("sentence", ["안녕하세요", "", "   ", "감사합니다!"])
def test_suggest_category_none(district, sentence):
    assert district.suggest_category(sentence) is None


def test_suggest_category_more_hits_win_over_order(district):
    # building: 공사 (1 hit); environment: 소음, 먼지, 악취 (3 hits): most hits first
    got = district.suggest_category("소음 먼지 악취 공사")
    assert got.code == "environment"


def _write(tmp_path, mutate) -> str:
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "district.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_category_with_unknown_department_is_refused(tmp_path):
    def broken(raw):
        raw["categories"][0]["department"] = "NO_SUCH_DEPT"

    with pytest.raises(ValueError, match="road: unknown department NO_SUCH_DEPT"):
        load_district(_write(tmp_path, broken))


def test_category_with_unknown_kind_is_refused(tmp_path):
    def broken(raw):
        raw["categories"][1]["kind"] = "청원"

    with pytest.raises(ValueError, match="traffic: unknown complaint kind"):
        load_district(_write(tmp_path, broken))


def test_unknown_first_contact_department_is_refused(tmp_path):
    def broken(raw):
        raw["first_contact_department"] = "NOWHERE"

    with pytest.raises(ValueError, match="first_contact_department"):
        load_district(_write(tmp_path, broken))


def test_bad_period_is_refused(tmp_path):
    def broken(raw):
        raw["complaint_kinds"]["질의"] = "seven days"

    with pytest.raises(ValueError):
        load_district(_write(tmp_path, broken))


def test_a_valid_custom_profile_loads(tmp_path):
    def custom(raw):
        raw["departments"][5]["group_chat_id"] = -1001234567890
        raw["answered_autoclose_days"] = 3
        raw["reminder_business_hours_before"] = 4.5

    d = load_district(_write(tmp_path, custom))
    assert d.department("ROADS").group_chat_id == -1001234567890
    assert d.answered_autoclose_days == 3 and d.reminder_business_hours_before == 4.5


@pytest.mark.parametrize(
    ("sentence", "wrong"),
    [
        ("The street is dirty", "parks"),
        ("The street is flooded after rain", "parks"),
        ("Cars parked in front of my gate every night", "parks"),
        ("Please define the rules for the market", "tax"),
    ],
)
def test_english_keywords_match_whole_words(district, sentence, wrong):
    got = district.suggest_category(sentence)
    assert got is None or got.code != wrong


def test_every_dong_has_an_english_name():
    d = load_district()
    assert len(d.dongs_en) == len(d.dongs) == 15
    assert d.dong_name("자양1동", "en") == "Jayang 1-dong (자양1동)" and d.dong_name("자양1동", "ko") == "자양1동"
    assert d.dong_name("능동", "en") == "Neung-dong (능동)"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda raw: raw["dongs"].__setitem__(0, "중곡1동"), "dongs[0] (중곡1동).name_en: missing"),
        (lambda raw: raw["dongs"][1].pop("name_en"), "dongs[1] (중곡2동).name_en: missing"),
        (
            lambda raw: raw["dongs"][2].update(name_en="중곡 3-dong"),
            "dongs[2] (중곡3동).name_en: '중곡 3-dong' is the English form but holds Hangul",
        ),
        (
            lambda raw: raw["district"].update(main_phone="123"),
            "district.main_phone: '123' is a nationwide short number",
        ),
        (
            lambda raw: raw["departments"][0].update(phone="02-450-XXXX"),
            "departments (CIVIL).phone: '02-450-XXXX' is not a Korean phone number",
        ),
        (
            lambda raw: raw["reject_remedies"][0].update(ko="행정심판 (확인 필요)"),
            "reject_remedies[0].ko: '확인 필요' is a placeholder",
        ),
    ],
)
def test_the_profile_is_refused_with_what_misleads_residents(tmp_path, mutate, expected):
    with pytest.raises(ValueError) as e:
        load_district(_write(tmp_path, mutate))
    assert expected in str(e.value), str(e.value)
