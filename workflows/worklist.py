"""Lists an officer can work from (issue 16 §2): /inbox (complaints), /onestop (one-stop
sub-requests), /taxinbox (등록면허세 notices) and /find <words> (search) are one mechanism — a
``View`` (what is listed, a filter, a page) turned into a ``Page`` of lines by the view's
``Source``; handlers/worklist.py draws every page with the same buttons (numbers to open, paging,
filters). Plus each officer's choice of new-complaint cards or a morning digest (/settings), and
the digest itself (a scheduled duty at 08:30 on business days).

Every query is limited to what the officer may act on: ``of_department`` (complaints: their
department, and for the first-contact desk what was handed to it — the one place to extend), the
sub-requests routed to their department, the tax department's notices for its officers only.
Each line says what it is, where (동 or place), a few words of it (clipped, then escaped), who has
it (by name) and the time left in business time (BusinessCalendar.business_hours_left).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workflows.models import Complaint, LicenseTaxNotice, OnestopApplication, OnestopItem, RoleGrant, User
from workflows import callbacks, roles
from workflows.complaints import states
from workflows.complaints.cards import CARDS, DIGEST
from workflows.complaints.common import dong_of, of_department, padded_address, staff_text, status_line
from workflows.context import Services
from workflows.outbox import Queued, enqueue_many
from workflows.roles import Principal
from workflows.texts import clip, escape, t, visible_len
from workflows.onestop import service as bd
from workflows.license_tax import service as lt

PAGE_SIZE = 10
WORDS = 40  # characters of the complaint on a list line
# scopes (one letter in the callback data)
ALL, MINE, UNASSIGNED, OVERDUE, TODAY = "a", "m", "u", "o", "d"
# sources
COMPLAINTS, ONESTOP, TAX, SEARCH = "c", "o", "t", "q"
# officers' choice for new complaints (users.card_mode)
DIGEST_AT = time(8, 30)
DIGEST_ITEMS = 5  # lines per section of the digest (the rest: its buttons open the lists)


@dataclass(frozen=True)
class View:
    """What a list shows: its source, the filter and the page (all of it fits a button)."""

    source: str = COMPLAINTS
    scope: str = ALL
    category: str = ""  # a category code (complaints)
    dong: int = -1  # index into district.dongs, -1 = every 동
    page: int = 0
    query: str = ""  # search words

    def with_(self, **kw) -> "View":
        return replace(self, **kw)


@dataclass
class Line:
    text: str  # HTML, one list entry (escaped)
    label: str  # the button that opens it: its number and receipt number
    open_data: str  # callback data of that button


@dataclass
class Page:
    view: View
    title: str  # HTML
    lines: list[Line]
    total: int
    header: str = ""  # HTML above the list (the tax inbox's counts)
    extra_buttons: list[list[tuple[str, str]]] = field(default_factory=list)  # rows after the list
    scopes: tuple[str, ...] = ()  # the scope filters this source offers
    categories: bool = False  # offers a category filter
    dongs: bool = False  # offers a 동 filter
    empty_key: str = "ws.empty"  # what an empty list says

    @property
    def filtered(self) -> bool:
        return self.view.scope != ALL or bool(self.view.category) or self.view.dong >= 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


class NotAllowed(PermissionError):
    """This person may not see this list."""


# --- time left, in business time -----------------------------------------------------------------


def _hours(h: float) -> str:
    h = round(h, 1)
    return f"{h:.0f}" if h == int(h) else f"{h:.1f}"


def span(svc: Services, hours: float, lang: str) -> str:
    """Working time as days of 8 hours and hours: "2일 3.5시간", "6시간"."""
    per_day = 8
    days, rest = divmod(round(abs(hours), 1), per_day)
    if days:
        return (
            t(lang, "ws.span.days", d=int(days), h=_hours(rest)) if rest else t(lang, "ws.span.days_only", d=int(days))
        )
    return t(lang, "ws.span.hours", h=_hours(rest))


def day_bounds(svc: Services, now: datetime) -> tuple[datetime, datetime]:
    """The district's today, as [start, end) instants."""
    local = now.astimezone(svc.tz).date()
    start = datetime.combine(local, time(0), svc.tz)
    return start, start + timedelta(days=1)


