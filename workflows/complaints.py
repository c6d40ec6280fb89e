"""The complaint service layer: filing, officer actions, the citizen's answer, deadlines.

Every function takes the caller's AsyncSession and Services; the caller commits (one unit of
work per Telegram update or scheduler run). Notifications go into the outbox in the same
transaction, so a state change and its message are stored together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workflows.models import Complaint, ComplaintEvent, ComplaintPhoto, ReceiptCounter, User
from workflows import audit, callbacks, states
from workflows.errors import Length
from workflows.business_time import Period
from workflows.casework import refresh_cards, register_card
from workflows.context import Services
from workflows.contact import mask_phone, mask_phones
from workflows.links import private_chat
from workflows.outbox import enqueue
from workflows.roles import Principal, can_handle, can_view, officers_of
from workflows.texts import MESSAGE_LIMIT, escape, pack, t, t_fit, visible_len

DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 2000
ANSWER_MIN, ANSWER_MAX = 10, 4000
REASON_MIN = 5
# what a resident or an officer types, and what they are told when it does not fit
DESCRIPTION = Length(DESCRIPTION_MIN, DESCRIPTION_MAX, "cf.too_short", "cf.too_long")
ANSWER = Length(ANSWER_MIN, ANSWER_MAX, "op.answer_short", "op.answer_long")
REASON = Length(REASON_MIN, 500, "op.reason_short", "op.reason_long")  # transfer, extension
REJECT_REASON = Length(REASON_MIN, 1000, "op.reason_short", "op.reason_long")
REOPEN_REASON = Length(DESCRIPTION_MIN, 1000, "cf.too_short", "rate.comment_long")
MAX_PHOTOS = 5


class NotFound(LookupError):
    """No such complaint, or not one this user may see (the two are not told apart)."""


class Forbidden(PermissionError):
    pass


class DailyLimit(Exception):
    """The resident has filed ``limit`` complaints in the district's day; they may file again at
    ``again_at`` (the next local midnight)."""

    def __init__(self, limit: int, again_at: datetime):
        super().__init__(limit)
        self.limit, self.again_at = limit, again_at


def _day_bounds(svc: Services) -> tuple[datetime, datetime]:
    """[start, end) of today in the district's time zone, by the injected clock."""
    local = svc.now().astimezone(svc.tz)
    start = datetime.combine(local.date(), datetime.min.time(), svc.tz)
    end = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), svc.tz)
    return start, end


REPEAT_WINDOW = timedelta(days=30)
REPEAT_NOTE = "repeat_of:"  # on the submit event: the earlier receipt number


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


def repeat_of(c: Complaint) -> str | None:
    """The receipt number this complaint repeats, if it was linked when filed."""
    note = c.events[0].note if c.events else None
    return note[len(REPEAT_NOTE) :] if note and note.startswith(REPEAT_NOTE) else None


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


class AlreadyExtended(ValueError):
    pass


@dataclass
class Draft:
    """What the resident filled in; kept in FSM data until submitted."""

    category: str
    description: str
    photos: list[tuple[str, str]] = field(default_factory=list)  # (file_id, file_unique_id)
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone_enc: str | None = None


# --- queries -------------------------------------------------------------------------------


def _load():
    return (selectinload(Complaint.photos), selectinload(Complaint.events))


async def get_visible(
    session: AsyncSession, p: Principal, *, complaint_id: int | None = None, receipt_no: str | None = None
) -> Complaint:
    # FOR UPDATE (PostgreSQL; SQLite serialises writers anyway): an officer's answer and the
    # resident's reply to the same complaint in two instances take turns, and each sees the other's
    # change, so a transition is never decided on a stale state. Held until the update commits.
    q = select(Complaint).options(*_load()).with_for_update(of=Complaint)
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


def of_department(department_code: str):
    """The complaints a department's officers may act on (roles.can_handle, as a query)."""
    return or_(Complaint.department_code == department_code, Complaint.handed_to == department_code)


