"""Retention (workflows/privacy/retention.py): each kind is anonymised or deleted when its period has run
out and not a day before, the indicators read the same numbers afterwards, a second run does
nothing, batches commit on their own, and the settings are validated."""

from __future__ import annotations

import dataclasses
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.config import ConfigError, load_settings
from workflows.complaints import common
from workflows.models import (
    AgencyNotification,
    AuditEntry,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    FsmRecord,
    LicenseTaxConfirmation,
    LicenseTaxNotice,
    OnestopApplication,
    OnestopItem,
    OnestopReminder,
    OpinionEntry,
    OpinionTopic,
    OutboxMessage,
    Rating,
    User,
)
from tests.indicator_sample import NOW as SAMPLE_NOW, kst, seed
from tests.unit.conftest import ADMIN_ID, KST
from workflows import ratings, roles
from workflows.indicators import service as indicators
from workflows.indicators import ranking
from workflows.complaints import service as complaints
from workflows.complaints.common import Draft
from workflows.privacy.retention import ANONYMOUS_USER, RetentionPolicy, period_text, purge_due, run_duty

CITIZEN, OFFICER = 1001, 2001
PHONE = "010-2345-6789"
TEXT = "자양2동 우리 집 앞 가로등이 고장나서 밤에 너무 어둡습니다."
ANSWER = "가로등 안정기를 교체했습니다. 홍길동 주민께 연락드렸습니다."
DAY = timedelta(days=1)


@pytest.fixture
async def people(session, district):
    session.add(User(id=CITIZEN))
    await roles.grant(
        session, user_id=OFFICER, role="officer", department_code="ROADS", by=ADMIN_ID, departments=district.departments
    )
    await session.commit()


async def closed_complaint(
    session,
    svc,
    key: str,
    *,
    address: str | None = "서울 광진구 자양2동 12-3 우리집",
    lat: float | None = 37.5351,
    lon: float | None = 127.0701,
) -> Complaint:
    """Filed with photos, a place and a phone, answered, closed by the resident, rated with a comment."""
    c, _ = await complaints.submit(
        session,
        svc,
        citizen_id=CITIZEN,
        submit_key=key,
        draft=Draft(
            category="road",
            description=TEXT,
            photos=[("file-1", "u1"), ("file-2", "u2")],
            address=address,
            latitude=lat,
            longitude=lon,
            phone_enc=svc.cipher.encrypt(PHONE),
        ),
    )
    officer = await roles.load_principal(session, OFFICER, frozenset())
    me = roles.Principal(user_id=CITIZEN)
    await complaints.start_answer(session, svc, officer, c)
    await complaints.answer(session, svc, officer, c, ANSWER)
    await complaints.citizen_close(session, svc, me, c)
    await ratings.rate(session, svc, user_id=CITIZEN, complaint_id=c.id, item="overall", score=4)
    await ratings.comment(session, svc, user_id=CITIZEN, complaint_id=c.id, text="담당자 전화번호 010-9999-0000 감사")
    await session.commit()
    return c


async def fresh(session, model, pk):
    return await session.get(model, pk, populate_existing=True)


async def audit_rows(session, action: str) -> list[AuditEntry]:
    return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


# --- settings ------------------------------------------------------------------------------------


