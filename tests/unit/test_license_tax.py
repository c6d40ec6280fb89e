"""등록면허세 one-stop (workflows/license_tax/service.py, licensing_bodies.py, notice_render.py): every cell of
the §34 table, the column rules of §34②③④, the Luhn check digit of the virtual accounts, the
non-taxable cases of 시행령 §40②, and the notice → payment → confirmation service layer."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from workflows.models import (
    Complaint,
    LicenseTaxConfirmation,
    LicenseTaxEvent,
    LicenseTaxNotice,
    OutboxFile,
    OutboxMessage,
    User,
)
from tests.unit.conftest import ADMIN_ID, KST
from workflows import roles
from workflows.license_tax import service as lt
from workflows.license_tax import licensing_bodies
from workflows.license_tax import notice_render
from workflows.onestop import agency_notify
from workflows.district import DEFAULT_PATH, load_district
from workflows.license_tax.service import Draft, LicenseTaxError
from workflows.state_machine import TransitionError

CITIZEN, TAX_OFFICER, CLEAN_OFFICER, POLICE_CHAT, OTHER_CHAT = 1001, 2001, 2002, -1001000000101, -100999
SECRET = "body-secret"
KEA_URL = "https://kea.example/license-tax"

# 지방세법 §34① as printed in the statute (kr-facts.md §2.1), written out independently of the data file.
STATUTE = {
    1: {"city_500k": 67500, "city": 45000, "county": 27000},
    2: {"city_500k": 54000, "city": 34000, "county": 18000},
    3: {"city_500k": 40500, "city": 22500, "county": 12000},
    4: {"city_500k": 27000, "city": 15000, "county": 9000},
    5: {"city_500k": 18000, "city": 7500, "county": 4500},
}
CAT = lt.load_catalogue()


def district_info(tax_class: str, **kw) -> dict:
    return {"tax_class": tax_class, **kw}


def confirmed_catalogue(tmp_path):
    """The shipped catalogue plus one confirmed licence per 종 and a banded one (as a district would
    write after reading 별표 1)."""
    raw = json.loads(lt.DATA.read_text(encoding="utf-8"))
    for c in lt.CLASSES:
        raw["licences"].append(
            {
                "code": f"test_class_{c}",
                "ko": f"시험 면허 {c}종",
                "en": f"test licence {c}",
                "class": c,
                "confirmed": True,
                "confidence": "high",
                "source": "test",
            }
        )
    raw["licences"].append(
        {
            "code": "test_banded",
            "ko": "면적별 시험 면허",
            "en": "banded",
            "class": None,
            "confirmed": False,
            "figure": "area_m2",
            "source": "test",
            "bands": [
                {"min": 0, "max": 100, "class": 5, "confirmed": True},
                {"min": 100, "max": None, "class": 4, "confirmed": True},
            ],
        }
    )
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


# --- §34①: every cell, through the column rules -------------------------------------------------------


def test_the_data_file_holds_the_statute_table_with_its_source():
    assert CAT.rates == STATUTE
    assert "§34①" in CAT.rates_source and CAT.effective_from


@pytest.mark.parametrize("tax_class", lt.CLASSES)
@pytest.mark.parametrize(
    "info, place, column",
    [
        (district_info("special_city_gu"), "중곡1동", "city_500k"),
        (district_info("city", population_jan1=512_000), "어느동", "city_500k"),
        (district_info("city", population_jan1=310_000), "어느동", "city"),
        (district_info("gun"), "어느읍", "county"),
    ],
)
def test_every_cell_of_the_table(tmp_path, tax_class, info, place, column):
    cat = lt.load_catalogue(confirmed_catalogue(tmp_path))
    district = dataclasses.replace(load_district(), raw={**load_district().raw, "district": info}, dongs=(place,))
    a = lt.assess(cat, district, licence=f"test_class_{tax_class}", kind="new", place=place)
    assert (a.column.code, a.tax_class, a.class_confirmed) == (column, tax_class, True)
    assert a.amount == STATUTE[tax_class][column]


# --- §34②③④: which column ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "info, place, column, by_area",
    [
        (district_info("special_city_gu"), "중곡1동", "city_500k", None),  # §34③ 특별시의 구
        (district_info("metro_city_gu"), "둔산동", "city_500k", None),  # §34③ 광역시의 구
        (district_info("metro_city_gun"), "기장읍", "county", None),  # §34③ 단서 광역시의 군
        (district_info("city", population_jan1=500_000), "동", "city_500k", None),  # §34④ exactly 50만
        (district_info("city", population_jan1=499_999), "동", "city", None),
        (
            district_info("urban_rural_city", population_dong_areas=650_000, eup_myeon=["진접읍", "수동면"]),
            "다산동",
            "city_500k",
            "dong",
        ),  # §34② 동 area, 50만 이상
        (
            district_info("urban_rural_city", population_dong_areas=650_000, eup_myeon=["진접읍", "수동면"]),
            "진접읍",
            "county",
            "eup_myeon",
        ),  # §34② 읍 area = 군
        (
            district_info("urban_rural_city", population_dong_areas=650_000, eup_myeon=["진접읍", "수동면"]),
            "수동면",
            "county",
            "eup_myeon",
        ),  # 면 area = 군
        (
            district_info("urban_rural_city", population_dong_areas=210_000, eup_myeon=["진접읍"]),
            "금곡동",
            "city",
            "dong",
        ),  # 동 area under 50만
        (
            district_info("special_self_governing_city", population_dong_areas=300_000, eup_myeon=["조치원읍"]),
            "조치원읍",
            "county",
            "eup_myeon",
        ),  # §34② 특별자치시
        (district_info("gun"), "어느면", "county", None),  # 군
    ],
)
def test_column_rules(info, place, column, by_area):
    c = lt.column_for(info, place, CAT)
    assert (c.code, c.by_area) == (column, by_area)
    assert "§34" in c.area.basis


@pytest.mark.parametrize(
    "info",
    [district_info("province"), district_info("city"), district_info("urban_rural_city", eup_myeon=["진접읍"]), {}],
)
def test_column_rules_refuse_an_incomplete_profile(info):
    with pytest.raises(ValueError):
        lt.column_for(info, "다산동", CAT)


def test_a_doonong_city_charges_its_eup_area_the_county_rate(tmp_path):
    cat = lt.load_catalogue(confirmed_catalogue(tmp_path))
    info = district_info("urban_rural_city", population_dong_areas=650_000, eup_myeon=["진접읍"])
    district = dataclasses.replace(
        load_district(), raw={**load_district().raw, "district": info}, dongs=("다산동", "진접읍")
    )
    dong = lt.assess(cat, district, licence="test_class_3", kind="new", place="다산동")
    eup = lt.assess(cat, district, licence="test_class_3", kind="new", place="진접읍")
    assert (dong.amount, eup.amount) == (40500, 12000)
    assert "읍·면 지역" in eup.legal_basis(cat) and "§34②" in eup.legal_basis(cat)


# --- the catalogue -----------------------------------------------------------------------------------


def test_secondary_source_examples_are_unconfirmed_and_low_confidence():
    examples = {
        "liquor_manufacturing": 1,
        "tourist_lodging": 1,
        "food_preservation": 2,
        "overseas_construction": 2,
        "door_to_door_sales": 3,
        "karaoke": 3,
        "mail_order": 3,
        "radio_station": 3,
        "building_use_change": 4,
        "technology_broker": 4,
        "lawyer_practice": 4,
        "laundry": 5,
        "job_placement": 5,
        "tutoring_room": 5,
    }
    for code, cls in examples.items():
        lic = CAT.licences[code]
        assert (lic.tax_class, lic.confirmed, lic.confidence) == (cls, False, "low"), code
        assert lic.source.startswith("kr-facts.md §2.3")


def test_food_service_has_no_confirmed_class_and_asks_for_the_area():
    for code in ("food_service_general", "food_service_rest"):
        lic = CAT.licences[code]
        assert lic.tax_class is None and not lic.confirmed and lic.figure == "area_m2"
        assert "NOT confirmed" in lic.source
        assert lic.class_for(85) == (None, False)


def test_bands_give_the_class_by_the_figure(tmp_path):
    lic = lt.load_catalogue(confirmed_catalogue(tmp_path)).licences["test_banded"]
    assert lic.class_for(99) == (5, True) and lic.class_for(100) == (4, True) and lic.class_for(None) == (None, False)


@pytest.mark.parametrize(
    "query, code",
    [
        ("노래방", "karaoke"),
        ("음식점", "food_service_general"),
        ("카페", "food_service_rest"),
        ("온라인 쇼핑몰", "mail_order"),
        ("online", "mail_order"),
        ("세 탁", "laundry"),
        ("우주여행", None),
    ],
)
def test_keyword_search(query, code):
    found = [lic.code for lic in CAT.search(query)]
    assert (code in found) if code else found == []


def test_a_broken_catalogue_is_refused(tmp_path):
    raw = json.loads(lt.DATA.read_text(encoding="utf-8"))
    raw["licences"][0]["class"] = 6
    with pytest.raises(ValueError):
        lt._parse_catalogue(raw)
    raw = json.loads(lt.DATA.read_text(encoding="utf-8"))
    del raw["rates"]["table"]["5"]
    with pytest.raises(ValueError):
        lt._parse_catalogue(raw)


# --- 시행령 §40②: non-taxable -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, case",
    [("change_rep_name", "change_not_taxable"), ("change_other", "change_not_taxable"), ("community", "community")],
)
def test_non_taxable_kinds_are_answered_without_an_amount(district, kind, case):
    a = lt.assess(CAT, district, licence="mail_order", kind=kind, place="중곡1동")
    assert not a.taxable and a.non_taxable.code == case and a.amount is None
    assert "§40②" in a.non_taxable.basis


def test_taxable_kinds(district):
    for kind in ("new", "change_holder", "change_class_up", "change_unsure"):
        a = lt.assess(CAT, district, licence="mail_order", kind=kind, place="중곡1동")
        assert a.taxable and a.tax_class == 3 and a.amount == 40500 and not a.class_confirmed


def test_a_change_is_taxed_only_when_40_2_1_says_so(district, tmp_path):
    """지방세법 시행령 §40②1: a 변경면허 is taxed only when the licensee changes (not a mere change of
    the representative's name), the 종 goes up, or (the annual levy) the 1 January renewal. A
    노래연습장업 in a 서울 구 that changes only its name or address owes 0원, not 40,500원."""
    change = CAT.kinds["change"]
    assert change.asks and [k.code for k in CAT.first_kinds()] == ["new", "change", "community"]
    assert [r.code for r in CAT.reasons(change)] == [
        "change_holder",
        "change_class_up",
        "change_rep_name",
        "change_other",
        "change_unsure",
    ]
    with pytest.raises(LicenseTaxError):  # "a change" alone is no answer: what changed decides
        lt.assess(CAT, district, licence="karaoke", kind="change", place="화양동")
    for reason in ("change_rep_name", "change_other"):
        a = lt.assess(CAT, district, licence="karaoke", kind=reason, place="화양동")
        assert not a.taxable and a.amount is None and "§40②1" in a.non_taxable.basis
    holder = lt.assess(CAT, district, licence="karaoke", kind="change_holder", place="화양동")
    assert holder.taxable and holder.amount == 40500 and "가목" in holder.kind.basis
    # even a confirmed 종 waits for the officer when the question is whether it went up
    cat = lt.load_catalogue(confirmed_catalogue(tmp_path))
    up = lt.assess(cat, district, licence="test_class_2", kind="change_class_up", place="화양동")
    assert up.taxable and up.amount == 54000 and not up.class_confirmed and "나목" in up.kind.basis
    assert lt.assess(cat, district, licence="test_class_2", kind="change_holder", place="화양동").class_confirmed
    # no file names or URLs in what residents and officers read; the sources stay in the data
    shown = [k.basis for k in CAT.kinds.values()] + [n.basis for n in CAT.non_taxable.values()]
    assert shown and not [b for b in shown if "kr-facts" in b or "http" in b or "flSeq" in b or ".md" in b]


@pytest.mark.parametrize(
    "closed, idle, case",
    [
        (date(2026, 12, 30), None, "closed_by_jan"),  # 1월 1일 현재 폐업신고
        (date(2027, 1, 25), None, "closed_by_jan"),  # 1월 25일까지 포함
        (date(2027, 1, 26), None, None),
        (None, date(2026, 1, 1), "idle_one_year"),  # 365 days idle on 1 January 2027
        (None, date(2026, 1, 2), None),
        (None, None, None),
    ],
)
def test_periodic_levy_exemptions(closed, idle, case):
    found = lt.periodic_exempt(CAT, 2027, closure_reported_on=closed, idle_since=idle)
    assert (found.code if found else None) == case


# --- numbers ---------------------------------------------------------------------------------------------


def test_luhn_check_digit_known_values():
    assert lt.check_digit("7992739871") == "3"  # the textbook example: 79927398713
    assert lt.valid_check_digit("79927398713") and not lt.valid_check_digit("79927398710")
    assert (
        lt.check_digit("0") == "0"
        and lt.check_digit("5620100000012") == lt.virtual_account(lt.payment_config(load_district()), 12)[-1]
    )
    with pytest.raises(ValueError):
        lt.check_digit("12a")


def test_check_digit_catches_every_single_digit_error_and_adjacent_swaps():
    cfg = lt.payment_config(load_district())
    for serial in (1, 12, 345, 98765, 43210987):
        good = lt.virtual_account(cfg, serial)
        assert lt.valid_check_digit(good)
        for i in range(len(good)):
            for d in "0123456789":
                if d != good[i]:
                    assert not lt.valid_check_digit(good[:i] + d + good[i + 1 :])
        for i in range(len(good) - 1):
            a, b = good[i], good[i + 1]
            if a != b and {a, b} != {"0", "9"}:
                assert not lt.valid_check_digit(good[:i] + b + a + good[i + 2 :])


def test_virtual_account_layout():
    cfg = lt.payment_config(load_district())
    acc = lt.virtual_account(cfg, 12)
    assert acc.startswith("56201") and len(acc) == 5 + 8 + 1 and acc[5:13] == "00000012"
    assert lt.format_account(cfg, acc) == f"56201-00000012-{acc[-1]}"
    assert lt.normalize_account(lt.format_account(cfg, acc)) == acc
    with pytest.raises(ValueError):
        lt.virtual_account(cfg, 10**8)


def test_due_date_follows_35_1():
    today = date(2026, 11, 23)
    assert lt.due_date(today, date(2026, 12, 1), 7) == date(2026, 11, 30)
    assert lt.due_date(today, today, 7) == today
    assert lt.due_date(today, None, 7) == date(2026, 11, 30)
    assert lt.due_date(today, None, 3) == date(2026, 11, 26)


TODAY = date(2026, 11, 23)  # the unit tests' clock (conftest MONDAY_10); dates below are relative to it


@pytest.mark.parametrize(
    "typed, days",
    [
        ("2026-12-01", 8),
        ("2026.12.1", 8),
        ("20261201", 8),
        ("2026년 12월 1일", 8),
        ("오늘", 0),
        ("내일", 1),
        ("12월 4일", 11),
        ("12/4", 11),
        (" 12월 4일 ", 11),
        ("11월 23일", 0),
        ("11월 22일", 364),
    ],
)
def test_parse_issue_date(typed, days):
    """Typed as in the birth and death forms; a date without a year is the next such day (11월 22일,
    a day ago this year, means next year's)."""
    assert lt.parse_issue_date(typed, TODAY) == TODAY + timedelta(days=days)


@pytest.mark.parametrize(
    "typed, code",
    [
        ("모레쯤", "date_format"),
        ("2026-02-30", "date_format"),
        ("13월 1일", "date_format"),
        ("2026-11-22", "date_past"),
        ("어제", "date_past"),
        ("2028-01-01", "date_far"),
    ],
)
def test_parse_issue_date_errors(typed, code):
    with pytest.raises(LicenseTaxError) as e:
        lt.parse_issue_date(typed, TODAY)
    assert e.value.code == code


def test_the_example_date_is_never_in_the_past(svc, clock):
    for at in ((2026, 11, 23, 10), (2026, 12, 31, 23), (2027, 6, 1, 0)):
        clock.set(*at)
        today = lt.local_today(svc)
        values = lt.date_example_values(today, "ko")
        assert date.fromisoformat(values["example"]) > today
        assert lt.parse_issue_date(values["example"], today) == lt.parse_issue_date(values["example_short"], today)
        assert lt.parse_issue_date(lt.date_example_values(today, "en")["example_short"], today) > today


def test_verification_code():
    key, at = b"k" * 32, datetime(2026, 11, 23, 10, 5, tzinfo=KST)
    code = lt.verification_code(key, "LT-2026-000012", 40500, at)
    assert len(code) == 11 and code[5] == "-" and code == lt.verification_code(key, "LT-2026-000012", 40500, at)
    assert code != lt.verification_code(key, "LT-2026-000012", 40501, at)
    assert code != lt.verification_code(b"x" * 32, "LT-2026-000012", 40500, at)
    n = LicenseTaxNotice(notice_no="LT-2026-000012", paid_amount=40500, paid_at=at)
    assert lt.check_code(key, n, code.lower().replace("-", " ")) and not lt.check_code(key, n, "AAAAA-AAAAA")


def test_inputs_refuse_resident_numbers_and_bad_figures():
    with pytest.raises(LicenseTaxError) as e:
        lt.clean_text("홍길동 900101-1234567", limit=40, code="name")
    assert e.value.code == "rrn"
    assert lt.parse_figure("85㎡").value == 85 and lt.parse_figure("1,200").value == 1200
    for bad in ("", "0", "-3", "많음", "99999999", "85,5", "30평쯤", "1.2.3"):
        with pytest.raises(LicenseTaxError):
            lt.parse_figure(bad)


@pytest.mark.parametrize(
    "typed, m2, pyeong",
    [
        ("85.5", 85.5, None),
        ("85.5㎡", 85.5, None),
        ("85.5 m2", 85.5, None),
        ("99.99제곱미터", 99.99, None),
        ("30평", 99.17, 30),
        ("30 평", 99.17, 30),
        ("25.5평", 84.3, 25.5),
        ("약 30평", 99.17, 30),
        ("1평", 3.31, 1),
        ("121평", 400, 121),
        ("1,210평", 4000, 1210),
    ],
)
def test_floor_areas_as_people_type_them(typed, m2, pyeong):
    """㎡ with decimals, or 평 converted with the rule shown to the resident: 1평 = 400/121 ㎡ ≈ 3.3058 ㎡."""
    f = lt.parse_figure(typed, "area_m2")
    assert (f.value, f.pyeong) == (m2, pyeong)
    assert CAT.pyeong_m2 == (400, 121)


def test_staff_counts_are_whole_people():
    assert lt.parse_figure("12명", "staff").value == 12 and lt.parse_figure("12", "staff").pyeong is None
    for bad in ("12.5", "30평", "열두 명"):
        with pytest.raises(LicenseTaxError):
            lt.parse_figure(bad, "staff")
    assert lt.fmt_number(99.17) == "99.17" and lt.fmt_number(85.0) == "85" and lt.fmt_number(1200) == "1,200"


def test_png_sheets_render_with_and_without_the_korean_font():
    sheet = notice_render.Sheet(
        "고지서",
        "Notice",
        "샘플구 세무과",
        "Sample-gu",
        (
            notice_render.Row("상호", "Business", "광진상회 " * 20),
            notice_render.Row("세액", "Amount", "40,500원", "KRW 40,500", strong=True),
        ),
        "면허증을 받기 전까지",
        "Before the certificate",
        "2026-11-23",
        "2026-11-23",
        "납부 완료",
        "PAID",
    )
    assert notice_render.korean_font_dir() is not None  # installed from PyPI by requirements.lock
    for korean in (True, False):
        png = notice_render.render(sheet, korean=korean)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


# --- the service layer -----------------------------------------------------------------------------------


@pytest.fixture
def bodies_file(tmp_path):
    raw = json.loads(licensing_bodies.DATA.read_text(encoding="utf-8"))
    for b in raw["bodies"]:
        if b["code"] == "KEA":
            b["channel"] = {"type": "webhook", "url": KEA_URL, "secret": SECRET}
    path = tmp_path / "bodies.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def tsvc(svc, bodies_file, tmp_path):
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["license_tax"]["bodies_file"] = str(bodies_file)
    raw["license_tax"]["catalogue_file"] = str(confirmed_catalogue(tmp_path))
    path = tmp_path / "district.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return dataclasses.replace(svc, district=load_district(path), receipt_key=b"r" * 32)


@pytest.fixture
async def people(session, district):
    session.add(User(id=CITIZEN))
    for uid, dept in ((TAX_OFFICER, "TAX"), (CLEAN_OFFICER, "CLEAN")):
        await roles.grant(
            session, user_id=uid, role="officer", department_code=dept, by=ADMIN_ID, departments=district.departments
        )
    await session.commit()
    return {uid: await roles.load_principal(session, uid, frozenset()) for uid in (TAX_OFFICER, CLEAN_OFFICER)}


def draft(**kw) -> Draft:
    return Draft(
        **{
            "licence": "mail_order",
            "kind": "new",
            "body": "POLICE_GWANGJIN",
            "business_name": "광진상회",
            "dong": "중곡1동",
            "taxpayer_name": "김납세",
            **kw,
        }
    )


async def outbox(session, prefix: str) -> list[OutboxMessage]:
    return list(
        (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(prefix)).order_by(OutboxMessage.id)
            )
        ).all()
    )