def time_left(svc: Services, deadline: datetime, now: datetime, lang: str) -> str:
    hours = svc.calendar.business_hours_left(now, deadline)
    if deadline < now:
        return t(lang, "ws.left.over", span=span(svc, hours, lang))
    if deadline < day_bounds(svc, now)[1]:
        return t(lang, "ws.left.today", at=deadline.astimezone(svc.tz).strftime("%H:%M"), span=span(svc, hours, lang))
    return t(lang, "ws.left.in", span=span(svc, hours, lang))


# --- complaints -------------------------------------------------------------------------------------


def _complaint_filters(svc: Services, p: Principal, view: View, now: datetime) -> list:
    where = [of_department(p.department), Complaint.state.in_(states.OPEN)]
    if view.scope == MINE:
        where.append(Complaint.officer_id == p.user_id)
    elif view.scope == UNASSIGNED:
        where.append(Complaint.officer_id.is_(None))
    elif view.scope == OVERDUE:
        where += [Complaint.deadline_at < now, Complaint.paused_at.is_(None)]  # 보완 요청 중: not overdue
    elif view.scope == TODAY:
        where += [
            Complaint.deadline_at >= now,
            Complaint.deadline_at < day_bounds(svc, now)[1],
            Complaint.paused_at.is_(None),
        ]
    if view.category:
        where.append(Complaint.category_code == view.category)
    if 0 <= view.dong < len(svc.district.dongs):
        where.append(padded_address().like(f"% {svc.district.dongs[view.dong]} %"))
    return where


def complaint_place(svc: Services, c: Complaint, lang: str) -> str:
    """Plain text: the 동 the address names, else a few words of the typed address, else "📍"."""
    if c.address:
        return dong_of(svc, c) or clip(staff_text(c.address), 20)
    return t(lang, "ws.place.pin") if c.latitude is not None else t(lang, "ws.place.none")


def complaint_line(
    svc: Services, c: Complaint, n: int, names: dict[int, str], now: datetime, lang: str, *, words: int = WORDS
) -> str:
    who = escape(names.get(c.officer_id, "")) if c.officer_id else t(lang, "ws.nobody")
    paused = c.state in states.OPEN and c.paused_at is not None  # 보완 요청 중: the clock stands still
    when = (
        status_line(svc, c, lang)
        if paused
        else time_left(svc, c.deadline_at, now, lang)
        if c.state in states.OPEN
        else t(lang, f"state.{c.state}")
    )
    overdue = c.state in states.OPEN and c.deadline_at < now and not paused
    return t(
        lang,
        "ws.line",
        n=n,
        receipt=c.receipt_no,
        flag="⚠️ " if overdue else "",
        category=escape(svc.district.category(c.category_code).name(lang)),
        place=escape(complaint_place(svc, c, lang)),
        words=escape(clip(staff_text(c.description), words)),
        who=who,
        when=when,
    )


