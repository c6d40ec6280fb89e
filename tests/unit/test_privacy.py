"""A resident's own data (workflows/privacy/service.py): what is held, and deleting it — running cases
ended first with notices to the offices, everything personal anonymised or deleted, consents
withdrawn but kept as proof, every step audited, a second run harmless."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from workflows.models import (
    AgencyNotification,
    AuditEntry,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    Consent,
    FoodOperator,
    FsmRecord,
    LicenseTaxEvent,
    LicenseTaxNotice,
    NewResident,
    OnestopApplication,
    OnestopItem,
    OnestopReminder,
    OpinionEntry,
    OpinionParticipant,
    OpinionSubscription,
    OpinionTopic,
    OutboxMessage,
    Rating,
    User,
)
from tests.unit.conftest import ADMIN_ID
from workflows import ratings, roles, users
from workflows.privacy import service as privacy
from workflows.food_alerts import service as food_alerts
from workflows.complaints import service as complaints
from workflows.complaints.common import Draft
from workflows.outbox import enqueue
from workflows.privacy.retention import ANONYMOUS_USER

ME, NEIGHBOUR = 1001, 1002
ROADS_OFFICER, DONG_OFFICER, TAX_OFFICER = 2001, 2002, 2003
PHONE = "010-2345-6789"
TEXT = "우리 집(자양2동 12-3) 앞 보도블록이 깨져서 어머니가 넘어지실 뻔했습니다."
ANSWER = "보도블록을 교체했습니다. 어머님께 안부 전해 주세요."


@pytest.fixture
async def world(session, svc, district):
    """ME has: an open complaint (photos, place, phone), an answered one, a closed and rated one,
    an open birth one-stop (an office item, an outside-body notice not yet sent, a reminder), an
    unpaid and a paid 등록면허세 notice (taxpayer name), an opinion-day subscription with an
    opinion and a vote, a new-resident subscription, a food-alert registration, a form in
    progress and messages queued and sent. NEIGHBOUR has a complaint of their own."""
    session.add_all([User(id=ME), User(id=NEIGHBOUR)])
    for uid, dept in ((ROADS_OFFICER, "ROADS"), (DONG_OFFICER, "DONG-HWAYANG"), (TAX_OFFICER, "TAX")):
        await roles.grant(
            session, user_id=uid, role="officer", department_code=dept, by=ADMIN_ID, departments=district.departments
        )
    await users.give_consent(session, ME)
    officer = await roles.load_principal(session, ROADS_OFFICER, frozenset())
    me = roles.Principal(user_id=ME)

    def draft(**kw):
        return Draft(category="road", description=TEXT, phone_enc=svc.cipher.encrypt(PHONE), **kw)

    w = {}
    w["open"], _ = await complaints.submit(
        session,
        svc,
        citizen_id=ME,
        submit_key="open",
        draft=draft(
            photos=[("f1", "u1"), ("f2", "u2")], address="서울 광진구 자양2동 12-3", latitude=37.53, longitude=127.07
        ),
    )
    await complaints.take(session, svc, officer, w["open"])
    w["answered"], _ = await complaints.submit(session, svc, citizen_id=ME, submit_key="answered", draft=draft())
    await complaints.start_answer(session, svc, officer, w["answered"])
    await complaints.answer(session, svc, officer, w["answered"], ANSWER)
    w["closed"], _ = await complaints.submit(
        session, svc, citizen_id=ME, submit_key="closed", draft=draft(address="화양동 5")
    )
    await complaints.start_answer(session, svc, officer, w["closed"])
    await complaints.answer(session, svc, officer, w["closed"], ANSWER)
    await complaints.citizen_close(session, svc, me, w["closed"])
    await ratings.rate(session, svc, user_id=ME, complaint_id=w["closed"].id, item="overall", score=5)
    await ratings.comment(session, svc, user_id=ME, complaint_id=w["closed"].id, text="김주무관님 친절했어요")
    w["neighbour"], _ = await complaints.submit(
        session,
        svc,
        citizen_id=NEIGHBOUR,
        submit_key="nb",
        draft=Draft(
            category="road",
            description="이웃의 민원입니다. 가로등이 꺼져 있어요.",
            phone_enc=svc.cipher.encrypt("010-1111-2222"),
        ),
    )

    app = OnestopApplication(
        receipt_no="2026-900001",
        submit_key="os",
        kind="birth",
        citizen_id=ME,
        dong="화양동",
        event_date=date(2026, 11, 10),
        facts={"birth_date": "2026-11-10", "dong": "화양동"},
        consents={"version": "v1", "collection": "2026-11-20T10:00:00+09:00"},
        contact_phone_enc=svc.cipher.encrypt(PHONE),
        state="open",
        created_at=svc.now(),
    )
    session.add(app)
    await session.flush()
    office = OnestopItem(
        application_id=app.id,
        code="parent_pay",
        department_code="DONG-HWAYANG",
        state="received",
        note="서류를 더 보내 주세요",
        updated_at=svc.now(),
    )
    outside = OnestopItem(
        application_id=app.id, code="kepco_discount", agency_code="KEPCO", state="pending", updated_at=svc.now()
    )
    session.add_all([office, outside])
    await session.flush()
    session.add(
        AgencyNotification(
            item_id=outside.id,
            agency_code="KEPCO",
            channel="webhook",
            target="https://x.example",
            payload={"facts": {"birth_date": "2026-11-10"}},
            status="pending",
        )
    )
    session.add(
        OnestopReminder(
            application_id=app.id,
            code="birth_report",
            deadline=date(2026, 12, 9),
            days_before=7,
            due_at=svc.now() + timedelta(days=9),
            status="pending",
        )
    )
    w["app"], w["office_item"] = app, office

    def notice(no: str, state: str, **kw) -> LicenseTaxNotice:
        return LicenseTaxNotice(
            notice_no=no,
            submit_key=no,
            citizen_id=ME,
            licence_code="karaoke",
            licence_name="노래연습장업",
            request_kind="new",
            rate_column="city_500k",
            amount=40500,
            legal_basis="지방세법 §34",
            body_code="POLICE",
            business_name="행복노래방",
            dong="화양동",
            taxpayer_name_enc=svc.cipher.encrypt("홍길동"),
            state=state,
            created_at=svc.now(),
            updated_at=svc.now(),
            **kw,
        )

    w["unpaid"] = notice("LT-2026-000001", "issued", virtual_account="9990000011")
    w["paid"] = notice("LT-2026-000002", "paid", paid_amount=40500, paid_at=svc.now() - timedelta(days=3))
    session.add_all([w["unpaid"], w["paid"]])

    topic = OpinionTopic(
        day=date(2026, 11, 19),
        department_code="CIVIL",
        status="closed",
        title="t",
        background="b",
        question="q",
        created_by=1,
        announce_at=svc.now(),
        close_at=svc.now(),
        analysis_due_at=svc.now(),
        answer_due_at=svc.now(),
    )
    session.add(topic)
    await session.flush()
    session.add_all(
        [
            OpinionSubscription(user_id=ME, active=True, dong="자양2동", subscribed_at=svc.now()),
            OpinionParticipant(topic_id=topic.id, user_id=ME, dong="자양2동", poll_choice=[1]),
            OpinionEntry(topic_id=topic.id, user_id=ME, slot=1, text="공원에 그늘막을 더 설치해 주세요"),
        ]
    )
    await users.give_consent(session, ME, "opinion")
    session.add(NewResident(user_id=ME, token="tok", dong="자양2동", moved_in_on=date(2026, 11, 1)))
    await users.give_consent(session, ME, "new_resident_info")
    await food_alerts.register(session, svc, user_id=ME, name="행복식당", business_type="korean", dong="화양동")
    session.add_all(
        [
            FsmRecord(key=f"fsm:42:{ME}:{ME}:default", state="LtForm:name", data={"name": "홍길동"}),
            FsmRecord(key=f"fsm:42:{NEIGHBOUR}:{NEIGHBOUR}:default", state="X", data={"a": 1}),
        ]
    )
    await enqueue(session, key="later-to-me", chat_id=ME, text="곧 보낼 안내", not_before=svc.now() + timedelta(days=7))
    await session.commit()
    # what went out already: everything queued so far counts as sent
    await session.execute(
        OutboxMessage.__table__.update().where(OutboxMessage.dedup_key != "later-to-me").values(status="sent")
    )
    await session.commit()
    return w


async def count(session, model, *where) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*where))


# --- see ---------------------------------------------------------------------------------------------


async def test_what_is_held_counts_and_masks(session, svc, world):
    h = await privacy.what_is_held(session, svc, ME)
    assert (h.complaints, h.complaints_open, h.photos, h.locations) == (3, [world["open"].receipt_no], 2, 2)
    assert h.phones == ["010-****-6789"]  # masked, once, though four cases carry it
    assert (h.onestop, h.onestop_open) == (1, ["2026-900001"])
    assert (h.tax_notices, h.tax_unpaid, h.tax_paid, h.taxpayer_name) == (2, ["LT-2026-000001"], 1, True)
    assert (h.opinion_subscribed, h.opinion_dong, h.opinions, h.votes) == (True, "자양2동", 1, 1)
    assert (h.new_resident_dong, h.moved_in_on, h.food_business) == ("자양2동", date(2026, 11, 1), True)
    assert {c.purpose for c in h.consents} == {"complaint", "opinion", "new_resident_info", "food_alert"}
    assert all(c.withdrawn_at is None for c in h.consents)
    assert (h.forms, h.queued_messages) == (1, 1)
    assert h.open_cases == [world["open"].receipt_no, "2026-900001", "LT-2026-000001"] and h.anything
    assert "2345-6789" not in repr(h) and "홍길동" not in repr(h) and TEXT not in repr(h)
    await session.commit()
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy_view"))
    assert entry.actor_id == ME and entry.actor_role == "citizen" and "6789" not in (entry.detail or "")


async def test_nothing_held_for_a_stranger(session, svc):
    session.add(User(id=5555))
    await session.flush()
    h = await privacy.what_is_held(session, svc, 5555)
    assert not h.anything and h.complaints == 0 and h.phones == [] and h.consents == []


# --- delete ------------------------------------------------------------------------------------------


async def test_delete_my_data(session, svc, world):
    now = svc.now()
    consents_before = await count(session, Consent, Consent.user_id == ME)
    out = await privacy.delete_my_data(session, svc, ME, now)
    await session.commit()
    assert out.anything
    assert out.withdrawn == [world["open"].receipt_no] and out.closed == [world["answered"].receipt_no]
    assert (out.complaints, out.onestop, out.onestop_withdrawn) == (3, 1, ["2026-900001"])
    assert (out.tax_cancelled, out.tax_anonymised, out.tax_kept, out.taxpayer_names) == (
        ["LT-2026-000001"],
        1,
        ["LT-2026-000002"],
        1,
    )
    assert sorted(out.subscriptions) == ["food_alert", "new_resident", "opinion"] and out.opinions == 2
    assert out.consents == 4 and out.forms == 1

    # the open complaint was withdrawn and its department told, without the text, place or phone
    c = await session.get(Complaint, world["open"].id, populate_existing=True)
    assert c.state == "withdrawn" and c.closed_at == now
    notices = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.startswith("withdrawn:"))))
    assert [(m.chat_id, m.status) for m in notices] == [(ROADS_OFFICER, "pending")]
    text = notices[0].payload["text"]
    assert c.receipt_no in text and "취하" in text and "보도블록" not in text and "6789" not in text
    assert "op:media" not in str(notices[0].payload.get("reply_markup"))  # no photo or place to show
    # the answered one was closed (no survey, nobody to tell)
    a = await session.get(Complaint, world["answered"].id, populate_existing=True)
    assert a.state == "closed" and await count(session, Rating, Rating.complaint_id == a.id) == 0
    # every complaint of theirs: anonymised, unlinked, no photos, notes or rating comment
    for cid in (world["open"].id, world["answered"].id, world["closed"].id):
        x = await session.get(Complaint, cid, populate_existing=True)
        assert (x.description, x.phone_enc, x.answer_text, x.latitude, x.citizen_id) == (
            "",
            None,
            None,
            None,
            ANONYMOUS_USER,
        )
        assert x.anonymised_at == now
    assert await count(session, ComplaintPhoto) == 0
    assert await count(session, ComplaintEvent, ComplaintEvent.actor_id == ME) == 0
    assert (
        await count(
            session,
            ComplaintEvent,
            ComplaintEvent.note.is_not(None),
            ComplaintEvent.complaint_id != world["neighbour"].id,
        )
        == 0
    )
    r = await session.scalar(select(Rating).where(Rating.complaint_id == world["closed"].id))
    assert r.overall == 5 and r.comment is None
    assert await complaints.list_for_citizen(session, ME) == []
    # the neighbour's complaint is untouched
    nb = await session.get(Complaint, world["neighbour"].id, populate_existing=True)
    assert nb.description.startswith("이웃의 민원") and nb.phone_enc and nb.citizen_id == NEIGHBOUR

    # the one-stop: office told, the outside notice not sent, reminder off, answers gone
    app = await session.get(OnestopApplication, world["app"].id, populate_existing=True)
    assert app.state == "completed" and app.facts == {} and app.contact_phone_enc is None
    assert app.citizen_id == ANONYMOUS_USER and app.event_date == date(2026, 11, 1)
    assert {it.state for it in app.items} == {"skipped"} and {it.note for it in app.items} == {None}
    office_notice = await session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedup_key == f"oswithdrawn:{world['office_item'].id}:{DONG_OFFICER}")
    )
    assert office_notice is not None and "2026-11-10" not in office_notice.payload["text"]
    agency = await session.scalar(select(AgencyNotification))
    assert agency.status == "cancelled" and agency.payload == {}
    assert await session.scalar(select(OnestopReminder.status)) == "cancelled"

    # tax: the unpaid notice cancelled (tax officers told, nobody named), the paid one kept
    unpaid = await session.get(LicenseTaxNotice, world["unpaid"].id, populate_existing=True)
    assert (unpaid.state, unpaid.business_name, unpaid.taxpayer_name_enc, unpaid.citizen_id) == (
        "cancelled",
        "",
        None,
        ANONYMOUS_USER,
    )
    assert (
        await session.scalar(select(LicenseTaxEvent.action).where(LicenseTaxEvent.notice_id == unpaid.id))
        == "withdrawn"
    )
    tax_notice = await session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedup_key == f"lt:withdrawn:{unpaid.id}:{TAX_OFFICER}")
    )
    assert tax_notice is not None and "행복노래방" not in tax_notice.payload["text"]
    paid = await session.get(LicenseTaxNotice, world["paid"].id, populate_existing=True)
    assert (paid.state, paid.citizen_id, paid.business_name, paid.taxpayer_name_enc) == ("paid", ME, "행복노래방", None)

    # subscriptions, opinions, forms
    for model in (OpinionEntry, OpinionParticipant, OpinionSubscription, NewResident, FoodOperator):
        assert await count(session, model, model.user_id == ME) == 0, model
    assert list(await session.scalars(select(FsmRecord.key))) == [f"fsm:42:{NEIGHBOUR}:{NEIGHBOUR}:default"]
    assert "operator" not in (await roles.load_principal(session, ME, frozenset())).roles
    # consents: all withdrawn, none deleted (proof of what was consented to, and when)
    assert await count(session, Consent, Consent.user_id == ME) == consents_before
    assert await count(session, Consent, Consent.user_id == ME, Consent.withdrawn_at.is_(None)) == 0
    # messages: the one queued for them cancelled and emptied, the sent ones gone, the officers'
    # copies of the cases gone; the withdrawal notices wait to go out
    later = await session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == "later-to-me"))
    assert later.status == "cancelled" and later.payload == {}
    assert await count(session, OutboxMessage, OutboxMessage.chat_id == ME) == 1
    assert await count(session, OutboxMessage, OutboxMessage.dedup_key.startswith(f"new:{world['open'].id}:")) == 0
    assert await count(session, OutboxMessage, OutboxMessage.dedup_key.startswith(f"new:{world['neighbour'].id}:")) == 1
    # the users row stays, with nothing but the id, language and dates
    assert await session.get(User, ME) is not None

    # audited, step by step, without the data
    actions = Counter_of(await session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == ME)))
    assert actions["privacy_withdraw_complaint"] == 1 and actions["privacy_close_complaint"] == 1
    assert actions["privacy_anonymise_complaint"] == 3 and actions["privacy_withdraw_onestop"] == 1
    assert actions["privacy_cancel_tax_notice"] == 1 and actions["privacy_delete_taxpayer_name"] == 1
    assert actions["privacy_withdraw_consents"] == actions["privacy_unsubscribe"] == 1
    assert actions["privacy_clear_forms"] == actions["privacy_forget_messages"] == actions["privacy_delete"] == 1
    details = " ".join(d or "" for d in await session.scalars(select(AuditEntry.detail)))
    assert "6789" not in details and "보도블록" not in details and "홍길동" not in details


async def test_deleting_twice_does_nothing_more(session, svc, world):
    await privacy.delete_my_data(session, svc, ME, svc.now())
    await session.commit()
    messages = await count(session, OutboxMessage)
    audits = await count(session, AuditEntry)
    again = await privacy.delete_my_data(session, svc, ME, svc.now() + timedelta(seconds=5))
    await session.commit()
    assert not again.anything and again.tax_kept == ["LT-2026-000002"]
    assert await count(session, OutboxMessage) == messages  # no second notice to any officer
    assert await count(session, AuditEntry) == audits
    h = await privacy.what_is_held(session, svc, ME)
    assert h.complaints == h.onestop == 0 and h.tax_notices == h.tax_paid == 1 and not h.taxpayer_name
    assert h.phones == [] and h.forms == 0 and h.queued_messages == 0
    assert all(c.withdrawn_at is not None for c in h.consents)


async def test_the_resident_can_come_back(session, svc, world):
    await privacy.delete_my_data(session, svc, ME, svc.now())
    await session.commit()
    await users.give_consent(session, ME)
    c, created = await complaints.submit(
        session,
        svc,
        citizen_id=ME,
        submit_key="after",
        draft=Draft(category="road", description="다시 신청하는 새 민원입니다. 신호등 고장."),
    )
    await session.commit()
    assert created and [x.id for x in await complaints.list_for_citizen(session, ME)] == [c.id]


def Counter_of(rows):
    from collections import Counter

    return Counter(rows)


def test_a_deletion_confirmation_is_valid_for_ten_minutes(svc):
    now = svc.now()
    shown = int(now.timestamp())
    assert privacy.confirmation_valid(shown, now)
    assert privacy.confirmation_valid(shown - 600, now)
    assert not privacy.confirmation_valid(shown - 606, now)  # older than 10 min (+5 s grace)
    assert not privacy.confirmation_valid(shown + 60, now)  # from the future: forged or a broken clock