async def events(session, n) -> list[str]:
    return list(
        (
            await session.scalars(
                select(LicenseTaxEvent.action).where(LicenseTaxEvent.notice_id == n.id).order_by(LicenseTaxEvent.id)
            )
        ).all()
    )


async def issued(session, tsvc, people, **kw) -> LicenseTaxNotice:
    n, _created = await lt.request_notice(
        session, tsvc, citizen_id=CITIZEN, submit_key=kw.pop("key", "form-1"), draft=draft(**kw)
    )
    if n.state == lt.AWAITING_CLASS:
        await lt.confirm_class(session, tsvc, people[TAX_OFFICER], n, 3)
    await session.commit()
    return n


async def test_an_unconfirmed_class_waits_for_the_tax_officer(session, tsvc, people):
    n, created = await lt.request_notice(session, tsvc, citizen_id=CITIZEN, submit_key="form-1", draft=draft())
    await session.commit()
    assert created and n.state == lt.AWAITING_CLASS and n.amount is None and n.virtual_account is None
    assert n.notice_no == f"LT-2026-{n.id:06d}" and n.tax_class == 3 and not n.class_confirmed
    assert n.taxpayer_name_enc and "김납세" not in n.taxpayer_name_enc
    card = (await outbox(session, "lt:class:"))[0]
    assert card.chat_id == TAX_OFFICER and "종 확인 필요" in card.payload["text"]
    assert await outbox(session, "lt:notice:") == []
    again, created = await lt.request_notice(session, tsvc, citizen_id=CITIZEN, submit_key="form-1", draft=draft())
    assert again.id == n.id and not created

    with pytest.raises(LicenseTaxError) as e:
        await lt.confirm_class(session, tsvc, people[CLEAN_OFFICER], n, 3)
    assert e.value.code == "not_tax_officer"
    await lt.confirm_class(session, tsvc, people[TAX_OFFICER], n, 4)
    await session.commit()
    assert (n.state, n.tax_class, n.class_confirmed, n.amount) == (lt.ISSUED, 4, True, 27000)
    assert lt.valid_check_digit(n.virtual_account) and n.due_date == date(2026, 11, 30)
    text, png = await outbox(session, "lt:notice")
    assert text.chat_id == CITIZEN and "27,000원" in text.payload["text"] and "56201-" in text.payload["text"]
    assert png.method == "sendDocument" and png.payload["document"]["outbox_file"]
    f = await session.get(OutboxFile, png.payload["document"]["outbox_file"])
    assert f.content[:4] == b"\x89PNG"
    assert await events(session, n) == ["requested", "class_confirmed", "issued"]
    with pytest.raises(LicenseTaxError):
        await lt.confirm_class(session, tsvc, people[TAX_OFFICER], n, 3)