async def _lang(session: AsyncSession, user_id: int) -> str:
    u = await session.get(User, user_id)
    return u.language if u else "ko"


async def _langs(session: AsyncSession, user_ids) -> dict[int, str]:
    """Languages of many users in one query (Korean for anyone unknown)."""
    ids = set(user_ids)
    found = dict((await session.execute(select(User.id, User.language).where(User.id.in_(ids)))).all()) if ids else {}
    return {i: found.get(i, "ko") for i in ids}


# --- filing --------------------------------------------------------------------------------


async def _next_receipt_no(session: AsyncSession, year: int) -> str:
    for _ in range(3):
        seq = await session.scalar(
            update(ReceiptCounter)
            .where(ReceiptCounter.year == year)
            .values(last_seq=ReceiptCounter.last_seq + 1)
            .returning(ReceiptCounter.last_seq)
        )
        if seq is not None:
            return f"{year}-{seq:06d}"
        try:
            async with session.begin_nested():
                session.add(ReceiptCounter(year=year, last_seq=0))
        except IntegrityError:
            pass  # created concurrently; increment again
    raise RuntimeError("could not allocate a receipt number")


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
        await session.execute(select(Complaint).options(*_load()).where(Complaint.submit_key == submit_key))
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
        receipt_no=await _next_receipt_no(session, now.astimezone(svc.tz).year),
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
        events=[
            ComplaintEvent(
                at=now,
                actor_id=citizen_id,
                actor_role="citizen",
                action="submit",
                from_state=None,
                to_state=states.RECEIVED,
                department_code=dept,
                note=f"{REPEAT_NOTE}{earlier.receipt_no}" if earlier else None,
            )
        ],
    )
    for _ in range(RECEIPT_TRIES):
        try:
            async with session.begin_nested():
                session.add(c)
            break
        except IntegrityError:
            # the same form submitted concurrently: return the one that won
            existing = (
                await session.execute(select(Complaint).options(*_load()).where(Complaint.submit_key == submit_key))
            ).scalar_one_or_none()
            if existing is not None:
                return existing, False
            # the number is taken (a restored backup, numbers given by hand): past the highest in use
            year = now.astimezone(svc.tz).year
            await _counter_past_used(session, year)
            c.receipt_no = await _next_receipt_no(session, year)
    else:
        raise RuntimeError("could not file the complaint under a free receipt number")
    await _notify_department(session, svc, c, "op.new", key=f"new:{c.id}")
    return c, True


# --- officer cards and notifications -------------------------------------------------------


def place_html(address: str | None, latitude: float | None, longitude: float | None, lang: str) -> str:
    """Where the problem is, for an HTML message: the typed address (escaped: it is the resident's
    text), else the coordinates, else "none"."""
    if address:
        return escape(address)
    if latitude is not None:
        return f"{latitude:.5f}, {longitude:.5f}"
    return t(lang, "cf.none")


def location_text(c: Complaint, lang: str) -> str:
    """The place for officers: a phone number typed into the address masked (staff_text)."""
    return place_html(staff_text(c.address) if c.address else None, c.latitude, c.longitude, lang)


def staff_text(text: str | None) -> str:
    """What a resident typed (the complaint, the address, a reopen comment) as officers see it: phone
    numbers in it masked (010-****-5678), the rest as written. The contact phone the resident chose
    to leave is the one officers call; the resident's own view (/status, the summary) keeps the text
    whole, and the summary says so before they submit."""
    return mask_phones(text)


def officer_buttons(c: Complaint, lang: str) -> list[list[tuple[str, str]]]:
    def b(action: str) -> tuple[str, str]:
        return t(lang, f"op.btn.{action}"), callbacks.officer(action, c.id)

    rows: list[list[tuple[str, str]]] = []
    if c.state in states.OPEN:
        unassigned = c.state in states.UNASSIGNED or c.officer_id is None
        first = [b("take"), b("answer")] if unassigned else [b("answer")]
        rows.append(first)
        second = [b("transfer"), b("reject")]
        if not c.extended:
            second.append(b("extend"))
        rows.append(second)
        from workflows.transfers import returnable  # 반송: a transfer the department refuses back

        if returnable(c):
            rows.append([(t(lang, "op.btn.return"), callbacks.give_back(c.id))])
        rows.append([b("assign"), b("note")])  # a colleague takes it; a note for colleagues (casework)
        rows.append([b("supp_cancel" if c.paused_at is not None else "supplement")])  # 보완 (workflows/supplement.py)
    if c.photos or c.latitude is not None:
        rows.append([b("media")])
    return rows


