"""Retention (개인정보 보호법 §21): each kind of personal data is kept for a set number of days after
its case ends, then anonymised in place or deleted by a daily job (bot/scheduler.py, 03:45).

kind           what goes                                                  clock starts     setting (default)
contact        the phone of a complaint or a one-stop application         closed/completed RETENTION_CONTACT_DAYS (365)
complaint      text, answer, photos, place (its 동 stays), notes, comment  closed           RETENTION_COMPLAINT_DAYS (365)
onestop        the family's answers, notes, the day (its month stays)     completed        RETENTION_ONESTOP_DAYS (365)
opinion        opinion-day free text                                      policy answer    RETENTION_OPINION_DAYS (365)
outbox         sent, failed and cancelled outbox messages                 due time         RETENTION_OUTBOX_DAYS (90)
forms          abandoned form data (fsm_records)                          last change      FORM_TTL_DAYS (30)
taxpayer_name  the 등록면허세 taxpayer's name                               paid/closed      RETENTION_TAXPAYER_NAME_DAYS (365)
tax_record     what else names someone: business name, the resident link  paid/closed      RETENTION_TAX_RECORD_DAYS (1825)

An anonymised row keeps what the indicators, the ranking and the reports read (department,
category, kind, state, times, deadline, officers, rating scores, receipt number) and points to the
stand-in user ``ANONYMOUS_USER`` instead of the resident (``citizen_id`` is required), so it no
longer appears in anybody's /status; the recurring-place finder skips it (indicators.recurring:
it has no place any more, and the 90-day window never reaches a row a year after closing).
``anonymised_at`` makes the job idempotent; every batch of at
most ``RetentionPolicy.batch`` rows is committed on its own, so no run holds a long transaction,
and each batch is one audit entry (counts and receipt numbers, never the data).

The features' own purges stay as they were and may act earlier: one-stop applications are
destroyed ``onestop.retention_days`` after completion (birth_death.purge_expired), opinions, votes
and poll ids ``retention_days_after_answer`` after the answer (opinion_days.purge_expired), new
residents' subscriptions ``retention_days`` after the move-in (new_residents.expire).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Awaitable, Callable, Sequence

from sqlalchemy import Select, case, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workflows.models import (
    AgencyNotification,
    AnswerFile,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    FsmRecord,
    LicenseTaxConfirmation,
    LicenseTaxEvent,
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
from workflows import audit
from workflows.complaints import states
from workflows.complaints.common import NO_ADDRESS, dong_case
from workflows.retention_policy import DAYS_PER_YEAR, RetentionPolicy

if TYPE_CHECKING:
    from workflows.context import Services

log = logging.getLogger(__name__)

ANONYMOUS_USER = 0  # the users row anonymised cases point to (no Telegram user has id 0)
KINDS = ("contact", "complaint", "onestop", "opinion", "outbox", "forms", "taxpayer_name", "tax_record")
# 등록면허세 notices that are over (a tax record from then on); open ones are never purged.
TAX_FINAL = ("paid", "cancelled", "refund_requested", "non_taxable")
OUTBOX_DONE = ("sent", "failed", "cancelled")


def period_text(days: int, lang: str) -> str:
    """365 -> "1년" / "1 year", 730 -> "2년", 90 -> "90일" / "90 days" (for the notices)."""
    if days % DAYS_PER_YEAR == 0:
        n = days // DAYS_PER_YEAR
        return f"{n} year{'s' if n > 1 else ''}" if lang == "en" else f"{n}年" if lang == "zh" else f"{n}년"
    return f"{days} day{'s' if days > 1 else ''}" if lang == "en" else f"{days}天" if lang == "zh" else f"{days}일"


# --- shared with workflows/privacy/service.py: anonymise in place ----------------------------------------


async def ensure_anonymous_user(session: AsyncSession) -> None:
    if await session.get(User, ANONYMOUS_USER) is not None:
        return
    try:
        async with session.begin_nested():
            session.add(User(id=ANONYMOUS_USER, language="ko", language_chosen=False, is_active=False))
    except IntegrityError:
        pass  # created concurrently


def _quiet(stmt):
    """Bulk statements: the ORM objects of the session are not updated in memory."""
    return stmt.execution_options(synchronize_session=False)


async def scrub_complaints(session: AsyncSession, svc: "Services", ids: Sequence[int], now: datetime) -> None:
    """Anonymise complaints in place: no text, answer (nor its attached files), photos, coordinates,
    phone, notes or rating comment; the address becomes its 동 (the same rule as the indicators' volume by 동,
    complaints.common.dong_case; "(other)" outside the district's 동, NULL with coordinates only); the
    resident's link goes to ANONYMOUS_USER. Kept: department, category, kind, state, times,
    deadline, officers and the events' actions, rating scores."""

    if not ids:
        return
    await session.flush()
    await ensure_anonymous_user(session)
    C = Complaint
    await session.execute(
        _quiet(
            update(C)
            .where(C.id.in_(ids))
            .values(
                description="",
                address=func.nullif(dong_case(svc.district.dongs), NO_ADDRESS),
                latitude=None,
                longitude=None,
                phone_enc=None,
                answer_text=None,
                citizen_id=ANONYMOUS_USER,
                anonymised_at=now,
            )
        )
    )
    await session.execute(_quiet(delete(ComplaintPhoto).where(ComplaintPhoto.complaint_id.in_(ids))))
    await session.execute(_quiet(delete(AnswerFile).where(AnswerFile.complaint_id.in_(ids))))  # the answer's files
    E = ComplaintEvent
    await session.execute(
        _quiet(
            update(E)
            .where(E.complaint_id.in_(ids))
            .values(note=None, actor_id=case((E.actor_role == "citizen", None), else_=E.actor_id))
        )
    )
    await session.execute(_quiet(update(Rating).where(Rating.complaint_id.in_(ids)).values(comment=None)))


async def scrub_onestop(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    """Anonymise one-stop applications in place: no answers (facts), contact, notes, or what was
    sent to outside bodies; the day of the birth or death becomes the first of its month; the
    family's link goes to ANONYMOUS_USER. Kept: kind, 동, items with their offices, states and
    times (the indicators), consent versions and times (proof of consent)."""
    if not ids:
        return
    await session.flush()
    await ensure_anonymous_user(session)
    apps = (
        (
            await session.execute(
                select(OnestopApplication)
                .where(OnestopApplication.id.in_(ids))
                .options(selectinload(OnestopApplication.items).selectinload(OnestopItem.events))
            )
        )
        .scalars()
        .all()
    )
    item_ids = []
    for app in apps:
        family = app.citizen_id
        app.facts, app.contact_phone_enc = {}, None
        app.event_date = app.event_date.replace(day=1)
        app.citizen_id, app.anonymised_at = ANONYMOUS_USER, now
        for item in app.items:
            item_ids.append(item.id)
            item.note = None
            for ev in item.events:
                ev.note = None
                if ev.actor_id == family:
                    ev.actor_id = None
    await session.flush()
    if item_ids:
        await session.execute(
            _quiet(update(AgencyNotification).where(AgencyNotification.item_id.in_(item_ids)).values(payload={}))
        )


async def scrub_tax_notices(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    """Anonymise finished 등록면허세 notices: no taxpayer name or business name (also in what the
    licensing body was sent), no resident link. Kept: notice number, licence, class, amounts,
    dates, payments and events (the tax record without a person)."""
    if not ids:
        return
    await session.flush()
    await ensure_anonymous_user(session)
    N = LicenseTaxNotice
    await session.execute(
        _quiet(
            update(N)
            .where(N.id.in_(ids))
            .values(business_name="", taxpayer_name_enc=None, citizen_id=ANONYMOUS_USER, anonymised_at=now)
        )
    )
    await session.execute(
        _quiet(
            update(LicenseTaxEvent)
            .where(LicenseTaxEvent.notice_id.in_(ids), LicenseTaxEvent.actor_kind == "citizen")
            .values(actor_id=None)
        )
    )
    for c in await session.scalars(select(LicenseTaxConfirmation).where(LicenseTaxConfirmation.notice_id.in_(ids))):
        if "business_name" in (c.payload or {}):
            c.payload = {k: v for k, v in c.payload.items() if k != "business_name"}


# --- the daily job ---------------------------------------------------------------------------------

Handle = Callable[[list], Awaitable[str]]


async def _in_batches(
    session: AsyncSession, query: Select, key, size: int, handle: Handle, action: str, subject_kind: str, now: datetime
) -> int:
    """Run ``handle`` over the keys ``query`` selects, ``size`` at a time in key order, committing
    each batch with one audit entry (``handle`` returns its detail). A key cursor, so a row that
    still matches after its batch is never taken twice."""
    total, last = 0, None
    while True:
        q = query if last is None else query.where(key > last)
        keys = list(await session.scalars(q.order_by(key).limit(size)))
        if not keys:
            return total
        detail = await handle(keys)
        audit.record(
            session,
            action,
            actor_id=None,
            actor_role=audit.SYSTEM,
            subject_kind=subject_kind,
            detail=f"{len(keys)} rows; {detail}"[: audit.DETAIL_MAX],
            at=now,
        )
        await session.commit()
        total, last = total + len(keys), keys[-1]
        if len(keys) < size:
            return total


async def _receipts(session: AsyncSession, col, id_col, ids: list[int]) -> str:
    nos = list(await session.scalars(select(col).where(id_col.in_(ids)).order_by(id_col)))
    return f"{nos[0]}..{nos[-1]}" if len(nos) > 1 else (nos[0] if nos else "-")


async def purge_contacts(session: AsyncSession, svc: "Services", policy: RetentionPolicy, now: datetime) -> int:
    cutoff = now - timedelta(days=policy.contact_days)
    C, A = Complaint, OnestopApplication

    async def complaints(ids: list[int]) -> str:
        await session.execute(_quiet(update(C).where(C.id.in_(ids)).values(phone_enc=None)))
        return "complaint phones deleted " + await _receipts(session, C.receipt_no, C.id, ids)

    async def onestops(ids: list[int]) -> str:
        await session.execute(_quiet(update(A).where(A.id.in_(ids)).values(contact_phone_enc=None)))
        return "one-stop phones deleted " + await _receipts(session, A.receipt_no, A.id, ids)

    n = await _in_batches(
        session,
        select(C.id).where(C.phone_enc.is_not(None), C.state.in_(states.FINAL), C.closed_at < cutoff),
        C.id,
        policy.batch,
        complaints,
        "retention_contact",
        "complaint",
        now,
    )
    return n + await _in_batches(
        session,
        select(A.id).where(A.contact_phone_enc.is_not(None), A.state == "completed", A.completed_at < cutoff),
        A.id,
        policy.batch,
        onestops,
        "retention_contact",
        "onestop",
        now,
    )


async def purge_complaints(session: AsyncSession, svc: "Services", policy: RetentionPolicy, now: datetime) -> int:
    C = Complaint

    async def handle(ids: list[int]) -> str:
        receipts = await _receipts(session, C.receipt_no, C.id, ids)
        await scrub_complaints(session, svc, ids, now)
        return "complaints anonymised " + receipts

    q = select(C.id).where(
        C.anonymised_at.is_(None), C.state.in_(states.FINAL), C.closed_at < now - timedelta(days=policy.complaint_days)
    )
    return await _in_batches(session, q, C.id, policy.batch, handle, "retention_complaint", "complaint", now)


async def purge_onestop(session: AsyncSession, svc: "Services", policy: RetentionPolicy, now: datetime) -> int:
    A, I = OnestopApplication, OnestopItem

    async def handle(ids: list[int]) -> str:
        receipts = await _receipts(session, A.receipt_no, A.id, ids)
        await scrub_onestop(session, ids, now)
        return "one-stop applications anonymised " + receipts

    reminding = exists().where(OnestopReminder.application_id == A.id, OnestopReminder.status == "pending")
    notifying = exists().where(
        I.application_id == A.id, AgencyNotification.item_id == I.id, AgencyNotification.status == "pending"
    )
    q = select(A.id).where(
        A.anonymised_at.is_(None),
        A.state == "completed",
        A.completed_at < now - timedelta(days=policy.onestop_days),
        ~reminding,
        ~notifying,
    )
    return await _in_batches(session, q, A.id, policy.batch, handle, "retention_onestop", "onestop", now)


async def purge_opinions(session: AsyncSession, svc: "Services", policy: RetentionPolicy, now: datetime) -> int:
    E, T = OpinionEntry, OpinionTopic

    async def handle(ids: list[int]) -> str:
        topics = sorted(set(await session.scalars(select(E.topic_id).where(E.id.in_(ids)))))
        await session.execute(_quiet(delete(E).where(E.id.in_(ids))))
        return "opinions deleted, topics " + ",".join(map(str, topics))

    q = (
        select(E.id)
        .join(T, T.id == E.topic_id)
        .where(T.answer_published_at < now - timedelta(days=policy.opinion_days))
    )
    return await _in_batches(session, q, E.id, policy.batch, handle, "retention_opinion", "opinion_topic", now)


async def purge_outbox(session: AsyncSession, svc: "Services", policy: RetentionPolicy, now: datetime) -> int:
    """Messages already sent, failed or cancelled, due more than outbox_days ago. Their dedup keys
    go with them: by then every feature's own table says the message was sent (reminded_for,
    survey rows, reminder status, issue status ...)."""
    M = OutboxMessage

    async def handle(ids: list[int]) -> str:
        await session.execute(_quiet(delete(M).where(M.id.in_(ids))))
        return f"outbox messages deleted, ids {ids[0]}..{ids[-1]}"

    q = select(M.id).where(M.status.in_(OUTBOX_DONE), M.not_before < now - timedelta(days=policy.outbox_days))
    return await _in_batches(session, q, M.id, policy.batch, handle, "retention_outbox", "outbox", now)


async def purge_forms(session: AsyncSession, svc: "Services", policy: RetentionPolicy, now: datetime) -> int:
    """Form data left untouched for form_days (as Redis expires it with FORM_TTL_DAYS)."""
    F = FsmRecord

    async def handle(keys: list[str]) -> str:
        await session.execute(_quiet(delete(F).where(F.key.in_(keys))))
        return "abandoned forms deleted"

    q = select(F.key).where(F.updated_at < now - timedelta(days=policy.form_days))
    return await _in_batches(session, q, F.key, policy.batch, handle, "retention_forms", "form", now)


def _tax_closed():
    N = LicenseTaxNotice
    return func.coalesce(N.closed_at, N.paid_at)


async def purge_taxpayer_names(session: AsyncSession, svc: "Services", policy: RetentionPolicy, now: datetime) -> int:
    N = LicenseTaxNotice

    async def handle(ids: list[int]) -> str:
        await session.execute(_quiet(update(N).where(N.id.in_(ids)).values(taxpayer_name_enc=None)))
        return "taxpayer names deleted " + await _receipts(session, N.notice_no, N.id, ids)

    q = select(N.id).where(
        N.taxpayer_name_enc.is_not(None),
        N.state.in_(TAX_FINAL),
        _tax_closed() < now - timedelta(days=policy.taxpayer_name_days),
    )
    return await _in_batches(session, q, N.id, policy.batch, handle, "retention_taxpayer_name", "tax_notice", now)


async def purge_tax_records(session: AsyncSession, svc: "Services", policy: RetentionPolicy, now: datetime) -> int:
    N = LicenseTaxNotice

    async def handle(ids: list[int]) -> str:
        nos = await _receipts(session, N.notice_no, N.id, ids)
        await scrub_tax_notices(session, ids, now)
        return "tax notices anonymised " + nos

    q = select(N.id).where(
        N.anonymised_at.is_(None), N.state.in_(TAX_FINAL), _tax_closed() < now - timedelta(days=policy.tax_record_days)
    )
    return await _in_batches(session, q, N.id, policy.batch, handle, "retention_tax_record", "tax_notice", now)


PURGES = {
    "contact": purge_contacts,
    "complaint": purge_complaints,
    "onestop": purge_onestop,
    "opinion": purge_opinions,
    "outbox": purge_outbox,
    "forms": purge_forms,
    "taxpayer_name": purge_taxpayer_names,
    "tax_record": purge_tax_records,
}
assert tuple(PURGES) == KINDS


async def purge_due(session: AsyncSession, svc: "Services", policy: RetentionPolicy, now: datetime) -> dict[str, int]:
    """Anonymise or delete everything whose period has run out at ``now``: rows per kind. A run
    again (or late) finds only what became due since."""
    counts = {}
    for kind, purge in PURGES.items():
        counts[kind] = await purge(session, svc, policy, now)
    await session.commit()
    return counts


async def run_duty(session: AsyncSession, svc: "Services") -> int:
    """The scheduler's entry (bot/scheduler.Duties.retention)."""
    counts = await purge_due(session, svc, svc.retention, svc.now())
    if any(counts.values()):
        log.info("retention: %s", ", ".join(f"{k} {n}" for k, n in counts.items() if n))
    return sum(counts.values())