async def test_a_confirmed_class_issues_at_once_with_the_expected_issue_date(session, tsvc, people):
    n, _ = await lt.request_notice(
        session,
        tsvc,
        citizen_id=CITIZEN,
        submit_key="f",
        draft=draft(licence="test_class_2", expected_issue_date=date(2026, 12, 10)),
    )
    assert (n.state, n.amount, n.due_date) == (lt.ISSUED, 54000, date(2026, 12, 9))


async def test_requests_are_validated(session, tsvc, people):
    for bad, code in (
        (draft(kind="change_rep_name"), "non_taxable"),
        (draft(kind="change"), "unknown"),
        (draft(body="NOPE"), "unknown"),
        (draft(dong="강남동"), "unknown"),
        (draft(business_name=" "), "business"),
        (draft(licence="food_service_general"), "figure"),
        (draft(taxpayer_name="800101-2345678"), "rrn"),
    ):
        with pytest.raises(LicenseTaxError) as e:
            await lt.request_notice(session, tsvc, citizen_id=CITIZEN, submit_key="x", draft=bad)
        assert e.value.code == code


async def test_exact_payment_pays_once_and_tells_resident_and_body(session, tsvc, people):
    n = await issued(session, tsvc, people)
    at = tsvc.now() + timedelta(minutes=5)
    r = await lt.record_bank_payment(
        session,
        tsvc,
        transaction_id="TX-1",
        account=lt.format_account(lt.payment_config(tsvc.district), n.virtual_account),
        amount=40500,
        paid_at=at,
    )
    await session.commit()
    assert r.status == lt.APPLIED and n.state == lt.PAID and n.paid_amount == 40500
    assert lt.check_code(tsvc.receipt_key, n, n.verification_code)
    receipt, png = await outbox(session, "lt:receipt")
    assert n.verification_code in receipt.payload["text"] and png.method == "sendDocument"
    body_msg = (await outbox(session, "lt:body:"))[0]
    assert body_msg.chat_id == POLICE_CHAT and n.notice_no in body_msg.payload["text"]
    assert "김납세" not in body_msg.payload["text"]  # the body does not get the taxpayer's name
    c = await session.scalar(select(LicenseTaxConfirmation))
    assert (c.channel, c.status, c.body_code) == ("telegram", "sent", "POLICE_GWANGJIN")
    with pytest.raises(lt.DuplicatePayment):
        await lt.record_bank_payment(
            session, tsvc, transaction_id="TX-1", account=n.virtual_account, amount=40500, paid_at=at
        )
    again = await lt.record_bank_payment(
        session, tsvc, transaction_id="TX-2", account=n.virtual_account, amount=40500, paid_at=at
    )
    assert again.status == lt.HELD_DUPLICATE and n.state == lt.PAID
    assert await events(session, n) == [
        "requested",
        "class_confirmed",
        "issued",
        "payment_received",
        "paid",
        "confirmation_queued",
        "payment_received",
    ]


