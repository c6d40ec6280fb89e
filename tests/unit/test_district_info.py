"""The per-동 data files (workflows/data/dongs/*.json) and their loader's validation errors."""

from __future__ import annotations

import copy
import json

import pytest

from workflows import district_info
from workflows.district_info import DistrictDataError, load_all, load_dong, parse_dong


@pytest.fixture(scope="module")
def shipped(district):
    return load_all(dongs=district.dongs)


@pytest.fixture
def raw():
    return json.loads((district_info.DEFAULT_DIR / "jayang1.json").read_text(encoding="utf-8"))


def problems(raw_data) -> list[str]:
    with pytest.raises(DistrictDataError) as e:
        parse_dong(raw_data, "x.json")
    return e.value.problems


def test_shipped_sample_data_covers_three_dongs_and_is_marked(shipped, district):
    assert {"자양1동", "화양동", "구의1동"} <= set(shipped)
    assert set(shipped) <= set(district.dongs)
    for info in shipped.values():
        assert info.sample is True and info.source and info.updated.year >= 2026
        assert info.centre.phone and info.centre.hours and info.centre.address
        assert {"waste", "recycling", "parking_permit"} <= set(info.notes)
        assert all(ko and en for ko, en in info.notes.values())
        kinds = {f.kind for f in info.facilities}
        assert kinds == set(district_info.KINDS), set(district_info.KINDS) - kinds  # every kind present
        for p in (info.centre, *info.facilities):
            assert 37.53 <= p.lat <= 37.55 and 127.06 <= p.lon <= 127.09, (info.dong, p.name)


def test_centre_phone_matches_the_district_profile(shipped, district):
    for info in shipped.values():
        dept = next(d for d in district.departments.values() if d.name_ko == info.centre.name)
        assert dept.phone == info.centre.phone


def test_places_and_notes(shipped):
    info = shipped["자양1동"]
    assert info.places("centre") == [info.centre]
    assert [p.name for p in info.places("childcare", limit=1)] == ["샘플구립 자양해오름어린이집"]
    assert info.note("waste", "en").startswith("General waste")
    assert info.note("waste", "ko").startswith("일반 쓰레기")
    assert info.note("no_such", "ko") is None
    assert info.centre.venue_address() == "서울특별시 샘플구 자양로 117 · ☎ 02-450-1711 · 평일 09:00–18:00"


def test_a_valid_file_parses(raw):
    info = parse_dong(raw, "jayang1.json")
    assert info.dong == "자양1동" and len(info.facilities) == len(raw["facilities"])


def test_missing_fields_are_named(raw):
    del raw["source"]
    del raw["centre"]["phone"]
    del raw["facilities"][2]["address"]
    raw["notes"].pop("waste")
    got = problems(raw)
    assert ".source: missing" in got
    assert "centre.phone: missing" in got
    assert "facilities[2] (뚝섬한강공원 자양지구).address: missing" in got
    assert any(p.startswith("notes.waste: missing") for p in got)
    assert len(got) == 4  # every problem at once, nothing else


def test_bad_coordinates(raw):
    raw["facilities"][0]["lat"] = 127.07961  # copied the longitude
    raw["facilities"][1]["lat"], raw["facilities"][1]["lon"] = 127.08582, 37.53493  # swapped
    raw["facilities"][3]["lon"] = "127.08"  # a string
    raw["facilities"][4]["lat"] = True  # not a number
    raw["facilities"][5]["lon"] = float("nan")
    raw["centre"]["lat"] = 0
    got = problems(raw)
    assert "facilities[0] (샘플구립 자양한강도서관).lat: 127.07961 is not a latitude in Korea (33.0–38.7)" in got
    assert any("자양근린공원" in p and "look swapped" in p for p in got)
    assert any(p.startswith("facilities[3]") and "must be a number" in p for p in got)
    assert any(p.startswith("facilities[4]") and "must be a number" in p for p in got)
    assert any(p.startswith("facilities[5]") and "must be a number" in p for p in got)
    assert "centre.lat: 0.0 is not a latitude in Korea (33.0–38.7)" in got


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda r: r["facilities"][0].update(kind="museum"),
            "facilities[0] (샘플구립 자양한강도서관).kind: 'museum' is not one of",
        ),
        (lambda r: r.update(updated="21.11.2026"), ".updated: '21.11.2026' is not a date (YYYY-MM-DD)"),
        (lambda r: r.update(sample="yes"), ".sample: must be true or false"),
        (lambda r: r["notes"].update(wastes={"ko": "x"}), "notes.wastes: unknown note"),
        (lambda r: r["notes"]["recycling"].pop("ko"), "notes.recycling.ko: missing"),
        (lambda r: r.update(facilities={}), "facilities: must be a list"),
        (lambda r: r["facilities"].append("도서관"), "facilities[19]: must be an object"),
        (lambda r: r["facilities"][0].update(name="가" * 65), "name: longer than 64 characters"),
        (lambda r: r["centre"].update(name=12), "centre.name: must be text, got int 12"),
    ],
)
def test_other_errors(raw, change, expected):
    change(raw)
    assert any(expected in p for p in problems(raw)), problems(raw)


