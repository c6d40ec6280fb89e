"""보완 요청: the officer asks the resident to supplement a complaint (what is missing, by when); the
time the resident takes is not counted in the processing period (issue 16 §4).

The rule is data, with its sources: workflows/data/supplement.json (민원처리법 §22①, 시행령 §20,
§24, §25; 행정절차법 시행령 §11). In short:

* the complaint keeps its state; it is *paused* while ``paused_at`` is set (since the first request)
  and ``pause_due_at`` says by when the resident should answer (민법 counting, 시행령 §24④: the
  first day not counted, the period ends with its last day, a Saturday or 공휴일 moves it on);
* while paused there is no reminder, no escalation, and it is not overdue (escalation.py,
  worklist.py, indicators.py look at ``paused_at``);
* when the pause ends — the resident answers, or the officer withdraws the request — the
  processing deadline moves on by the paused time: business days from the request's day to the
  answer's day, both included, for a period counted in days; the working hours in between for one
  counted in hours (``shifted_deadline``);
* the resident may ask for more time twice (시행령 §24②); after the last day the officer in charge
  (or the department) is told once, and may ask again once with 10 days (§24③) or reject (§25①)
  with the ordinary rejection;
* a final decision (answer, rejection, the resident's withdrawal) ends the pause with it
  (``end_with_decision``); a transfer keeps it: the receiving department sees the open request.

Events: ``supplement_request`` (note: what is missing), ``supplement_extend`` (note: the new last
day), ``supplement_reply`` (note: the resident's text), ``supplement_withdraw`` (the officer took the
request back), ``supplement_expired`` (the last day passed; note: that day).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workflows import callbacks, roles
from workflows.complaints import states
from workflows.business_time import Period
from workflows.complaints.cards import refresh_cards
from workflows.complaints.common import (
    record_event,
    MAX_PHOTOS,
    NotFound,
    check_officer,
    is_paused,
    langs_of,
    staff_text,
)
from workflows.context import Services
from workflows.models import Complaint, ComplaintEvent, ComplaintPhoto
from workflows.outbox import enqueue
from workflows.roles import Principal
from workflows.texts import LANGS, escape, t, t_fit

DATA_FILE = Path(__file__).parent.parent / "data" / "supplement.json"
REQUEST, EXTEND, REPLY, WITHDRAW, EXPIRED = (
    "supplement_request",
    "supplement_extend",
    "supplement_reply",
    "supplement_withdraw",
    "supplement_expired",
)
EVENTS = (REQUEST, EXTEND, REPLY, WITHDRAW, EXPIRED)
REPLY_MIN, REPLY_MAX = 2, 2000


@dataclass(frozen=True)
class Rule:
    default_days: int
    choices_days: tuple[int, ...]
    max_days: int
    text_min: int
    text_max: int
    again_days: int
    again_times: int
    max_extensions: int
    extension_days: tuple[int, ...]
    remind_business_days_before: int


@cache
def rule(path: str | None = None) -> Rule:
    raw = json.loads(Path(path or DATA_FILE).read_text(encoding="utf-8"))
    r, again, ext = raw["request"], raw["second_request"], raw["extension"]
    return Rule(
        int(r["default_days"]),
        tuple(int(d) for d in r["choices_days"]),
        int(r["max_days"]),
        int(r["text_min"]),
        int(r["text_max"]),
        int(again["days"]),
        int(again["times"]),
        int(ext["max_requests"]),
        tuple(int(d) for d in ext["choices_days"]),
        int(raw["reminder"]["business_days_before"]),
    )


class NotPaused(Exception):
    """No 보완 request is open on this complaint (answered, withdrawn, or never made)."""


class AlreadyPaused(Exception):
    """A 보완 request is already open."""


class Limit(Exception):
    """The resident asked for more time as often as the decree allows, or the request was already
    made again."""


class NotDue(Exception):
    """Asking again is for after the last day has passed."""


def cb(action: str, cid: int, n: int = 0) -> str:
    """Callback data of a 보완 button (handlers/supplement.SuppCb packs the same string)."""
    return f"sp:{action}:{cid}:{n}"


# --- dates ----------------------------------------------------------------------------------


def last_day(svc: Services, start: date, days: int) -> date:
    """민법 §157/§159/§161 (시행령 §24④): the first day not counted, so the period of ``days`` days
    ends on ``start + days``; a last day on a Saturday, Sunday or 공휴일 moves to the next business day."""
    d = start + timedelta(days=days)
    while not svc.calendar.is_business_day(d):
        d += timedelta(days=1)
    return d


def end_of(svc: Services, d: date) -> datetime:
    """The end of a last day (민법 §159: the period ends when the day ends), as 23:59 local."""
    return datetime.combine(d, time(23, 59, 59), svc.tz)


def due_in(svc: Services, days: int, since: datetime | None = None) -> datetime:
    since = since or svc.now()
    return end_of(svc, last_day(svc, since.astimezone(svc.tz).date(), days))


DATE_RE = re.compile(r"^\s*(?:(\d{4})\s*[-./년]\s*)?(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*일?\s*$")


def parse_due(svc: Services, text: str) -> datetime:
    """A last day the officer typed: 2026-12-18, 12/18, 12.18, 12월 18일 (this year, or next year when
    that day has passed). ValueError "format" / "past" (today or before) / "far" (beyond max_days).
    A Saturday or 공휴일 moves on to the next business day (민법 §161)."""
    m = DATE_RE.match(text or "")
    if not m:
        raise ValueError("format")
    today = svc.now().astimezone(svc.tz).date()
    year = int(m.group(1)) if m.group(1) else today.year
    try:
        d = date(year, int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError("format") from None
    if not m.group(1) and d <= today:
        try:
            d = date(year + 1, d.month, d.day)
        except ValueError:
            raise ValueError("format") from None
    if d <= today:
        raise ValueError("past")
    if (d - today).days > rule().max_days:
        raise ValueError("far")
    while not svc.calendar.is_business_day(d):
        d += timedelta(days=1)
    return end_of(svc, d)


def shifted_deadline(svc: Services, c: Complaint, paused_at: datetime, until: datetime) -> datetime:
    """The processing deadline moved on by the time the 보완 took (시행령 §20 → 행정절차법 시행령 §11
    1호). A period counted in days (6 days or more, 민원처리법 §19②): by the business days from the
    request's day to the answer's day, both included. A period counted in working hours (5 days or
    less, §19①): by the working hours that passed in between."""
    cal = svc.calendar
    period = Period.parse(c.period)
    if period.days == 0 or period.days <= 5:
        hours = cal.business_hours_between(paused_at, until)
        return cal.add_business_hours(c.deadline_at, hours) if hours > 0 else c.deadline_at
    first, last = paused_at.astimezone(svc.tz).date(), until.astimezone(svc.tz).date()
    days, d = 0, first
    while d <= last:
        days += cal.is_business_day(d)
        d += timedelta(days=1)
    local = c.deadline_at.astimezone(svc.tz)
    d = local.date()
    for _ in range(days):
        d = cal.next_business_day(d)
    return datetime.combine(d, local.time().replace(tzinfo=None), svc.tz)


# --- what the events say -------------------------------------------------------------------------


def _cycle(c: Complaint) -> tuple[list[ComplaintEvent], str | None]:
    """The events of the last 보완 request cycle — from the request that opened it (one made when no
    other was open or expired) to now — and how it stands: "open" (paused), "expired" (its last day
    passed without 보완: processing runs again, a late 보완 is still taken, the officer may ask again),
    "closed" (answered or withdrawn), None (no request ever)."""
    start, st = 0, None
    for i, e in enumerate(c.events):
        if e.action == REQUEST:
            if st not in ("open", "expired"):
                start = i
            st = "open"
        elif e.action == EXPIRED:
            st = "expired"
        elif e.action in (REPLY, WITHDRAW):
            st = "closed"
    return c.events[start:] if st else [], st


def current(c: Complaint) -> list[ComplaintEvent]:
    """The events of the 보완 now open or expired (see ``_cycle``); empty when none is."""
    evs, st = _cycle(c)
    return evs if st in ("open", "expired") else []


def expired(c: Complaint) -> bool:
    """The last request's day passed without 보완: processing runs again (not paused)."""
    return not is_paused(c) and _cycle(c)[1] == "expired"


