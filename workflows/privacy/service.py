"""A resident's own data: what is held (개인정보 보호법 §35 열람) and deleting it (§36, §37).

``what_is_held`` counts what the district keeps about one Telegram user, per service; a phone
number only masked, a name only as "stored". ``delete_my_data`` first ends what is still running
— complaints are withdrawn (취하) with a notice to the department's officers, open one-stop
applications withdrawn with a notice to the offices, unpaid 등록면허세 notices cancelled with a
notice to the tax officers — then anonymises every case in place (workflows/privacy/retention.py: the
rows stay for the indicators, without text, place, contact or the link to the person), deletes the
opinion-day, new-resident and food-alert data, withdraws every consent, clears form data and
cancels or deletes the messages queued for or sent to them. Every step is an audit entry.

Decisions (개인정보 보호법 §21①, §36①, §37):
* A paid tax notice stays linked: it is a tax record the law keeps (5 years, the 부과 제척기간 of
  지방세기본법); only the optional taxpayer name goes. The retention job anonymises it later.
* Consent rows stay, withdrawn: they are the proof that collecting was lawful while it happened
  (the burden of proof is the district's, §22) and hold no personal data besides the user id.
* The users row stays (id, language, created_at): consent rows and a kept tax record point to
  it, and the user may come back. It holds no name or contact.
Functions take the caller's session; the caller commits (one unit of work)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workflows.models import (
    AgencyNotification,
    Complaint,
    Consent,
    FoodOperator,
    FsmRecord,
    LicenseTaxNotice,
    NewResident,
    OnestopApplication,
    OnestopItem,
    OnestopReminder,
    OpinionEntry,
    OpinionParticipant,
    OpinionPoll,
    OpinionSubscription,
    OutboxFile,
    OutboxMessage,
    User,
)
from workflows import audit
from workflows.complaints import states
from workflows.new_residents import service as new_residents
from workflows.food_alerts import service as food_alerts
from workflows.license_tax import service as license_tax
from workflows.onestop import service as birth_death
from workflows.complaints import service as complaints
from workflows.contact import mask_phone
from workflows.context import Services
from workflows.privacy.retention import scrub_complaints, scrub_onestop, scrub_tax_notices
from workflows.roles import Principal
from workflows.texts import escape, t

CITIZEN = "citizen"
CONFIRM_MINUTES = 10  # a deletion confirmation shown longer ago than this no longer deletes
FORGOTTEN = "deleted at the resident's request"  # last_error of a queued message cancelled and emptied


def confirmation_valid(shown_at: int, now: datetime) -> bool:
    """A [삭제] press counts only within CONFIRM_MINUTES of its confirmation being shown
    (``shown_at``: unix seconds carried in the button; 5 s of grace for clocks and latency)."""
    age = now.timestamp() - shown_at
    return 0 <= age <= CONFIRM_MINUTES * 60 + 5


@dataclass(frozen=True)
class ConsentLine:
    purpose: str
    version: str
    granted_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class Provision:
    """One §17 answer of a one-stop application: an outside body, yes or no, when, and the services
    (item codes) it was to receive."""

    body: str
    granted: bool
    at: datetime | None
    services: tuple[str, ...]


@dataclass(frozen=True)
class OnestopConsent:
    """A one-stop application's §15 collection consent and its §17 provision answers, as stored in
    OnestopApplication.consents (workflows/birth_death.submit)."""

    kind: str
    receipt: str
    version: str
    collected_at: datetime | None
    provisions: tuple[Provision, ...]


def _stored_time(iso: str | None) -> datetime | None:
    if not iso:
        return None
    at = datetime.fromisoformat(iso)
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def onestop_consent(app: OnestopApplication) -> OnestopConsent:
    stored = app.consents or {}
    provisions = tuple(
        Provision(
            body,
            bool(answer.get("granted")),
            _stored_time(answer.get("at")),
            tuple(it.code for it in app.items if it.agency_code == body),
        )
        for body, answer in (stored.get("provision") or {}).items()
    )
    return OnestopConsent(
        app.kind, app.receipt_no, str(stored.get("version") or "-"), _stored_time(stored.get("collection")), provisions
    )


def onestop_consent_lines(svc: Services, oc: OnestopConsent, lang: str) -> list[str]:
    """The §15 consent of one one-stop application, then each §17 answer: to whom, what for, when,
    yes or no (HTML, one line each)."""

    def when(at: datetime | None) -> str:
        return svc.fmt(at, lang) if at else "-"

    lines = [
        t(
            lang,
            "privacy.held.onestop_collection",
            kind=t(lang, birth_death.KIND_KEYS[oc.kind]),
            receipt=escape(oc.receipt),
            version=escape(oc.version),
            at=when(oc.collected_at),
        )
    ]
    for p in oc.provisions:
        try:
            recipient = birth_death.body_info(oc.kind, p.body, lang)[0]
        except KeyError:  # a body no longer in the catalogue: its code
            recipient = p.body
        if oc.kind == birth_death.DEATH and p.body in birth_death.load_death_rules().agencies:
            purpose = escape(birth_death.load_death_rules().agencies[p.body].purpose(lang))
        else:
            purpose = (
                ", ".join(
                    t(
                        lang,
                        "onestop.purpose.apply",
                        service=escape(birth_death.item_name(OnestopItem(code=code), oc.kind, lang, svc.district)),
                    )
                    for code in p.services
                )
                or "-"
            )
        lines.append(
            t(
                lang,
                "privacy.held.onestop_provision",
                recipient=escape(recipient),
                purpose=purpose,
                at=when(p.at),
                answer=t(lang, "privacy.held.provision_yes" if p.granted else "privacy.held.provision_no"),
            )
        )
    return lines


@dataclass
class Held:
    """What the district holds about one user (numbers and kinds, never the content)."""

    since: datetime | None = None
    complaints: int = 0
    complaints_open: list[str] = field(default_factory=list)  # receipt numbers still being handled
    photos: int = 0
    locations: int = 0
    phones: list[str] = field(default_factory=list)  # masked, distinct
    onestop: int = 0
    onestop_open: list[str] = field(default_factory=list)
    tax_notices: int = 0
    tax_unpaid: list[str] = field(default_factory=list)  # notice numbers
    tax_paid: int = 0  # paid or refund: kept as tax records
    taxpayer_name: bool = False
    opinion_subscribed: bool = False
    opinion_dong: str | None = None
    opinions: int = 0
    votes: int = 0
    new_resident_dong: str | None = None
    moved_in_on: date | None = None
    food_business: bool = False
    consents: list[ConsentLine] = field(default_factory=list)
    onestop_consents: list[OnestopConsent] = field(default_factory=list)  # §15 and each §17 answer
    forms: int = 0
    queued_messages: int = 0

    @property
    def open_cases(self) -> list[str]:
        return [*self.complaints_open, *self.onestop_open, *self.tax_unpaid]

    @property
    def anything(self) -> bool:
        return bool(
            self.complaints
            or self.onestop
            or self.tax_notices
            or self.opinion_subscribed
            or self.opinions
            or self.votes
            or self.new_resident_dong
            or self.food_business
            or self.forms
            or self.queued_messages
            or any(c.withdrawn_at is None for c in self.consents)
        )


@dataclass
class Deleted:
    """What delete_my_data did (receipt and notice numbers, counts)."""

    withdrawn: list[str] = field(default_factory=list)  # complaints 취하 (officers told)
    closed: list[str] = field(default_factory=list)  # answered complaints closed
    complaints: int = 0  # complaints anonymised
    onestop_withdrawn: list[str] = field(default_factory=list)
    onestop: int = 0
    tax_cancelled: list[str] = field(default_factory=list)
    tax_anonymised: int = 0
    tax_kept: list[str] = field(default_factory=list)  # paid: kept as tax records
    taxpayer_names: int = 0
    opinions: int = 0  # opinions, votes and polls deleted
    subscriptions: list[str] = field(default_factory=list)  # opinion, new_resident, food_alert
    consents: int = 0
    forms: int = 0
    messages_cancelled: int = 0
    messages_deleted: int = 0

    @property
    def anything(self) -> bool:
        """False when there was nothing left to delete (the confirmation pressed twice)."""
        return any(
            (
                self.withdrawn,
                self.closed,
                self.complaints,
                self.onestop,
                self.tax_anonymised,
                self.taxpayer_names,
                self.opinions,
                self.subscriptions,
                self.consents,
                self.forms,
                self.messages_cancelled,
                self.messages_deleted,
            )
        )


def _form_keys_of(user_id: int, keys: list[str]) -> list[str]:
    """fsm_records keys of this user: <prefix>:<bot>:<chat>[:<thread>]:<user>:<destiny>."""
    uid = str(user_id)
    return [k for k in keys if k.split(":")[-2:-1] == [uid]]


async def _form_keys(session: AsyncSession, user_id: int) -> list[str]:
    candidates = list(await session.scalars(select(FsmRecord.key).where(FsmRecord.key.like(f"%:{user_id}:%"))))
    return _form_keys_of(user_id, candidates)


# --- see ---------------------------------------------------------------------------------------------


async def what_is_held(session: AsyncSession, svc: Services, user_id: int) -> Held:
    """Counts and kinds per service; phones masked; consents with purpose, version and times.
    Recorded in the audit log (a §35 access by the resident)."""
    h = Held()
    user = await session.get(User, user_id)
    h.since = user.created_at if user else None
    C = Complaint
    for c in (
        await session.execute(select(C).options(selectinload(C.photos)).where(C.citizen_id == user_id).order_by(C.id))
    ).scalars():
        h.complaints += 1
        if c.state in states.OPEN:
            h.complaints_open.append(c.receipt_no)
        h.photos += len(c.photos)
        h.locations += c.address is not None or c.latitude is not None
        if c.phone_enc:
            plain = svc.cipher.decrypt(c.phone_enc)
            if plain and mask_phone(plain) not in h.phones:
                h.phones.append(mask_phone(plain))
    A = OnestopApplication
    for a in (
        await session.execute(
            select(A.receipt_no, A.state, A.contact_phone_enc).where(A.citizen_id == user_id).order_by(A.id)
        )
    ).all():
        h.onestop += 1
        if a.state != birth_death.COMPLETED:
            h.onestop_open.append(a.receipt_no)
        plain = svc.cipher.decrypt(a.contact_phone_enc) if a.contact_phone_enc else None
        if plain and mask_phone(plain) not in h.phones:
            h.phones.append(mask_phone(plain))
    N = LicenseTaxNotice
    for n in (
        await session.execute(
            select(N.notice_no, N.state, N.taxpayer_name_enc).where(N.citizen_id == user_id).order_by(N.id)
        )
    ).all():
        h.tax_notices += 1
        if n.state in license_tax.OPEN_STATES:
            h.tax_unpaid.append(n.notice_no)
        elif n.state in (license_tax.PAID, license_tax.REFUND):
            h.tax_paid += 1
        h.taxpayer_name = h.taxpayer_name or bool(n.taxpayer_name_enc)
    sub = await session.get(OpinionSubscription, user_id)
    if sub is not None:
        h.opinion_subscribed, h.opinion_dong = sub.active, sub.dong
    h.opinions = (
        await session.scalar(select(func.count()).select_from(OpinionEntry).where(OpinionEntry.user_id == user_id)) or 0
    )
    h.votes = (
        await session.scalar(
            select(func.count())
            .select_from(OpinionParticipant)
            .where(OpinionParticipant.user_id == user_id, OpinionParticipant.poll_choice.is_not(None))
        )
        or 0
    )
    nr = await session.get(NewResident, user_id)
    if nr is not None:
        h.new_resident_dong, h.moved_in_on = nr.dong, nr.moved_in_on
    h.food_business = await session.scalar(select(FoodOperator.id).where(FoodOperator.user_id == user_id)) is not None
    h.consents = [
        ConsentLine(c.purpose, c.version, c.granted_at, c.withdrawn_at)
        for c in await session.scalars(
            select(Consent).where(Consent.user_id == user_id).order_by(Consent.granted_at, Consent.id)
        )
    ]
    h.onestop_consents = [
        onestop_consent(a)
        for a in (
            await session.execute(
                select(A).options(selectinload(A.items)).where(A.citizen_id == user_id).order_by(A.id)
            )
        ).scalars()
    ]
    h.forms = len(await _form_keys(session, user_id))
    h.queued_messages = (
        await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.chat_id == user_id, OutboxMessage.status == "pending")
        )
        or 0
    )
    audit.record(
        session,
        "privacy_view",
        actor_id=user_id,
        actor_role=CITIZEN,
        subject_kind="user",
        subject_id=user_id,
        detail=f"complaints {h.complaints}, one-stop {h.onestop}, tax {h.tax_notices}",
    )
    return h


# --- delete ------------------------------------------------------------------------------------------


def _file_ids(payloads) -> set[int]:
    return {
        v["outbox_file"]
        for p in payloads
        for v in (p or {}).values()
        if isinstance(v, dict) and isinstance(v.get("outbox_file"), int)
    }


async def _forget_messages(session: AsyncSession, where) -> tuple[int, int]:
    """Outbox rows matching ``where``: still pending -> cancelled with an empty body (the dedup key
    stays, so nothing queues them again); already sent, failed or cancelled -> deleted. Files they
    carried (a tax notice's PNG) are deleted. Returns (cancelled, deleted)."""
    M = OutboxMessage
    await session.flush()
    payloads = list(await session.scalars(select(M.payload).where(where)))
    pending = list(await session.scalars(select(M.id).where(where, M.status == "pending")))
    if pending:
        await session.execute(
            update(M)
            .where(M.id.in_(pending))
            .values(status="cancelled", payload={}, last_error=FORGOTTEN)
            .execution_options(synchronize_session=False)
        )
    res = await session.execute(
        delete(M)
        .where(
            where,
            M.status != "pending",
            M.id.not_in(pending or [0]),
            or_(M.last_error.is_(None), M.last_error != FORGOTTEN),
        )
        .execution_options(synchronize_session=False)
    )
    files = _file_ids(payloads)
    if files:
        await session.execute(delete(OutboxFile).where(OutboxFile.id.in_(files)))
    return len(pending), res.rowcount or 0


def _keys(exact: list[str], prefixes: list[str]):
    M = OutboxMessage
    conds = ([M.dedup_key.in_(exact)] if exact else []) + [M.dedup_key.startswith(p) for p in prefixes]
    return or_(*conds) if conds else None


async def _end_complaints(session: AsyncSession, svc: Services, user_id: int, now: datetime, out: Deleted) -> list[int]:
    C = Complaint
    rows = (
        (
            await session.execute(
                select(C)
                .options(selectinload(C.photos), selectinload(C.events))
                .where(C.citizen_id == user_id)
                .order_by(C.id)
            )
        )
        .scalars()
        .all()
    )
    me = Principal(user_id=user_id)
    for c in rows:
        if c.state in states.OPEN:
            # media first, so the officers' notice carries no photo or place button
            c.photos.clear()
            c.latitude = c.longitude = None
            await complaints.citizen_withdraw(session, svc, me, c, note="privacy")
            out.withdrawn.append(c.receipt_no)
            audit.record(
                session,
                "privacy_withdraw_complaint",
                actor_id=user_id,
                actor_role=CITIZEN,
                subject_kind="complaint",
                subject_id=c.receipt_no,
                detail="officers told",
                at=now,
            )
        elif c.state == states.ANSWERED:
            await complaints.citizen_withdraw(session, svc, me, c, note="privacy")
            out.closed.append(c.receipt_no)
            audit.record(
                session,
                "privacy_close_complaint",
                actor_id=user_id,
                actor_role=CITIZEN,
                subject_kind="complaint",
                subject_id=c.receipt_no,
                at=now,
            )
    ids = [c.id for c in rows]
    for c in rows:
        audit.record(
            session,
            "privacy_anonymise_complaint",
            actor_id=user_id,
            actor_role=CITIZEN,
            subject_kind="complaint",
            subject_id=c.receipt_no,
            at=now,
        )
    await scrub_complaints(session, svc, ids, now)
    out.complaints = len(ids)
    return ids


async def _end_onestop(session: AsyncSession, svc: Services, user_id: int, now: datetime, out: Deleted):
    A = OnestopApplication
    apps = (
        (
            await session.execute(
                select(A)
                .options(selectinload(A.items).selectinload(OnestopItem.events))
                .where(A.citizen_id == user_id)
                .order_by(A.id)
            )
        )
        .scalars()
        .all()
    )
    for app in apps:
        if app.state != birth_death.COMPLETED:
            app.facts, app.contact_phone_enc = {}, None  # the offices' notice shows no answers
            n = await birth_death.withdraw(session, svc, app)
            out.onestop_withdrawn.append(app.receipt_no)
            audit.record(
                session,
                "privacy_withdraw_onestop",
                actor_id=user_id,
                actor_role=CITIZEN,
                subject_kind="onestop",
                subject_id=app.receipt_no,
                detail=f"{n} items dropped",
                at=now,
            )
        audit.record(
            session,
            "privacy_anonymise_onestop",
            actor_id=user_id,
            actor_role=CITIZEN,
            subject_kind="onestop",
            subject_id=app.receipt_no,
            at=now,
        )
    app_ids = [a.id for a in apps]
    item_ids = [it.id for a in apps for it in a.items]
    reminder_ids = (
        list(await session.scalars(select(OnestopReminder.id).where(OnestopReminder.application_id.in_(app_ids))))
        if app_ids
        else []
    )
    notice_ids = (
        list(await session.scalars(select(AgencyNotification.id).where(AgencyNotification.item_id.in_(item_ids))))
        if item_ids
        else []
    )
    await scrub_onestop(session, app_ids, now)
    out.onestop = len(app_ids)
    return app_ids, item_ids, reminder_ids, notice_ids


async def _end_tax(session: AsyncSession, svc: Services, user_id: int, now: datetime, out: Deleted) -> list[int]:
    N = LicenseTaxNotice
    notices = (await session.execute(select(N).where(N.citizen_id == user_id).order_by(N.id))).scalars().all()
    scrub = []
    for n in notices:
        if n.state in license_tax.OPEN_STATES:
            n.business_name, n.taxpayer_name_enc = "", None  # the tax officers' notice names nobody
            await license_tax.withdraw(session, svc, n)
            out.tax_cancelled.append(n.notice_no)
            audit.record(
                session,
                "privacy_cancel_tax_notice",
                actor_id=user_id,
                actor_role=CITIZEN,
                subject_kind="tax_notice",
                subject_id=n.notice_no,
                detail="tax officers told",
                at=now,
            )
        if n.state in (license_tax.CANCELLED, license_tax.NON_TAXABLE):  # nothing was paid: no tax record to keep
            scrub.append(n.id)
            audit.record(
                session,
                "privacy_anonymise_tax_notice",
                actor_id=user_id,
                actor_role=CITIZEN,
                subject_kind="tax_notice",
                subject_id=n.notice_no,
                at=now,
            )
        else:  # paid or refund: a tax record the law keeps; only the optional name goes
            out.tax_kept.append(n.notice_no)
            if n.taxpayer_name_enc:
                n.taxpayer_name_enc = None
                out.taxpayer_names += 1
                audit.record(
                    session,
                    "privacy_delete_taxpayer_name",
                    actor_id=user_id,
                    actor_role=CITIZEN,
                    subject_kind="tax_notice",
                    subject_id=n.notice_no,
                    detail="record kept (지방세)",
                    at=now,
                )
    await scrub_tax_notices(session, scrub, now)
    out.tax_anonymised = len(scrub)
    return [n.id for n in notices]


async def _end_subscriptions(session: AsyncSession, user_id: int, now: datetime, out: Deleted) -> None:
    n = 0
    for model in (OpinionEntry, OpinionParticipant, OpinionPoll):
        n += (await session.execute(delete(model).where(model.user_id == user_id))).rowcount or 0
    out.opinions = n
    if (await session.execute(delete(OpinionSubscription).where(OpinionSubscription.user_id == user_id))).rowcount:
        out.subscriptions.append("opinion")
    if await session.get(NewResident, user_id) is not None:
        await new_residents.unsubscribe(session, user_id)
        out.subscriptions.append("new_resident")
    if await food_alerts.stop(session, user_id):
        out.subscriptions.append("food_alert")
    if n or out.subscriptions:
        audit.record(
            session,
            "privacy_unsubscribe",
            actor_id=user_id,
            actor_role=CITIZEN,
            subject_kind="user",
            subject_id=user_id,
            detail=f"{','.join(out.subscriptions) or '-'}; opinion rows {n}",
            at=now,
        )


async def delete_my_data(session: AsyncSession, svc: Services, user_id: int, now: datetime) -> Deleted:
    """Everything personal about ``user_id`` anonymised or deleted, running cases ended first (see
    the module docstring). Safe to run twice: the second run finds nothing (``anything`` False)."""
    out = Deleted()
    active = Counter(
        await session.scalars(select(Consent.purpose).where(Consent.user_id == user_id, Consent.withdrawn_at.is_(None)))
    )  # some go with their subscription below
    complaint_ids = await _end_complaints(session, svc, user_id, now, out)
    app_ids, item_ids, reminder_ids, notice_ids = await _end_onestop(session, svc, user_id, now, out)
    tax_ids = await _end_tax(session, svc, user_id, now, out)
    await _end_subscriptions(session, user_id, now, out)

    await session.execute(
        update(Consent).where(Consent.user_id == user_id, Consent.withdrawn_at.is_(None)).values(withdrawn_at=now)
    )
    out.consents = sum(active.values())
    if out.consents:
        audit.record(
            session,
            "privacy_withdraw_consents",
            actor_id=user_id,
            actor_role=CITIZEN,
            subject_kind="user",
            subject_id=user_id,
            detail=",".join(sorted(active)),
            at=now,
        )

    keys = await _form_keys(session, user_id)
    if keys:
        await session.execute(delete(FsmRecord).where(FsmRecord.key.in_(keys)))
        out.forms = len(keys)
        audit.record(
            session,
            "privacy_clear_forms",
            actor_id=user_id,
            actor_role=CITIZEN,
            subject_kind="user",
            subject_id=user_id,
            detail=f"{len(keys)} forms",
            at=now,
        )

    # Messages to them, and the copies of their cases in officers' and outside bodies' chats
    # (the notices of the withdrawal just queued are kept: they carry no personal data).
    c1, d1 = await _forget_messages(session, OutboxMessage.chat_id == user_id)
    copies = _keys(
        [
            *(f"{p}:{i}" for i in item_ids for p in ("osdone", "osack")),
            *(f"osrem:{r}" for r in reminder_ids),
            *(f"agency:{n}" for n in notice_ids),
            *(f"{p}:{a}" for a in app_ids for p in ("oscomplete", "ossurvey")),
            *(f"survey:{i}" for i in complaint_ids),
        ],
        [
            *(
                f"{p}:{i}:"
                for i in complaint_ids
                for p in ("new", "tr", "reopen", "remind", "escalate", "push", "sp:reply")
            ),  # the resident's 보완 in officers' chats
            *(f"{p}:{i}:" for i in item_ids for p in ("osnew", "osreply", "osrelay", "ossupp")),
            *(f"lt:class:{i}:" for i in tax_ids),
        ],
    )
    c2, d2 = await _forget_messages(session, copies) if copies is not None else (0, 0)
    out.messages_cancelled, out.messages_deleted = c1 + c2, d1 + d2
    if out.messages_cancelled or out.messages_deleted:
        audit.record(
            session,
            "privacy_forget_messages",
            actor_id=user_id,
            actor_role=CITIZEN,
            subject_kind="user",
            subject_id=user_id,
            detail=f"cancelled {out.messages_cancelled}, deleted {out.messages_deleted}",
            at=now,
        )
    if out.anything:
        audit.record(
            session,
            "privacy_delete",
            actor_id=user_id,
            actor_role=CITIZEN,
            subject_kind="user",
            subject_id=user_id,
            at=now,
            detail=(
                f"complaints {out.complaints} (withdrawn {len(out.withdrawn)}), one-stop {out.onestop} "
                f"(withdrawn {len(out.onestop_withdrawn)}), tax cancelled {len(out.tax_cancelled)}, "
                f"tax kept {len(out.tax_kept)}, consents {out.consents}, forms {out.forms}"
            ),
        )
    await session.flush()
    return out
