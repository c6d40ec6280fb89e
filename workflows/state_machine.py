"""One state machine for the five state models (issue 18 §1): complaints (workflows/complaints/states.py),
one-stop items (workflows/onestop/service.py), 등록면허세 notices and payments
(workflows/license_tax/service.py) and opinion-day topics (workflows/opinion_days/service.py).

Each model declares its table once — its states and, per action, the states the action may start
from and the state it leads to — and every state change goes through ``Machine.move`` (or
``Machine.apply``, which also sets the record's state column), so a move not in the table raises a
TransitionError everywhere. A model names its record in a subclass (``kind``) and may make that
subclass one of its own errors as well (with the ``code`` that error carries), so its screens keep
answering a refused move as before.

Each model writes its own append-only event rows (their tables differ: who acted is a role, a kind
or just an id, and the parent differs; opinion-day topics keep their times on the topic itself):
``Machine.apply`` returns the Move (action, from, to) they record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Move:
    """One state change as its event row records it."""

    action: str
    from_state: str
    to_state: str


class TransitionError(Exception):
    """The action is not allowed from the record's current state (or is no action of its model)."""

    kind = "record"  # what the model's records are called, in the message

    def __init__(self, action: str, state: str | None):
        Exception.__init__(self, f"cannot {action} a {self.kind} that is {state}")
        self.action, self.state = action, state


class Machine:
    """A model's states and, per action, (the states it may start from, the state it leads to)."""

    def __init__(
        self,
        states: Iterable[str],
        moves: Mapping[str, tuple[Iterable[str], str]],
        *,
        error: type[TransitionError] = TransitionError,
        column: str = "state",
    ):
        self.states = tuple(states)
        self.moves: dict[str, tuple[frozenset[str], str]] = {a: (frozenset(s), to) for a, (s, to) in moves.items()}
        self.error, self.column = error, column
        unknown = {s for sources, to in self.moves.values() for s in (*sources, to)} - set(self.states)
        if unknown:
            raise ValueError(f"{error.kind}: moves name unknown states {sorted(unknown)}")

    def sources(self, action: str) -> frozenset[str]:
        """The states the action may start from (none for an action the model does not have)."""
        return self.moves[action][0] if action in self.moves else frozenset()

    def allows(self, state: str | None, action: str) -> bool:
        return state in self.sources(action)

    def move(self, state: str | None, action: str) -> str:
        """The state the action leads to from ``state``; the model's TransitionError if none."""
        if not self.allows(state, action):
            raise self.error(action, state)
        return self.moves[action][1]

    def require(self, state: str | None, action: str) -> None:
        """Refuse now (before any other change) an action the state does not allow."""
        self.move(state, action)

    def apply(self, record: Any, action: str) -> Move:
        """Move the record (its ``column``) by the action; the Move for its event row."""
        before = getattr(record, self.column)
        after = self.move(before, action)
        setattr(record, self.column, after)
        return Move(action, before, after)

    def table(self) -> dict[tuple[str, str], str]:
        """Every allowed (state, action) and where it leads."""
        return {(s, a): to for a, (sources, to) in self.moves.items() for s in sources}
