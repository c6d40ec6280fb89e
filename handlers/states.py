"""FSM states of the chat forms, and the one mechanism that keeps a form's buttons to their step.

A button shown for one step of a form carries that step (``st``, a short token of the state, from
``step_token``); ``filters.ShownAtStep`` lets it act only while the form is still at that step. A
press that no handler takes (a stale button: the form has moved on, was cancelled or finished)
reaches handlers/fallback.py, which answers it as stale and shows the form where it is now
(``show_where``): each form registers how to show its current step with ``resumes``.

A form whose questions come in an order (the one-stop forms) declares its steps once, as ``Steps``:
the StatesGroup aiogram stores, the order the form walks and which steps are typed, not pressed,
all come from that one line.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Awaitable, Callable, cast

from aiogram.fsm.state import State, StatesGroup, StatesGroupMeta
from workflows.texts import t

if TYPE_CHECKING:
    from aiogram.fsm.context import FSMContext
    from aiogram.types import CallbackQuery, Message
    from sqlalchemy.ext.asyncio import AsyncSession

    from workflows.context import Services


class ComplaintForm(StatesGroup):
    category = State()
    description = State()
    photos = State()
    location = State()
    phone = State()
    confirm = State()
    edit = State()


class OfficerForm(StatesGroup):
    answer_text = State()
    answer_confirm = State()
    transfer_reason = State()
    reject_reason = State()
    reject_remedy = State()
    extend_reason = State()
    note_text = State()  # an internal note (workflows/casework.add_note)
    return_reason = State()  # 반송: why the transfer is refused back (handlers/complaints/transfers.py)


class TemplateForm(StatesGroup):  # /templates: a new answer template (handlers/complaints/answer_templates.py)
    title = State()
    body = State()


class CitizenForm(StatesGroup):
    reopen_comment = State()
    rating_comment = State()


class Steps:
    """A form's steps in the order it asks them, declared once: ``Steps("BirthForm", "consent date
    ... confirm", typed="date phone")``. The StatesGroup (``group``, named as a class of that name
    would be, so stored states keep their meaning), each step's State (``form["date"]``), the steps
    after one, and the steps answered by buttons (all but the typed ones) are read from it."""

    def __init__(self, name: str, steps: str, *, typed: str = "") -> None:
        self.names = tuple(steps.split())
        self.typed = frozenset(typed.split())
        if not self.typed <= set(self.names) or len(set(self.names)) != len(self.names):
            raise ValueError(f"{name}: typed steps must be steps, each named once")
        self.group = cast(type[StatesGroup], StatesGroupMeta(name, (StatesGroup,), {n: State() for n in self.names}))

    def __getitem__(self, step: str) -> State:
        return cast(State, getattr(self.group, step))

    def step(self, raw_state: str | None) -> str | None:
        """The step a stored state is at, if it is one of this form's."""
        group, _, step = (raw_state or "").partition(":")
        return step if group == self.group.__name__ and step in self.names else None

    def after(self, step: str) -> tuple[str, ...]:
        return self.names[self.names.index(step) + 1 :]

    def pressed(self) -> tuple[State, ...]:
        """The steps answered with buttons: text typed there is not an answer."""
        return tuple(self[n] for n in self.names if n not in self.typed)


# --- a button belongs to the step it was shown for ------------------------------------------------


def step_token(state: State | str | None) -> str:
    """A short, stable token of a form step for callback data (Telegram allows 64 bytes)."""
    name = state.state if isinstance(state, State) else (state or "")
    return f"{zlib.crc32(name.encode()):08x}"[:6]


Resume = Callable[["Message", "FSMContext", "AsyncSession", "Services", str], Awaitable[None]]
RESUME: dict[str, Resume] = {}  # StatesGroup name -> shows that form's current step again


def resumes(*groups: type[StatesGroup] | Steps) -> Callable[[Resume], Resume]:
    """Registers how a form shows where it is: its current question, with its buttons."""

    def register(fn: Resume) -> Resume:
        for group in groups:
            RESUME[(group.group if isinstance(group, Steps) else group).__name__] = fn
        return fn

    return register


async def show_where(
    message: "Message", state: "FSMContext", session: "AsyncSession", svc: "Services", lang: str
) -> bool:
    """Shows the current step of the form this chat is in; False when there is none to show."""
    current = await state.get_state()
    fn = RESUME.get(current.split(":", 1)[0]) if current else None
    if fn is None:
        return False
    await fn(message, state, session, svc, lang)
    return True


async def stale_press(
    query: "CallbackQuery", state: "FSMContext", session: "AsyncSession", svc: "Services", lang: str
) -> None:
    """A button pressed after its step: answered as stale, and the form shown where it is now (the
    resident may not have seen that it moved on, e.g. after a double tap or a restart)."""
    await query.answer(t(lang, "stale_button"), show_alert=True)
    if query.message is not None:
        await show_where(query.message, state, session, svc, lang)