def awaiting(c: Complaint) -> bool:
    """The resident may send a 보완 now: a request is open, or its last day passed unanswered (a late
    보완 is still taken and passed on; it no longer moves the deadline)."""
    return c.state in states.OPEN and (is_paused(c) or expired(c))


def what_missing(c: Complaint) -> str:
    """What the last request of the open 보완 asks for."""
    reqs = [e for e in current(c) if e.action == REQUEST]
    return reqs[-1].note if reqs else ""


def extensions_used(c: Complaint) -> int:
    return sum(e.action == EXTEND for e in current(c))


def requests_made(c: Complaint) -> int:
    return sum(e.action == REQUEST for e in current(c))


# --- who hears of it ------------------------------------------------------------------------------


async def _officers_for(session: AsyncSession, c: Complaint) -> list[int]:
    """The officer in charge while they can still act on it, else the department's officers (and the
    first-contact desk's, for a complaint handed to it), else its head."""
    own = await roles.officers_of(session, c.department_code)
    desk = await roles.officers_of(session, c.handed_to) if c.handed_to else []
    if c.officer_id and c.officer_id in {*own, *desk}:
        return [c.officer_id]
    return own or desk or await roles.officers_of(session, c.department_code, roles.HEAD)


def _open_button(c: Complaint, lang: str) -> list[list[tuple[str, str]]]:
    return [[(t(lang, "ws.btn.open"), callbacks.officer("open", c.id))]]