async def test_a_wrong_amount_is_held_for_the_officer(session, tsvc, people):
    n = await issued(session, tsvc, people)
    r = await lt.record_bank_payment(
        session, tsvc, transaction_id="TX-9", account=n.virtual_account, amount=40000, paid_at=tsvc.now()
    )
    await session.commit()
    assert r.status == lt.HELD_MISMATCH and n.state == lt.ISSUED
    assert "보류된 입금" in (await outbox(session, "lt:held:"))[0].payload["text"]
    assert "40,000원" in (await outbox(session, "lt:held_citizen:"))[0].payload["text"]
    with pytest.raises(LicenseTaxError):
        await lt.resolve_payment(session, tsvc, people[CLEAN_OFFICER], r.payment, accept=True)
    await lt.resolve_payment(session, tsvc, people[TAX_OFFICER], r.payment, accept=True)
    assert (r.payment.status, n.state, n.paid_amount) == (lt.ACCEPTED, lt.PAID, 40000)
    with pytest.raises(LicenseTaxError):
        await lt.resolve_payment(session, tsvc, people[TAX_OFFICER], r.payment, accept=False)


async def test_unknown_or_malformed_accounts_are_held(session, tsvc, people):
    n = await issued(session, tsvc, people)
    wrong_digit = n.virtual_account[:-1] + str((int(n.virtual_account[-1]) + 1) % 10)
    r = await lt.record_bank_payment(
        session, tsvc, transaction_id="TX-3", account=wrong_digit, amount=40500, paid_at=tsvc.now()
    )
    assert r.status == lt.HELD_UNMATCHED and r.notice is None and n.state == lt.ISSUED
    with pytest.raises(LicenseTaxError):
        await lt.resolve_payment(session, tsvc, people[TAX_OFFICER], r.payment, accept=True)
    await lt.resolve_payment(session, tsvc, people[TAX_OFFICER], r.payment, accept=False)
    assert r.payment.status == lt.TO_RETURN
    for bad in ({"transaction_id": ""}, {"amount": 0}, {"amount": -5}):
        with pytest.raises(LicenseTaxError):
            await lt.record_bank_payment(
                session,
                tsvc,
                **{"transaction_id": "T", "account": n.virtual_account, "amount": 1, "paid_at": tsvc.now(), **bad},
            )