def test_error_message_names_the_file(tmp_path, raw):
    bad = copy.deepcopy(raw)
    bad["facilities"][0]["lat"] = 3.75
    path = tmp_path / "jayang1.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DistrictDataError, match=r"jayang1\.json: facilities\[0\].*lat: 3.75 is not a latitude"):
        load_dong(path)


def test_invalid_json_and_encoding(tmp_path):
    (tmp_path / "a.json").write_text('{"dong": "자양1동",}', encoding="utf-8")
    with pytest.raises(DistrictDataError, match=r"not valid JSON.*line 1"):
        load_dong(tmp_path / "a.json")
    (tmp_path / "b.json").write_bytes('{"dong": "자양1동"}'.encode("cp949"))
    with pytest.raises(DistrictDataError, match="not UTF-8"):
        load_dong(tmp_path / "b.json")
    with pytest.raises(DistrictDataError, match="one JSON object"):
        parse_dong([], "c.json")


def test_load_all_refuses_unknown_and_duplicate_dongs(tmp_path, raw, district):
    (tmp_path / "one.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "two.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    other = dict(raw, dong="없는동")
    (tmp_path / "three.json").write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DistrictDataError) as e:
        load_all(tmp_path, district.dongs)
    text = str(e.value)
    assert "two.json: dong '자양1동' also in" in text and "'없는동' is not a 동 of the district" in text
    with pytest.raises(DistrictDataError, match="folder not found"):
        load_all(tmp_path / "missing")


# --- English forms, real phone numbers, no placeholders (issue 15 §4) ------------------------------


def test_every_place_and_note_has_an_english_form(shipped):
    for info in shipped.values():
        for p in (info.centre, *info.facilities):
            assert p.name_en and p.address_en, p.name
            assert not district_info.HANGUL.search(p.name_en + p.address_en + p.hours_en + p.detail_en), p.name_en
            assert bool(p.hours) == bool(p.hours_en) and bool(p.detail) == bool(p.detail_en)
    centre = shipped["자양1동"].centre
    assert (
        centre.title("en") == "Jayang 1-dong Community Center (자양1동 주민센터)"
        and centre.title("ko") == "자양1동 주민센터"
    )
    assert centre.venue_address("en") == "117 Jayang-ro, Sample-gu, Seoul · ☎ 02-450-1711 · Mon–Fri 09:00–18:00"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r["centre"].pop("name_en"), "centre.name_en: missing"),
        (lambda r: r["facilities"][0].pop("address_en"), "facilities[0] (샘플구립 자양한강도서관).address_en: missing"),
        (lambda r: r["facilities"][0].pop("hours_en"), "facilities[0] (샘플구립 자양한강도서관).hours_en: missing"),
        (
            lambda r: r["facilities"][1].update(name_en="자양 Park"),
            "facilities[1] (자양근린공원).name_en: '자양 Park' is the English form but holds Hangul",
        ),
        (lambda r: r["notes"]["waste"].pop("en"), "notes.waste.en: missing"),
        (lambda r: r["facilities"][17].pop("detail_en"), "facilities[17] (자양동물병원).detail_en: missing"),
    ],
)
def test_english_forms_are_required(raw, change, expected):
    change(raw)
    assert expected in problems(raw), problems(raw)


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("123", "'123' is a nationwide short number of 한국전력, not of 샘플구립 자양한강도서관"),
        ("1588-0000", "'1588-0000' looks like a placeholder"),
        ("010-1234-5678", "'010-1234-5678' looks like a placeholder"),
        ("450-1950", "'450-1950' is not a Korean phone number"),
        ("확인 필요", "is not a Korean phone number"),
    ],
)
def test_phone_numbers_must_be_real(raw, phone, expected):
    raw["facilities"][0]["phone"] = phone
    assert any(
        p.startswith("facilities[0] (샘플구립 자양한강도서관).phone: ") and expected in p for p in problems(raw)
    ), problems(raw)


