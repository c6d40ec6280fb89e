"""The audit log (workflows/audit.py): what each workflow records, the export window, the
spreadsheet, and that no entry or cell ever carries a phone number, a name or a text."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from workflows.models import AuditEntry, User
from tests.unit.conftest import ADMIN_ID, KST
from workflows import audit, roles
from workflows.indicators import reports
from workflows.food_alerts import food_import
from workflows.license_tax import service as lt
from workflows.onestop import service as bd
from workflows.complaints import service as complaints
from workflows.onestop.service import BirthAnswers, OnestopError
from workflows.complaints.common import Draft
from workflows.food_alerts.service import config as food_config
from workflows.indicators.service import Span
from workflows.complaints.common import Forbidden

CITIZEN, CLEAN_1, ROADS_1, CIVIL_1, DONG_1, TAX_1, NEWBIE = 1001, 2101, 2001, 2201, 2301, 2401, 3001
PHONE = "010-1234-5678"
LAMP = "집 앞 가로등이 고장나서 밤에 골목이 너무 어둡습니다."
ANSWER = "가로등 안정기를 교체했습니다. 불편을 드려 죄송합니다."
REASON = "도로과 소관이라 이송합니다"
TAXPAYER = "김납세"
# what must never reach the log: the phone in any spelling, the names and the texts people wrote
SECRETS = ("1234-5678", "12345678", "5678", TAXPAYER, "가로등", "안정기", "도로과 소관", "중복 신청")


async def entries(session, action: str | None = None) -> list[AuditEntry]:
    q = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        q = q.where(AuditEntry.action == action)
    return list((await session.execute(q)).scalars())


def assert_clean(rows: list[AuditEntry]) -> None:
    for e in rows:
        text = " ".join(str(v) for v in (e.actor_role, e.action, e.subject_kind, e.subject_id, e.detail))
        for s in SECRETS:
            assert s not in text, (s, text)


@pytest.fixture
async def staff(session, district):
    session.add(User(id=CITIZEN))
    for uid, dept in (
        (CLEAN_1, "CLEAN"),
        (ROADS_1, "ROADS"),
        (CIVIL_1, "CIVIL"),
        (DONG_1, "DONG-JUNGGOK1"),
        (TAX_1, "TAX"),
    ):
        await roles.grant(
            session, user_id=uid, role="officer", department_code=dept, by=ADMIN_ID, departments=district.departments
        )
    await session.execute(delete(AuditEntry))  # the set-up's own grants: each test starts with an empty log
    await session.commit()
    return {
        uid: await roles.load_principal(session, uid, frozenset({ADMIN_ID}))
        for uid in (CLEAN_1, ROADS_1, CIVIL_1, DONG_1, TAX_1, ADMIN_ID)
    }


# --- role changes ---------------------------------------------------------------------------------


async def test_role_changes_are_recorded_once_each(session, svc, district):
    g = await roles.grant(
        session, user_id=NEWBIE, role="officer", department_code="CLEAN", by=ADMIN_ID, departments=district.departments
    )
    again = await roles.grant(
        session, user_id=NEWBIE, role="officer", department_code="CLEAN", by=ADMIN_ID, departments=district.departments
    )
    assert again.id == g.id
    await roles.grant(
        session, user_id=NEWBIE, role="officer", department_code="ROADS", by=ADMIN_ID, departments=district.departments
    )
    assert await roles.revoke(session, user_id=NEWBIE, role="officer", by=ADMIN_ID) == 1
    assert await roles.revoke(session, user_id=NEWBIE, role="officer", by=ADMIN_ID) == 0  # nothing to end
    await session.commit()
    rows = await entries(session)
    assert [(e.action, e.actor_id, e.actor_role, e.subject_kind, e.subject_id, e.detail) for e in rows] == [
        ("role_grant", ADMIN_ID, "admin", "user", str(NEWBIE), "role=officer dept=CLEAN"),
        ("role_grant", ADMIN_ID, "admin", "user", str(NEWBIE), "role=officer dept=ROADS previous=CLEAN"),
        ("role_revoke", ADMIN_ID, "admin", "user", str(NEWBIE), "role=officer dept=ROADS"),
    ]
    assert all(e.at is not None for e in rows)


async def test_an_invite_is_recorded_when_made_and_when_used(session, svc, district):
    inv = await roles.create_invite(
        session, role="officer", department_code="CLEAN", by=ADMIN_ID, departments=district.departments
    )
    await roles.redeem_invite(session, token=inv.token, user_id=NEWBIE, departments=district.departments)
    await session.commit()
    made, used = await entries(session)
    assert (made.action, made.actor_id, made.actor_role, made.detail) == (
        "invite_create",
        ADMIN_ID,
        "admin",
        "role=officer dept=CLEAN",
    )
    assert inv.token not in str(made.detail) and made.subject_id is None  # the link itself is a credential
    # one entry for the redemption, by the person who used the link (no second role_grant entry)
    assert (used.action, used.actor_id, used.actor_role, used.subject_id, used.detail) == (
        "invite_redeem",
        NEWBIE,
        "citizen",
        str(NEWBIE),
        f"role=officer dept=CLEAN invited_by={ADMIN_ID}",
    )


async def test_a_self_registration_is_recorded_as_the_citizen(session, svc, district):
    from workflows.food_alerts import service as fa

    await fa.register(session, svc, user_id=NEWBIE, name="한강식당", business_type="korean", dong=None)
    await fa.stop(session, NEWBIE)
    await session.commit()
    assert [(e.action, e.actor_id, e.actor_role) for e in await entries(session)] == [
        ("role_grant", NEWBIE, "citizen"),
        ("role_revoke", NEWBIE, "citizen"),
    ]
    assert "한강식당" not in str([e.detail for e in await entries(session)])


async def test_food_import_is_one_entry_not_one_per_invite(session, svc):
    csv = (
        "개방서비스명,사업장명,소재지전체주소,업태구분명,영업상태명\n"
        "일반음식점,한강식당,서울특별시 광진구 화양동 1-1,한식,영업/정상\n"
        "일반음식점,용궁반점,서울특별시 광진구 자양동 2,중국식,영업/정상\n"
    ).encode()
    parsed = food_import.parse_licence_csv(csv, svc.district.dongs, food_config())
    done = await food_import.import_businesses(session, svc, parsed.rows, by=ADMIN_ID)
    await session.commit()
    assert len(done.created) == 2
    rows = await entries(session)
    assert [(e.action, e.actor_id, e.detail) for e in rows] == [
        (audit.FOOD_IMPORT, ADMIN_ID, "rows=2 created=2 already=0")
    ]
    assert "한강식당" not in str(rows[0].detail)


# --- complaints -----------------------------------------------------------------------------------


async def _complaint(session, svc, *, phone: bool = True, photos: int = 2, place: bool = True):
    c, _ = await complaints.submit(
        session,
        svc,
        citizen_id=CITIZEN,
        submit_key=f"k{photos}{phone}{place}",
        draft=Draft(
            category="road",
            description=LAMP,
            photos=[(f"AgAC{i}", f"u{i}") for i in range(photos)],
            latitude=37.5 if place else None,
            longitude=127.0 if place else None,
            phone_enc=svc.cipher.encrypt(PHONE) if phone else None,
        ),
    )
    await session.commit()
    return c


async def test_the_officer_card_and_media_views_are_recorded(session, svc, staff):
    c = await _complaint(session, svc)
    roads = staff[ROADS_1]
    *_, card = complaints.officer_view(session, svc, roads, c, "ko", via="find")
    assert PHONE in card  # the officer does see the number ...
    media = complaints.media_view(session, svc, roads, c)
    assert media.photo_file_ids == ["AgAC0", "AgAC1"] and media.location == (37.5, 127.0)
    await session.commit()
    view, seen = await entries(session)
    assert (view.action, view.actor_id, view.actor_role, view.subject_kind, view.subject_id, view.detail) == (
        "complaint_view",
        ROADS_1,
        "officer",
        "complaint",
        c.receipt_no,
        "dept=ROADS via=find contact=yes",
    )
    assert (seen.action, seen.subject_id, seen.detail) == (
        "complaint_media",
        c.receipt_no,
        "dept=ROADS photos=2 location=yes",
    )
    assert_clean(await entries(session))  # ... the log does not
    assert view.at == svc.now()


async def test_nothing_to_show_is_not_recorded_as_a_view_of_media(session, svc, staff):
    c = await _complaint(session, svc, phone=False, photos=0, place=False)
    media = complaints.media_view(session, svc, staff[ROADS_1], c)
    assert media.empty
    complaints.officer_view(session, svc, staff[ROADS_1], c, "en")
    await session.commit()
    assert [(e.action, e.detail) for e in await entries(session)] == [
        ("complaint_view", "dept=ROADS via=open contact=no")
    ]


async def test_every_officer_action_on_a_complaint_is_recorded_without_its_text(session, svc, staff):
    c = await _complaint(session, svc)
    roads = staff[ROADS_1]
    await complaints.take(session, svc, roads, c)
    await complaints.extend(session, svc, roads, c, "현장 확인이 필요합니다")
    await complaints.transfer(session, svc, roads, c, "CLEAN", REASON)
    clean = staff[CLEAN_1]
    await complaints.start_answer(session, svc, clean, c)  # takes it first (unassigned after a transfer)
    await complaints.answer(session, svc, clean, c, ANSWER)
    await session.commit()
    d = await _complaint(session, svc, photos=1)
    await complaints.reject(session, svc, roads, d, "중복 신청으로 반려합니다", next(iter(svc.district.remedies)))
    await session.commit()
    rows = await entries(session)
    assert [(e.action, e.actor_id, e.subject_id) for e in rows] == [
        ("complaint_take", ROADS_1, c.receipt_no),
        ("complaint_extend", ROADS_1, c.receipt_no),
        ("complaint_transfer", ROADS_1, c.receipt_no),
        ("complaint_take", CLEAN_1, c.receipt_no),
        ("complaint_answer", CLEAN_1, c.receipt_no),
        ("complaint_reject", ROADS_1, d.receipt_no),
    ]
    assert rows[1].detail == f"dept=ROADS deadline={c.deadline_at.astimezone(KST):%Y-%m-%d}"
    assert rows[2].detail == "dept=CLEAN source=ROADS"
    assert rows[5].detail == f"dept=ROADS remedy={next(iter(svc.district.remedies))}"
    assert_clean(rows)


async def test_a_refused_action_leaves_no_entry(session, svc, staff):
    c = await _complaint(session, svc)
    with pytest.raises(Forbidden):
        await complaints.take(session, svc, staff[CLEAN_1], c)  # another department's
    with pytest.raises(ValueError):
        await complaints.transfer(session, svc, staff[ROADS_1], c, "CLEAN", "짧")
    await session.commit()
    assert await entries(session) == []


# --- one-stop -------------------------------------------------------------------------------------


async def _birth(session, svc):
    answers = BirthAnswers(birth_date=date(2026, 11, 2), order=3, dong="중곡1동", report_made=True, heating="city_gas")
    app, _ = await bd.submit(
        session,
        svc,
        kind=bd.BIRTH,
        citizen_id=CITIZEN,
        submit_key="b1",
        answers=answers,
        provision={"KEPCO": True, "CITYGAS": True},
        collected_at=svc.now(),
        phone_enc=svc.cipher.encrypt(PHONE),
    )
    await session.commit()
    return app, {it.code: it for it in app.items}


async def test_onestop_card_contact_and_actions_are_recorded(session, svc, staff):
    app, items = await _birth(session, svc)
    gas, parental = items["multi_child_city_gas"], items["parental_allowance"]
    # the coordinator relays the gas notice by hand: the family's phone is there for it, and only there
    assert bd.contact_to_relay(gas) and not bd.contact_to_relay(parental)
    assert any("contact" in data for row in bd.officer_buttons(gas, "ko") for _, data in row)
    assert not any("contact" in data for row in bd.officer_buttons(parental, "ko") for _, data in row)
    civil, dong = staff[CIVIL_1], staff[DONG_1]
    assert "중곡1동" in bd.officer_view(session, svc, civil, gas, "ko")
    assert await bd.reveal_contact(session, svc, civil, gas) == PHONE
    with pytest.raises(OnestopError):
        await bd.reveal_contact(session, svc, dong, parental)  # a district service: no contact to relay
    with pytest.raises(OnestopError):
        await bd.reveal_contact(session, svc, dong, gas)  # another office's item
    await bd.take(session, svc, dong, parental)
    await bd.request_supplement(session, svc, dong, parental, "가족관계증명서를 보내 주세요")
    await session.commit()
    await bd.complete(session, svc, civil, gas, "가스공사에 전화로 전달했습니다")
    await session.commit()
    rows = await entries(session)
    assert [(e.action, e.actor_id) for e in rows] == [
        ("onestop_view", CIVIL_1),
        ("onestop_contact", CIVIL_1),
        ("onestop_take", DONG_1),
        ("onestop_supplement", DONG_1),
        ("onestop_complete", CIVIL_1),
    ]
    assert all(e.subject_kind == "onestop" and e.subject_id == app.receipt_no for e in rows)
    assert rows[1].detail == "item=multi_child_city_gas dept=CIVIL agency=CITYGAS"
    assert rows[4].detail.endswith("message=yes")
    assert_clean(rows)
    assert not any("가족관계" in (e.detail or "") or "가스공사" in (e.detail or "") for e in rows)
    with pytest.raises(OnestopError):
        await bd.reveal_contact(session, svc, civil, gas)  # done: the contact is no longer opened


# --- 등록면허세 --------------------------------------------------------------------------------------


async def test_tax_officer_views_and_actions_are_recorded_without_the_taxpayer(session, svc, staff):
    draft = lt.Draft(
        licence="mail_order",
        kind="new",
        body="POLICE_GWANGJIN",
        business_name="광진상회",
        dong="중곡1동",
        taxpayer_name=TAXPAYER,
    )
    n, _ = await lt.request_notice(session, svc, citizen_id=CITIZEN, submit_key="t1", draft=draft)
    await session.commit()
    tax = staff[TAX_1]
    with pytest.raises(lt.LicenseTaxError):
        lt.officer_view(session, svc, staff[CLEAN_1], n, "ko")  # not a tax officer: no card, no entry
    assert "광진상회" in lt.officer_view(session, svc, tax, n, "ko")
    if n.state == lt.AWAITING_CLASS:
        await lt.confirm_class(session, svc, tax, n, 3)
    await lt.cancel(session, svc, tax, n, "중복 신청으로 취소합니다")
    await session.commit()
    rows = await entries(session)
    assert [(e.action, e.actor_id, e.subject_id) for e in rows][0] == ("tax_view", TAX_1, n.notice_no)
    events = [e.detail for e in rows if e.action == "tax_action"]
    assert events[-1] == "event=cancelled" and all(e.actor_role == "officer" for e in rows)
    assert len(events) == (2 if "event=class_confirmed tax_class=3" in events else 1)
    assert_clean(rows)


# --- reports --------------------------------------------------------------------------------------


async def test_report_exports_are_recorded(session, svc):
    report = await reports.build(session, svc, Span("month", 2026, 10))
    reports.record_export(session, svc, report, actor_id=4001)
    reports.record_export(session, svc, report, actor_id=None, recipients=3)
    await session.commit()
    a, b = await entries(session)
    assert (a.action, a.actor_id, a.actor_role, a.subject_id, a.detail) == (
        "report_export",
        4001,
        "evaluator",
        "2026-10",
        "ratings=0 recurring=0",
    )
    assert (b.action, b.actor_id, b.actor_role, b.detail) == (
        "report_send",
        None,
        "system",
        "ratings=0 recurring=0 recipients=3",
    )


# --- the export -----------------------------------------------------------------------------------


def test_parse_days():
    assert audit.parse_days(None) == audit.parse_days("") == audit.parse_days("  ") == 30
    assert audit.parse_days("1") == 1 and audit.parse_days(" 366 ") == 366 and audit.parse_days("07") == 7
    for bad in ("0", "367", "-5", "abc", "3.5", "7일", "10 20", "٣", "99999999999"):
        with pytest.raises(ValueError):
            audit.parse_days(bad)


def test_details_names_codes_only():
    assert audit.details(dept="CLEAN", photos=2, none=None) == "dept=CLEAN photos=2"
    assert audit.details(a="two words") == "a=two-words"
    assert audit.details() is None
    assert len(audit.details(x="y" * 100)) == len("x=") + 40


async def test_export_window_counts_and_spreadsheet(session, svc):
    now = svc.now()
    for days_ago, action, detail in (
        (40, "role_grant", "role=officer"),
        (31, "complaint_view", "old"),
        (29, "complaint_view", "dept=CLEAN"),
        (2, "complaint_media", "=HYPERLINK(1)"),
        (1, "complaint_view", "dept=ROADS"),
        (0.001, "other_module_action", None),
    ):
        audit.record(
            session,
            action,
            actor_id=7,
            actor_role="officer",
            subject_kind="complaint",
            subject_id="2026-000001",
            detail=detail,
            at=now - timedelta(days=days_ago),
        )
    audit.record(session, "complaint_view", actor_id=7, actor_role="officer", at=now + timedelta(minutes=1))  # not yet
    await session.commit()
    e = await audit.export(session, tz=KST, now=now, days=30, actor_id=ADMIN_ID, lang="ko")
    await session.commit()
    assert e.total == 4 and not e.truncated
    assert e.counts == [("complaint_view", 2), ("complaint_media", 1), ("other_module_action", 1)]
    assert [r.detail for r in e.rows] == ["dept=CLEAN", "=HYPERLINK(1)", "dept=ROADS", None]
    assert e.filename == f"audit-{(now - timedelta(days=30)).astimezone(KST):%Y%m%d}-{now.astimezone(KST):%Y%m%d}.xlsx"
    # the export itself is on record
    last = (await entries(session))[-1]
    assert (last.action, last.actor_id, last.actor_role, last.detail) == (
        "audit_export",
        ADMIN_ID,
        "admin",
        "days=30 rows=4 total=4",
    )

    wb = load_workbook(io.BytesIO(e.xlsx))
    assert wb.sheetnames == ["감사 로그", "요약"]
    ws = wb["감사 로그"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("번호", "일시", "행위자 ID", "행위자 역할", "행위", "행위 설명", "대상 종류", "대상", "세부")
    assert len(rows) == 5
    first = rows[1]
    assert first[1] == (now - timedelta(days=29)).astimezone(KST).strftime("%Y-%m-%d %H:%M:%S")
    assert first[2:] == (
        7,
        "officer",
        "complaint_view",
        "민원 카드 열람 (연락처 포함)",
        "complaint",
        "2026-000001",
        "dept=CLEAN",
    )
    assert rows[2][8] == "'=HYPERLINK(1)"  # text, never a formula
    assert rows[4][5] == "other_module_action"  # no label: the code stands in
    summary = list(wb["요약"].iter_rows(values_only=True))
    assert summary[0] == ("행위", "설명", "건수") and summary[2] == (
        "complaint_view",
        "민원 카드 열람 (연락처 포함)",
        2,
    )

    text = audit.summary_text(e, tz=KST, lang="ko")
    assert (
        "최근 30일" in text
        and "총 4건" in text
        and "민원 카드 열람 (연락처 포함) <code>complaint_view</code>: 2건" in text
    )
    assert "Audit log" in audit.summary_text(e, tz=KST, lang="en")
    english = load_workbook(
        io.BytesIO(audit.workbook_xlsx(e.rows, e.counts, tz=KST, lang="en", since=e.since, until=e.until))
    )
    assert english.sheetnames == ["Audit log", "Summary"]


async def test_an_empty_window_still_exports(session, svc):
    e = await audit.export(session, tz=KST, now=svc.now(), days=1, actor_id=ADMIN_ID, lang="en")
    assert e.total == 0 and e.rows == [] and "(nothing recorded)" in audit.summary_text(e, tz=KST, lang="en")
    assert list(load_workbook(io.BytesIO(e.xlsx))["Audit log"].iter_rows(values_only=True))[1:] == []


async def test_a_long_log_is_cut_to_its_newest_rows_and_says_so(session, svc, monkeypatch):
    monkeypatch.setattr(audit, "MAX_ROWS", 3)
    for i in range(5):
        audit.record(session, "complaint_view", actor_id=i, actor_role="officer", at=svc.now() - timedelta(hours=5 - i))
    await session.commit()
    e = await audit.export(session, tz=KST, now=svc.now(), days=1, actor_id=ADMIN_ID, lang="ko")
    assert e.total == 5 and e.truncated and [r.actor_id for r in e.rows] == [2, 3, 4]
    assert "최근 3건만" in audit.summary_text(e, tz=KST, lang="ko")


def test_every_action_of_ours_has_a_label():
    from workflows.texts import TEXTS

    for action in audit.ACTIONS:
        assert f"audit.label.{action}" in TEXTS, action
        assert len(action) <= 40 and "." not in action


async def test_no_phone_or_text_anywhere_in_the_exported_file(session, svc, staff):
    """The whole path: a complaint with a phone is viewed, worked and exported; the phone, the
    resident's text and the officer's answer appear in no audit row and no cell of the file."""
    c = await _complaint(session, svc)
    roads = staff[ROADS_1]
    complaints.officer_view(session, svc, roads, c, "ko")
    complaints.media_view(session, svc, roads, c)
    await complaints.start_answer(session, svc, roads, c)
    await complaints.answer(session, svc, roads, c, ANSWER)
    await session.commit()
    e = await audit.export(session, tz=KST, now=svc.now() + timedelta(seconds=1), days=30, actor_id=ADMIN_ID, lang="ko")
    await session.commit()
    assert {a for a, _ in e.counts} >= {"complaint_view", "complaint_media", "complaint_take", "complaint_answer"}
    assert_clean(await entries(session))
    wb = load_workbook(io.BytesIO(e.xlsx))
    cells = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert c.receipt_no in cells
    for s in SECRETS:
        assert s not in cells, s