def resident_buttons(c: Complaint, lang: str) -> list[list[tuple[str, str]]]:
    """Answer, and (while allowed) ask for more time."""
    rows = [[(t(lang, "sp.btn.reply"), cb("reply", c.id))]]
    if extensions_used(c) < rule().max_extensions:
        rows.append([(t(lang, "sp.btn.more_time"), cb("more", c.id))])
    return rows


async def _tell_resident(
    session: AsyncSession, svc: Services, c: Complaint, key: str, *, dedup: str, buttons: bool = False, **values
) -> None:
    lang = (await langs_of(session, [c.citizen_id]))[c.citizen_id]
    text = t(
        lang,
        key,
        receipt=c.receipt_no,
        due=svc.fmt(c.pause_due_at, lang) if c.pause_due_at else "-",
        deadline=svc.fmt(c.deadline_at, lang),
        **{k: v(lang) if callable(v) else v for k, v in values.items()},
    )
    await enqueue(
        session, key=dedup, chat_id=c.citizen_id, text=text, buttons=resident_buttons(c, lang) if buttons else None
    )


async def _tell_officers(
    session: AsyncSession,
    svc: Services,
    c: Complaint,
    key: str,
    *,
    dedup: str,
    buttons=None,
    fit: str | None = None,
    **values,
) -> None:
    ids = await _officers_for(session, c)
    langs = await langs_of(session, ids)
    for oid in ids:
        lang = langs[oid]
        vals = dict(
            receipt=c.receipt_no,
            due=svc.fmt(c.pause_due_at, lang) if c.pause_due_at else "-",
            deadline=svc.fmt(c.deadline_at, lang),
            **{k: v(lang) if callable(v) else v for k, v in values.items()},
        )
        text = t_fit(lang, key, "reply", fit, **vals) if fit is not None else t(lang, key, **vals)
        await enqueue(
            session,
            key=f"{dedup}:{oid}",
            chat_id=oid,
            text=text,
            buttons=buttons(c, lang) if callable(buttons) else _open_button(c, lang),
        )


