"""Who hears of a complaint's deadline: a reminder before it, the escalation digest after it.

Only people who can act now are told, looked up at every run (a revoked grant, an officer moved to
another department or one Telegram refuses is out at once):

* the department's current officers (workflows/roles.officers_of: grant not revoked, reachable),
* its head (과장, role ``head``), for escalations,
* for a complaint handed to the first-contact desk (complaints/cards.hand_to_desk), the desk's officers,
* the department's group chat, if it has one (numbers and times only: no personal data),
* the admins: ONE digest per run listing every complaint that went overdue in it (receipt number,
  department, how long overdue) instead of a message per complaint.

A reminder goes to the officer who took the complaint while they are still one of those people,
else to the department's officers. The escalation is once per deadline (``escalated_for``), and a
run is a handful of statements whatever the number of complaints — 600 overdue at start are one
bulk update and one message per recipient, so the writer turn (SQLite) is back within
milliseconds and residents' answers do not wait behind it (tests/e2e/test_nobody_stuck.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workflows.models import Complaint, User
from workflows import callbacks, roles
from workflows.complaints import states
from workflows.complaints.cards import officer_buttons
from workflows.context import Services
from workflows.outbox import Queued, enqueue, enqueue_many
from workflows.texts import MESSAGE_LIMIT, escape, t, visible_len

OPEN_BUTTONS = 8  # "open" buttons under a staff digest (the rest: /inbox)


@dataclass(frozen=True)
class Staff:
    """The people who can act on a department's complaints now."""

    officers: list[int]
    heads: list[int]

    @property
    def everyone(self) -> list[int]:
        return sorted({*self.officers, *self.heads})


async def staff_of(session: AsyncSession, departments) -> dict[str, Staff]:
    """Current, reachable officers and heads per department (two queries per department)."""
    return {
        d: Staff(await roles.officers_of(session, d), await roles.officers_of(session, d, roles.HEAD))
        for d in sorted(set(departments))
    }


async def _langs(session: AsyncSession, user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i > 0}
    found = dict((await session.execute(select(User.id, User.language).where(User.id.in_(ids)))).all()) if ids else {}
    return defaultdict(lambda: "ko", found)


# --- reminders -----------------------------------------------------------------------------


def reminder_recipients(c: Complaint, staff: dict[str, Staff], desk: str) -> list[int]:
    """The officer who took it while they can still act on it; else the department's officers (or,
    handed to the desk, the desk's); else its head."""
    own = staff[c.department_code]
    desk_officers = staff[desk].officers if c.handed_to else []
    if c.officer_id and c.officer_id in {*own.everyone, *desk_officers}:
        return [c.officer_id]
    return own.officers or desk_officers or own.heads


async def send_due_reminders(session: AsyncSession, svc: Services) -> int:
    """Remind once per deadline when it is within the configured working hours."""
    now = svc.now()
    before = svc.district.reminder_business_hours_before
    rows = (
        (
            await session.execute(
                select(Complaint)
                .options(selectinload(Complaint.photos))
                .where(
                    Complaint.state.in_(states.OPEN),
                    Complaint.paused_at.is_(None),
                    Complaint.deadline_at > now,
                    Complaint.deadline_at <= now + timedelta(days=14),
                    or_(Complaint.reminded_for.is_(None), Complaint.reminded_for != Complaint.deadline_at),
                )
            )
        )
        .scalars()
        .all()
    )
    due = [(c, left) for c in rows if (left := svc.calendar.business_hours_left(now, c.deadline_at)) <= before]
    if not due:
        return 0
    desk = svc.district.first_contact
    staff = await staff_of(session, [desk, *(c.department_code for c, _ in due)])
    recipients = {c.id: reminder_recipients(c, staff, desk) for c, _ in due}
    langs = await _langs(session, (oid for ids in recipients.values() for oid in ids))
    for c, left in due:
        c.reminded_for = c.deadline_at
        for oid in recipients[c.id]:
            lang = langs[oid]
            await enqueue(
                session,
                key=f"remind:{c.id}:{c.deadline_at.isoformat()}:{oid}",
                chat_id=oid,
                text=t(
                    lang,
                    "op.reminder",
                    receipt=c.receipt_no,
                    deadline=svc.fmt(c.deadline_at, lang),
                    hours=f"{left:.1f}",
                ),
                buttons=officer_buttons(c, lang),
            )
    return len(due)


# --- escalation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    id: int
    receipt_no: str
    department_code: str
    handed_to: str | None
    deadline_at: datetime
    state: str


