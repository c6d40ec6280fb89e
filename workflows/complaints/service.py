"""The complaint service layer: filing, officer actions, the citizen's answer, deadlines.

Every function takes the caller's AsyncSession and Services; the caller commits (one unit of
work per Telegram update or scheduler run). Notifications go into the outbox in the same
transaction, so a state change and its message are stored together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from workflows import audit, callbacks
from workflows.complaints import states
from workflows.business_time import Period
from workflows.complaints import transfers
from workflows.complaints.cards import (
    notify_department,
    officer_card,
    push_citizen,
    refresh_cards,
)
from workflows.complaints.casework import staff_event_detail
from workflows.complaints.common import (
    ANSWER_MAX,
    ANSWER_MIN,
    DESCRIPTION,
    DESCRIPTION_MIN,
    MAX_PHOTOS,
    REASON,
    REJECT_REASON,
    OWNER_EVENTS,
    REPEAT_NOTE,
    STAFF_ONLY,
    AlreadyExtended,
    DailyLimit,
    Draft,
    NotFound,
    audit_action,
    check_officer,
    lang_of,
    loaded,
    of_department,
    next_receipt_no,
    record_event,
    staff_text,
)
from workflows.complaints.supplement import end_with_decision
from workflows.complaints.transfers import RETURN, TO_DESK, history_note
from workflows.context import Services
from workflows.contact import mask_phone
from workflows.models import Complaint, ComplaintPhoto, ReceiptCounter
from workflows.ratings import send_survey
from workflows.roles import Principal, can_view
from workflows.texts import escape, pack, t, t_fit


def _day_bounds(svc: Services) -> tuple[datetime, datetime]:
    """[start, end) of today in the district's time zone, by the injected clock."""
    local = svc.now().astimezone(svc.tz)
    start = datetime.combine(local.date(), datetime.min.time(), svc.tz)
    end = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), svc.tz)
    return start, end


REPEAT_WINDOW = timedelta(days=30)


def normalised(text: str) -> str:
    """The words of a complaint for comparing (민원처리법 §23 반복 민원): NFKC, case, spaces and
    punctuation ignored."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "").casefold() if ch.isalnum())


async def earlier_repeat(
    session: AsyncSession, svc: Services, *, citizen_id: int, category: str, description: str
) -> Complaint | None:
    """The same resident's earlier complaint in the same category with the same words, filed within
    the last 30 days (민원처리법 §23: repeated complaints are linked to the first), else None."""
    key = normalised(description)
    rows = await session.scalars(
        select(Complaint)
        .where(
            Complaint.citizen_id == citizen_id,
            Complaint.category_code == category,
            Complaint.received_at >= svc.now() - REPEAT_WINDOW,
        )
        .order_by(Complaint.id)
    )
    return next((c for c in rows if normalised(c.description) == key), None)


async def check_daily_limit(session: AsyncSession, svc: Services, citizen_id: int) -> None:
    """Raise DailyLimit when the resident already filed svc.daily_complaint_limit complaints today."""
    limit = svc.daily_complaint_limit
    start, end = _day_bounds(svc)
    n = await session.scalar(
        select(func.count())
        .select_from(Complaint)
        .where(Complaint.citizen_id == citizen_id, Complaint.received_at >= start, Complaint.received_at < end)
    )
    if n >= limit:
        raise DailyLimit(limit, end)


# --- queries -------------------------------------------------------------------------------


async def get_visible(
    session: AsyncSession, p: Principal, *, complaint_id: int | None = None, receipt_no: str | None = None
) -> Complaint:
    # FOR UPDATE (PostgreSQL; SQLite serialises writers anyway): an officer's answer and the
    # resident's reply to the same complaint in two instances take turns, and each sees the other's
    # change, so a transition is never decided on a stale state. Held until the update commits.
    q = select(Complaint).options(*loaded()).with_for_update(of=Complaint)
    q = (
        q.where(Complaint.id == complaint_id)
        if complaint_id is not None
        else q.where(Complaint.receipt_no == receipt_no)
    )
    c = (await session.execute(q.execution_options(populate_existing=True))).scalar_one_or_none()
    if c is None or not can_view(p, c.citizen_id, c.department_code, c.handed_to):
        raise NotFound(complaint_id or receipt_no)
    return c


async def list_for_citizen(session: AsyncSession, citizen_id: int, limit: int = 10) -> list[Complaint]:
    q = (
        select(Complaint)
        .where(Complaint.citizen_id == citizen_id)
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .limit(limit)
    )
    return list((await session.execute(q)).scalars())


async def inbox(session: AsyncSession, department_code: str, limit: int = 30) -> tuple[list[Complaint], int]:
    """Open complaints of one department — and, for the first-contact desk, those handed to it —
    nearest deadline first, and how many there are."""
    where = (of_department(department_code), Complaint.state.in_(states.OPEN))
    total = await session.scalar(select(func.count()).select_from(Complaint).where(*where))
    rows = await session.execute(
        select(Complaint).where(*where).order_by(Complaint.deadline_at, Complaint.id).limit(limit)
    )
    return list(rows.scalars()), int(total or 0)


# --- filing --------------------------------------------------------------------------------


RECEIPT_TRIES = 5


async def _counter_past_used(session: AsyncSession, year: int) -> None:
    """Move the year's counter to the highest receipt number already used that year, if it is behind."""
    used = await session.scalar(select(func.max(Complaint.receipt_no)).where(Complaint.receipt_no.like(f"{year}-%")))
    if used:
        await session.execute(
            update(ReceiptCounter)
            .where(ReceiptCounter.year == year, ReceiptCounter.last_seq < int(used.split("-")[1]))
            .values(last_seq=int(used.split("-")[1]))
        )