async def _asked_by(session: AsyncSession, svc: Services, c: Complaint, p: Principal):
    """Who asks, as 시행령 §31 wants the request to say: department, officer's name, the department's
    telephone (a value per language for ``_tell_resident``)."""
    dept = svc.district.department(c.department_code)
    names = {lang: (await roles.staff_names(session, [p.user_id], lang))[p.user_id] for lang in LANGS}
    return lambda lang: escape(" · ".join(x for x in (dept.name(lang), names.get(lang, names["ko"]), dept.phone) if x))


# --- the officer's side --------------------------------------------------------------------------


def validate_request(text: str | None) -> str:
    text = (text or "").strip()
    r = rule()
    if len(text) < r.text_min:
        raise ValueError("short")
    if len(text) > r.text_max:
        raise ValueError("long")
    return text


def _event(
    c: Complaint, action: str, actor: Principal | None, now: datetime, note: str | None = None, role: str | None = None
) -> None:
    """A 보완 event: the state stays (common.record_event); by the officer, the resident or the duty."""
    role = role or ("officer" if actor and actor.is_officer else "citizen" if actor else "system")
    record_event(c, action, actor, now, note=note, from_state=c.state, role=role)


def check_may_request(p: Principal, c: Complaint) -> None:
    """The officer may open a 보완 request on this complaint now (complaints.check_officer:
    Forbidden, common.Taken; TransitionError when it is not open; AlreadyPaused)."""
    check_officer(p, c)
    if c.state not in states.OPEN:
        raise states.TransitionError(REQUEST, c.state)
    if is_paused(c):
        raise AlreadyPaused(c.receipt_no)


async def request(session: AsyncSession, svc: Services, p: Principal, c: Complaint, what: str, due: datetime) -> None:
    """Open a 보완 request: paused from now until the resident answers; the resident is told what is
    missing, by when, and that the processing period stops meanwhile."""
    check_may_request(p, c)
    what = validate_request(what)
    now = svc.now()
    if due <= now:
        raise ValueError("past")
    c.paused_at, c.pause_due_at = now, due
    _event(c, REQUEST, p, now, note=what)
    await _tell_resident(
        session,
        svc,
        c,
        "sp.push.request",
        dedup=f"sp:req:{c.id}:{len(c.events)}",
        buttons=True,
        what=escape(what),
        by=await _asked_by(session, svc, c, p),
    )
    await refresh_cards(session, svc, c)


def _end_pause(svc: Services, c: Complaint, now: datetime) -> None:
    c.deadline_at = shifted_deadline(svc, c, c.paused_at, now)
    c.paused_at = c.pause_due_at = None
    c.reminded_for = c.escalated_for = None


async def withdraw(session: AsyncSession, svc: Services, p: Principal, c: Complaint) -> None:
    """The officer takes the request back: processing resumes, the deadline moved on likewise."""
    check_officer(p, c)
    if not is_paused(c) or c.state not in states.OPEN:
        raise NotPaused(c.receipt_no)
    now = svc.now()
    _end_pause(svc, c, now)
    _event(c, WITHDRAW, p, now)
    await _tell_resident(session, svc, c, "sp.push.withdrawn", dedup=f"sp:wd:{c.id}:{len(c.events)}")
    await refresh_cards(session, svc, c)


async def ask_again(session: AsyncSession, svc: Services, p: Principal, c: Complaint) -> None:
    """시행령 §24③: the last day passed without 보완 — ask once more, with 10 days."""
    check_officer(p, c)
    now = svc.now()
    if is_paused(c) and c.state in states.OPEN:
        raise NotDue(c.receipt_no)
    if not expired(c) or c.state not in states.OPEN:
        raise NotPaused(c.receipt_no)
    r = rule()
    if requests_made(c) > r.again_times:
        raise Limit(c.receipt_no)
    what = what_missing(c)
    c.paused_at, c.pause_due_at = now, due_in(svc, r.again_days, now)
    _event(c, REQUEST, p, now, note=what)
    await _tell_resident(
        session, svc, c, "sp.push.again", dedup=f"sp:req:{c.id}:{len(c.events)}", buttons=True, what=escape(what)
    )