async def test_officer_marks_paid_and_cancels_with_a_reason(session, tsvc, people):
    n = await issued(session, tsvc, people)
    await lt.mark_paid(session, tsvc, people[TAX_OFFICER], n)
    assert n.state == lt.PAID and n.paid_amount == 40500
    with pytest.raises(LicenseTaxError):
        await lt.mark_paid(session, tsvc, people[TAX_OFFICER], n)
    m = await issued(session, tsvc, people, key="form-2")
    with pytest.raises(LicenseTaxError) as e:
        await lt.cancel(session, tsvc, people[TAX_OFFICER], m, "짧")
    assert e.value.code == "reason"
    await lt.cancel(session, tsvc, people[TAX_OFFICER], m, "중복 신청으로 취소합니다")
    assert m.state == lt.CANCELLED and "중복 신청" in (await outbox(session, "lt:cancelled:"))[0].payload["text"]
    late = await lt.record_bank_payment(
        session, tsvc, transaction_id="TX-c", account=m.virtual_account, amount=40500, paid_at=tsvc.now()
    )
    assert late.status == lt.HELD_CANCELLED


async def test_the_officer_closes_a_change_as_non_taxable_from_the_class_card(session, tsvc, people):
    """변경면허 whose taxability the resident could not tell: the 종 card offers 비과세 (시행령 §40②1);
    closing it issues no notice, tells the resident why, and is audited. A new licence has no such
    choice. The card gives the legal basis in words, no file names or URLs."""
    n, _ = await lt.request_notice(
        session, tsvc, citizen_id=CITIZEN, submit_key="chg", draft=draft(kind="change_unsure")
    )
    await session.commit()
    assert n.state == lt.AWAITING_CLASS and n.request_kind == "change_unsure"
    card = (await outbox(session, "lt:class:"))[0]
    text = card.payload["text"]
    assert "변경면허 — 과세 여부와 종 확인" in text and "시행령 §40②1" in text
    assert "면허 내용이 바뀌어 변경면허를 받습니다 — 잘 모르겠습니다" in text
    assert "종 근거: 지방세법 시행령 §39 별표 1 — 신청인에게는 제3종으로 안내했으며" in text
    for note in ("kr-facts", "flSeq", "tistory", "http", ".md", "출처"):
        assert note not in text, note
    buttons = [b["callback_data"] for row in card.payload["reply_markup"]["inline_keyboard"] for b in row]
    assert lt.cb("nontax_ask", n.id) in buttons and lt.cb("class", n.id, 3) in buttons

    with pytest.raises(LicenseTaxError) as e:
        await lt.declare_non_taxable(session, tsvc, people[CLEAN_OFFICER], n)
    assert e.value.code == "not_tax_officer"
    await lt.declare_non_taxable(session, tsvc, people[TAX_OFFICER], n)
    await session.commit()
    assert (n.state, n.amount, n.virtual_account) == (lt.NON_TAXABLE, 0, None)
    assert "§40②1" in n.legal_basis
    told = (await outbox(session, "lt:non_taxable:"))[0]
    assert (
        told.chat_id == CITIZEN and "비과세로 확인했습니다" in told.payload["text"] and "§40②1" in told.payload["text"]
    )
    assert await outbox(session, "lt:notice") == []
    assert await events(session, n) == ["requested", "non_taxable"]
    assert lt.state_text(n, "ko") == "비과세" and lt.state_text(n, "en") == "not taxable"
    with pytest.raises(LicenseTaxError) as e:  # pressed twice
        await lt.declare_non_taxable(session, tsvc, people[TAX_OFFICER], n)
    assert e.value.code == "stale"

    new, _ = await lt.request_notice(session, tsvc, citizen_id=CITIZEN, submit_key="new", draft=draft())
    assert lt.cb("nontax_ask", new.id) not in [
        b for row in lt.officer_buttons(new, "ko", lt.catalogue_for(tsvc.district)) for _, b in row
    ]
    with pytest.raises(LicenseTaxError) as e:
        await lt.declare_non_taxable(session, tsvc, people[TAX_OFFICER], new)
    assert e.value.code == "not_change"