def officer_card(svc: Services, c: Complaint, lang: str, officer_name: str | None = None) -> str:
    """The card an officer opens (``officer_name``: the name of the officer in charge, plain text)."""
    d = svc.district
    phone = "-"
    if c.phone_enc:
        plain = svc.cipher.decrypt(c.phone_enc)
        phone = plain or "-"
    overdue = c.state in states.OPEN and c.deadline_at < svc.now() and c.paused_at is None
    return t(
        lang,
        "op.card",
        receipt=c.receipt_no,
        state=t(lang, f"state.{c.state}"),
        category=escape(d.category(c.category_code).name(lang)),
        kind=c.kind,
        department=escape(d.department(c.department_code).name(lang)),
        officer=t(lang, "op.card_officer", officer=escape(officer_name or t(lang, "ws.unnamed", id=c.officer_id)))
        if c.officer_id
        else "",
        received=svc.fmt(c.received_at, lang),
        deadline=svc.fmt(c.deadline_at, lang),
        overdue=(t(lang, "op.overdue") if overdue else "") + _paused_line(svc, c, lang),
        location=location_text(c, lang),
        photos=len(c.photos),
        phone=escape(phone),
        description=escape(staff_text(c.description)),
    )


def _paused_line(svc: Services, c: Complaint, lang: str) -> str:
    from workflows.supplement import status_line  # 보완 요청 중: the processing period stands still

    line = status_line(svc, c, lang)
    return f" · {line}" if line else ""


def _audit(session: AsyncSession, svc: Services, p: Principal, c: Complaint, action: str, **detail) -> None:
    """One audit entry for an officer's action on a complaint: receipt number and codes only."""
    audit.record(
        session,
        action,
        actor_id=p.user_id,
        actor_role="officer" if p.is_officer else "admin",
        subject_kind="complaint",
        subject_id=c.receipt_no,
        detail=audit.details(dept=c.department_code, **detail),
        at=svc.now(),
    )


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
    from workflows.casework import OWNER_EVENTS, STAFF_ONLY

    teamwork = any(e.action in STAFF_ONLY | OWNER_EVENTS - {"take"} | {"return", "to_desk"} for e in c.events)
    before = (
        pack(_answer_and_history(svc, c, lang, staff=True, names=names), sep="") if c.answer_text or teamwork else []
    )
    _audit(session, svc, p, c, audit.COMPLAINT_VIEW, via=via, contact="yes" if c.phone_enc else "no")
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
        _audit(
            session,
            svc,
            p,
            c,
            audit.COMPLAINT_MEDIA,
            photos=len(m.photo_file_ids),
            location="yes" if m.location else "no",
        )
    return m


def dong_of(svc: Services, c: Complaint) -> str | None:
    """The 동 the typed address names as a whole word (as the indicators and Open311 take it)."""
    from workflows.food_import import dong_from_address

    return dong_from_address(c.address, svc.district.dongs) if c.address else None


def open_link_buttons(svc: Services, c: Complaint, lang: str) -> list[list[tuple[str, str]]] | None:
    """For a group chat: one link button that opens the case in the private chat with the bot
    (/start case_<receipt>, handlers/group.py), where the officer's rights are checked again."""
    link = private_chat(svc.bot_username, f"case_{c.receipt_no}")
    return [[(t(lang, "op.group.open"), link)]] if link else None


