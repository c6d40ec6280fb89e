"""Complaint state machine (design.md "Complaint states").

received → assigned → in_progress → answered → closed, plus transferred, rejected,
reopened and extended, and withdrawn (취하: the resident takes back a complaint still being
handled, e.g. before deleting their data). Every transition goes through MACHINE
(workflows/state_machine.py) and becomes an append-only ComplaintEvent.
"""

from __future__ import annotations

from workflows import state_machine
from workflows.state_machine import Machine

RECEIVED, ASSIGNED, IN_PROGRESS, ANSWERED, CLOSED = "received", "assigned", "in_progress", "answered", "closed"
TRANSFERRED, REJECTED, REOPENED, EXTENDED = "transferred", "rejected", "reopened", "extended"
WITHDRAWN = "withdrawn"

ALL = (RECEIVED, ASSIGNED, IN_PROGRESS, ANSWERED, CLOSED, TRANSFERRED, REJECTED, REOPENED, EXTENDED, WITHDRAWN)
# Still waiting for the department: deadlines, reminders and escalation apply.
OPEN = frozenset({RECEIVED, ASSIGNED, IN_PROGRESS, TRANSFERRED, REOPENED, EXTENDED})
FINAL = frozenset({CLOSED, REJECTED, WITHDRAWN})
# Not yet taken by an officer of the current department.
UNASSIGNED = frozenset({RECEIVED, TRANSFERRED, REOPENED})


class TransitionError(state_machine.TransitionError):
    """The action is not allowed from the complaint's current state."""

    kind = "complaint"


# action -> (states it may start from, resulting state)
MACHINE = Machine(
    ALL,
    {
        "take": (UNASSIGNED, ASSIGNED),
        "start": (OPEN - {IN_PROGRESS}, IN_PROGRESS),
        "answer": (OPEN, ANSWERED),
        "transfer": (OPEN, TRANSFERRED),
        "reject": (OPEN, REJECTED),
        "extend": (OPEN, EXTENDED),
        "reopen": ({ANSWERED}, REOPENED),
        "close": ({ANSWERED}, CLOSED),
        "withdraw": (OPEN, WITHDRAWN),
    },
    error=TransitionError,
)
TRANSITIONS = MACHINE.moves
OFFICER_ACTIONS = frozenset({"take", "start", "answer", "transfer", "reject", "extend"})
CITIZEN_ACTIONS = frozenset({"reopen", "close", "withdraw"})


def next_state(state: str, action: str) -> str:
    return MACHINE.move(state, action)


def open311_status(state: str) -> str:
    """Open311 GeoReport v2 exposes only open / closed."""
    return "open" if state in OPEN else "closed"