# --- the resident's side -------------------------------------------------------------------------


def _check_resident(p: Principal, c: Complaint, *, late_ok: bool = False) -> None:
    if c.citizen_id != p.user_id:
        raise NotFound(c.id)
    if not (awaiting(c) if late_ok else is_paused(c) and c.state in states.OPEN):
        raise NotPaused(c.receipt_no)


def room_for_photos(c: Complaint) -> int:
    return max(0, MAX_PHOTOS - len(c.photos))


async def reply(
    session: AsyncSession, svc: Services, p: Principal, c: Complaint, text: str, photos: list[tuple[str, str]] = ()
) -> int:
    """The resident's 보완: processing resumes with the deadline moved on by the paused time; the
    officer in charge (or the department) gets the answer, the resident the new deadline. A late 보완
    (after the last day, processing already running again) is taken and passed on the same way, without
    moving the deadline. Returns how many photos were added (those beyond the complaint's room are
    not: the caller says so first)."""
    _check_resident(p, c, late_ok=True)
    text = (text or "").strip()
    if len(text) > REPLY_MAX:
        raise ValueError("long")
    if len(text) < REPLY_MIN and not photos:
        raise ValueError("short")
    now = svc.now()
    added = list(photos)[: room_for_photos(c)]
    start = len(c.photos)
    for i, (fid, uid) in enumerate(added):
        c.photos.append(ComplaintPhoto(position=start + i, file_id=fid, file_unique_id=uid))
    late = not is_paused(c)
    if not late:
        _end_pause(svc, c, now)
    _event(c, REPLY, p, now, note=text or None, role="citizen")
    n = len(c.events)
    if not late:  # (a late one: the resident's own screen says it was passed on)
        await _tell_resident(session, svc, c, "sp.push.replied", dedup=f"sp:replied:{c.id}:{n}")
    await _tell_officers(
        session,
        svc,
        c,
        "sp.op.replied_late" if late else "sp.op.replied",
        dedup=f"sp:reply:{c.id}:{n}",
        fit=staff_text(text) or "-",
        photos=len(added),
        buttons=lambda c, lang: (
            _open_button(c, lang) + ([[(t(lang, "op.btn.media"), callbacks.officer("media", c.id))]] if added else [])
        ),
    )
    await refresh_cards(session, svc, c)
    return len(added)


async def more_time(session: AsyncSession, svc: Services, p: Principal, c: Complaint, days: int) -> None:
    """시행령 §24②: the resident asks for ``days`` more (one of the data's choices), at most twice;
    the last day is set again from the current one and the officer in charge is told."""
    _check_resident(p, c)
    r = rule()
    if days not in r.extension_days:
        raise ValueError("days")
    if extensions_used(c) >= r.max_extensions:
        raise Limit(c.receipt_no)
    now = svc.now()
    base = max(c.pause_due_at, now).astimezone(svc.tz).date()
    c.pause_due_at = end_of(svc, last_day(svc, base, days))
    _event(c, EXTEND, p, now, note=c.pause_due_at.astimezone(svc.tz).date().isoformat(), role="citizen")
    n = len(c.events)
    await _tell_resident(
        session,
        svc,
        c,
        "sp.push.more_time",
        dedup=f"sp:more:{c.id}:{n}",
        buttons=True,
        left=r.max_extensions - extensions_used(c),
    )
    await _tell_officers(session, svc, c, "sp.op.more_time", dedup=f"sp:more_op:{c.id}:{n}", days=days)


# --- a final decision ends it; transfer keeps it -------------------------------------------------