def group_card(svc: Services, c: Complaint, head_key: str, lang: str, **head) -> str:
    """What a department's group chat sees of a complaint — only what the whole group may see:
    receipt number, category, the 동 (never the typed address), deadline and state. None of what
    the resident wrote: even a few words of it can name them or a neighbour, and a phone or a name
    cannot be told from the rest reliably; no contact phone, photo or place either. The officers
    open the case itself in their private chat (open_link_buttons), where viewing it is audited."""
    d = svc.district
    return t(
        lang,
        "op.group.card",
        head=t(lang, head_key, receipt=c.receipt_no, **head),
        category=escape(d.category(c.category_code).name(lang)),
        kind=c.kind,
        dong=escape(dong_of(svc, c) or t(lang, "op.group.no_dong")),
        deadline=svc.fmt(c.deadline_at, lang),
        state=t(lang, f"state.{c.state}"),
    )


GROUP_HEADS = {
    "op.new": "op.group.new",
    "op.transferred_in": "op.group.transferred_in",
    "op.reopened_in": "op.group.reopened_in",
    "op.withdrawn": "op.group.withdrawn",
    "op.returned_in": "op.group.returned_in",
    "op.desk_bounced": "op.group.desk_bounced",
}


async def _notify_department(
    session: AsyncSession, svc: Services, c: Complaint, text_key: str, *, key: str, to: list[int] | None = None, **extra
) -> None:
    """Tell every officer of the complaint's department with action buttons, and its group chat
    with a group card (group_card) and a button to open it in private. An `extra` value may be a
    function of the recipient's language."""
    d = svc.district
    dept = d.department(c.department_code)
    officers = await officers_of(session, c.department_code) if to is None else to  # to: these officers only
    handed = to is None and not officers and not dept.group_chat_id
    if handed:  # nobody who can act: the first-contact desk takes it over
        officers = await hand_to_desk(session, svc, c, NO_OFFICER)
    if to is None and not handed and text_key in ("op.new", "op.transferred_in"):
        from workflows.worklist import card_recipients  # officers who chose the morning digest: not now

        officers = await card_recipients(session, c, officers)
    langs = await _langs(session, officers)
    recipients = [(oid, langs[oid]) for oid in officers]
    if dept.group_chat_id and to is None:
        recipients.append((dept.group_chat_id, "ko"))
    has_phone = bool(c.phone_enc)
    for chat_id, lang in recipients:
        if chat_id == dept.group_chat_id:
            head = {"from_department": extra["from_department"](lang)} if "from_department" in extra else {}
            await enqueue(
                session,
                key=f"{key}:{chat_id}",
                chat_id=chat_id,
                text=group_card(svc, c, GROUP_HEADS[text_key], lang, **head),
                buttons=open_link_buttons(svc, c, lang),
            )
            await register_card(session, c, chat_id, f"{key}:{chat_id}")
            continue
        values = dict(
            receipt=c.receipt_no,
            kind=c.kind,
            category=escape(d.category(c.category_code).name(lang)),
            deadline=svc.fmt(c.deadline_at, lang),
            location=location_text(c, lang),
            photos=len(c.photos),
            phone=("✓" if has_phone else "-"),
            description=(t(lang, "op.repeat_of", receipt=repeat) if (repeat := repeat_of(c)) else "")
            + escape(staff_text(c.description)),
            **{k: v(lang) if callable(v) else v for k, v in extra.items()},
        )
        # the previous answer (up to 4,000 characters) is quoted as far as the message has room
        first = handover_line(svc, c, lang) if handed else ""
        text = first + t_fit(
            lang, text_key, "answer", c.answer_text, limit=MESSAGE_LIMIT - visible_len(first), **values
        )
        await enqueue(session, key=f"{key}:{chat_id}", chat_id=chat_id, text=text, buttons=officer_buttons(c, lang))
        await register_card(session, c, chat_id, f"{key}:{chat_id}")  # edited when someone takes it