def test_policy_from_settings_and_validation():
    s = load_settings(
        {"RETENTION_OUTBOX_DAYS": "45", "FORM_TTL_DAYS": "7", "RETENTION_CONTACT_DAYS": "180"}, dotenv=False
    )
    p = RetentionPolicy.from_settings(s)
    assert (p.outbox_days, p.form_days, p.contact_days, p.complaint_days, p.tax_record_days) == (45, 7, 180, 365, 1825)
    assert p.days("forms") == 7 and p.days("taxpayer_name") == 365
    for env, needle in [
        ({"RETENTION_OUTBOX_DAYS": "0"}, "RETENTION_OUTBOX_DAYS must be a whole number of days"),
        ({"RETENTION_COMPLAINT_DAYS": "1.5"}, "RETENTION_COMPLAINT_DAYS must be"),
        ({"RETENTION_OPINION_DAYS": "-3"}, "RETENTION_OPINION_DAYS must be"),
        ({"RETENTION_ONESTOP_DAYS": "a year"}, "RETENTION_ONESTOP_DAYS must be"),
        ({"RETENTION_CONTACT_DAYS": "400"}, "cannot be longer than RETENTION_COMPLAINT_DAYS"),
        ({"RETENTION_TAXPAYER_NAME_DAYS": "2000"}, "cannot be longer than RETENTION_TAX_RECORD_DAYS"),
        ({"FORM_TTL_DAYS": "0"}, "FORM_TTL_DAYS must be"),
    ]:
        with pytest.raises(ConfigError, match=needle):
            load_settings(env, dotenv=False)
    with pytest.raises(ValueError):
        RetentionPolicy(outbox_days=0)
    with pytest.raises(ValueError):
        RetentionPolicy(batch=True)


def test_period_text_for_the_notices():
    assert [period_text(d, "ko") for d in (365, 730, 90, 1)] == ["1년", "2년", "90일", "1일"]
    assert [period_text(d, "en") for d in (365, 1825, 90, 1)] == ["1 year", "5 years", "90 days", "1 day"]


# --- complaints ----------------------------------------------------------------------------------


async def test_complaint_anonymised_a_year_after_closing_not_before(session, svc, clock, people):
    c = await closed_complaint(session, svc, "a1")
    closed_at = c.closed_at
    still_open, _ = await complaints.submit(
        session,
        svc,
        citizen_id=CITIZEN,
        submit_key="open",
        draft=Draft(category="road", description=TEXT, address="화양동 1"),
    )
    await session.commit()
    policy = svc.retention

    counts = await purge_due(session, svc, policy, closed_at + 365 * DAY - timedelta(minutes=1))
    assert counts["complaint"] == counts["contact"] == 0
    assert (await fresh(session, Complaint, c.id)).description == TEXT

    now = closed_at + 365 * DAY + timedelta(minutes=1)
    counts = await purge_due(session, svc, policy, now)
    assert counts["complaint"] == 1 and counts["contact"] == 1
    a = await fresh(session, Complaint, c.id)
    assert (a.description, a.answer_text, a.phone_enc, a.latitude, a.longitude) == ("", None, None, None, None)
    assert a.address == "자양2동"  # only the 동 stays (volume by 동)
    assert a.citizen_id == ANONYMOUS_USER and a.anonymised_at == now
    assert (
        await session.scalar(
            select(func.count()).select_from(ComplaintPhoto).where(ComplaintPhoto.complaint_id == c.id)
        )
        == 0
    )
    events = list(
        await session.scalars(
            select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id)
        )
    )
    assert [e.action for e in events] == ["submit", "take", "start", "answer", "close"]
    assert all(e.note is None for e in events)
    assert [e.actor_id for e in events] == [None, OFFICER, OFFICER, OFFICER, None]  # officers stay, resident goes
    r = await session.scalar(select(Rating).where(Rating.complaint_id == c.id))
    assert r.overall == 4 and r.comment is None and r.department_code == "ROADS" and r.officer_id == OFFICER
    # what was kept is what the indicators read
    assert (a.state, a.category_code, a.department_code, a.receipt_no) == ("closed", "road", "ROADS", c.receipt_no)
    assert a.answered_at and a.deadline_at and a.received_at and a.answered_by == OFFICER
    # not the complaint still being handled
    o = await fresh(session, Complaint, still_open.id)
    assert o.description == TEXT and o.anonymised_at is None and o.citizen_id == CITIZEN
    # gone from the resident's /status
    assert await complaints.list_for_citizen(session, CITIZEN) == [o]
    # audited without the data
    rows = await audit_rows(session, "retention_complaint")
    assert len(rows) == 1 and rows[0].actor_role == "system" and rows[0].actor_id is None
    assert c.receipt_no in rows[0].detail and "가로등" not in rows[0].detail and "6789" not in rows[0].detail
    assert len(await audit_rows(session, "retention_contact")) == 1
    # a second run (or a late one) finds nothing
    assert set((await purge_due(session, svc, policy, now + 3 * DAY)).values()) == {0}
    assert len(await audit_rows(session, "retention_complaint")) == 1