def end_with_decision(c: Complaint) -> None:
    """Called when the complaint leaves the open states (answered, rejected, withdrawn by the
    resident): the open request ends with it (its deadline no longer matters)."""
    if c.state not in states.OPEN and c.paused_at is not None:
        c.paused_at = c.pause_due_at = None


# --- the scheduled duty: the resident's reminder, the officer's notice at the last day -----------------


async def run_duty(session: AsyncSession, svc: Services) -> int:
    """Every few minutes (bot/scheduler.Duties.deadlines): the resident is reminded on the business day
    before the last day (from 09:00), once per last day; after the last day the officer in charge (or
    the department) is told once, with 다시 요청 (10일) while allowed, and 반려."""
    now = svc.now()
    rows = (
        (
            await session.execute(
                select(Complaint)
                .options(selectinload(Complaint.events), selectinload(Complaint.photos))
                .where(Complaint.paused_at.is_not(None), Complaint.state.in_(states.OPEN))
                .order_by(Complaint.pause_due_at, Complaint.id)
            )
        )
        .scalars()
        .all()
    )
    r = rule()
    n = 0
    for c in rows:
        due = c.pause_due_at
        stamp = due.astimezone(svc.tz).date().isoformat()
        if due <= now:  # the last day passed without 보완: processing runs again from its end
            _end_pause(svc, c, due)
            _event(c, EXPIRED, None, now, note=stamp, role="system")
            again = requests_made(c) <= r.again_times

            def buttons(c: Complaint, lang: str, again=again):
                row = (
                    [(t(lang, "sp.btn.again", days=r.again_days), callbacks.officer("supp_again", c.id))]
                    if again
                    else []
                )
                return [row + [(t(lang, "op.btn.reject"), callbacks.officer("reject", c.id))], *_open_button(c, lang)]

            await _tell_officers(
                session,
                svc,
                c,
                "sp.op.expired",
                dedup=f"sp:expired:{c.id}:{stamp}",
                buttons=buttons,
                what=escape(what_missing(c)),
                last=lambda lang: svc.fmt(due, lang),  # noqa: B023 - called before the loop moves on
            )
            lang = (await langs_of(session, [c.citizen_id]))[c.citizen_id]
            await enqueue(
                session,
                key=f"sp:expired_r:{c.id}:{stamp}",
                chat_id=c.citizen_id,
                text=t(
                    lang,
                    "sp.push.expired",
                    receipt=c.receipt_no,
                    last=svc.fmt(due, lang),
                    deadline=svc.fmt(c.deadline_at, lang),
                ),
                buttons=[[(t(lang, "sp.btn.reply"), cb("reply", c.id))]],
            )
            await refresh_cards(session, svc, c)
            n += 1
            continue
        remind_from = due.astimezone(svc.tz).date()
        for _ in range(r.remind_business_days_before):
            remind_from = _previous_business_day(svc, remind_from)
        remind_at = datetime.combine(remind_from, svc.calendar.periods[0][0], svc.tz)
        asked = max((e.at for e in current(c) if e.action in (REQUEST, EXTEND)), default=c.paused_at)
        if now >= remind_at and asked < remind_at:  # (a period set within the last day is not reminded of)
            lang = (await langs_of(session, [c.citizen_id]))[c.citizen_id]
            if await enqueue(
                session,
                key=f"sp:remind:{c.id}:{stamp}",
                chat_id=c.citizen_id,
                text=t(
                    lang, "sp.push.remind", receipt=c.receipt_no, what=escape(what_missing(c)), due=svc.fmt(due, lang)
                ),
                buttons=resident_buttons(c, lang),
            ):
                n += 1
    return n


def _previous_business_day(svc: Services, d: date) -> date:
    d -= timedelta(days=1)
    while not svc.calendar.is_business_day(d):
        d -= timedelta(days=1)
    return d


def paused_hours(svc: Services, c: Complaint) -> float:
    """Working hours the open 보완 has lasted so far (for the officer's view)."""
    return svc.calendar.business_hours_between(c.paused_at, svc.now()) if is_paused(c) else 0.0
