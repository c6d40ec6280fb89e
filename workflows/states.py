"""Complaint state machine (design.md "Complaint states").

received → assigned → in_progress → answered → closed, plus transferred, rejected,
reopened and extended, and withdrawn (취하: the resident takes back a complaint still being
handled, e.g. before deleting their data). Every transition becomes an append-only ComplaintEvent.
"""

from __future__ import annotations

RECEIVED, ASSIGNED, IN_PROGRESS, ANSWERED, CLOSED = "received", "assigned", "in_progress", "answered", "closed"
TRANSFERRED, REJECTED, REOPENED, EXTENDED = "transferred", "rejected", "reopened", "extended"
WITHDRAWN = "withdrawn"

ALL = (RECEIVED, ASSIGNED, IN_PROGRESS, ANSWERED, CLOSED, TRANSFERRED, REJECTED, REOPENED, EXTENDED, WITHDRAWN)
# Still waiting for the department: deadlines, reminders and escalation apply.
OPEN = frozenset({RECEIVED, ASSIGNED, IN_PROGRESS, TRANSFERRED, REOPENED, EXTENDED})
FINAL = frozenset({CLOSED, REJECTED, WITHDRAWN})
# Not yet taken by an officer of the current department.
UNASSIGNED = frozenset({RECEIVED, TRANSFERRED, REOPENED})

# action -> (states it may start from, resulting state)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "take": (UNASSIGNED, ASSIGNED),
    "start": (OPEN - {IN_PROGRESS}, IN_PROGRESS),
    "answer": (OPEN, ANSWERED),
    "transfer": (OPEN, TRANSFERRED),
    "reject": (OPEN, REJECTED),
    "extend": (OPEN, EXTENDED),
    "reopen": (frozenset({ANSWERED}), REOPENED),
    "close": (frozenset({ANSWERED}), CLOSED),
    "withdraw": (OPEN, WITHDRAWN),
}
OFFICER_ACTIONS = frozenset({"take", "start", "answer", "transfer", "reject", "extend"})
CITIZEN_ACTIONS = frozenset({"reopen", "close", "withdraw"})


class TransitionError(Exception):
    """The action is not allowed from the complaint's current state."""

    def __init__(self, action: str, state: str):
        super().__init__(f"cannot {action} a complaint that is {state}")
        self.action, self.state = action, state


def next_state(state: str, action: str) -> str:
    try:
        sources, target = TRANSITIONS[action]
    except KeyError:
        raise TransitionError(action, state) from None
    if state not in sources:
        raise TransitionError(action, state)
    return target


def open311_status(state: str) -> str:
    """Open311 GeoReport v2 exposes only open / closed."""
    return "open" if state in OPEN else "closed"