async def test_address_outside_the_districts_dongs_and_location_only(session, svc, clock, people):
    other = await closed_complaint(session, svc, "b1", address="광진구 능동로 120", lat=None, lon=None)
    located = await closed_complaint(session, svc, "b2", address=None)
    await purge_due(session, svc, svc.retention, other.closed_at + 400 * DAY)
    assert (await fresh(session, Complaint, other.id)).address == common.OTHER_PLACE  # "능동로" is a road
    loc = await fresh(session, Complaint, located.id)
    assert loc.address is None and loc.latitude is None


async def test_a_shorter_contact_period_removes_only_the_phone(session, svc, clock, people):
    c = await closed_complaint(session, svc, "c1")
    policy = dataclasses.replace(svc.retention, contact_days=30)
    counts = await purge_due(session, svc, policy, c.closed_at + 31 * DAY)
    assert (counts["contact"], counts["complaint"]) == (1, 0)
    a = await fresh(session, Complaint, c.id)
    assert a.phone_enc is None and a.description == TEXT and a.citizen_id == CITIZEN and a.anonymised_at is None


# --- indicators keep working ------------------------------------------------------------------------


def _normalised(x):
    """Indicators as plain data; the business-hour samples sorted (row order is not part of them)."""
    if dataclasses.is_dataclass(x):
        return {
            f.name: (sorted(getattr(x, f.name)) if f.name == "hours" else _normalised(getattr(x, f.name)))
            for f in dataclasses.fields(x)
        }
    if isinstance(x, dict):
        return {k: _normalised(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_normalised(v) for v in x]
    return x


async def _everything(session, svc, spans):
    out = []
    for span in spans:
        ind = await indicators.compute(session, svc, span)
        lo, hi = span.bounds(svc)
        out.append(
            (
                _normalised(dataclasses.replace(ind, hotspots=[])),
                _normalised(await ranking.public_ranking(session, svc, since=lo, until=hi)),
            )
        )
    return out


async def test_indicator_numbers_are_unchanged_after_anonymisation(session, svc, clock):
    """The hand-computed sample of the indicator tests (tests/indicator_sample.py) plus a one-stop,
    two years on: everything every report shows for its periods is the same after the purge."""
    clock.at = SAMPLE_NOW
    cs = await seed(session)
    app = OnestopApplication(
        receipt_no="2026-009001",
        submit_key="os",
        kind="birth",
        citizen_id=100,
        dong="능동",
        event_date=date(2026, 10, 3),
        facts={"birth_date": "2026-10-03", "dong": "능동"},
        consents={"version": "v"},
        contact_phone_enc=svc.cipher.encrypt(PHONE),
        state="completed",
        created_at=kst(2026, 10, 12, 10),
        completed_at=kst(2026, 10, 14, 10),
    )
    session.add(app)
    await session.flush()
    for code, dept, agency, done in (
        ("a", "DONG-JAYANG1", None, kst(2026, 10, 12, 16)),
        ("c", None, "KEPCO", kst(2026, 10, 14, 10)),
    ):
        session.add(
            OnestopItem(
                application_id=app.id,
                code=code,
                department_code=dept,
                agency_code=agency,
                state="done",
                done_at=done,
                updated_at=SAMPLE_NOW,
                note="보완 서류 감사합니다 홍길동",
            )
        )
    await session.commit()
    clock.at = kst(2028, 11, 2, 10)
    spans = [
        indicators.Span("month", 2026, 10),
        indicators.Span("quarter", 2026, 4),
        indicators.Span("year", 2026),
        indicators.Span("month", 2025, 10),
    ]
    before = await _everything(session, svc, spans)
    assert before[0][0]["current"]["smile"]["district"]["rated"] == 4  # c1, c2, c4, c9 (rated 10-01)
    assert before[0][0]["volume"]["by_dong"] == {
        "자양2동": 1,
        "능동": 1,
        common.OTHER_PLACE: 1,
        common.NO_ADDRESS: 3,
    }

    counts = await purge_due(session, svc, svc.retention, clock.at)
    closed = [c for c in cs if c.closed_at is not None]
    assert counts["complaint"] == len(closed) == 7 and counts["onestop"] == 1
    after = await _everything(session, svc, spans)
    assert after == before
    # the open ones were left alone; the one-stop lost its answers, phone and notes, not its offices
    assert await session.scalar(
        select(func.count()).select_from(Complaint).where(Complaint.anonymised_at.is_(None))
    ) == len(cs) - len(closed)
    a = await fresh(session, OnestopApplication, app.id)
    assert (a.facts, a.contact_phone_enc, a.event_date, a.citizen_id) == ({}, None, date(2026, 10, 1), ANONYMOUS_USER)
    assert {it.note for it in a.items} == {None}


# --- one-stop, opinions, outbox, forms, tax ----------------------------------------------------------


async def test_onestop_waits_for_its_reminders_and_notices(session, svc, clock):
    session.add(User(id=CITIZEN))
    await session.flush()
    app = OnestopApplication(
        receipt_no="2026-009002",
        submit_key="os2",
        kind="death",
        citizen_id=CITIZEN,
        dong="화양동",
        event_date=date(2026, 5, 17),
        facts={"death_date": "2026-05-17"},
        consents={},
        contact_phone_enc=svc.cipher.encrypt(PHONE),
        state="completed",
        created_at=clock.at - 500 * DAY,
        completed_at=clock.at - 400 * DAY,
    )
    session.add(app)
    await session.flush()
    item = OnestopItem(application_id=app.id, code="nps", agency_code="NPS", state="done", updated_at=clock.at)
    session.add(item)
    await session.flush()
    session.add(
        AgencyNotification(
            item_id=item.id,
            agency_code="NPS",
            channel="webhook",
            target="https://x.example",
            payload={"facts": {"death_date": "2026-05-17"}},
            status="acknowledged",
        )
    )
    reminder = OnestopReminder(
        application_id=app.id,
        code="inheritance_tax",
        deadline=date(2027, 1, 1),
        days_before=7,
        due_at=clock.at + DAY,
        status="pending",
    )
    session.add(reminder)
    await session.commit()
    counts = await purge_due(session, svc, svc.retention, clock.at)
    assert counts["onestop"] == 0 and counts["contact"] == 1  # the phone goes; the answers wait for the reminder
    reminder.status = "sent"
    await session.commit()
    assert (await purge_due(session, svc, svc.retention, clock.at))["onestop"] == 1
    n = await session.scalar(select(AgencyNotification))
    assert n.payload == {} and n.status == "acknowledged"


async def test_opinions_outbox_and_forms(session, svc, clock):
    now = clock.at
    session.add(User(id=CITIZEN))
    await session.flush()
    old = OpinionTopic(
        day=date(2025, 1, 16),
        department_code="CIVIL",
        status="answered",
        title="t",
        background="b",
        question="q",
        created_by=1,
        announce_at=now - 700 * DAY,
        close_at=now - 700 * DAY,
        analysis_due_at=now - 690 * DAY,
        answer_due_at=now - 680 * DAY,
        answer_published_at=now - 366 * DAY,
        analysis={"opinions": 1},
    )
    recent = OpinionTopic(
        day=date(2026, 6, 18),
        department_code="CIVIL",
        status="answered",
        title="t",
        background="b",
        question="q",
        created_by=1,
        announce_at=now - 150 * DAY,
        close_at=now - 150 * DAY,
        analysis_due_at=now - 147 * DAY,
        answer_due_at=now - 130 * DAY,
        answer_published_at=now - 100 * DAY,
    )
    session.add_all([old, recent])
    await session.flush()
    session.add_all(
        [
            OpinionEntry(topic_id=old.id, user_id=CITIZEN, slot=1, text="우리 동네 의견"),
            OpinionEntry(topic_id=recent.id, user_id=CITIZEN, slot=1, text="최근 의견"),
        ]
    )
    session.add_all(
        [
            OutboxMessage(
                dedup_key="old-sent",
                chat_id=CITIZEN,
                method="sendMessage",
                payload={"text": "개인 답변"},
                status="sent",
                not_before=now - 91 * DAY,
                created_at=now - 91 * DAY,
                sent_at=now - 91 * DAY,
            ),
            OutboxMessage(
                dedup_key="old-failed",
                chat_id=CITIZEN,
                method="sendMessage",
                payload={"text": "x"},
                status="failed",
                not_before=now - 120 * DAY,
                created_at=now - 120 * DAY,
            ),
            OutboxMessage(
                dedup_key="recent-sent",
                chat_id=CITIZEN,
                method="sendMessage",
                payload={"text": "y"},
                status="sent",
                not_before=now - 10 * DAY,
                created_at=now - 10 * DAY,
            ),
            OutboxMessage(
                dedup_key="old-pending",
                chat_id=CITIZEN,
                method="sendMessage",
                payload={"text": "z"},
                status="pending",
                not_before=now - 200 * DAY,
                created_at=now - 200 * DAY,
            ),
        ]
    )
    session.add_all(
        [
            FsmRecord(
                key=f"fsm:1:{CITIZEN}:{CITIZEN}:default",
                state="ComplaintForm:description",
                data={"description": "쓰다 만 민원"},
                updated_at=now - 31 * DAY,
            ),
            FsmRecord(key="fsm:1:7:7:default", state="x", data={"a": 1}, updated_at=now - 29 * DAY),
        ]
    )
    await session.commit()

    counts = await purge_due(session, svc, svc.retention, now)
    assert (counts["opinion"], counts["outbox"], counts["forms"]) == (1, 2, 1)
    assert [e.text for e in await session.scalars(select(OpinionEntry))] == ["최근 의견"]
    assert sorted(await session.scalars(select(OutboxMessage.dedup_key))) == ["old-pending", "recent-sent"]
    assert list(await session.scalars(select(FsmRecord.key))) == ["fsm:1:7:7:default"]
    assert (await session.get(OpinionTopic, old.id)).analysis == {"opinions": 1}  # the counts stay


async def test_tax_name_after_a_year_record_after_five(session, svc, clock):
    session.add(User(id=CITIZEN))
    await session.flush()
    paid_at = clock.at - 2 * DAY
    n = LicenseTaxNotice(
        notice_no="LT-2026-000001",
        submit_key="lt1",
        citizen_id=CITIZEN,
        licence_code="x",
        licence_name="노래연습장업",
        request_kind="new",
        rate_column="city_500k",
        amount=40500,
        legal_basis="지방세법 §34",
        body_code="POLICE",
        business_name="행복노래방",
        dong="화양동",
        taxpayer_name_enc=svc.cipher.encrypt("홍길동"),
        state="paid",
        paid_amount=40500,
        paid_at=paid_at,
        created_at=paid_at,
        updated_at=paid_at,
    )
    open_one = LicenseTaxNotice(
        notice_no="LT-2026-000002",
        submit_key="lt2",
        citizen_id=CITIZEN,
        licence_code="x",
        licence_name="노래연습장업",
        request_kind="new",
        rate_column="city_500k",
        amount=40500,
        legal_basis="b",
        body_code="POLICE",
        business_name="미납노래방",
        dong="화양동",
        taxpayer_name_enc=svc.cipher.encrypt("김철수"),
        state="issued",
        created_at=paid_at - 3000 * DAY,
        updated_at=paid_at,
    )
    session.add_all([n, open_one])
    await session.flush()
    session.add(
        LicenseTaxConfirmation(
            notice_id=n.id,
            body_code="POLICE",
            channel="webhook",
            target="https://x.example",
            payload={"notice_no": n.notice_no, "business_name": "행복노래방", "amount": 40500},
            status="sent",
        )
    )
    await session.commit()
    counts = await purge_due(session, svc, svc.retention, paid_at + 366 * DAY)
    assert (counts["taxpayer_name"], counts["tax_record"]) == (1, 0)
    t = await fresh(session, LicenseTaxNotice, n.id)
    assert t.taxpayer_name_enc is None and t.business_name == "행복노래방" and t.citizen_id == CITIZEN
    counts = await purge_due(session, svc, svc.retention, paid_at + 1826 * DAY)
    assert counts["tax_record"] == 1
    t = await fresh(session, LicenseTaxNotice, n.id)
    assert (t.business_name, t.citizen_id, t.amount, t.paid_amount, t.notice_no) == (
        "",
        ANONYMOUS_USER,
        40500,
        40500,
        "LT-2026-000001",
    )
    conf = await session.scalar(select(LicenseTaxConfirmation))
    assert conf.payload == {"notice_no": n.notice_no, "amount": 40500}
    o = await fresh(session, LicenseTaxNotice, open_one.id)  # unpaid: never purged
    assert o.taxpayer_name_enc and o.business_name == "미납노래방" and o.anonymised_at is None


# --- batches, the duty, the schedule ------------------------------------------------------------------


async def test_batches_commit_separately_and_the_duty_runs(session, db_sessionmaker, svc, clock, people):
    closed_at = clock.at - 400 * DAY
    session.add_all(
        [
            Complaint(
                receipt_no=f"2025-{i:06d}",
                submit_key=f"bulk-{i}",
                citizen_id=CITIZEN,
                category_code="road",
                kind="고충",
                period="7d",
                description=f"{TEXT} {i}",
                address="자양2동 1",
                phone_enc="token",
                department_code="ROADS",
                state="closed",
                received_at=closed_at - DAY,
                deadline_at=closed_at,
                closed_at=closed_at,
                updated_at=closed_at,
                photos=[ComplaintPhoto(position=0, file_id=f"f{i}", file_unique_id=f"u{i}")],
                events=[
                    ComplaintEvent(
                        at=closed_at - DAY,
                        actor_id=CITIZEN,
                        actor_role="citizen",
                        action="submit",
                        to_state="received",
                        department_code="ROADS",
                        note="x",
                    )
                ],
            )
            for i in range(1, 1201)
        ]
    )
    await session.commit()
    from bot.scheduler import Duties

    svc = dataclasses.replace(svc, retention=dataclasses.replace(svc.retention, batch=500))
    duties = Duties(db_sessionmaker, svc, lambda: None)
    started = time.perf_counter()
    await duties.retention()
    elapsed = time.perf_counter() - started
    print(f"\nretention: 1,200 complaints (photos, events, phones) anonymised in {elapsed:.2f} s")
    assert duties.failures == [] and elapsed < 120
    session.expire_all()
    assert (
        await session.scalar(select(func.count()).select_from(Complaint).where(Complaint.anonymised_at.is_(None))) == 0
    )
    assert len(await audit_rows(session, "retention_complaint")) == 3  # 500 + 500 + 200, one entry per batch
    assert await session.scalar(select(func.count()).select_from(ComplaintPhoto)) == 0
    await session.commit()  # SQLite: our read transaction holds the write lock (BEGIN IMMEDIATE)
    async with db_sessionmaker() as s:
        assert await run_duty(s, svc) == 0  # idempotent


def test_scheduler_runs_retention_daily_at_a_quiet_hour():
    from bot.scheduler import Duties, build_scheduler

    sched = build_scheduler(Duties(None, None, lambda: None), "Asia/Seoul")
    job = sched.get_job("retention")
    assert job is not None and job.misfire_grace_time == 6 * 3600 and job.coalesce
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("3", "45")
    assert str(job.trigger.timezone) == "Asia/Seoul"
    assert KST.key == "Asia/Seoul"
