"""Teamwork on a complaint (issue 16 §3): who has it, taking it over, assigning it to a colleague,
handing an officer's open complaints on when their role ends, internal notes, and keeping every
copy of a complaint's card up to date.

* **Who has it.** ``Complaint.officer_id`` is the officer in charge. Another officer of the
  department who presses 접수, 답변, 이송, 반려 or 연장 is refused with ``Taken`` (complaints
  ._check_officer) and told who has it; they may take it over only explicitly (``takeover``, a
  confirm button), recorded in the history as a take-over and told to the officer who had it.
* **Assigning.** The officer in charge (or anyone, while nobody is) gives it to a colleague of the
  department (``assign``); when an officer's role is revoked the admin chooses to whom their open
  complaints go, or they return to unassigned and the department is told (``reassign_orphans``).
* **Copies of the card.** Every card queued for an officer or a department group is registered
  (``register_card``: its outbox dedup key). When the officer in charge or the state changes,
  ``refresh_cards`` rewrites each copy — a short card that says who has it, with the buttons that
  still make sense: a copy not sent yet is rewritten in place, a sent one is edited through the
  outbox (``editMessageText`` on its telegram_message_id).
* **Internal notes** are ``note`` events: staff see them in the history; the resident's /status
  and the Open311 export never do (``STAFF_ONLY``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows import callbacks, roles
from workflows.complaints import states
from workflows.complaints.cards import push_citizen, refresh_cards
from workflows.complaints.common import record_event, check_free
from workflows.context import Services
from workflows.errors import Length
from workflows.models import Complaint, ComplaintEvent, RoleGrant
from workflows.outbox import Queued, enqueue, enqueue_many
from workflows.roles import Principal, can_handle
from workflows.texts import escape, t

NOTE_MIN, NOTE_MAX = 2, 1000
NOTE = Length(NOTE_MIN, NOTE_MAX, "ws.note.short", "ws.note.long")


class NotColleague(ValueError):
    """The chosen person is no (longer an) officer who may act on the complaint."""


def _role(p: Principal) -> str:
    return "officer" if p.is_officer else "admin"


# --- take over, assign, release ----------------------------------------------------------------


async def takeover(session: AsyncSession, svc: Services, p: Principal, c: Complaint) -> int | None:
    """The officer takes the complaint over from whoever had it (explicitly, after being told who
    has it). Recorded as a ``takeover`` event; the officer who had it is told. Returns their id."""
    if not can_handle(p, c.department_code, c.handed_to):
        raise PermissionError(c.receipt_no)
    if c.state not in states.OPEN:
        raise states.TransitionError("takeover", c.state)
    previous = c.officer_id
    if previous == p.user_id:
        return None
    c.officer_id = p.user_id
    record_event(
        c,
        "takeover",
        p,
        svc.now(),
        note=str(previous) if previous else None,
        from_state=c.state,
        role=_role(p),
        officer_id=p.user_id,
    )
    if previous:
        await _tell_officer(session, svc, previous, c, "ws.taken_over_from_you", by=p)
    await refresh_cards(session, svc, c)
    return previous


async def assign(session: AsyncSession, svc: Services, p: Principal, c: Complaint, to_user: int) -> None:
    """Give the complaint to a colleague who may act on it (same department, or the desk for a
    complaint handed to it). The officer in charge may do it, or anyone while nobody is in charge;
    an admin may always (reassigning a revoked officer's complaints). Unassigned -> assigned, and
    the resident hears that an officer has it, as with 접수."""
    if not p.is_admin:
        if not can_handle(p, c.department_code, c.handed_to):
            raise PermissionError(c.receipt_no)
        check_free(p, c)
    if c.state not in states.OPEN:
        raise states.TransitionError("assign", c.state)
    target = await roles.load_principal(session, to_user, svc.admin_ids)
    if not can_handle(target, c.department_code, c.handed_to):
        raise NotColleague(to_user)
    if c.officer_id == to_user:
        return
    was_unassigned = c.state in states.UNASSIGNED
    to_state = states.next_state(c.state, "take") if was_unassigned else None
    c.officer_id = to_user
    before = c.state
    c.state = to_state or c.state
    record_event(c, "assign", p, svc.now(), from_state=before, role=_role(p), officer_id=to_user)
    if was_unassigned:
        await push_citizen(session, svc, c, "push.assigned", key=f"push:{c.id}:{len(c.events)}")
    if to_user != p.user_id:
        await _tell_officer(session, svc, to_user, c, "ws.assigned_to_you", by=p)
    await refresh_cards(session, svc, c)


async def release(session: AsyncSession, svc: Services, p: Principal, c: Complaint) -> None:
    """Nobody is in charge any more (the officer's role was revoked): anyone of the department may
    take it again (the state stays; 접수 is offered again)."""
    if c.officer_id is None:
        return
    previous = c.officer_id
    c.officer_id = None
    record_event(c, "release", p, svc.now(), note=str(previous), from_state=c.state, role=_role(p))
    await refresh_cards(session, svc, c)


async def _tell_officer(
    session: AsyncSession, svc: Services, officer_id: int, c: Complaint, key: str, *, by: Principal
) -> None:
    lang = (await roles.staff_languages(session, [officer_id]))[officer_id]
    name = (
        (await roles.staff_names(session, [by.user_id], lang))[by.user_id]
        if by.is_officer
        else t(lang, "role.name.admin")
    )
    await enqueue(
        session,
        key=f"ws:{key.rsplit('.', 1)[-1]}:{c.id}:{len(c.events)}:{officer_id}",
        chat_id=officer_id,
        text=t(
            lang,
            key,
            receipt=c.receipt_no,
            name=escape(name),
            category=escape(svc.district.category(c.category_code).name(lang)),
        ),
        buttons=[[(t(lang, "ws.btn.open"), callbacks.officer("open", c.id))]],
    )


# --- a revoked officer's open complaints ------------------------------------------------------------


@dataclass(frozen=True)
class Orphans:
    """Open complaints still in the charge of someone whose department role ended."""

    grant_id: int  # the ended grant
    user_id: int
    department_code: str
    receipts: list[str]


async def orphans_of(session: AsyncSession, user_id: int) -> list[Orphans]:
    """Per department the user no longer works for (their latest grant there ended) — their
    complaints still open there. Empty when they have none (or still hold the role)."""
    p = await roles.load_principal(session, user_id, frozenset())
    ended = (
        await session.scalars(
            select(RoleGrant)
            .where(
                RoleGrant.user_id == user_id,
                RoleGrant.role.in_(roles.DEPARTMENT_ROLES),
                RoleGrant.revoked_at.is_not(None),
            )
            .order_by(RoleGrant.revoked_at.desc(), RoleGrant.id.desc())
        )
    ).all()
    out, seen = [], set()
    for g in ended:
        dept = g.department_code
        if dept in seen or (p.is_officer and p.department == dept):
            continue
        seen.add(dept)
        receipts = list(
            (
                await session.scalars(
                    select(Complaint.receipt_no)
                    .where(
                        Complaint.officer_id == user_id,
                        Complaint.state.in_(states.OPEN),
                        Complaint.department_code == dept,
                    )
                    .order_by(Complaint.deadline_at)
                )
            ).all()
        )
        if receipts:
            out.append(Orphans(g.id, user_id, dept, receipts))
    return out


async def reassign_orphans(
    session: AsyncSession, svc: Services, admin: Principal, grant: RoleGrant, to_user: int | None
) -> list[str]:
    """The admin's choice for the complaints of an officer whose grant ended: all to one colleague
    (``to_user``), or back to unassigned and the department told (officers and group). Returns the
    receipt numbers moved."""
    rows = (
        await session.scalars(
            select(Complaint)
            .where(
                Complaint.officer_id == grant.user_id,
                Complaint.state.in_(states.OPEN),
                Complaint.department_code == grant.department_code,
            )
            .order_by(Complaint.deadline_at)
        )
    ).all()
    for c in rows:
        if to_user is None:
            await release(session, svc, admin, c)
        else:
            await assign(session, svc, admin, c, to_user)
    receipts = [c.receipt_no for c in rows]
    if receipts and to_user is None:
        await _tell_department(session, svc, grant.department_code, grant.user_id, receipts, grant.id)
    return receipts


async def _tell_department(
    session: AsyncSession, svc: Services, dept: str, former: int, receipts: list[str], grant_id: int
) -> None:
    officers = await roles.officers_of(session, dept)
    heads = await roles.officers_of(session, dept, roles.HEAD)
    recipients = sorted({*officers, *heads})
    langs = await roles.staff_languages(session, recipients)
    group = svc.district.department(dept).group_chat_id
    messages = []
    for chat_id in recipients + ([group] if group else []):
        lang = langs.get(chat_id, "ko")
        name = (await roles.staff_names(session, [former], lang))[former]
        shown = ", ".join(receipts[:20]) + (t(lang, "ws.and_more", n=len(receipts) - 20) if len(receipts) > 20 else "")
        messages.append(
            Queued(
                f"ws:released:{grant_id}:{chat_id}",
                chat_id,
                text=t(lang, "ws.released_to_department", name=escape(name), n=len(receipts), receipts=shown),
            )
        )
    await enqueue_many(session, messages)


# --- internal notes -----------------------------------------------------------------------------


def validate_note(text: str | None) -> str:
    """The note stripped, or DomainError saying it is too short or too long."""
    return NOTE.check(text or "")


def add_note(svc: Services, p: Principal, c: Complaint, text: str) -> None:
    """A note for colleagues, in the complaint's history; any officer who may act on it may write
    one, whoever is in charge. Never shown to the resident."""
    if not can_handle(p, c.department_code, c.handed_to):
        raise PermissionError(c.receipt_no)
    record_event(
        c, "note", p, svc.now(), note=validate_note(text), from_state=c.state, role="officer", officer_id=c.officer_id
    )


def staff_event_detail(e: ComplaintEvent, names: dict[int, str], lang: str) -> str:
    """What staff read after an event's action in the history (HTML): who did it and, for a note,
    the note itself (escaped); for a change of the officer in charge, the name now in charge."""

    def name(uid) -> str:
        return escape(names.get(uid) or t(lang, "ws.unnamed", id=uid))

    def actor() -> str:  # an admin acting (reassigning a former officer's complaints) is named by role
        return t(lang, "role.name.admin") if e.actor_role == "admin" else name(e.actor_id)

    if e.action == "note":
        return f" — {name(e.actor_id)}: {escape(e.note)}"
    if e.action in ("assign", "takeover") and e.officer_id:
        by = f" ({t(lang, 'ws.by', name=actor())})" if e.actor_id and e.actor_id != e.officer_id else ""
        return f" → {name(e.officer_id)}{by}"
    if e.action == "release":
        former = name(int(e.note)) if e.note and e.note.isdigit() else ""
        return f" — {former} ({actor()})" if former else ""
    if e.actor_id and e.actor_role == "officer":
        return f" — {name(e.actor_id)}"
    return ""


def people_in(c: Complaint) -> set[int]:
    """Everyone a staff view of the complaint names (for one staff_names query)."""
    ids = {c.officer_id, c.answered_by}
    for e in c.events:
        if e.actor_role != "citizen":
            ids.update((e.actor_id, e.officer_id))
        if e.action == "release" and e.note and e.note.isdigit():
            ids.add(int(e.note))
    return {i for i in ids if i}


async def names_for(session: AsyncSession, c: Complaint, lang: str) -> dict[int, str]:
    return await roles.staff_names(session, people_in(c), lang)


# --- the copies of a complaint's card ---------------------------------------------------------------