@pytest.mark.parametrize(
    ("phone", "owner", "ok"),
    [
        ("02-450-1711", "", True),
        ("031-123-4567", "", True),
        ("02-3436-4301", "", True),
        ("1577-1000", "", True),
        ("1355", "국민연금공단", True),
        ("123", "한국전력공사", True),
        ("1332", "금융감독원 (안심상속)", True),
        ("123", "샘플구청", False),
        ("1355", "", False),
        ("12", "", False),
        ("02-450-0000", "", False),
        ("", "", False),
    ],
)
def test_check_phone(phone, owner, ok):
    assert (district_info.check_phone(phone, owner) is None) == ok


@pytest.mark.parametrize(
    "value", ["확인 필요", "감면 기간 (확인필요)", "TODO", "tbd", "to be confirmed", "???", "FIXME: 번호"]
)
def test_placeholders_are_refused_wherever_a_resident_would_read_them(raw, value):
    raw["notes"]["library"]["ko"] = value
    assert any(p.startswith("notes.library.ko: ") and "placeholder" in p for p in problems(raw)), problems(raw)
    assert district_info.placeholder("도서관 회원증은 신분증으로 바로 만듭니다") is None
    assert district_info.placeholder("Todos los días") is None  # a word that starts like one is not one


def _onestop_problems(raw, where="x.json") -> list[str]:
    with pytest.raises(DistrictDataError) as e:
        district_info.check_onestop_data(raw, where)
    return e.value.problems


def test_the_shipped_one_stop_data_passes():
    for name in ("benefits.json", "death_agencies.json"):
        raw = json.loads((district_info.DEFAULT_DIR.parent / name).read_text(encoding="utf-8"))
        district_info.check_onestop_data(raw, name)  # no placeholder, real phones, English forms


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda r: r["bodies"]["KEPCO"].update(retention_ko="감면 적용이 끝날 때까지 (보존 기간 — 확인 필요)"),
            "bodies.KEPCO.retention_ko: '확인 필요' is a placeholder",
        ),
        (
            lambda r: r["bodies"]["KEPCO"].update(retention_en="until the discount ends (— to be confirmed)"),
            "bodies.KEPCO.retention_en: 'to be confirmed' is a placeholder",
        ),
        (
            lambda r: r["bodies"]["CITYGAS"].update(phone="123"),
            "CITYGAS.phone: '123' is a nationwide short number of 한국전력",
        ),
        (lambda r: r["bodies"]["KDHC"].update(phone="1588-0000"), "KDHC.phone: '1588-0000' looks like a placeholder"),
        (lambda r: r["benefits"][0].pop("legal_basis_en"), "benefits[0] (parental_allowance).legal_basis_en: missing"),
        (lambda r: r["benefits"][0].update(needs_en=""), "benefits[0] (parental_allowance).needs_en: missing"),
        (lambda r: r["benefits"][1].update(legal_basis_en="아동수당법 §4①"), "is the English form but holds Hangul"),
    ],
)
def test_one_stop_data_a_family_reads_is_checked(change, expected):
    raw = json.loads((district_info.DEFAULT_DIR.parent / "benefits.json").read_text(encoding="utf-8"))
    change(raw)
    assert any(expected in p for p in _onestop_problems(raw)), _onestop_problems(raw)
    # "still to be confirmed" in a sentence is plain speech, not a placeholder
    assert district_info.placeholder("The monthly cap is still to be confirmed.") is None