async def _push_citizen(
    session: AsyncSession,
    svc: Services,
    c: Complaint,
    text_key: str,
    *,
    key: str,
    buttons=None,
    answer: str | None = None,
    **extra,
) -> None:
    """One message to the resident; an officer's ``answer`` (plain text, up to 4,000 characters) is
    quoted as far as the message has room (it is whole in /status)."""
    lang = await _lang(session, c.citizen_id)
    d = svc.district
    text = t_fit(
        lang,
        text_key,
        "answer",
        answer,
        receipt=c.receipt_no,
        department=escape(d.department(c.department_code).name(lang)),
        deadline=svc.fmt(c.deadline_at, lang),
        **extra,
    )
    await enqueue(
        session, key=key, chat_id=c.citizen_id, text=text, buttons=buttons(lang) if callable(buttons) else buttons
    )


def _record(
    c: Complaint,
    action: str,
    actor: Principal | None,
    now: datetime,
    *,
    note: str | None = None,
    from_state: str | None = None,
) -> None:
    c.events.append(
        ComplaintEvent(
            at=now,
            actor_id=actor.user_id if actor else None,
            actor_role=(
                "officer"
                if actor and actor.is_officer and action in states.OFFICER_ACTIONS
                else "citizen"
                if actor
                else "system"
            ),
            action=action,
            from_state=from_state,
            to_state=c.state,
            department_code=c.department_code,
            note=note,
        )
    )
    c.updated_at = now


def _transition(c: Complaint, action: str, actor: Principal | None, now: datetime, note: str | None = None) -> str:
    move = states.MACHINE.apply(c, action)
    from workflows.supplement import end_with_decision

    end_with_decision(c)  # a final decision ends an open 보완 request with it
    _record(c, action, actor, now, note=note, from_state=move.from_state)
    return move.from_state


def _check_officer(p: Principal, c: Complaint) -> None:
    """The officer may act on it: their department's (or handed to their desk), and nobody else
    in charge of it (casework.Taken says who is: take it over explicitly first)."""
    if not can_handle(p, c.department_code, c.handed_to):
        raise Forbidden(c.receipt_no)
    from workflows.casework import check_free

    check_free(p, c)


# --- the first-contact desk ----------------------------------------------------------------

NO_OFFICER, UNREACHABLE = "no_officer", "unreachable"  # why a complaint was handed to the desk
HANDOVER_REASONS = (NO_OFFICER, UNREACHABLE)


async def hand_to_desk(session: AsyncSession, svc: Services, c: Complaint, reason: str) -> list[int]:
    """Nobody in the complaint's department can act on it (no officer, or none Telegram reaches):
    the first-contact desk (the profile's first_contact_department) may now see, take and transfer
    it as well (roles.can_handle). Recorded once — the column and a "handover" event with the
    reason — until a transfer moves it on. Returns the desk's reachable officers (none when the
    complaint is the desk's own)."""
    desk = svc.district.first_contact
    if c.department_code == desk:
        return []
    if c.handed_to != desk:
        c.handed_to = desk
        _record(c, "handover", None, svc.now(), note=reason, from_state=c.state)
    return await officers_of(session, desk)


async def hand_over(session: AsyncSession, svc: Services, c: Complaint, reason: str) -> None:
    """Hand the complaint to the desk (hand_to_desk) and send the desk's officers its card."""
    await hand_to_desk(session, svc, c, reason)
    await _notify_department(session, svc, c, "op.new", key=f"handover:{c.id}")


async def send_card_again(session: AsyncSession, svc: Services, c: Complaint, officer_id: int) -> None:
    """The card of a complaint, as it stands now, to one officer whose earlier card Telegram refused
    (workflows/reachability.py)."""
    await _notify_department(
        session,
        svc,
        c,
        "reach.resent",
        to=[officer_id],
        key=f"resend:{c.id}:{int(c.updated_at.timestamp())}",
        state=lambda lang: t(lang, f"state.{c.state}"),
    )


def handover_line(svc: Services, c: Complaint, lang: str) -> str:
    """The first line of a card the desk receives: whose complaint it is and why it came."""
    d = svc.district
    return (
        t(
            lang,
            "desk.handed",
            department=escape(d.department(c.department_code).name(lang)),
            desk=escape(d.department(c.handed_to or d.first_contact).name(lang)),
        )
        + "\n\n"
    )


