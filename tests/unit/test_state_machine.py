"""workflows/state_machine.py, and the tables of the five state models walked through it: every move
in a table works, every other (state, action) raises TransitionError — the model's own, which its
screens also answer as before (OnestopError "state", LicenseTaxError "stale", OpinionError)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from workflows.complaints import states
from workflows.opinion_days import service as od
from workflows.license_tax import service as lt
from workflows.onestop import service as bd
from workflows.state_machine import Machine, Move, TransitionError

# --- the helper ------------------------------------------------------------------------------------


class DoorError(TransitionError):
    kind = "door"


DOOR = Machine(
    ("shut", "open", "locked"),
    {"open": ({"shut"}, "open"), "shut": (["open"], "shut"), "lock": ({"shut"}, "locked")},
    error=DoorError,
)


def test_move_gives_the_target_of_an_allowed_action():
    assert DOOR.move("shut", "open") == "open"
    assert DOOR.move("open", "shut") == "shut"
    assert DOOR.allows("shut", "lock") and not DOOR.allows("open", "lock")
    assert DOOR.sources("shut") == frozenset({"open"})  # any iterable of states becomes a frozenset


def test_a_move_not_in_the_table_raises_the_models_error():
    with pytest.raises(DoorError) as e:
        DOOR.move("locked", "open")
    assert isinstance(e.value, TransitionError)
    assert (e.value.kind, e.value.action, e.value.state) == ("door", "open", "locked")
    assert str(e.value) == "cannot open a door that is locked"


@pytest.mark.parametrize("state", ["shut", "open", "locked", None, "ajar"])
def test_an_unknown_action_or_state_is_refused(state):
    assert DOOR.sources("kick") == frozenset()
    with pytest.raises(DoorError):
        DOOR.move(state, "kick")
    if state not in DOOR.states:
        for action in DOOR.moves:
            with pytest.raises(DoorError):
                DOOR.move(state, action)


def test_the_plain_error_without_a_model():
    m = Machine(("a", "b"), {"go": ({"a"}, "b")})
    with pytest.raises(TransitionError, match="cannot go a record that is b"):
        m.move("b", "go")


def test_apply_moves_the_records_column_and_returns_the_move():
    door = SimpleNamespace(state="shut")
    assert DOOR.apply(door, "open") == Move("open", "shut", "open") and door.state == "open"
    with pytest.raises(DoorError):
        DOOR.apply(door, "lock")
    assert door.state == "open"  # a refused move changes nothing
    topic = SimpleNamespace(status="a")
    assert Machine(("a", "b"), {"go": ({"a"}, "b")}, column="status").apply(topic, "go").to_state == "b"
    assert topic.status == "b"


def test_require_refuses_before_anything_else_happens():
    DOOR.require("shut", "lock")
    with pytest.raises(DoorError):
        DOOR.require("open", "lock")


def test_table_lists_every_allowed_move():
    assert DOOR.table() == {("shut", "open"): "open", ("open", "shut"): "shut", ("shut", "lock"): "locked"}


def test_a_table_naming_an_unknown_state_is_refused():
    with pytest.raises(ValueError, match="unknown states"):
        Machine(("a",), {"go": ({"a"}, "b")})
    with pytest.raises(ValueError, match="unknown states"):
        Machine(("a",), {"go": ({"z"}, "a")})


# --- the four models' tables ---------------------------------------------------------------------
# Written out by hand from the docstrings and design notes, not derived from the modules.


def _table(rows: dict[str, tuple[tuple[str, ...], str]]) -> dict[tuple[str, str], str]:
    return {(s, action): to for action, (sources, to) in rows.items() for s in sources}


C_OPEN = ("received", "assigned", "in_progress", "transferred", "reopened", "extended")
COMPLAINT = _table(
    {
        "take": (("received", "transferred", "reopened"), "assigned"),
        "start": (("received", "assigned", "transferred", "reopened", "extended"), "in_progress"),
        "answer": (C_OPEN, "answered"),
        "transfer": (C_OPEN, "transferred"),
        "reject": (C_OPEN, "rejected"),
        "extend": (C_OPEN, "extended"),
        "withdraw": (C_OPEN, "withdrawn"),
        "reopen": (("answered",), "reopened"),
        "close": (("answered",), "closed"),
    }
)
ITEM = _table(
    {
        "take": (("pending",), "received"),
        "complete": (("pending", "received", "supplement"), "done"),
        "supplement": (("pending", "received"), "supplement"),
        "reply": (("supplement",), "received"),
        "notify": (("pending",), "notified"),
        "ack": (("pending", "notified"), "done"),
        "relay": (("pending", "notified"), "pending"),
        "withdraw": (("pending", "received", "supplement", "notified"), "skipped"),
    }
)
NOTICE = _table(
    {
        "issued": (("awaiting_class",), "issued"),
        "non_taxable": (("awaiting_class",), "non_taxable"),
        "paid": (("issued",), "paid"),
        "cancelled": (("awaiting_class", "issued"), "cancelled"),
        "withdrawn": (("awaiting_class", "issued"), "cancelled"),
        "licence_refused": (("awaiting_class", "issued"), "cancelled"),
        "refund_requested": (("paid",), "refund_requested"),
    }
)
HELD = ("held_mismatch", "held_unmatched", "held_duplicate", "held_cancelled")
PAYMENT = _table(
    {
        "claim_lost": (("applied",), "held_duplicate"),
        "accept": (("held_mismatch",), "accepted"),
        "return": (HELD, "to_return"),
    }
)
TOPIC = _table(
    {
        "reschedule": (("scheduled",), "scheduled"),
        "announce": (("scheduled",), "open"),
        "miss": (("scheduled",), "missed"),
        "close": (("open",), "closed"),
        "publish_analysis": (("closed",), "analysed"),
        "publish_answer": (("analysed",), "answered"),
    }
)


def _opinion_code(action: str) -> str:
    return {"publish_analysis": "opd.err.not_draft", "publish_answer": "opd.err.not_answerable"}.get(
        action, "opd.err.closed"
    )


# name -> (its machine, the table by hand, the model's other error, the code that error carries)
MODELS = {
    "complaint": (states.MACHINE, COMPLAINT, states.TransitionError, None),
    "one-stop item": (bd.ITEM, ITEM, bd.OnestopError, lambda action: "state"),
    "licence tax notice": (lt.NOTICE, NOTICE, lt.LicenseTaxError, lambda action: "stale"),
    "licence tax payment": (lt.PAYMENT, PAYMENT, lt.LicenseTaxError, lambda action: "stale"),
    "opinion-day topic": (od.TOPIC, TOPIC, od.OpinionError, _opinion_code),
}


@pytest.mark.parametrize("model", MODELS)
def test_each_model_declares_the_table_written_here(model):
    machine, table, _error, _code = MODELS[model]
    assert machine.table() == table
    assert machine.error.kind == model


def _cases(allowed: bool) -> list[tuple[str, str, str]]:
    return [
        (model, state, action)
        for model, (machine, table, _e, _c) in MODELS.items()
        for state in machine.states
        for action in machine.moves
        if ((state, action) in table) == allowed
    ]


@pytest.mark.parametrize(("model", "state", "action"), _cases(allowed=True))
def test_every_move_in_the_table_works(model, state, action):
    machine, table, _error, _code = MODELS[model]
    record = SimpleNamespace(**{machine.column: state})
    assert machine.apply(record, action) == Move(action, state, table[(state, action)])
    assert getattr(record, machine.column) == table[(state, action)]


@pytest.mark.parametrize(("model", "state", "action"), _cases(allowed=False))
def test_every_move_not_in_the_table_raises_transition_error(model, state, action):
    machine, _table, error, code = MODELS[model]
    record = SimpleNamespace(**{machine.column: state})
    with pytest.raises(TransitionError) as e:
        machine.apply(record, action)
    assert getattr(record, machine.column) == state
    assert (e.value.kind, e.value.action, e.value.state) == (model, action, state)
    assert str(e.value) == f"cannot {action} a {model} that is {state}"
    assert isinstance(e.value, error)  # what the model's screens catch, as before
    if code is not None:
        assert e.value.code == code(action)


def test_the_walk_covers_every_state_and_action():
    for machine, table, _e, _c in MODELS.values():
        assert {s for s, _a in table} | {to for to in table.values()} <= set(machine.states)
    assert len(_cases(True)) == sum(len(t) for _m, t, _e, _c in MODELS.values()) == 40 + 16 + 10 + 6 + 6
    assert len(_cases(True)) + len(_cases(False)) == 10 * 9 + 6 * 8 + 6 * 7 + 6 * 6 + 7 * 3
