"""Moves of a complaint between departments (issue 16 §4): the receiving department may refuse a
transfer back (반송) with its reason, and a complaint that would move between departments a third
time goes to the first-contact desk instead, which decides (no ping-pong).

The moves are counted from the complaint's history (ComplaintEvent), no column of their own:

* ``transfer`` — a department sends it to another (complaints.transfer);
* ``return`` (반송) — the receiving department sends it back to the one that transferred it, with
  the reason it is not theirs; only a complaint whose last move was a transfer, and not one the
  desk assigned, can be returned (``returnable``);
* ``to_desk`` — the move that would have been the third (a transfer or a return) goes to the desk
  instead (``goes_to_desk``): the complaint becomes the desk's (department_code = the desk) with
  every reason given so far on its card. Its note is the department the move was aimed at and the
  reason, on two lines.

The desk decides by transferring it (the ordinary 이송): that transfer is not counted, and the
complaint it assigned can no longer be returned. Counting starts again after a desk's decision.

Like a transfer, a return keeps the deadline (the district received the complaint when it did),
frees the officer in charge and ends a hand-over to the desk. The resident is told where the
complaint now is each time the department that has it changes — the transfer (with its reason, as
before), the return (which department has it again, without the departments' internal dispute), the
desk (that it decides) and the desk's decision — one message each, so /status and the messages
never disagree about who has it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


from workflows.complaints import states
from workflows.complaints.common import REASON, record_event
from workflows.context import Services
from workflows.roles import Principal
from workflows.models import Complaint, ComplaintEvent
from workflows.texts import escape, t

TRANSFER, RETURN, TO_DESK = "transfer", "return", "to_desk"
MOVES = (TRANSFER, RETURN)  # counted moves between departments
HOPS = ("submit", TRANSFER, RETURN, TO_DESK)  # the events that bring a complaint to a department
BOUNCE_LIMIT = 3  # the third move goes to the desk instead


class NotReturnable(PermissionError):
    """The complaint did not arrive by a transfer the department may refuse (or the desk assigned it)."""


def _moving(events: Sequence[ComplaintEvent]) -> list[ComplaintEvent]:
    return [e for e in events if e.action in (*MOVES, TO_DESK)]


def moves_counted(events: Sequence[ComplaintEvent]) -> int:
    """Transfers and returns since the desk last decided (its own deciding transfer not counted)."""
    n, deciding = 0, False
    for e in _moving(events):
        if e.action == TO_DESK:
            n, deciding = 0, True
        elif deciding:
            deciding = False  # the desk's decision
        else:
            n += 1
    return n


def at_desk(events: Sequence[ComplaintEvent]) -> bool:
    """The complaint waits for the desk's decision (its last move sent it there)."""
    moving = _moving(events)
    return bool(moving) and moving[-1].action == TO_DESK


def desk_assigned(events: Sequence[ComplaintEvent]) -> bool:
    """The desk decided where the complaint goes, and nothing moved it since."""
    moving = _moving(events)
    return len(moving) >= 2 and moving[-1].action == TRANSFER and moving[-2].action == TO_DESK


def goes_to_desk(events: Sequence[ComplaintEvent]) -> bool:
    """A move now would be the third between departments: it goes to the desk instead. Never for
    the desk's own decision."""
    return not at_desk(events) and moves_counted(events) + 1 >= BOUNCE_LIMIT


def _sender(events: Sequence[ComplaintEvent], event: ComplaintEvent) -> str | None:
    """The department a move came from: where the complaint was just before it."""
    i = next(i for i, e in enumerate(events) if e is event)
    return events[i - 1].department_code if i else None


def arrived_at(events: Sequence[ComplaintEvent]) -> datetime | None:
    """When the complaint came to the department that has it: its last hop (HOPS)."""
    return next((e.at for e in reversed(events) if e.action in HOPS), None)


def returnable(c: Complaint) -> str | None:
    """The department the complaint can be returned to (the one that transferred it here), else
    None: only an open complaint whose last move was a transfer into its department, not one the
    desk assigned."""
    if c.state not in states.OPEN:
        return None
    moving = _moving(c.events)
    if not moving or moving[-1].action != TRANSFER or desk_assigned(c.events):
        return None
    last = moving[-1]
    sender = _sender(c.events, last)
    if sender is None or sender == c.department_code or last.department_code != c.department_code:
        return None
    return sender


def record_move(c: Complaint, action: str, p: Principal, svc: Services, note: str) -> int:
    """A return or a move to the desk (a transfer in the state table), recorded; the number of events."""
    before = states.MACHINE.apply(c, "transfer").from_state
    record_event(c, action, p, svc.now(), note=note, from_state=before, role="officer" if p.is_officer else "admin")
    return len(c.events)


def department_name(svc: Services, code: str | None, lang: str) -> str:
    return escape(svc.district.department(code).name(lang)) if code in svc.district.departments else escape(code or "-")


def _split(note: str | None) -> tuple[str | None, str]:
    """A to_desk note: (the department the move was aimed at, the reason)."""
    target, _, reason = (note or "").partition("\n")
    return (target or None), reason


def reason_lines(svc: Services, c: Complaint, lang: str) -> str:
    """For the desk's card: every move since the desk last decided, with who sent it where and why
    (both departments' reasons), and the move that brought it to the desk."""
    events = list(c.events)
    last_desk = max((i for i, e in enumerate(events) if e.action == TO_DESK), default=None)
    lines: list[str] = []
    deciding = False
    for i, e in enumerate(events):
        if e.action == TO_DESK and i != last_desk:  # an earlier round the desk decided: start again
            lines, deciding = [], True
        elif e.action == TO_DESK:
            target, reason = _split(e.note)
            lines.append(
                t(
                    lang,
                    "bounce.line_attempt",
                    sender=department_name(svc, events[i - 1].department_code, lang),
                    to=department_name(svc, target, lang),
                    note=escape(reason),
                )
            )
        elif e.action in MOVES and deciding:
            deciding = False  # the desk's decision itself
        elif e.action in MOVES:
            sender = events[i - 1].department_code if i else None
            lines.append(
                t(
                    lang,
                    "bounce.line",
                    action=t(lang, f"action.{e.action}"),
                    sender=department_name(svc, sender, lang),
                    to=department_name(svc, e.department_code, lang),
                    note=escape(e.note or ""),
                )
            )
    return "\n".join(lines)


def history_note(svc: Services, events: Sequence[ComplaintEvent], i: int, lang: str, *, staff: bool) -> str:
    """What the history shows after a return or a move to the desk (HTML): where it went, and for
    staff the reason (the resident reads where their complaint is, not the departments' dispute)."""
    e = events[i]
    where = f" → {department_name(svc, e.department_code, lang)}"
    reason = e.note if e.action == RETURN else _split(e.note)[1]
    return where + (f" — {escape(reason)}" if staff and reason else "")


def validate_reason(reason: str | None) -> str:
    return REASON.check(reason or "")
