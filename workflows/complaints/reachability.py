"""Officers Telegram will not let the bot reach (403), and what happens until they press /start.

An officer granted before they ever opened the bot — or one who blocked it — makes Telegram answer
403 to their first card; the delivery worker then marks them inactive (bot/delivery.py) and calls
``forbidden`` in the same transaction:

* the refused card is HELD (status ``held``), not lost;
* when that leaves the department with no officer the bot can reach (and no group chat), the
  complaint is handed to the first-contact desk (hand_over), so someone can act on it,
  and — once per episode, at the moment the last reachable officer drops out — the admins (and
  the department's head) are told which department it is and who must press /start.

When such an officer writes to the bot again (/start: workflows/users.ensure_user makes them
active), ``reactivated`` sends each held card again — freshly rendered, in the complaint's current
state — for the complaints that are still open, theirs to act on and not taken by a colleague; the
stale ones are dropped. The admins hear that the department is reachable again.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import Complaint, OutboxMessage, User
from workflows import roles
from workflows.complaints import states
from workflows.context import Services
from workflows.outbox import Queued, enqueue_many
from workflows.texts import escape, t
from workflows.complaints.cards import hand_over, send_card_again
from workflows.complaints.common import UNREACHABLE

HELD, RESENT, CANCELLED = "held", "resent", "cancelled"
# outbox rows that are a complaint's card for an officer: the dedup key is "<kind>:<complaint id>:..."
CARD_KINDS = frozenset({"new", "tr", "reopen", "remind", "handover", "resend"})


def card_complaint(dedup_key: str) -> int | None:
    """The complaint a card row is about, from its dedup key; None for any other row."""
    words = dedup_key.split(":")
    if len(words) > 2 and words[0] in CARD_KINDS and words[1].isdigit():
        return int(words[1])
    return None


def _who(user_ids) -> str:
    return ", ".join(f"<code>{i}</code>" for i in user_ids)


async def _tell(session: AsyncSession, svc: Services, key: str, dept: str, text_key: str, **values) -> int:
    """One message to every admin and the department's head(s), through the outbox."""
    targets = sorted({*await roles.admins(session, svc.admin_ids), *await roles.officers_of(session, dept, roles.HEAD)})
    langs = dict((await session.execute(select(User.id, User.language).where(User.id.in_(targets)))).all())
    d = svc.district

    def text(lang: str) -> str:
        return t(
            lang,
            text_key,
            department=escape(d.department(dept).name(lang)),
            desk=escape(d.department(d.first_contact).name(lang)),
            **values,
        )

    return await enqueue_many(session, [Queued(f"{key}:{c}", c, text=text(langs.get(c, "ko"))) for c in targets])


async def forbidden(svc: Services, session: AsyncSession, row: OutboxMessage, newly_inactive: bool) -> None:
    """Telegram refused ``row`` with 403 and its private chat was marked inactive (``newly_inactive``:
    it was active until now). Called by the delivery worker in the transaction that records it."""
    cid = card_complaint(row.dedup_key)
    p = await roles.load_principal(session, row.chat_id, svc.admin_ids)
    if not p.is_officer:
        return
    if cid is not None:
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(status=HELD))
    dept = p.department
    if svc.district.department(dept).group_chat_id or await roles.officers_of(session, dept):
        return  # someone in the department still gets its cards
    if cid is not None:
        c = await session.get(Complaint, cid)
        if c is not None and c.state in states.OPEN and c.department_code == dept:
            await hand_over(session, svc, c, UNREACHABLE)
    if newly_inactive:  # the department has just lost its last reachable officer: a new episode
        await _tell(
            session,
            svc,
            f"unreachable:{dept}:{row.id}",
            dept,
            "reach.unreachable",
            who=_who(await roles.unreachable_of(session, dept)),
        )


async def reactivated(session: AsyncSession, svc: Services, user_id: int) -> int:
    """``user_id`` wrote to the bot again after Telegram had refused them: send their held cards
    again as the complaints stand now; returns how many went."""
    held = list(
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == user_id, OutboxMessage.status == HELD)
            .order_by(OutboxMessage.id)
        )
    )
    p = await roles.load_principal(session, user_id, svc.admin_ids)
    rows_of: dict[int, list[OutboxMessage]] = defaultdict(list)
    for r in held:
        rows_of[card_complaint(r.dedup_key)].append(r)
    found = list(
        await session.scalars(select(Complaint).where(Complaint.id.in_(rows_of)).order_by(Complaint.deadline_at))
    )
    sent = 0
    for c in found:
        current = (
            p.is_officer
            and c.state in states.OPEN
            and c.officer_id in (None, user_id)
            and roles.can_handle(p, c.department_code, c.handed_to)
        )
        if current:
            await send_card_again(session, svc, c, user_id)
            sent += 1
        ids = [r.id for r in rows_of.pop(c.id)]
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(status=RESENT if current else CANCELLED)
        )
    stale = [r.id for rows in rows_of.values() for r in rows]  # complaints deleted since
    if stale:
        await session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(stale)).values(status=CANCELLED))
    if p.is_officer and await roles.officers_of(session, p.department) == [user_id]:
        # the department had nobody the bot could reach until now
        await _tell(
            session,
            svc,
            f"reachable:{p.department}:{user_id}:{svc.now():%Y%m%dT%H%M%S}",
            p.department,
            "reach.back",
            who=_who([user_id]),
            n=sent,
        )
    return sent