# --- officer actions -----------------------------------------------------------------------


async def take(session: AsyncSession, svc: Services, p: Principal, c: Complaint) -> Complaint:
    """접수: the officer is in charge. Also for an open complaint nobody is in charge of any more
    (its officer's role ended: casework.release), whose state stays. Every copy of its card is
    rewritten to say who took it (casework.refresh_cards)."""
    _check_officer(p, c)
    if c.state in states.UNASSIGNED:
        _transition(c, "take", p, svc.now())
    elif c.state in states.OPEN and c.officer_id is None:
        _record(c, "take", p, svc.now(), from_state=c.state)
    else:
        raise states.TransitionError("take", c.state)
    c.officer_id = p.user_id
    c.events[-1].officer_id = p.user_id
    _audit(session, svc, p, c, audit.COMPLAINT_TAKE)
    await _push_citizen(session, svc, c, "push.assigned", key=f"push:{c.id}:{len(c.events)}")
    await refresh_cards(session, svc, c)
    return c


async def start_answer(session: AsyncSession, svc: Services, p: Principal, c: Complaint) -> Complaint:
    """The officer opened the answer form: in_progress (taking it if nobody had)."""
    _check_officer(p, c)
    if c.state == states.IN_PROGRESS:
        return c
    states.MACHINE.require(c.state, "start")  # before taking it
    if c.state in states.UNASSIGNED or c.officer_id is None:
        await take(session, svc, p, c)
    _transition(c, "start", p, svc.now())
    c.officer_id = c.officer_id or p.user_id
    return c


async def answer(session: AsyncSession, svc: Services, p: Principal, c: Complaint, text: str) -> Complaint:
    _check_officer(p, c)
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
    _audit(session, svc, p, c, audit.COMPLAINT_ANSWER)

    def fb_buttons(lang: str):
        return [
            [
                (t(lang, "push.resolved_btn"), callbacks.citizen_feedback(True, c.id)),
                (t(lang, "push.unresolved_btn"), callbacks.citizen_feedback(False, c.id)),
            ]
        ]

    await _push_citizen(
        session, svc, c, "push.answered", key=f"push:{c.id}:{len(c.events)}", buttons=fb_buttons, answer=text
    )
    await refresh_cards(session, svc, c)
    return c