async def test_a_floor_area_with_decimals_is_kept_as_typed(session, tsvc, people):
    f = lt.parse_figure("30평")
    n, _ = await lt.request_notice(
        session,
        tsvc,
        citizen_id=CITIZEN,
        submit_key="area",
        draft=draft(licence="food_service_general", figure=f.value),
    )
    await session.commit()
    await session.refresh(n)
    assert n.figure == 99.17
    assert "영업장 면적·인원: 99.17㎡" in lt.officer_card(tsvc, n, "ko")


async def test_a_refused_licence_cancels_or_files_a_refund_request(session, tsvc, people):
    unpaid = await issued(session, tsvc, people)
    assert await lt.licence_refused(session, tsvc, unpaid, actor_kind="citizen", actor_id=CITIZEN) == "cancelled"
    assert unpaid.state == lt.CANCELLED
    paid = await issued(session, tsvc, people, key="form-2")
    await lt.mark_paid(session, tsvc, people[TAX_OFFICER], paid)
    assert await lt.licence_refused(session, tsvc, paid, actor_kind="body", actor_id=77) == "refund"
    await session.commit()
    c = await session.get(Complaint, paid.refund_complaint_id)
    assert (c.department_code, c.citizen_id, paid.state) == ("TAX", CITIZEN, lt.REFUND)
    assert paid.notice_no in c.description and "§37" in c.description and "인허가기관이" in c.description
    assert c.receipt_no in (await outbox(session, "lt:refund:"))[0].payload["text"]
    assert any(m.chat_id == TAX_OFFICER for m in await outbox(session, f"new:{c.id}"))  # routed like a complaint
    box = await lt.inbox(session)
    assert [(n.id, cc.id) for n, cc in box.refunds] == [(paid.id, c.id)]
    with pytest.raises(LicenseTaxError):
        await lt.licence_refused(session, tsvc, paid, actor_kind="citizen", actor_id=CITIZEN)