def overdue_for(lang: str, late: timedelta) -> str:
    """How long past the deadline, in words: 45분, 5시간, 2일 3시간."""
    minutes = max(int(late.total_seconds() // 60), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return t(lang, "esc.late.days", d=days, h=hours) if hours else t(lang, "esc.late.days_only", d=days)
    if hours:
        return t(lang, "esc.late.hours", h=hours)
    return t(lang, "esc.late.minutes", m=minutes)


def digest(svc: Services, items: list[Overdue], lang: str, *, staff: bool) -> str:
    """One message listing ``items`` by department (most overdue first), within Telegram's limit: when
    everything does not fit, each department shows its most overdue and how many more."""
    now = svc.now()
    by_dept: dict[str, list[Overdue]] = defaultdict(list)
    for o in sorted(items, key=lambda o: (o.deadline_at, o.id)):
        by_dept[o.department_code].append(o)
    order = sorted(by_dept, key=lambda d: (-len(by_dept[d]), d))
    title = t(lang, "esc.digest.title", n=len(items), at=svc.fmt(now, lang))
    d = svc.district

    def render(per_dept: int | None) -> str:
        blocks = [title]
        for code in order:
            group = by_dept[code]
            lines = [t(lang, "esc.digest.department", department=escape(d.department(code).name(lang)), n=len(group))]
            for o in group[:per_dept]:
                lines.append(
                    t(
                        lang,
                        "esc.digest.line",
                        receipt=o.receipt_no,
                        late=overdue_for(lang, now - o.deadline_at),
                        state=t(lang, f"state.{o.state}"),
                        desk=t(lang, "esc.digest.at_desk") if o.handed_to else "",
                    )
                )
            more = len(group) - len(lines) + 1
            if more > 0:
                lines.append(t(lang, "esc.digest.more_staff" if staff else "esc.digest.more", n=more))
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    text = render(None)
    if visible_len(text) <= MESSAGE_LIMIT:
        return text
    lo, hi = 0, max(len(g) for g in by_dept.values())  # the most lines per department that fit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if visible_len(render(mid)) <= MESSAGE_LIMIT else (lo, mid - 1)
    return render(lo)  # (with hundreds of departments even 0 lines could not fit: no district has them)


def open_buttons(items: list[Overdue], lang: str) -> list[list[tuple[str, str]]]:
    """For an officer or head in private: open the most overdue cases at once."""
    first = sorted(items, key=lambda o: (o.deadline_at, o.id))[:OPEN_BUTTONS]
    buttons = [(t(lang, "esc.digest.open", receipt=o.receipt_no), callbacks.officer("open", o.id)) for o in first]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


async def escalate_overdue(session: AsyncSession, svc: Services) -> int:
    """Once per deadline, every complaint that went overdue since the last run is escalated: one
    digest to each of its department's current officers and head (and the desk's officers for one
    handed to the desk), one to the department's group chat, and one to the admins listing all of
    them. Returns how many complaints were escalated."""
    now = svc.now()
    C = Complaint
    found = (
        await session.execute(
            select(C.id, C.receipt_no, C.department_code, C.handed_to, C.deadline_at, C.state)
            .where(
                C.state.in_(states.OPEN),
                C.paused_at.is_(None),
                C.deadline_at <= now,  # 보완: not overdue
                or_(C.escalated_for.is_(None), C.escalated_for != C.deadline_at),
            )
            .order_by(C.deadline_at, C.id)
        )
    ).all()
    if not found:
        return 0
    items = [Overdue(*row) for row in found]
    ids = [o.id for o in items]
    for i in range(0, len(ids), 500):
        await session.execute(
            update(C)
            .where(C.id.in_(ids[i : i + 500]))
            .values(escalated_for=C.deadline_at)
            .execution_options(synchronize_session="fetch")
        )

    desk = svc.district.first_contact
    staff = await staff_of(session, [desk, *(o.department_code for o in items)])
    mine: dict[int, list[Overdue]] = defaultdict(list)  # private chat -> the items they can act on
    groups: dict[int, list[Overdue]] = defaultdict(list)
    for o in items:
        people = set(staff[o.department_code].everyone)
        if o.handed_to:
            people |= set(staff[desk].officers)
        for uid in people:
            mine[uid].append(o)
        group = svc.district.department(o.department_code).group_chat_id
        if group:
            groups[group].append(o)
    admins = await roles.admins(session, svc.admin_ids)
    langs = await _langs(session, [*mine, *admins])
    run = now.strftime("%Y%m%dT%H%M%S")
    rows = [
        Queued(
            f"escalation:{run}:{uid}",
            uid,
            text=digest(svc, got, langs[uid], staff=True),
            buttons=open_buttons(got, langs[uid]),
        )
        for uid, got in sorted(mine.items())
    ]
    rows += [
        Queued(f"escalation:{run}:{chat}", chat, text=digest(svc, got, "ko", staff=True))
        for chat, got in sorted(groups.items())
    ]
    rows += [
        Queued(f"escalation:{run}:admin:{aid}", aid, text=digest(svc, items, langs[aid], staff=False)) for aid in admins
    ]
    await enqueue_many(session, rows)
    return len(items)