async def transfer(
    session: AsyncSession, svc: Services, p: Principal, c: Complaint, to_department: str, reason: str
) -> Complaint:
    """이송 within the district: the deadline stays (the district received it when it did)."""
    _check_officer(p, c)
    if to_department not in svc.district.departments:
        raise ValueError("unknown department")
    if to_department == c.department_code:
        raise ValueError("same department")
    reason = REASON.check(reason or "")
    from workflows import transfers  # a third move between departments goes to the desk instead

    if transfers.goes_to_desk(c.events):
        return await transfers.to_desk(session, svc, p, c, to_department, reason)
    from_dept = c.department_code
    c.department_code, c.officer_id, c.handed_to = to_department, None, None
    _transition(c, "transfer", p, svc.now(), note=reason)
    _audit(session, svc, p, c, audit.COMPLAINT_TRANSFER, source=from_dept)
    n = len(c.events)
    await _push_citizen(session, svc, c, "push.transferred", key=f"push:{c.id}:{n}", note=escape(reason))
    await refresh_cards(session, svc, c)  # the old department's copies: gone to the new one (before its cards)
    await _notify_department(
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
    _check_officer(p, c)
    remedy = svc.district.remedies.get(remedy_code)
    if remedy is None:
        raise ValueError("unknown remedy")
    reason = REJECT_REASON.check(reason or "")
    now = svc.now()
    _transition(c, "reject", p, now, note=f"{reason}\n[{remedy.code}]")
    c.closed_at, c.officer_id = now, c.officer_id or p.user_id
    _audit(session, svc, p, c, audit.COMPLAINT_REJECT, remedy=remedy.code)
    lang = await _lang(session, c.citizen_id)
    await _push_citizen(
        session,
        svc,
        c,
        "push.rejected",
        key=f"push:{c.id}:{len(c.events)}",
        note=escape(reason),
        remedy=remedy.text(lang),
    )
    await refresh_cards(session, svc, c)
    from workflows.ratings import send_survey  # the survey follows every final decision

    await send_survey(session, svc, c)
    return c


def extended_deadline(svc: Services, c: Complaint) -> datetime:
    """시행령 §21: once, by at most the original period, counted on from the current deadline."""
    return svc.calendar.deadline(c.deadline_at, Period.parse(c.period))


async def extend(session: AsyncSession, svc: Services, p: Principal, c: Complaint, reason: str) -> Complaint:
    _check_officer(p, c)
    if c.extended:
        raise AlreadyExtended(c.receipt_no)
    reason = REASON.check(reason or "")
    new_deadline = extended_deadline(svc, c)
    _transition(c, "extend", p, svc.now(), note=reason)
    c.extended, c.deadline_at = True, new_deadline
    _audit(session, svc, p, c, audit.COMPLAINT_EXTEND, deadline=f"{new_deadline.astimezone(svc.tz):%Y-%m-%d}")
    await _push_citizen(session, svc, c, "push.extended", key=f"push:{c.id}:{len(c.events)}", note=escape(reason))
    return c


# --- the citizen's answer ------------------------------------------------------------------


async def citizen_close(session: AsyncSession, svc: Services, p: Principal, c: Complaint) -> Complaint:
    if c.citizen_id != p.user_id:
        raise NotFound(c.id)
    now = svc.now()
    _transition(c, "close", p, now)
    c.closed_at, c.resolved = now, True
    from workflows.ratings import send_survey

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
    await _notify_department(
        session, svc, c, "op.reopened_in", key=f"reopen:{c.id}:{len(c.events)}", note=escape(staff_text(comment))
    )
    return c


async def citizen_withdraw(
    session: AsyncSession, svc: Services, p: Principal, c: Complaint, note: str | None = None
) -> Complaint:
    """취하: the resident takes back a complaint still being handled (before deleting their data,
    workflows/privacy.py). Final at once; the department's officers are told to stop. An answered
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
    await _notify_department(session, svc, c, "op.withdrawn", key=f"withdrawn:{c.id}")
    return c


# --- scheduled duties (reminders and escalations: workflows/escalation.py) -----------------


async def autoclose_answered(session: AsyncSession, svc: Services) -> int:
    """Answered complaints the resident never confirmed are closed after N days, then surveyed."""
    now = svc.now()
    days = svc.district.answered_autoclose_days
    rows = (
        (
            await session.execute(
                select(Complaint)
                .options(*_load())
                .where(Complaint.state == states.ANSWERED, Complaint.answered_at <= now - timedelta(days=days))
                .with_for_update(of=Complaint, skip_locked=True)
            )
        )
        .scalars()
        .all()
    )  # one being replied to: next run
    from workflows.ratings import send_survey

    for c in rows:
        _transition(c, "close", None, now, note="auto")
        c.closed_at = now
        await _push_citizen(session, svc, c, "push.autoclosed", key=f"push:{c.id}:{len(c.events)}", days=days)
        await send_survey(session, svc, c)
    return len(rows)


def history(
    svc: Services, c: Complaint, lang: str, *, staff: bool = False, names: dict[int, str] | None = None
) -> list[str]:
    """One rendered line per event; the notes are whole (a reason or comment is at most 1,000
    characters, so a line always fits a message). For officers (``staff``) a resident's reopen
    comment has its phone numbers masked, and they read who acted and the internal notes
    (casework.staff_event_detail); the resident never sees the staff-only events."""
    from workflows.casework import STAFF_ONLY, staff_event_detail
    from workflows.transfers import RETURN, TO_DESK, history_note

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