async def test_verify_only_from_the_bodys_chat_or_the_tax_division(session, tsvc, people):
    n = await issued(session, tsvc, people)
    await lt.mark_paid(session, tsvc, people[TAX_OFFICER], n)
    body_user = roles.Principal(555)
    found = await lt.verify(session, tsvc, chat_id=POLICE_CHAT, principal=body_user, notice_no=n.notice_no.lower())
    assert found.id == n.id
    text = lt.verify_text(tsvc, n, "ko", code=n.verification_code)
    assert "납부 완료" in text and "일치합니다" in text
    assert "일치하지 않습니다" in lt.verify_text(tsvc, n, "ko", code="ZZZZZ-ZZZZZ")
    for chat, code in ((OTHER_CHAT, "not_registered"), (CITIZEN, "not_registered")):
        with pytest.raises(LicenseTaxError) as e:
            await lt.verify(session, tsvc, chat_id=chat, principal=body_user, notice_no=n.notice_no)
        assert e.value.code == code
    with pytest.raises(LicenseTaxError) as e:  # the city hall's chat may not see the police's notices
        await lt.verify(session, tsvc, chat_id=-1001000000103, principal=body_user, notice_no=n.notice_no)
    assert e.value.code == "not_found"
    assert (
        await lt.verify(session, tsvc, chat_id=TAX_OFFICER, principal=people[TAX_OFFICER], notice_no=n.notice_no)
    ).id == n.id


async def test_verify_with_a_wrong_or_non_ascii_code_says_no_and_keeps_the_right_code_to_itself(session, tsvc, people):
    n = await issued(session, tsvc, people)
    await lt.mark_paid(session, tsvc, people[TAX_OFFICER], n)
    right = n.verification_code
    for given in ("ZZZZZ-ZZZZZ", "검증코드", "ＡＢＣＤＥ-ＦＧＨＩＪ", right[:-1] + "é"):
        text = lt.verify_text(tsvc, n, "ko", code=given)
        assert "일치하지 않습니다" in text and right not in text and right.replace("-", "") not in text
    assert "일치합니다" in lt.verify_text(tsvc, n, "ko", code=right.lower())
    assert right in lt.verify_text(tsvc, n, "ko")  # a lookup without a code shows it, as before


async def test_inbox_lists_what_waits_for_the_tax_division(session, tsvc, people):
    waiting, _ = await lt.request_notice(session, tsvc, citizen_id=CITIZEN, submit_key="a", draft=draft())
    unpaid = await issued(session, tsvc, people, key="b")
    await lt.record_bank_payment(
        session, tsvc, transaction_id="T", account=unpaid.virtual_account, amount=1, paid_at=tsvc.now()
    )
    box = await lt.inbox(session)
    assert [n.id for n in box.awaiting] == [waiting.id] and [n.id for n in box.unpaid] == [unpaid.id]
    assert box.counts == {"awaiting": 1, "unpaid": 1, "held": 1, "refunds": 0, "failed": 0}


# --- confirmations to licensing bodies over webhooks ---------------------------------------------------


class Receiver:
    def __init__(self, *answers):
        self.answers, self.requests = list(answers), []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert agency_notify.verify(SECRET, request.content, request.headers[agency_notify.SIGNATURE_HEADER])
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, json={})


async def paid_to_kea(session, tsvc, people) -> LicenseTaxNotice:
    n = await issued(session, tsvc, people, body="KEA")
    await lt.mark_paid(session, tsvc, people[TAX_OFFICER], n)
    await session.commit()
    return n


async def test_webhook_confirmation_is_signed_and_sent_once(session, tsvc, people):
    receiver = Receiver(200)
    svc = dataclasses.replace(tsvc, http_transport=httpx.MockTransport(receiver))
    n = await paid_to_kea(session, svc, people)
    assert await lt.deliver_confirmations(session, svc) == 1
    assert await lt.deliver_confirmations(session, svc) == 0
    assert len(receiver.requests) == 1
    body = json.loads(receiver.requests[0].content)
    assert body["notice_no"] == n.notice_no and body["verification_code"] == n.verification_code
    assert body["amount"] == 40500 and "taxpayer" not in json.dumps(body, ensure_ascii=False)
    assert receiver.requests[0].headers["Idempotency-Key"] == f"license-tax-{n.notice_no}"
    c = await session.scalar(select(LicenseTaxConfirmation))
    assert c.status == "sent" and c.attempts == 1
    assert (await events(session, n))[-1] == "confirmation_sent"