def _page_no(view: View, total: int) -> int:
    """The page asked for, within the pages there are now (a list shrinks while it is open)."""
    return min(max(view.page, 0), max(0, -(-total // PAGE_SIZE) - 1))


async def _complaint_page(
    session: AsyncSession, svc: Services, p: Principal, view: View, lang: str, where: list, order, title, **kw
) -> Page:
    total = int(await session.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0)
    page = _page_no(view, total)
    rows = (
        await session.scalars(
            select(Complaint).where(*where).order_by(*order).offset(page * PAGE_SIZE).limit(PAGE_SIZE)
        )
    ).all()
    names = await roles.staff_names(session, [c.officer_id for c in rows], lang)
    now = svc.now()
    lines = []
    for i, c in enumerate(rows):
        n = page * PAGE_SIZE + i + 1
        lines.append(
            Line(complaint_line(svc, c, n, names, now, lang), f"{n} · {c.receipt_no}", callbacks.officer("open", c.id))
        )
    return Page(view.with_(page=page), title(total), lines, total, **kw)


def _filter_words(svc: Services, view: View, lang: str) -> str:
    parts = [] if view.scope == ALL else [t(lang, f"ws.scope.{view.scope}")]
    if view.category and view.category in svc.district.categories:
        parts.append(svc.district.category(view.category).name(lang))
    if 0 <= view.dong < len(svc.district.dongs):
        parts.append(svc.district.dongs[view.dong])
    return escape(" · ".join(parts))


async def complaints_page(session: AsyncSession, svc: Services, p: Principal, view: View, lang: str) -> Page:
    if not p.is_officer:
        raise NotAllowed()
    now = svc.now()
    where = _complaint_filters(svc, p, view, now)
    filters = _filter_words(svc, view, lang)

    def title(n: int) -> str:
        return t(
            lang,
            "ws.inbox.title",
            department=escape(svc.district.department(p.department).name(lang)),
            n=n,
            filters=t(lang, "ws.filtered", filters=filters) if filters else "",
        )

    return await _complaint_page(
        session,
        svc,
        p,
        view,
        lang,
        where,
        (Complaint.deadline_at, Complaint.id),
        title,
        scopes=(ALL, MINE, UNASSIGNED, OVERDUE, TODAY),
        categories=True,
        dongs=True,
        empty_key="op.inbox_empty",
    )


async def category_counts(session: AsyncSession, svc: Services, p: Principal, view: View) -> list[tuple[str, int]]:
    """The categories among the list's complaints (the category filter left out), most first."""
    where = _complaint_filters(svc, p, view.with_(category=""), svc.now())
    rows = (
        await session.execute(
            select(Complaint.category_code, func.count()).where(*where).group_by(Complaint.category_code)
        )
    ).all()
    return sorted(((code, n) for code, n in rows if code in svc.district.categories), key=lambda r: (-r[1], r[0]))


# --- search ---------------------------------------------------------------------------------------

MAX_WORDS = 5


def search_words(text: str) -> list[str]:
    return [w for w in (text or "").replace(":", " ").split() if w][:MAX_WORDS]


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def search_page(session: AsyncSession, svc: Services, p: Principal, view: View, lang: str) -> Page:
    """The officer's department's complaints (any state, newest first) whose text, typed address or
    receipt number contains every word."""
    if not p.is_officer:
        raise NotAllowed()
    where = [of_department(p.department)]
    for w in search_words(view.query):
        pattern = _like(w)
        where.append(
            or_(
                Complaint.description.ilike(pattern, escape="\\"),
                Complaint.address.ilike(pattern, escape="\\"),
                Complaint.receipt_no.like(pattern, escape="\\"),
            )
        )

    def title(n: int) -> str:
        return t(
            lang,
            "ws.search.title",
            words=escape(view.query),
            n=n,
            department=escape(svc.district.department(p.department).name(lang)),
        )

    return await _complaint_page(
        session, svc, p, view, lang, where, (Complaint.received_at.desc(), Complaint.id.desc()), title
    )


# --- one-stop sub-requests --------------------------------------------------------------------------


async def onestop_page(session: AsyncSession, svc: Services, p: Principal, view: View, lang: str) -> Page:
    if not p.is_officer:
        raise NotAllowed()
    where = [OnestopItem.department_code == p.department, OnestopItem.state.in_(bd.WORKABLE)]
    if view.scope == MINE:
        where.append(OnestopItem.officer_id == p.user_id)
    elif view.scope == UNASSIGNED:
        where.append(OnestopItem.officer_id.is_(None))
    if 0 <= view.dong < len(svc.district.dongs):
        where.append(OnestopApplication.dong == svc.district.dongs[view.dong])
    base = (
        select(OnestopItem).join(OnestopApplication, OnestopApplication.id == OnestopItem.application_id).where(*where)
    )
    total = int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    page = _page_no(view, total)
    items = (
        await session.scalars(
            base.options(selectinload(OnestopItem.application))
            .order_by(OnestopItem.id)
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    ).all()
    names = await roles.staff_names(session, [it.officer_id for it in items], lang)
    lines = []
    for i, it in enumerate(items):
        app = it.application
        n = page * PAGE_SIZE + i + 1
        lines.append(
            Line(
                t(
                    lang,
                    "ws.onestop.line",
                    n=n,
                    receipt=app.receipt_no,
                    icon=bd.STATE_ICONS[it.state],
                    service=escape(bd.item_name(it, app.kind, lang, svc.district)),
                    kind=t(lang, bd.KIND_KEYS[app.kind]),
                    place=escape(app.dong or "-"),
                    who=escape(names[it.officer_id]) if it.officer_id else t(lang, "ws.nobody"),
                    state=t(lang, bd.STATE_KEYS[it.state]),
                    filed=svc.fmt(app.created_at, lang),
                ),
                f"{n} · {app.receipt_no}",
                bd.cb_item("open", it.id),
            )
        )
    filters = _filter_words(svc, view, lang)
    title = t(
        lang,
        "ws.onestop.title",
        department=escape(svc.district.department(p.department).name(lang)),
        n=total,
        filters=t(lang, "ws.filtered", filters=filters) if filters else "",
    )
    return Page(
        view.with_(page=page),
        title,
        lines,
        total,
        scopes=(ALL, MINE, UNASSIGNED),
        dongs=True,
        empty_key="onestop.op.list_empty",
    )


# --- 등록면허세 notices -------------------------------------------------------------------------------


async def tax_page(session: AsyncSession, svc: Services, p: Principal, view: View, lang: str) -> Page:
    """The tax department's open notices: 종 to settle (unassigned: nobody settled it yet) and unpaid
    ones (overdue / due today by the notice's due date); the counts, held payments, refunds and
    failed confirmations above, as /taxinbox always showed them."""
    if not lt.is_tax_officer(svc, p):
        raise NotAllowed()
    N = LicenseTaxNotice
    today = svc.now().astimezone(svc.tz).date()
    where = [N.state.in_((lt.AWAITING_CLASS, lt.ISSUED))]
    if view.scope == MINE:
        where.append(N.officer_id == p.user_id)
    elif view.scope == UNASSIGNED:
        where.append(N.state == lt.AWAITING_CLASS)
    elif view.scope == OVERDUE:
        where += [N.state == lt.ISSUED, N.due_date < today]
    elif view.scope == TODAY:
        where += [N.state == lt.ISSUED, N.due_date == today]
    if 0 <= view.dong < len(svc.district.dongs):
        where.append(N.dong == svc.district.dongs[view.dong])
    total = int(await session.scalar(select(func.count()).select_from(N).where(*where)) or 0)
    page = _page_no(view, total)
    rows = (
        await session.scalars(select(N).where(*where).order_by(N.id).offset(page * PAGE_SIZE).limit(PAGE_SIZE))
    ).all()
    names = await roles.staff_names(session, [n.officer_id for n in rows], lang)
    lines = []
    for i, n in enumerate(rows):
        if n.state == lt.AWAITING_CLASS:
            when = t(lang, "ws.tax.awaiting")
        else:
            late = n.due_date is not None and n.due_date < today
            when = t(
                lang,
                "ws.tax.due",
                amount=lt.won(n.amount, lang),
                due=n.due_date.isoformat() if n.due_date else "-",
                late=" ⚠️" if late else "",
            )
        k = page * PAGE_SIZE + i + 1
        lines.append(
            Line(
                t(
                    lang,
                    "ws.tax.line",
                    n=k,
                    no=n.notice_no,
                    licence=escape(clip(n.licence_name, 24)),
                    place=escape(n.dong or "-"),
                    business=escape(clip(n.business_name, 24)),
                    who=escape(names[n.officer_id]) if n.officer_id else t(lang, "ws.nobody"),
                    when=when,
                ),
                f"{k} · {n.notice_no}",
                lt.cb("open", n.id),
            )
        )
    box = await lt.inbox(session)
    refunds = "\n".join(t(lang, "lt.inbox.refund_line", no=x.notice_no, receipt=c.receipt_no) for x, c in box.refunds)
    failed = "\n".join(
        t(lang, "lt.inbox.failed_line", body=escape(c.body_code), error=escape(c.last_error or "-")) for c in box.failed
    )
    header = t(lang, "lt.inbox", **box.counts, refund_lines=refunds or "-", failed_lines=failed or "-")
    held = [
        [
            (
                t(lang, "lt.inbox.held_btn", status=t(lang, lt.PAY_KEYS[x.status]), amount=lt.won(x.amount, lang)),
                lt.cb("pay_open", x.id),
            )
        ]
        for x in box.held
    ]
    filters = _filter_words(svc, view, lang)
    title = t(lang, "ws.tax.title", n=total, filters=t(lang, "ws.filtered", filters=filters) if filters else "")
    return Page(
        view.with_(page=page),
        title,
        lines,
        total,
        header=header,
        extra_buttons=held,
        scopes=(ALL, MINE, UNASSIGNED, OVERDUE, TODAY),
        dongs=True,
    )


SOURCES = {COMPLAINTS: complaints_page, SEARCH: search_page, ONESTOP: onestop_page, TAX: tax_page}


async def page(session: AsyncSession, svc: Services, p: Principal, view: View, lang: str) -> Page:
    """The page a view shows now (NotAllowed when the person may not see this list)."""
    source = SOURCES.get(view.source)
    if source is None:
        raise NotAllowed()
    return await source(session, svc, p, view, lang)


# --- cards or a morning digest (/settings) ------------------------------------------------------------


async def card_mode(session: AsyncSession, user_id: int) -> str:
    mode = await session.scalar(select(User.card_mode).where(User.id == user_id))
    return mode if mode in (CARDS, DIGEST) else CARDS


async def set_card_mode(session: AsyncSession, user_id: int, mode: str) -> None:
    if mode not in (CARDS, DIGEST):
        raise ValueError(mode)
    user = await session.get(User, user_id)
    if user is not None:
        user.card_mode = mode


@dataclass
class Digest:
    new: list[Complaint]
    today: list[Complaint]
    overdue: list[Complaint]
    counts: dict[str, int]  # new, today, overdue (each complaint in one of them) and unassigned (all)


async def digest_for(session: AsyncSession, svc: Services, p: Principal, now: datetime) -> Digest:
    """What an officer's morning starts with, each complaint once: of their own and the unassigned
    ones (the whole department for its head) those overdue and those due today, and the rest of the
    department's unassigned ones (new: nobody has taken them)."""
    base = [of_department(p.department), Complaint.state.in_(states.OPEN)]
    theirs = [] if p.is_head else [or_(Complaint.officer_id == p.user_id, Complaint.officer_id.is_(None))]
    end = day_bounds(svc, now)[1]
    unassigned = base + [Complaint.officer_id.is_(None)]
    sections = {
        "new": unassigned + [Complaint.deadline_at >= end],
        "today": base
        + theirs
        + [Complaint.deadline_at >= now, Complaint.deadline_at < end, Complaint.paused_at.is_(None)],
        "overdue": base + theirs + [Complaint.deadline_at < now, Complaint.paused_at.is_(None)],
        "unassigned": unassigned,
    }
    found, counts = {}, {}
    for name, where in sections.items():
        counts[name] = int(await session.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0)
        found[name] = list(
            (
                await session.scalars(
                    select(Complaint).where(*where).order_by(Complaint.deadline_at, Complaint.id).limit(DIGEST_ITEMS)
                )
            ).all()
        )
    return Digest(found["new"], found["today"], found["overdue"], counts)


async def render_digest(
    session: AsyncSession, svc: Services, p: Principal, d: Digest, now: datetime, lang: str
) -> tuple[str, list[list[tuple[str, str]]]]:
    names = await roles.staff_names(session, [c.officer_id for c in d.new + d.today + d.overdue], lang)
    blocks = [
        t(
            lang,
            "ws.digest.head",
            date=svc.fmt(now, lang),
            department=escape(svc.district.department(p.department).name(lang)),
            **d.counts,
        )
    ]
    for name, rows in (("overdue", d.overdue), ("today", d.today), ("new", d.new)):
        if not rows:
            continue
        lines = [complaint_line(svc, c, i + 1, names, now, lang, words=30) for i, c in enumerate(rows)]
        more = d.counts[name] - len(rows)
        blocks.append(
            t(lang, f"ws.digest.{name}", n=d.counts[name])
            + "\n"
            + "\n".join(lines)
            + ("\n" + t(lang, "ws.digest.more", n=more) if more > 0 else "")
        )
    if not any(d.counts.values()):
        blocks.append(t(lang, "ws.digest.nothing"))
    text = "\n\n".join(blocks)
    if visible_len(text) > 4000:  # cannot happen with DIGEST_ITEMS lines of clipped text; keep the counts
        text = blocks[0]
    view = View(COMPLAINTS)
    buttons = [
        [
            (t(lang, "ws.digest.btn.unassigned", n=d.counts["unassigned"]), list_data(view.with_(scope=UNASSIGNED))),
            (t(lang, "ws.digest.btn.today", n=d.counts["today"]), list_data(view.with_(scope=TODAY))),
        ],
        [
            (t(lang, "ws.digest.btn.overdue", n=d.counts["overdue"]), list_data(view.with_(scope=OVERDUE))),
            (t(lang, "ws.digest.btn.mine"), list_data(view.with_(scope=MINE))),
        ],
    ]
    return text, buttons


def list_data(view: View, picker: str = "") -> str:
    """Callback data of a list view (handlers/worklist.ListCb packs the same string)."""
    return f"ls:{view.source}:{view.scope}:{view.category}:{view.dong}:{view.page}:{picker}:{view.query}"


async def send_digests(session: AsyncSession, svc: Services) -> int:
    """The 08:30 duty on business days: a digest to every officer (and head) who chose it, once per
    officer per day (dedup key ``digest:<officer>:<date>``), through the outbox."""
    now = svc.now()
    local = now.astimezone(svc.tz)
    if not svc.calendar.is_business_day(local.date()) or local.time() < DIGEST_AT:
        return 0
    rows = (
        await session.execute(
            select(RoleGrant.user_id, RoleGrant.role, RoleGrant.department_code, User.language)
            .join(User, User.id == RoleGrant.user_id)
            .where(
                RoleGrant.role.in_(roles.DEPARTMENT_ROLES),
                RoleGrant.revoked_at.is_(None),
                User.is_active.is_(True),
                User.card_mode == DIGEST,
            )
            .order_by(RoleGrant.id)
        )
    ).all()
    people: dict[int, tuple[Principal, str]] = {}
    for uid, role, dept, lang in rows:
        if uid in people:
            prev = people[uid][0]
            people[uid] = (Principal(uid, prev.roles | {role}, prev.department), lang)
        else:
            people[uid] = (Principal(uid, frozenset({roles.CITIZEN, role}), dept), lang or "ko")
    messages = []
    for uid, (p, lang) in people.items():
        text, buttons = await render_digest(session, svc, p, await digest_for(session, svc, p, now), now, lang)
        messages.append(Queued(f"digest:{uid}:{local.date().isoformat()}", uid, text=text, buttons=buttons))
    return await enqueue_many(session, messages)
