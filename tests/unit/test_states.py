"""The complaint state machine (workflows/complaints/states.py)."""

from __future__ import annotations

import pytest

from workflows.complaints import states
from workflows.complaints.states import TransitionError, next_state, open311_status

R, A, P, AN, C = "received", "assigned", "in_progress", "answered", "closed"
T, RJ, RO, E, W = "transferred", "rejected", "reopened", "extended", "withdrawn"
OPEN_STATES = (R, A, P, T, RO, E)

# Written out by hand from design.md, not derived from the module under test.
ALLOWED: dict[tuple[str, str], str] = {}
for s in (R, T, RO):
    ALLOWED[(s, "take")] = A
for s in (R, A, T, RO, E):
    ALLOWED[(s, "start")] = P
for s in OPEN_STATES:
    ALLOWED[(s, "answer")] = AN
    ALLOWED[(s, "transfer")] = T
    ALLOWED[(s, "reject")] = RJ
    ALLOWED[(s, "extend")] = E
    ALLOWED[(s, "withdraw")] = W  # 취하 by the resident while it is being handled
ALLOWED[(AN, "reopen")] = RO
ALLOWED[(AN, "close")] = C

ACTIONS = ("take", "start", "answer", "transfer", "reject", "extend", "reopen", "close", "withdraw")


def test_state_names():
    assert states.ALL == (R, A, P, AN, C, T, RJ, RO, E, W)
    assert set(states.TRANSITIONS) == set(ACTIONS)
    assert set(ACTIONS) == states.OFFICER_ACTIONS | states.CITIZEN_ACTIONS
    assert not states.OFFICER_ACTIONS & states.CITIZEN_ACTIONS


def test_state_groups_partition_all_states():
    assert set(OPEN_STATES) == states.OPEN
    assert {C, RJ, W} == states.FINAL
    assert {R, T, RO} == states.UNASSIGNED
    # answered is neither open (the department is done) nor final (the resident may reopen)
    assert set(states.ALL) == states.OPEN | states.FINAL | {AN}
    assert not states.OPEN & states.FINAL


@pytest.mark.parametrize(("state", "action"), sorted(ALLOWED))
def test_allowed_transition(state, action):
    assert next_state(state, action) == ALLOWED[(state, action)]


FORBIDDEN = sorted((s, a) for s in states.ALL for a in ACTIONS if (s, a) not in ALLOWED)


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_every_other_transition_is_refused(state, action):
    with pytest.raises(TransitionError) as ei:
        next_state(state, action)
    assert (ei.value.action, ei.value.state) == (action, state)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (R, "close"),
        (C, "reopen"),
        (A, "take"),
        (P, "take"),
        (E, "take"),
        (P, "start"),
        (AN, "answer"),
        (AN, "transfer"),
        (AN, "reject"),
        (AN, "extend"),
        (RJ, "reopen"),
        (RJ, "answer"),
        (C, "close"),
        (C, "answer"),
        (RO, "close"),
        (R, "reopen"),
        (AN, "withdraw"),
        (C, "withdraw"),
        (RJ, "withdraw"),
        (W, "withdraw"),
        (W, "reopen"),
        (W, "answer"),
    ],
)
def test_sample_of_forbidden_transitions(state, action):
    with pytest.raises(TransitionError, match=f"cannot {action} a complaint that is {state}"):
        next_state(state, action)


def test_forbidden_list_is_not_empty():
    assert len(ALLOWED) == 3 + 5 + 6 * 5 + 1 + 1
    assert len(FORBIDDEN) == len(states.ALL) * len(ACTIONS) - len(ALLOWED) == 90 - 40


def test_unknown_action_is_a_transition_error():
    with pytest.raises(TransitionError):
        next_state(R, "delete")
    with pytest.raises(TransitionError):
        next_state(R, "submit")


@pytest.mark.parametrize("state", OPEN_STATES)
def test_open311_open(state):
    assert open311_status(state) == "open"


@pytest.mark.parametrize("state", (AN, C, RJ, W))
def test_open311_closed(state):
    assert open311_status(state) == "closed"