async def test_webhook_retries_then_relays_by_hand(session, tsvc, people, clock):
    receiver = Receiver(503, httpx.ConnectError("down"), 400)
    svc = dataclasses.replace(tsvc, http_transport=httpx.MockTransport(receiver))
    n = await paid_to_kea(session, svc, people)
    assert await lt.deliver_confirmations(session, svc) == 0
    c = await session.scalar(select(LicenseTaxConfirmation))
    assert (c.status, c.attempts, c.last_error) == ("pending", 1, "HTTP 503")
    assert await lt.deliver_confirmations(session, svc) == 0  # not due yet: backoff
    clock.advance(minutes=2)
    await lt.deliver_confirmations(session, svc)
    assert (c.status, c.last_error) == ("pending", "ConnectError")
    clock.advance(minutes=5)
    await lt.deliver_confirmations(session, svc)
    assert (c.status, c.last_error) == ("failed", "HTTP 400")
    relay = (await outbox(session, "lt:relay:"))[0]
    assert relay.chat_id == TAX_OFFICER and "한국에너지공단" in relay.payload["text"]
    assert (await events(session, n))[-1] == "confirmation_failed"
    assert (await lt.inbox(session)).counts["failed"] == 1


async def test_a_crashed_send_is_claimed_again_later(session, tsvc, people, clock):
    svc = dataclasses.replace(tsvc, http_transport=httpx.MockTransport(Receiver(200)))
    await paid_to_kea(session, svc, people)
    c = await session.scalar(select(LicenseTaxConfirmation))
    c.status = "sending"  # a process died between the claim and the POST's outcome
    await session.commit()
    assert await lt.deliver_confirmations(session, svc) == 0
    clock.advance(minutes=6)
    assert await lt.deliver_confirmations(session, svc) == 1


async def test_department_body_tells_its_officers(session, tsvc, people, district):
    await roles.grant(
        session, user_id=3003, role="officer", department_code="HYGIENE", by=ADMIN_ID, departments=district.departments
    )
    n = await issued(session, tsvc, people, body="GU_HYGIENE")
    await lt.mark_paid(session, tsvc, people[TAX_OFFICER], n)
    msg = (await outbox(session, "lt:body:"))[0]
    assert msg.chat_id == 3003 and n.notice_no in msg.payload["text"]


def test_callback_strings_match_the_handlers_callback_data():
    from handlers.license_tax.chat import LtCb

    assert lt.cb("class", 12, 3) == LtCb(action="class", id=12, arg=3).pack()
    assert lt.cb("open", 7) == LtCb(action="open", id=7).pack()
    assert all(len(lt.cb(a, 10**9, 5).encode()) <= 64 for a in ("refuse_ask", "paid_ask", "pay_open"))


def test_sample_bodies_load_with_their_channels(district):
    bodies = licensing_bodies.load_bodies(district)
    assert {b.kind for b in bodies.values()} >= {"police", "energy", "city"}
    assert bodies["POLICE_GWANGJIN"].chats == {POLICE_CHAT} and bodies["GU_HYGIENE"].department == "HYGIENE"
    assert licensing_bodies.body_for_chat(bodies, POLICE_CHAT).code == "POLICE_GWANGJIN"
    with pytest.raises(ValueError):
        licensing_bodies._channel("X", {"type": "webhook", "url": "http://hook.sample.example/hook"})


def test_every_error_code_raised_has_its_text():
    import re
    from pathlib import Path

    root = Path(lt.__file__).resolve().parents[2]
    src = "".join(
        (root / f).read_text(encoding="utf-8")
        for f in (
            "workflows/license_tax/service.py",
            "handlers/license_tax/chat.py",
            "handlers/license_tax/http_payments.py",
        )
    )
    codes = set(re.findall(r'LicenseTaxError\("(\w+)"\)', src)) | {"duplicate"}
    assert codes and codes <= set(lt.ERROR_KEYS)
    assert set(lt.STATE_KEYS) == {lt.AWAITING_CLASS, lt.ISSUED, lt.PAID, lt.CANCELLED, lt.REFUND, lt.NON_TAXABLE}
    assert set(lt.PAY_KEYS) == {lt.APPLIED, lt.ACCEPTED, lt.TO_RETURN, *lt.HELD}


# The service paths that used to check the state with ifs now ask the notice's table (lt.NOTICE):
# from every state the table does not allow, each refuses with the same TransitionError ("stale" to
# the screens) and leaves the notice and its history as they were.
NOTICE_PATHS = {
    "issued": lambda s, svc, people, n: lt.confirm_class(s, svc, people[TAX_OFFICER], n, 3),
    "non_taxable": lambda s, svc, people, n: lt.declare_non_taxable(s, svc, people[TAX_OFFICER], n),
    "paid": lambda s, svc, people, n: lt.mark_paid(s, svc, people[TAX_OFFICER], n),
    "cancelled": lambda s, svc, people, n: lt.cancel(s, svc, people[TAX_OFFICER], n, "잘못 신청된 고지입니다"),
    # unpaid: cancelled (licence_refused); otherwise only a paid notice files a refund request
    "refund_requested": lambda s, svc, people, n: lt.licence_refused(s, svc, n, actor_kind="body", actor_id=77),
}


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (action, state)
        for action in NOTICE_PATHS
        for state in lt.NOTICE.states
        if not lt.NOTICE.allows(state, action)
        and not (action == "refund_requested" and lt.NOTICE.allows(state, "licence_refused"))
    ],
)
async def test_a_notice_cannot_be_moved_illegally(session, tsvc, people, action, state):
    n = await issued(session, tsvc, people)
    n.state = state  # put there directly, as if by an earlier press
    await session.commit()
    before = await events(session, n)
    with pytest.raises(TransitionError) as e:
        await NOTICE_PATHS[action](session, tsvc, people, n)
    assert isinstance(e.value, LicenseTaxError) and e.value.code == "stale" and e.value.action == action
    assert n.state == state and await events(session, n) == before


@pytest.mark.parametrize("state", [s for s in lt.NOTICE.states if not lt.NOTICE.allows(s, "withdrawn")])
async def test_a_notice_past_withdrawal_stays(session, tsvc, people, state):
    n = await issued(session, tsvc, people)
    n.state = state
    await session.commit()
    assert await lt.withdraw(session, tsvc, n) is False
    assert n.state == state and await events(session, n) == ["requested", "class_confirmed", "issued"]