def validate_description(text: str) -> str:
    """The text stripped, or DomainError saying it is too short or too long."""
    return DESCRIPTION.check(text or "")


def preview_deadline(svc: Services, category: str, at: datetime | None = None) -> datetime:
    return svc.calendar.deadline(at or svc.now(), svc.district.period_for(category))


async def submit(
    session: AsyncSession, svc: Services, *, citizen_id: int, submit_key: str, draft: Draft
) -> tuple[Complaint, bool]:
    """File a complaint once per form: the same submit_key returns the first complaint."""
    existing = (
        await session.execute(select(Complaint).options(*loaded()).where(Complaint.submit_key == submit_key))
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    if draft.category not in svc.district.categories:
        raise ValueError("unknown category")
    await check_daily_limit(session, svc, citizen_id)
    description = validate_description(draft.description)
    earlier = await earlier_repeat(
        session, svc, citizen_id=citizen_id, category=draft.category, description=description
    )
    now = svc.now()
    period = svc.district.period_for(draft.category)
    dept = svc.district.route(draft.category)
    c = Complaint(
        receipt_no=await next_receipt_no(session, now.astimezone(svc.tz).year),
        submit_key=submit_key,
        citizen_id=citizen_id,
        category_code=draft.category,
        kind=svc.district.category(draft.category).kind,
        period=str(period),
        description=description,
        address=draft.address,
        latitude=draft.latitude,
        longitude=draft.longitude,
        phone_enc=draft.phone_enc,
        department_code=dept,
        state=states.RECEIVED,
        received_at=now,
        deadline_at=svc.calendar.deadline(now, period),
        updated_at=now,
        photos=[
            ComplaintPhoto(position=i, file_id=f, file_unique_id=u)
            for i, (f, u) in enumerate(draft.photos[:MAX_PHOTOS])
        ],
        events=[],
    )
    record_event(  # a repeat names the earlier receipt (repeat_of)
        c,
        "submit",
        Principal(citizen_id),
        now,
        note=f"{REPEAT_NOTE}{earlier.receipt_no}" if earlier else None,
        role="citizen",
    )
    for _ in range(RECEIPT_TRIES):
        try:
            async with session.begin_nested():
                session.add(c)
            break
        except IntegrityError:
            # the same form submitted concurrently: return the one that won
            existing = (
                await session.execute(select(Complaint).options(*loaded()).where(Complaint.submit_key == submit_key))
            ).scalar_one_or_none()
            if existing is not None:
                return existing, False
            # the number is taken (a restored backup, numbers given by hand): past the highest in use
            year = now.astimezone(svc.tz).year
            await _counter_past_used(session, year)
            c.receipt_no = await next_receipt_no(session, year)
    else:
        raise RuntimeError("could not file the complaint under a free receipt number")
    await notify_department(session, svc, c, "op.new", key=f"new:{c.id}")
    return c, True


# --- officer cards and notifications -------------------------------------------------------


def officer_view(
    session: AsyncSession,
    svc: Services,
    p: Principal,
    c: Complaint,
    lang: str,
    *,
    via: str = "open",
    names: dict[int, str] | None = None,
) -> list[str]:
    """What an officer who opens a complaint reads, as messages: once it has been answered, the
    last answer and the history in full first (a reopen notice quotes them only in part), then the
    officer card (it shows the decrypted phone), last so that its buttons come last. The view is
    audited (complaint_view). Staff also read the history whenever it holds a note or a change of
    the officer in charge (``names``: staff names by user id, casework.names_for)."""
    teamwork = any(e.action in STAFF_ONLY | OWNER_EVENTS - {"take"} | {"return", "to_desk"} for e in c.events)
    before = (
        pack(_answer_and_history(svc, c, lang, staff=True, names=names), sep="") if c.answer_text or teamwork else []
    )
    audit_action(session, svc, p, c, audit.COMPLAINT_VIEW, via=via, contact="yes" if c.phone_enc else "no")
    return [*before, officer_card(svc, c, lang, (names or {}).get(c.officer_id))]


@dataclass(frozen=True)
class Media:
    photo_file_ids: list[str]
    location: tuple[float, float] | None

    @property
    def empty(self) -> bool:
        return not self.photo_file_ids and self.location is None


def media_view(session: AsyncSession, svc: Services, p: Principal, c: Complaint) -> Media:
    """The resident's photos and place for the officer's screen; audited (complaint_media) when
    there is something to show."""
    m = Media([ph.file_id for ph in c.photos], (c.latitude, c.longitude) if c.latitude is not None else None)
    if not m.empty:
        audit_action(
            session,
            svc,
            p,
            c,
            audit.COMPLAINT_MEDIA,
            photos=len(m.photo_file_ids),
            location="yes" if m.location else "no",
        )
    return m


def _transition(c: Complaint, action: str, actor: Principal | None, now: datetime, note: str | None = None) -> str:
    move = states.MACHINE.apply(c, action)
    end_with_decision(c)  # a final decision ends an open 보완 request with it
    record_event(c, action, actor, now, note=note, from_state=move.from_state)
    return move.from_state


# --- the first-contact desk ----------------------------------------------------------------


# --- officer actions -----------------------------------------------------------------------


async def take(session: AsyncSession, svc: Services, p: Principal, c: Complaint) -> Complaint:
    """접수: the officer is in charge. Also for an open complaint nobody is in charge of any more
    (its officer's role ended: casework.release), whose state stays. Every copy of its card is
    rewritten to say who took it (cards.refresh_cards)."""
    check_officer(p, c)
    if c.state in states.UNASSIGNED:
        _transition(c, "take", p, svc.now())
    elif c.state in states.OPEN and c.officer_id is None:
        record_event(c, "take", p, svc.now(), from_state=c.state)
    else:
        raise states.TransitionError("take", c.state)
    c.officer_id = p.user_id
    c.events[-1].officer_id = p.user_id
    audit_action(session, svc, p, c, audit.COMPLAINT_TAKE)
    await push_citizen(session, svc, c, "push.assigned", key=f"push:{c.id}:{len(c.events)}")
    await refresh_cards(session, svc, c)
    return c


async def start_answer(session: AsyncSession, svc: Services, p: Principal, c: Complaint) -> Complaint:
    """The officer opened the answer form: in_progress (taking it if nobody had)."""
    check_officer(p, c)
    if c.state == states.IN_PROGRESS:
        return c
    states.MACHINE.require(c.state, "start")  # before taking it
    if c.state in states.UNASSIGNED or c.officer_id is None:
        await take(session, svc, p, c)
    _transition(c, "start", p, svc.now())
    c.officer_id = c.officer_id or p.user_id
    return c


async def answer(session: AsyncSession, svc: Services, p: Principal, c: Complaint, text: str) -> Complaint:
    check_officer(p, c)
    text = (text or "").strip()
    if len(text) < ANSWER_MIN:
        raise ValueError("short")
    if len(text) > ANSWER_MAX:
        raise ValueError("long")
    now = svc.now()
    _transition(c, "answer", p, now, note=text)
    c.answer_text, c.answered_at, c.answered_by = text, now, p.user_id
    # the processing time the indicators report, once, by the calendar of the day it was answered
    c.processing_hours = svc.calendar.business_hours_between(c.received_at, now)
    c.officer_id = c.officer_id or p.user_id
    audit_action(session, svc, p, c, audit.COMPLAINT_ANSWER)

    def fb_buttons(lang: str):
        return [
            [
                (t(lang, "push.resolved_btn"), callbacks.citizen_feedback(True, c.id)),
                (t(lang, "push.unresolved_btn"), callbacks.citizen_feedback(False, c.id)),
            ]
        ]

    await push_citizen(
        session, svc, c, "push.answered", key=f"push:{c.id}:{len(c.events)}", buttons=fb_buttons, answer=text
    )
    await refresh_cards(session, svc, c)
    return c


async def transfer(
    session: AsyncSession, svc: Services, p: Principal, c: Complaint, to_department: str, reason: str
) -> Complaint:
    """이송 within the district: the deadline stays (the district received it when it did)."""
    check_officer(p, c)
    if to_department not in svc.district.departments:
        raise ValueError("unknown department")
    if to_department == c.department_code:
        raise ValueError("same department")
    reason = REASON.check(reason or "")
    if transfers.goes_to_desk(c.events):
        return await to_desk(session, svc, p, c, to_department, reason)
    from_dept, arrived, now = c.department_code, transfers.arrived_at(c.events), svc.now()
    c.department_code, c.officer_id, c.handed_to = to_department, None, None
    _transition(c, "transfer", p, now, note=reason)
    # the business hours the sender held it, for the indicators (hours lost in transfers), once
    c.events[-1].held_hours = None if arrived is None else svc.calendar.business_hours_between(arrived, now)
    audit_action(session, svc, p, c, audit.COMPLAINT_TRANSFER, source=from_dept)
    n = len(c.events)
    await push_citizen(session, svc, c, "push.transferred", key=f"push:{c.id}:{n}", note=escape(reason))
    await refresh_cards(session, svc, c)  # the old department's copies: gone to the new one (before its cards)
    await notify_department(
        session,
        svc,
        c,
        "op.transferred_in",
        key=f"tr:{c.id}:{n}",
        note=escape(reason),
        from_department=lambda lang: escape(svc.district.department(from_dept).name(lang)),
    )
    return c


async def reject(
    session: AsyncSession, svc: Services, p: Principal, c: Complaint, reason: str, remedy_code: str
) -> Complaint:
    check_officer(p, c)
    remedy = svc.district.remedies.get(remedy_code)
    if remedy is None:
        raise ValueError("unknown remedy")
    reason = REJECT_REASON.check(reason or "")
    now = svc.now()
    _transition(c, "reject", p, now, note=f"{reason}\n[{remedy.code}]")
    c.closed_at, c.officer_id = now, c.officer_id or p.user_id
    audit_action(session, svc, p, c, audit.COMPLAINT_REJECT, remedy=remedy.code)
    lang = await lang_of(session, c.citizen_id)
    await push_citizen(
        session,
        svc,
        c,
        "push.rejected",
        key=f"push:{c.id}:{len(c.events)}",
        note=escape(reason),
        remedy=remedy.text(lang),
    )
    await refresh_cards(session, svc, c)
    await send_survey(session, svc, c)
    return c


def extended_deadline(svc: Services, c: Complaint) -> datetime:
    """시행령 §21: once, by at most the original period, counted on from the current deadline."""
    return svc.calendar.deadline(c.deadline_at, Period.parse(c.period))


async def extend(session: AsyncSession, svc: Services, p: Principal, c: Complaint, reason: str) -> Complaint:
    check_officer(p, c)
    if c.extended:
        raise AlreadyExtended(c.receipt_no)
    reason = REASON.check(reason or "")
    new_deadline = extended_deadline(svc, c)
    _transition(c, "extend", p, svc.now(), note=reason)
    c.extended, c.deadline_at = True, new_deadline
    audit_action(session, svc, p, c, audit.COMPLAINT_EXTEND, deadline=f"{new_deadline.astimezone(svc.tz):%Y-%m-%d}")
    await push_citizen(session, svc, c, "push.extended", key=f"push:{c.id}:{len(c.events)}", note=escape(reason))
    return c


# --- the citizen's answer ------------------------------------------------------------------


async def citizen_close(session: AsyncSession, svc: Services, p: Principal, c: Complaint) -> Complaint:
    if c.citizen_id != p.user_id:
        raise NotFound(c.id)
    now = svc.now()
    _transition(c, "close", p, now)
    c.closed_at, c.resolved = now, True
    await send_survey(session, svc, c)
    return c


async def citizen_reopen(session: AsyncSession, svc: Services, p: Principal, c: Complaint, comment: str) -> Complaint:
    """Not resolved: back to the same department with a fresh statutory period from now."""
    if c.citizen_id != p.user_id:
        raise NotFound(c.id)
    comment = (comment or "").strip()
    if len(comment) < DESCRIPTION_MIN:
        raise ValueError("short")
    if len(comment) > 1000:
        raise ValueError("long")
    now = svc.now()
    _transition(c, "reopen", p, now, note=comment)
    c.resolved = False
    c.deadline_at = svc.calendar.deadline(now, Period.parse(c.period))
    c.reminded_for = c.escalated_for = None
    await notify_department(
        session, svc, c, "op.reopened_in", key=f"reopen:{c.id}:{len(c.events)}", note=escape(staff_text(comment))
    )
    return c


async def citizen_withdraw(
    session: AsyncSession, svc: Services, p: Principal, c: Complaint, note: str | None = None
) -> Complaint:
    """취하: the resident takes back a complaint still being handled (before deleting their data,
    workflows/privacy/service.py). Final at once; the department's officers are told to stop. An answered
    complaint waiting for the resident's confirmation is closed instead (the department's work is
    done: nobody to tell). No survey either way."""
    if c.citizen_id != p.user_id:
        raise NotFound(c.id)
    now = svc.now()
    if c.state == states.ANSWERED:
        _transition(c, "close", p, now, note=note)
        c.closed_at = now
        return c
    _transition(c, "withdraw", p, now, note=note)
    c.closed_at = now
    await notify_department(session, svc, c, "op.withdrawn", key=f"withdrawn:{c.id}")
    return c


# --- scheduled duties (reminders and escalations: workflows/complaints/escalation.py) -----------------


async def autoclose_answered(session: AsyncSession, svc: Services) -> int:
    """Answered complaints the resident never confirmed are closed after N days, then surveyed."""
    now = svc.now()
    days = svc.district.answered_autoclose_days
    rows = (
        (
            await session.execute(
                select(Complaint)
                .options(*loaded())
                .where(Complaint.state == states.ANSWERED, Complaint.answered_at <= now - timedelta(days=days))
                .with_for_update(of=Complaint, skip_locked=True)
            )
        )
        .scalars()
        .all()
    )  # one being replied to: next run
    for c in rows:
        _transition(c, "close", None, now, note="auto")
        c.closed_at = now
        await push_citizen(session, svc, c, "push.autoclosed", key=f"push:{c.id}:{len(c.events)}", days=days)
        await send_survey(session, svc, c)
    return len(rows)


def history(
    svc: Services, c: Complaint, lang: str, *, staff: bool = False, names: dict[int, str] | None = None
) -> list[str]:
    """One rendered line per event; the notes are whole (a reason or comment is at most 1,000
    characters, so a line always fits a message). For officers (``staff``) a resident's reopen
    comment has its phone numbers masked, and they read who acted and the internal notes
    (casework.staff_event_detail); the resident never sees the staff-only events."""
    lines = []
    for i, e in enumerate(c.events):
        if e.action in STAFF_ONLY and not staff:
            continue
        note = ""
        if e.action in ("transfer", "reject", "extend", "reopen", "supplement_request", "supplement_reply") and e.note:
            text = e.note.split(chr(10) + "[")[0]
            note = f" — {escape(staff_text(text) if staff and e.action in ('reopen', 'supplement_reply') else text)}"
        if e.action == "transfer":
            note = f" → {escape(svc.district.department(e.department_code).name(lang))}{note}"
        if e.action == "handover":
            desk = svc.district.department(svc.district.first_contact).name(lang)
            reason = t(lang, f"desk.reason.{e.note}")
            note = f" → {escape(desk)} — {reason}"
        if e.action in (RETURN, TO_DESK):
            note = history_note(svc, c.events, i, lang, staff=staff)
        if staff:
            note += staff_event_detail(e, names or {}, lang)
        lines.append(t(lang, "status.event", at=svc.fmt(e.at, lang), action=t(lang, f"action.{e.action}"), note=note))
    return lines


def _answer_and_history(
    svc: Services, c: Complaint, lang: str, *, staff: bool = False, names: dict[int, str] | None = None
) -> list[str]:
    blocks = []
    if c.answer_text:
        blocks.append(t_fit(lang, "status.answer", "answer", c.answer_text, at=svc.fmt(c.answered_at, lang)))
    events = history(svc, c, lang, staff=staff, names=names)
    if events:  # each block carries the line breaks before it; the heading travels with the first event
        blocks += [t(lang, "status.history") + "\n" + events[0], *("\n" + e for e in events[1:])]
    return blocks


def detail_messages(svc: Services, c: Complaint, lang: str) -> list[str]:
    """The resident's view of one complaint — what they wrote, the answer, the whole history — as
    as many messages as it takes (a long answer and many events do not fit one)."""
    d = svc.district
    head = t(
        lang,
        "status.detail",
        receipt=c.receipt_no,
        category=escape(d.category(c.category_code).name(lang)),
        state=t(lang, f"state.{c.state}"),
        department=escape(d.department(c.department_code).name(lang)),
        received=svc.fmt(c.received_at, lang),
        deadline=svc.fmt(c.deadline_at, lang),
        description=escape(c.description),
    )
    return pack([head, *_answer_and_history(svc, c, lang)], sep="")


def phone_display(svc: Services, c: Complaint) -> str:
    plain = svc.cipher.decrypt(c.phone_enc) if c.phone_enc else None
    return mask_phone(plain) if plain else "-"


async def find_by_submit_key(session: AsyncSession, citizen_id: int, submit_key: str) -> Complaint | None:
    return (
        await session.execute(
            select(Complaint).where(Complaint.submit_key == submit_key, Complaint.citizen_id == citizen_id)
        )
    ).scalar_one_or_none()


# --- moves the transfer rules govern (workflows/complaints/transfers.py) -------------------------


async def to_desk(
    session: AsyncSession, svc: Services, p: Principal, c: Complaint, aimed_at: str, reason: str
) -> Complaint:
    """The third move goes to the first-contact desk instead: it becomes the desk's, whose officers
    get a card with every department's reason and decide by transferring it."""
    desk = svc.district.first_contact
    source = c.department_code
    c.department_code, c.officer_id, c.handed_to = desk, None, None
    n = transfers.record_move(c, TO_DESK, p, svc, f"{aimed_at}\n{reason}")
    audit_action(session, svc, p, c, audit.COMPLAINT_TRANSFER, source=source, bounce="desk")
    await push_citizen(session, svc, c, "push.to_desk", key=f"push:{c.id}:{n}")
    await refresh_cards(session, svc, c)
    await notify_department(
        session,
        svc,
        c,
        "op.desk_bounced",
        key=f"bounce:{c.id}:{n}",
        reasons=lambda lang: transfers.reason_lines(svc, c, lang),
    )
    return c


async def give_back(session: AsyncSession, svc: Services, p: Principal, c: Complaint, reason: str) -> Complaint:
    """반송: the receiving department sends a transferred complaint back to the department that sent
    it, with its reason (5–500 characters), which that department's officers read first. Raises
    transfers.NotReturnable (not a transfer it may refuse), TransitionError (closed), Forbidden/Taken (as any
    officer action). When this would be the third move, the complaint goes to the desk instead."""
    check_officer(p, c)
    if c.state not in states.OPEN:
        raise states.TransitionError(RETURN, c.state)
    sender = transfers.returnable(c)
    if sender is None:
        raise transfers.NotReturnable(c.receipt_no)
    reason = transfers.validate_reason(reason)
    if transfers.goes_to_desk(c.events):
        return await to_desk(session, svc, p, c, sender, reason)
    source = c.department_code
    c.department_code, c.officer_id, c.handed_to = sender, None, None
    n = transfers.record_move(c, RETURN, p, svc, reason)
    audit_action(session, svc, p, c, audit.COMPLAINT_TRANSFER, source=source, bounce="return")
    await push_citizen(session, svc, c, "push.returned", key=f"push:{c.id}:{n}")
    await refresh_cards(session, svc, c)  # the returning department's copies: gone back
    await notify_department(
        session,
        svc,
        c,
        "op.returned_in",
        key=f"ret:{c.id}:{n}",
        note=escape(reason),
        from_department=lambda lang: transfers.department_name(svc, source, lang),
    )
    return c
