"""What every part of the complaints feature stands on: the limits and errors, loading a complaint,
who may act on it (its department or the desk, and nobody else in charge), the event and audit
records, the residents' words as officers see them (phones masked), the place, the receipt
number, whether a 보완 request holds it. Nothing here sends a message (cards.py) or changes a
complaint's state (service.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workflows import audit
from workflows.complaints import states
from workflows.context import Services
from workflows.contact import mask_phones
from workflows.errors import Length
from workflows.models import Complaint, ComplaintEvent, ReceiptCounter, User
from workflows.roles import Principal, can_handle
from workflows.texts import escape, t


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


REPEAT_NOTE = "repeat_of:"  # on the submit event: the earlier receipt number


def repeat_of(c: Complaint) -> str | None:
    """The receipt number this complaint repeats, if it was linked when filed."""
    note = c.events[0].note if c.events else None
    return note[len(REPEAT_NOTE) :] if note and note.startswith(REPEAT_NOTE) else None


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


def loaded():
    return (selectinload(Complaint.photos), selectinload(Complaint.events))


def of_department(department_code: str):
    """The complaints a department's officers may act on (roles.can_handle, as a query)."""
    return or_(Complaint.department_code == department_code, Complaint.handed_to == department_code)


async def lang_of(session: AsyncSession, user_id: int) -> str:
    u = await session.get(User, user_id)
    return u.language if u else "ko"


async def langs_of(session: AsyncSession, user_ids) -> dict[int, str]:
    """Languages of many users in one query (Korean for anyone unknown)."""
    ids = set(user_ids)
    found = dict((await session.execute(select(User.id, User.language).where(User.id.in_(ids)))).all()) if ids else {}
    return {i: found.get(i) or "ko" for i in ids}


async def next_receipt_no(session: AsyncSession, year: int) -> str:
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


def audit_action(session: AsyncSession, svc: Services, p: Principal, c: Complaint, action: str, **detail) -> None:
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


def dong_of(svc: Services, c: Complaint) -> str | None:
    """The 동 the typed address names as a whole word (as the indicators and Open311 take it)."""
    return svc.district.dong_in(c.address)


def record_event(
    c: Complaint,
    action: str,
    actor: Principal | None,
    now: datetime,
    *,
    note: str | None = None,
    from_state: str | None = None,
    role: str | None = None,
    officer_id: int | None = None,
) -> None:
    """Append one event to the complaint's history, the only way one is written (events are never
    changed): what, when, by whom and as what (``role``, else officer for an officer's action,
    citizen for anyone else, system without an actor), the state it left (None when it was filed
    or did not move) and the one it is in now, the department that had it, a note, and the officer
    an assignment names."""
    if role is None:
        role = (
            ("officer" if actor.is_officer and action in states.OFFICER_ACTIONS else "citizen") if actor else "system"
        )
    c.events.append(
        ComplaintEvent(
            at=now,
            actor_id=actor.user_id if actor else None,
            actor_role=role,
            action=action,
            from_state=from_state,
            to_state=c.state,
            department_code=c.department_code,
            note=note,
            officer_id=officer_id,
        )
    )
    c.updated_at = now


def check_officer(p: Principal, c: Complaint) -> None:
    """The officer may act on it: their department's (or handed to their desk), and nobody else
    in charge of it (common.Taken says who is: take it over explicitly first)."""
    if not can_handle(p, c.department_code, c.handed_to):
        raise Forbidden(c.receipt_no)
    check_free(p, c)


NO_OFFICER, UNREACHABLE = "no_officer", "unreachable"  # why a complaint was handed to the desk


HANDOVER_REASONS = (NO_OFFICER, UNREACHABLE)


# events only staff see: never in the resident's /status (complaints.history) or the export
STAFF_ONLY = frozenset({"note", "takeover", "release"})


OWNER_EVENTS = frozenset({"take", "assign", "takeover", "release"})  # events that set officer_id


class Taken(PermissionError):
    """Another officer has the complaint: take it over explicitly first."""

    def __init__(self, officer_id: int):
        super().__init__(officer_id)
        self.officer_id = officer_id


def check_free(p: Principal, c: Complaint) -> None:
    """An open complaint in another officer's charge is theirs: raise Taken (who has it)."""
    if c.state in states.OPEN and c.officer_id is not None and c.officer_id != p.user_id:
        raise Taken(c.officer_id)


def is_paused(c: Complaint) -> bool:
    return c.paused_at is not None


def status_line(svc: Services, c: Complaint, lang: str) -> str:
    """ "보완 요청 중 (~12-18)" for worklist lines and cards; empty when not paused."""
    if not is_paused(c):
        return ""
    return t(lang, "sp.paused", due=c.pause_due_at.astimezone(svc.tz).strftime("%m-%d"))


# --- the place in SQL: the figures, the Open311 export, retention and the officers' lists ---------

NO_ADDRESS, OTHER_PLACE = "(location only)", "(other)"  # no typed address; one outside the district's 동


def padded_address():
    """The typed address with a space at each end and commas and brackets as spaces, so that a 동
    can be matched as a whole word: "능동" matches "광진구 능동 123" but not the road "능동로"."""
    return literal(" ") + func.replace(func.replace(Complaint.address, ",", " "), "(", " ") + " "


def dong_case(dongs: Iterable[str], padded=None):
    """SQL CASE: the 동 named as a whole word in the address, else OTHER_PLACE / NO_ADDRESS.
    ``padded``: padded_address() as a column already computed (a subquery's, NULL for no address),
    matched against each 동; without it the address is padded again for each 동."""
    if padded is None:
        whens = [(Complaint.address.is_(None), NO_ADDRESS)]
        whens += [(padded_address().like(f"% {d} %"), d) for d in dongs]
    else:
        whens = [(padded.is_(None), NO_ADDRESS)] + [(padded.like(f"% {d} %"), d) for d in dongs]
    return case(*whens, else_=OTHER_PLACE)
