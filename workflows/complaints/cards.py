"""What officers and residents receive about a complaint: the officer's card with its buttons, the
group chat's card (nothing the resident wrote), the notices to a department (or the first-contact
desk when nobody there can act) and to the resident, and every copy of a card rewritten when the
complaint changes hands (``refresh_cards``). All of it goes through the outbox, in the caller's
transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows import callbacks, roles
from workflows.complaints import states
from workflows.business_time import Period
from workflows.complaints import transfers
from workflows.complaints.common import (
    NO_OFFICER,
    dong_of,
    lang_of,
    langs_of,
    location_text,
    record_event,
    repeat_of,
    staff_text,
    status_line,
)
from workflows.context import Services
from workflows.links import private_chat
from workflows.models import Complaint, ComplaintCard, OutboxMessage, User
from workflows.outbox import Queued, enqueue, enqueue_many, keyboard, rewrite
from workflows.roles import officers_of
from workflows.texts import MESSAGE_LIMIT, clip, escape, t, t_fit, visible_len

CARDS, DIGEST = "cards", "digest"  # how an officer gets new complaints: each card at once, or the morning digest


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
        if transfers.returnable(c):
            rows.append([(t(lang, "op.btn.return"), callbacks.give_back(c.id))])
        rows.append([b("assign"), b("note")])  # a colleague takes it; a note for colleagues (casework)
        rows.append(
            [b("supp_cancel" if c.paused_at is not None else "supplement")]
        )  # 보완 (workflows/complaints/supplement.py)
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
    line = status_line(svc, c, lang)
    return f" · {line}" if line else ""


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


async def notify_department(
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
        officers = await card_recipients(session, c, officers)
    langs = await langs_of(session, officers)
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


async def push_citizen(
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
    lang = await lang_of(session, c.citizen_id)
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
        record_event(c, "handover", None, svc.now(), note=reason, from_state=c.state)
    return await officers_of(session, desk)


async def hand_over(session: AsyncSession, svc: Services, c: Complaint, reason: str) -> None:
    """Hand the complaint to the desk (hand_to_desk) and send the desk's officers its card."""
    await hand_to_desk(session, svc, c, reason)
    await notify_department(session, svc, c, "op.new", key=f"handover:{c.id}")


async def send_card_again(session: AsyncSession, svc: Services, c: Complaint, officer_id: int) -> None:
    """The card of a complaint, as it stands now, to one officer whose earlier card Telegram refused
    (workflows/complaints/reachability.py)."""
    await notify_department(
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


async def register_card(session: AsyncSession, c: Complaint, chat_id: int, key: str) -> None:
    """Remember that the outbox row ``key`` is a copy of this complaint's card."""
    if await session.scalar(select(ComplaintCard.id).where(ComplaintCard.dedup_key == key[:200])) is None:
        session.add(ComplaintCard(complaint_id=c.id, chat_id=chat_id, dedup_key=key[:200]))


def _short_card(
    svc: Services, c: Complaint, lang: str, *, group: bool, chat_dept: str | None, owner: str | None, mine: bool
) -> tuple[str, list[list[tuple[str, str]]] | None]:
    """The text and buttons a copy of the card shows now."""
    d = svc.district
    if c.department_code != chat_dept and chat_dept is not None and c.handed_to != chat_dept:
        status = t(lang, "ws.card.moved", department=escape(d.department(c.department_code).name(lang)))
    elif c.state not in states.OPEN:
        status = t(lang, "ws.card.state", state=t(lang, f"state.{c.state}"))
    elif owner:
        status = t(lang, "ws.card.mine" if mine else "ws.card.taken", name=escape(owner))
    else:
        status = t(lang, "ws.card.unassigned")
    if c.state in states.OPEN and c.paused_at is not None:  # 보완 요청 중 (workflows/complaints/supplement.py)
        status += " · " + status_line(svc, c, lang)
    if group:
        return group_card(svc, c, "ws.group.head", lang, status=status), open_link_buttons(svc, c, lang)
    place = dong_of(svc, c) or (clip(staff_text(c.address), 30) if c.address else "")
    text = t(
        lang,
        "ws.card",
        receipt=c.receipt_no,
        status=status,
        category=escape(d.category(c.category_code).name(lang)),
        place=escape(place or "-"),
        words=escape(clip(staff_text(c.description), 80)),
        deadline=svc.fmt(c.deadline_at, lang),
    )
    open_row = [(t(lang, "ws.btn.open"), callbacks.officer("open", c.id))]
    if c.state in states.OPEN and chat_dept in (c.department_code, c.handed_to) and (mine or not owner):
        return text, officer_buttons(c, lang)
    return text, [open_row]


async def refresh_cards(session: AsyncSession, svc: Services, c: Complaint) -> int:
    """Rewrite every copy of the complaint's card to say who has it now (and in which state), with
    the buttons that still make sense for that chat. Returns how many copies were changed."""
    await session.flush()
    rows = (
        await session.execute(
            select(ComplaintCard, OutboxMessage)
            .join(OutboxMessage, OutboxMessage.dedup_key == ComplaintCard.dedup_key)
            .where(ComplaintCard.complaint_id == c.id)
            .order_by(ComplaintCard.id)
        )
    ).all()
    if not rows:
        return 0
    officers = [card.chat_id for card, _ in rows if card.chat_id > 0]
    langs = await roles.staff_languages(session, officers)
    depts = await roles.departments_of(session, officers)
    group_dept = {dep.group_chat_id: dep.code for dep in svc.district.departments.values() if dep.group_chat_id}
    names: dict[str, dict[int, str]] = {}
    n = 0
    edits = []
    for card, row in rows:
        group = card.chat_id < 0
        lang = "ko" if group else langs.get(card.chat_id, "ko")
        if lang not in names:
            names[lang] = await roles.staff_names(session, [c.officer_id], lang) if c.officer_id else {}
        owner = names[lang].get(c.officer_id) if c.officer_id else None
        chat_dept = group_dept.get(card.chat_id) if group else depts.get(card.chat_id)
        text, buttons = _short_card(
            svc, c, lang, group=group, chat_dept=chat_dept, owner=owner, mine=c.officer_id == card.chat_id
        )
        if row.status == "pending":  # not sent yet: it goes out as it is now
            payload = {k: v for k, v in row.payload.items() if k != "reply_markup"}
            payload.update(text=text, parse_mode="HTML")
            if buttons:
                payload["reply_markup"] = keyboard(buttons)
            if await rewrite(session, row, payload):
                n += 1
                continue
        if row.status == "sent" and row.telegram_message_id:  # also one the worker sent meanwhile
            edits.append(
                Queued(
                    f"card:{card.id}:{len(c.events)}",
                    card.chat_id,
                    text=text,
                    buttons=buttons,
                    method="editMessageText",
                    params={"message_id": row.telegram_message_id},
                )
            )
    return n + await enqueue_many(session, edits)


async def card_recipients(session: AsyncSession, c: Complaint, officers: list[int]) -> list[int]:
    """Who gets the card of a new (or transferred-in) complaint now: not the officers who chose the
    morning digest — unless the complaint's period is counted in hours (기타 즉시: 3 working hours),
    which cannot wait for tomorrow's digest."""
    if not officers or Period.parse(c.period).days == 0:
        return officers
    digest = set((await session.scalars(select(User.id).where(User.id.in_(officers), User.card_mode == DIGEST))).all())
    return [o for o in officers if o not in digest]
