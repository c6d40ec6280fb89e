"""The birth/death one-stop service layer (workflows/onestop/service.py): deadlines and fines, the
death checklist, consent refusal, routing, officer actions, completion, rating and reminders."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from workflows.models import (
    AgencyNotification,
    OnestopApplication,
    OnestopItem,
    OnestopReminder,
    OutboxMessage,
    Rating,
    User,
)
from handlers.onestop.birth import late_warning
from tests.unit.conftest import ADMIN_ID, KST
from workflows import callbacks, date_words, ratings, roles
from workflows.onestop import agency_notify
from workflows.onestop import service as bd
from workflows.onestop.benefits import load_catalogue
from workflows.date_words import DateInputError
from workflows.onestop.service import BirthAnswers, DeathAnswers, OnestopError
from workflows.ratings import RatingError

PARENT, OTHER, DONG_OFFICER, HEALTH_OFFICER, TAX_OFFICER, CIVIL_OFFICER = 1001, 1002, 2001, 2002, 2003, 2004


def _checklist(svc, death: date) -> dict[str, date]:
    return {e.rule.code: e.deadline for e in bd.death_checklist(svc, death)}


# --- periods, the §122 fine and the checklist ----------------------------------------------------


def test_period_end_follows_civil_code_160():
    assert bd.period_end(date(2026, 3, 2), 1) == date(2026, 4, 1)
    assert bd.period_end(date(2026, 8, 31), 1) == date(2026, 9, 30)  # no 9/31: the month's last day
    assert bd.period_end(date(2026, 1, 30), 1) == date(2026, 2, 28)
    assert bd.period_end(date(2026, 9, 1), 3) == date(2026, 11, 30)
    assert bd.period_end(date(2026, 9, 1), 12) == date(2027, 8, 31)


def test_birth_report_deadline_first_child_born_2026_03_02(svc):
    rule = bd.birth_report_rule()
    # born on a 대체공휴일 (3/2): the day of birth counts (§37①), one month ends 4/1 (a Wednesday)
    assert bd.rule_deadline(rule, date(2026, 3, 2), svc) == date(2026, 4, 1)
    # one month from 11/20 ends on Saturday 12/19: moved to Monday 12/21 (민법 §161)
    assert bd.rule_deadline(rule, date(2026, 11, 20), svc) == date(2026, 12, 21)


def test_birth_forty_days_ago_gets_the_122_warning_with_the_right_band(svc):
    today = bd.local_today(svc)  # 2026-11-23
    born = today - timedelta(days=40)  # 2026-10-14
    deadline = bd.rule_deadline(bd.birth_report_rule(), born, svc)
    assert deadline == date(2026, 11, 13)
    fine = bd.late_fine(deadline, today, load_catalogue().late_fines)
    assert (fine.days_late, fine.fine, fine.after_demand) == (10, 20_000, 40_000)
    assert fine.label("ko") == "7일 이상 1개월 미만"
    text = late_warning(svc, born, "ko")
    assert "10일 지났습니다" in text and "<b>7일 이상 1개월 미만</b> 구간으로 2만원" in text and "4만원" in text
    assert "• 6개월 이상: 5만원 / 10만원" in text
    assert late_warning(svc, today - timedelta(days=20), "ko") is None  # still within the month


@pytest.mark.parametrize(
    ("late_days", "fine"), [(1, 10_000), (6, 10_000), (7, 20_000), (30, 30_000), (95, 40_000), (200, 50_000)]
)
def test_fine_bands(late_days, fine):
    deadline = date(2026, 1, 31)
    assert bd.late_fine(deadline, deadline + timedelta(days=late_days), load_catalogue().late_fines).fine == fine
    assert bd.late_fine(deadline, deadline, load_catalogue().late_fines) is None


def test_death_on_the_31st(svc):
    got = _checklist(svc, date(2026, 8, 31))
    assert got["death_report"] == date(2026, 9, 30)  # 8/31 counted, no 9/31 -> 9/30
    assert got["renunciation"] == date(2026, 11, 30)  # from 9/1, 3 months
    # from the end of August, 6 months -> Sunday 2027-02-28 -> 3/1 삼일절 -> Tuesday 3/2
    assert got["inheritance_tax"] == got["acquisition_tax"] == date(2027, 3, 2)
    assert got["safe_inheritance"] == date(2027, 8, 31)  # 1 year from the end of the month of death
    jan = _checklist(svc, date(2026, 1, 31))
    # 1/31 + 1 month -> Saturday 2/28; Sunday 3/1 삼일절, 3/2 대체공휴일 -> Tuesday 3/3
    assert jan["death_report"] == date(2026, 3, 3)
    assert jan["inheritance_tax"] == date(2026, 7, 31)


def test_death_on_a_public_holiday(svc):
    assert svc.calendar.is_holiday(date(2026, 9, 25))  # 추석
    got = _checklist(svc, date(2026, 9, 25))
    assert got["death_report"] == date(2026, 10, 26)  # 10/24 is a Saturday
    assert got["renunciation"] == date(2026, 12, 28)  # 12/25 기독탄신일, then a weekend
    assert got["inheritance_tax"] == date(2027, 3, 31)
    assert got["safe_inheritance"] == date(2027, 9, 30)


def test_checklist_text_marks_a_report_already_made(svc):
    text = bd.checklist_text(svc, date(2026, 11, 20), True, "ko")
    assert "✅ 사망신고: 하셨다고 알려 주셨습니다." in text
    assert "상속포기·한정승인 신고</b>: 2027-02-20(토)" not in text  # shifted off the weekend
    assert "상속포기·한정승인 신고</b>: 2027-02-22(월)까지" in text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-03-02", date(2026, 3, 2)),
        ("2026.3.2", date(2026, 3, 2)),
        ("2026/03/02", date(2026, 3, 2)),
        ("20260302", date(2026, 3, 2)),
        ("2026년 3월 2일", date(2026, 3, 2)),
        ("3월 2일", date(2026, 3, 2)),
        ("12월 30일", date(2025, 12, 30)),
        ("오늘", date(2026, 11, 23)),
        ("어제", date(2026, 11, 22)),
        (" 2026-11-23 ", date(2026, 11, 23)),
    ],
)
def test_parse_date(typed, expected):
    assert date_words.parse_date(typed, date(2026, 11, 23), oldest=date(2024, 11, 24)) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2026-11-24", "future"),
        ("2027-01-01", "future"),
        ("2026-02-30", "format"),
        ("어제쯤", "format"),
        ("", "format"),
        ("x" * 500, "format"),
        ("2020-01-01", "too_old"),
        ("13월 1일", "format"),
    ],
)
def test_parse_date_errors(typed, code):
    with pytest.raises(DateInputError) as e:
        date_words.parse_date(typed, date(2026, 11, 23), oldest=date(2024, 11, 24))
    assert e.value.code == code


# --- consent refusal drops exactly the dependent services ------------------------------------------


def _third_child(**kw) -> BirthAnswers:
    return BirthAnswers(
        birth_date=date(2026, 11, 2), order=3, dong="중곡1동", report_made=True, heating="city_gas", **kw
    )


def test_refusing_one_provision_drops_exactly_its_services(svc):
    preview = bd.plan_birth(svc, _third_child())
    assert preview.bodies == ["KEPCO", "CITYGAS"]
    plan = bd.plan_birth(svc, _third_child(), {"KEPCO": False, "CITYGAS": True})
    skipped = {it.code for it in plan.items if it.skipped}
    assert skipped == {"birth_household_electricity"}
    assert {it.code for it in plan.applied()} == {
        "parental_allowance",
        "child_allowance",
        "first_meeting_voucher",
        "home_care_allowance",
        "multi_child_city_gas",
        "district_birth_grant",
    }
    # the confirmed total does not move: only the refused body's (capped) discount went
    assert plan.total(confirmed=True) == preview.total(confirmed=True)
    both = bd.plan_birth(svc, _third_child(), {"KEPCO": False, "CITYGAS": False})
    assert {it.code for it in both.items if it.skipped} == {"birth_household_electricity", "multi_child_city_gas"}


def test_the_plan_counts_monthly_benefits_from_the_month_the_application_on_the_clock_allows(svc):
    """The application date is the clock's today: a child born 64 days ago gets 부모급여 and 아동수당
    from this month, not from the birth month, and the family is told; born 60 days ago, from birth."""
    today = bd.local_today(svc)
    late_birth, on_time_birth = today - timedelta(days=64), today - timedelta(days=60)
    lost = (today.year * 12 + today.month) - (late_birth.year * 12 + late_birth.month)
    late = bd.plan_birth(svc, BirthAnswers(late_birth, 1, "중곡1동", True))
    on_time = bd.plan_birth(svc, BirthAnswers(on_time_birth, 1, "중곡1동", True))
    amounts = {it.code: it.first_year for it in late.items}
    assert lost >= 2 and amounts["parental_allowance"] == (12 - lost) * 1_000_000
    assert amounts["child_allowance"] == (12 - lost) * 100_000
    assert {it.code: it.first_year for it in on_time.items}["parental_allowance"] == 12 * 1_000_000
    assert on_time.total(confirmed=True) - late.total(confirmed=True) == lost * 1_100_000
    parental = next(it for it in late.items if it.code == "parental_allowance")
    assert f"{today:%Y-%m}분부터 지급" in parental.amount_text("ko")
    assert f"paid from {today:%Y-%m}" in parental.amount_text("en")
    assert "분부터" not in next(it for it in on_time.items if it.code == "parental_allowance").amount_text("ko")


def test_refusing_one_agency_after_a_death_drops_only_that_notice(svc):
    a = DeathAnswers(death_date=date(2026, 11, 20), relationship="cohabiting_relative", dong="능동", report_made=False)
    plan = bd.plan_death(svc, a, {"NPS": False, "NHIS": True, "FSS": True, "VEHICLE": True})
    assert plan.bodies == ["NPS", "NHIS", "FSS", "VEHICLE"]
    assert [it.code for it in plan.items if it.skipped] == ["NPS"]
    offices = {it.code: it.department_code for it in plan.items if it.department_code}
    assert offices == {"TAX": "TAX", "DONG_WELFARE": "WELFARE"}  # 능동 has no 주민센터 department here


# --- filing, routing, officers, completion, rating ----------------------------------------------


@pytest.fixture
async def officers(session, district):
    session.add_all([User(id=PARENT), User(id=OTHER)])
    for uid, dept in (
        (DONG_OFFICER, "DONG-JUNGGOK1"),
        (HEALTH_OFFICER, "HEALTH"),
        (TAX_OFFICER, "TAX"),
        (CIVIL_OFFICER, "CIVIL"),
    ):
        await roles.grant(
            session, user_id=uid, role="officer", department_code=dept, by=ADMIN_ID, departments=district.departments
        )
    await session.commit()
    return {
        uid: await roles.load_principal(session, uid, frozenset())
        for uid in (DONG_OFFICER, HEALTH_OFFICER, TAX_OFFICER, CIVIL_OFFICER)
    }


async def _file_birth(session, svc, answers, provision=None, key="form-1", phone_enc=None):
    app, created = await bd.submit(
        session,
        svc,
        kind=bd.BIRTH,
        citizen_id=PARENT,
        submit_key=key,
        answers=answers,
        provision=provision or {},
        collected_at=svc.now(),
        phone_enc=phone_enc,
    )
    await session.commit()
    return app, created


async def _outbox(session, prefix: str) -> list[OutboxMessage]:
    return list(
        (
            await session.execute(
                select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(prefix)).order_by(OutboxMessage.id)
            )
        ).scalars()
    )


async def test_submit_fans_out_one_sub_request_per_benefit(session, svc, officers):
    answers = _third_child()
    app, created = await _file_birth(
        session, svc, answers, {"KEPCO": False, "CITYGAS": True}, phone_enc=svc.cipher.encrypt("010-1234-5678")
    )
    assert created and app.receipt_no == "2026-000001" and app.state == bd.OPEN
    items = {it.code: it for it in app.items}
    assert items["birth_household_electricity"].state == bd.SKIPPED
    assert items["parental_allowance"].department_code == "DONG-JUNGGOK1"
    assert items["district_birth_grant"].department_code == "HEALTH"
    # no channel to the city-gas supplier in the sample profile: the coordinator relays it by hand
    gas = items["multi_child_city_gas"]
    assert (gas.department_code, gas.agency_code, gas.state) == ("CIVIL", "CITYGAS", bd.PENDING)
    assert await session.scalar(select(func.count()).select_from(AgencyNotification)) == 0
    cards = await _outbox(session, "osnew:")
    assert {c.chat_id for c in cards} == {DONG_OFFICER, HEALTH_OFFICER, CIVIL_OFFICER}
    assert sum(c.chat_id == DONG_OFFICER for c in cards) == 4
    card = next(c for c in cards if c.chat_id == CIVIL_OFFICER).payload["text"]
    assert "직접 전달" in card and "010" not in card  # the phone never appears on an officer card
    assert app.consents["provision"]["KEPCO"]["granted"] is False and app.consents["collection"]
    assert "5678" not in str(app.facts) and app.contact_phone_enc and "5678" not in app.contact_phone_enc
    again, created = await _file_birth(session, svc, answers, {"KEPCO": False, "CITYGAS": True})
    assert not created and again.id == app.id  # one form, one application


async def test_officers_work_their_own_department_only(session, svc, officers):
    app, _ = await _file_birth(session, svc, BirthAnswers(date(2026, 11, 2), 1, "중곡1동", True))
    grant = next(it for it in app.items if it.code == "district_birth_grant")
    parental = next(it for it in app.items if it.code == "parental_allowance")
    with pytest.raises(OnestopError) as e:
        await bd.complete(session, svc, officers[DONG_OFFICER], grant)
    assert e.value.code == "forbidden"
    with pytest.raises(OnestopError):
        await bd.take(session, svc, await roles.load_principal(session, PARENT, frozenset()), parental)
    await bd.take(session, svc, officers[DONG_OFFICER], parental)
    assert parental.state == bd.RECEIVED and parental.officer_id == DONG_OFFICER
    with pytest.raises(OnestopError):
        await bd.request_supplement(session, svc, officers[DONG_OFFICER], parental, "짧")
    await bd.request_supplement(session, svc, officers[DONG_OFFICER], parental, "통장 사본을 주민센터에 내 주세요.")
    push = (await _outbox(session, "ossupp:"))[-1]
    assert push.chat_id == PARENT and "통장 사본" in push.payload["text"]
    assert push.payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == bd.cb_supplement(parental.id)
    with pytest.raises(OnestopError):
        await bd.family_reply(session, svc, OTHER, parental, "제가 낼게요 내일 방문합니다")
    await bd.family_reply(session, svc, PARENT, parental, "내일 오전에 방문해서 내겠습니다.")
    assert parental.state == bd.RECEIVED
    assert [e.action for e in parental.events] == ["submit", "take", "supplement", "reply"]


async def test_completion_message_and_rating_attributed_to_each_office(session, svc, officers):
    answers = BirthAnswers(date(2026, 11, 2), 1, "중곡1동", True)
    app, _ = await _file_birth(session, svc, answers, {"KEPCO": False})
    for it in list(app.items):
        if it.state != bd.PENDING:
            continue
        officer = officers[DONG_OFFICER] if it.department_code == "DONG-JUNGGOK1" else officers[HEALTH_OFFICER]
        item = await bd.get_item(session, it.id)
        await bd.complete(
            session, svc, officer, item, "처리했습니다. 축하드립니다!" if it.code == "district_birth_grant" else None
        )
        await session.commit()
    app = await bd.get_application(session, app.id)
    assert app.state == bd.COMPLETED and app.completed_at == svc.now()
    done = await _outbox(session, "oscomplete:")
    assert len(done) == 1 and "모두 처리되었습니다" in done[0].payload["text"]
    assert "축하드립니다!" in (await _outbox(session, "osdone:"))[-1].payload["text"]
    rows = (await session.execute(select(Rating).order_by(Rating.department_code))).scalars().all()
    assert [(r.department_code, r.officer_id) for r in rows] == [
        ("DONG-JUNGGOK1", DONG_OFFICER),
        ("HEALTH", HEALTH_OFFICER),
    ]
    with pytest.raises(RatingError):
        await ratings.rate(session, svc, user_id=OTHER, application_id=app.id, item="overall", score=5)
    with pytest.raises(RatingError):
        await ratings.rate(
            session, svc, user_id=PARENT, application_id=app.id, item="greeting", score=5
        )  # overall first
    await ratings.rate(session, svc, user_id=PARENT, application_id=app.id, item="overall", score=4)
    r = await ratings.rate(session, svc, user_id=PARENT, application_id=app.id, item="greeting", score=5)
    assert ratings.next_item(r) == "guidance"
    with pytest.raises(RatingError) as e:
        await ratings.rate(session, svc, user_id=PARENT, application_id=app.id, item="overall", score=1)
    assert e.value.code == "already"
    await session.commit()
    rows = (await session.execute(select(Rating))).scalars().all()
    assert {(r.overall, r.greeting) for r in rows} == {(4, 5)}
    assert len(await _outbox(session, "ossurvey:")) == 1


async def test_everything_refused_completes_at_once_without_a_survey(session, svc, officers):
    a = DeathAnswers(date(2026, 11, 20), "relative", "중곡1동", True)
    svc.district.raw["onestop"]["death_agencies"] = ["NPS"]
    try:
        app, _created = await bd.submit(
            session,
            svc,
            kind=bd.DEATH,
            citizen_id=PARENT,
            submit_key="d1",
            answers=a,
            provision={"NPS": False},
            collected_at=svc.now(),
            reminders_on=False,
        )
    finally:
        svc.district.raw["onestop"]["death_agencies"] = ["NPS", "NHIS", "FSS", "VEHICLE", "TAX", "DONG_WELFARE"]
    assert app.state == bd.COMPLETED and [it.state for it in app.items] == [bd.SKIPPED]
    assert await _outbox(session, "ossurvey:") == []


# --- reminders ------------------------------------------------------------------------------------


async def _reminders(session) -> list[OnestopReminder]:
    return list((await session.execute(select(OnestopReminder).order_by(OnestopReminder.due_at))).scalars())


async def test_birth_report_reminders_a_week_before_and_on_the_last_day(session, svc, officers, clock):
    app, _ = await _file_birth(session, svc, BirthAnswers(date(2026, 11, 20), 1, "중곡1동", False))
    rows = await _reminders(session)
    assert [(r.code, r.deadline, r.days_before, r.due_at.astimezone(KST)) for r in rows] == [
        ("birth_report", date(2026, 12, 21), 7, datetime(2026, 12, 14, 9, tzinfo=KST)),
        ("birth_report", date(2026, 12, 21), 0, datetime(2026, 12, 21, 9, tzinfo=KST)),
    ]
    assert await bd.send_due_reminders(session, svc) == 0
    clock.set(2026, 12, 14, 9, 1)
    assert await bd.send_due_reminders(session, svc) == 1
    assert await bd.send_due_reminders(session, svc) == 0  # a second run sends nothing
    await session.commit()
    sent = await _outbox(session, "osrem:")
    assert len(sent) == 1 and "2026-12-21(월)까지입니다 (7일 남음)" in sent[0].payload["text"]
    labels = [b[0]["text"] for b in sent[0].payload["reply_markup"]["inline_keyboard"]]
    assert labels == ["신고했어요", "알림 그만 받기"]
    await bd.mark_reported(session, svc, PARENT, app.id)
    clock.set(2026, 12, 21, 9, 5)
    assert await bd.send_due_reminders(session, svc) == 0
    assert [r.status for r in await _reminders(session)] == ["sent", "cancelled"]
    with pytest.raises(OnestopError):
        await bd.mark_reported(session, svc, OTHER, app.id)


async def test_death_checklist_reminders_and_opt_out(session, svc, officers, clock):
    a = DeathAnswers(date(2026, 11, 20), "cohabiting_relative", "중곡1동", False)
    app, _ = await bd.submit(
        session,
        svc,
        kind=bd.DEATH,
        citizen_id=PARENT,
        submit_key="d2",
        answers=a,
        provision={},
        collected_at=svc.now(),
        reminders_on=True,
    )
    await session.commit()
    rows = await _reminders(session)
    assert {r.code for r in rows} == {
        "death_report",
        "renunciation",
        "inheritance_tax",
        "acquisition_tax",
        "safe_inheritance",
    }
    assert len(rows) == 2 + 3 + 2 + 2 + 2  # the offsets of each rule in death_agencies.json
    first = rows[0]
    assert (first.code, first.deadline, first.days_before) == ("death_report", date(2026, 12, 21), 7)
    # the process was down from before the reminder until after the deadline: nothing stale is sent
    clock.set(2026, 12, 22, 10, 0)
    assert await bd.send_due_reminders(session, svc) == 0
    assert {r.status for r in await _reminders(session) if r.code == "death_report"} == {"skipped"}
    await bd.stop_reminders(session, svc, PARENT, app.id)
    assert all(r.status in ("skipped", "cancelled") for r in await _reminders(session))
    # opting out on the form creates none at all
    await bd.submit(
        session,
        svc,
        kind=bd.DEATH,
        citizen_id=OTHER,
        submit_key="d3",
        answers=a,
        provision={},
        collected_at=svc.now(),
        reminders_on=False,
    )
    await session.commit()
    assert len(await _reminders(session)) == len(rows)


async def test_status_text_and_officer_listing(session, svc, officers):
    app, _ = await _file_birth(session, svc, BirthAnswers(date(2026, 11, 2), 1, "중곡1동", False), {"KEPCO": True})
    [text] = bd.status_messages(svc, app, "ko")
    assert text.startswith("<b>출생 원스톱 2026-000001</b> — 진행 중 (0/6)")
    assert "🕓 부모급여 — 중곡1동 주민센터: 신청됨" in text and "출생신고 기한: 2026-12-01(화) (8일 남음)" in text
    assert "한국전력공사" in text  # an outside body shows as itself, even when relayed by hand
    items, total = await bd.department_items(session, "DONG-JUNGGOK1")
    assert total == 4 and all(it.department_code == "DONG-JUNGGOK1" for it in items)
    assert (await bd.department_items(session, "TAX"))[1] == 0


async def test_purge_after_retention_keeps_ratings(session, svc, officers, clock):
    app, _ = await _file_birth(session, svc, BirthAnswers(date(2026, 11, 2), 1, "중곡1동", True), {"KEPCO": False})
    for it in list(app.items):
        if it.state == bd.PENDING:
            item = await bd.get_item(session, it.id)
            p = officers[DONG_OFFICER] if it.department_code == "DONG-JUNGGOK1" else officers[HEALTH_OFFICER]
            await bd.complete(session, svc, p, item)
    await session.commit()
    clock.advance(days=364)
    assert await bd.purge_expired(session, svc) == 0
    clock.advance(days=2)
    assert await bd.purge_expired(session, svc) == 1
    await session.commit()
    assert await session.scalar(select(func.count()).select_from(OnestopApplication)) == 0
    assert await session.scalar(select(func.count()).select_from(OnestopItem)) == 0
    rows = (await session.execute(select(Rating))).scalars().all()
    assert len(rows) == 2 and all(r.service == "onestop" and r.application_id is None for r in rows)


def test_callback_strings_match_the_handlers_callback_data():
    from handlers.callbacks import OsRateCb, OsRateMoreCb
    from handlers.onestop.resident import ReminderCb, SupplementCb
    from handlers.onestop.officer import AgencyAckCb, OsItemCb

    big = 2_147_483_647
    assert bd.cb_item("done", big) == OsItemCb(action="done", item=big).pack()
    assert OsItemCb.unpack(bd.cb_item("supp", 7)) == OsItemCb(action="supp", item=7)
    assert agency_notify.ack_callback(big) == AgencyAckCb(n=big).pack()
    assert bd.cb_supplement(big) == SupplementCb(item=big).pack()
    assert bd.cb_reminder("reported", big) == ReminderCb(action="reported", app=big).pack()
    assert callbacks.onestop_rating(big, "greeting", 5) == OsRateCb(app=big, item="greeting", score=5).pack()
    assert callbacks.onestop_rating_details(big, True) == OsRateMoreCb(app=big, go=1).pack()
    assert all(
        len(s.encode()) <= 64 for s in (bd.cb_item("skip_note", big), callbacks.onestop_rating(big, "guidance", 5))
    )


def test_tax_deadlines_run_nine_months_when_someone_lives_abroad(svc):
    """상증세법 §67④: 9 months when the deceased or an heir had an address abroad; 지방세법 §20①: 9
    months only when an heir has one. Counted like the 6 months, from the end of the month of death
    (민법 §157/§160/§161)."""
    death = date(2026, 3, 15)
    home = {e.rule.code: e for e in bd.death_checklist(svc, death)}
    heir = {e.rule.code: e for e in bd.death_checklist(svc, death, abroad="heir")}
    deceased = {e.rule.code: e for e in bd.death_checklist(svc, death, abroad="deceased")}
    assert home["inheritance_tax"].deadline == home["acquisition_tax"].deadline == date(2026, 9, 30)
    assert heir["inheritance_tax"].deadline == heir["acquisition_tax"].deadline == date(2026, 12, 31)
    assert deceased["inheritance_tax"].deadline == date(2026, 12, 31)
    assert deceased["acquisition_tax"].deadline == date(2026, 9, 30)  # the deceased abroad is not enough
    assert "§67④" in heir["inheritance_tax"].rule.legal_basis and "§67①" in home["inheritance_tax"].rule.legal_basis
    assert "외국에 주소를 둔 상속인" in heir["acquisition_tax"].rule.legal_basis
    for code in ("death_report", "renunciation", "safe_inheritance"):
        assert heir[code].deadline == home[code].deadline
    # the same §161 shift as the 6-month dates: from the end of May, 9 months -> Sun 2027-02-28,
    # 3/1 삼일절 -> Tuesday 3/2
    assert {e.rule.code: e.deadline for e in bd.death_checklist(svc, date(2026, 5, 20), abroad="heir")}[
        "inheritance_tax"
    ] == date(2027, 3, 2)
    text = bd.checklist_text(svc, death, False, "ko", abroad="deceased")
    assert (
        "상속세 신고·납부</b>: 2026-12-31(목)까지" in text and "취득세(상속) 신고·납부</b>: 2026-09-30(수)까지" in text
    )


async def test_an_heir_abroad_moves_the_reminders_and_the_status_checklist(session, svc, officers):
    a = DeathAnswers(date(2026, 11, 20), "cohabiting_relative", "중곡1동", False, abroad="heir")
    app, _ = await bd.submit(
        session,
        svc,
        kind=bd.DEATH,
        citizen_id=PARENT,
        submit_key="abroad",
        answers=a,
        provision={},
        collected_at=svc.now(),
        reminders_on=True,
    )
    await session.commit()
    deadlines = {r.code: r.deadline for r in await _reminders(session)}
    assert deadlines["inheritance_tax"] == deadlines["acquisition_tax"] == date(2027, 8, 31)  # not 2027-05-31
    assert app.facts["abroad"] == "heir"
    status = "".join(bd.status_messages(svc, app, "en"))
    assert "Tue 2027-08-31" in status and "2027-05-31" not in status
