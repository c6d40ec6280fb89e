"""FSM states of the chat forms, and the one mechanism that keeps a form's buttons to their step.

A button shown for one step of a form carries that step (``st``, a short token of the state, from
``step_token``); ``filters.ShownAtStep`` lets it act only while the form is still at that step. A
press that no handler takes (a stale button: the form has moved on, was cancelled or finished)
reaches handlers/fallback.py, which answers it as stale and shows the form where it is now
(``show_where``): each form registers how to show its current step with ``resumes``.

The form-step helper: a form whose questions come in an order declares its steps once, as
``Steps`` (the StatesGroup aiogram stores, the order, which steps are typed and which pressed), and
walks them with ``Form`` (ask, advance past what does not apply, back to the summary after an edit,
ask again after a stale press). The complaint, birth, death, 등록면허세, /moving, food-alert and
opinion-day forms use it; each keeps its questions in one ``question(step)`` function.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Awaitable, Callable, cast

from aiogram.fsm.state import State, StatesGroup, StatesGroupMeta
from workflows.texts import t

if TYPE_CHECKING:
    from aiogram.fsm.context import FSMContext
    from aiogram.types import CallbackQuery, Message
    from sqlalchemy.ext.asyncio import AsyncSession

    from workflows.context import Services


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
    ... confirm", typed="date phone")``. It stands where a StatesGroup would (``BirthForm.date`` is
    that step's State); the StatesGroup itself (``group``) is named as the class was, so the states
    stored in chats keep their meaning. The steps after one, and the steps answered by buttons (all
    but the typed ones), are read from it."""

    def __init__(self, name: str, steps: str, *, typed: str = "") -> None:
        self.names = tuple(steps.split())
        self.typed = frozenset(typed.split())
        clash = set(self.names) & set(dir(Steps))
        if clash or not self.typed <= set(self.names) or len(set(self.names)) != len(self.names):
            raise ValueError(f"{name}: steps must be named once, not {sorted(clash)}; typed steps must be steps")
        self.group = cast(type[StatesGroup], StatesGroupMeta(name, (StatesGroup,), {n: State() for n in self.names}))

    def __getattr__(self, step: str) -> State:
        if step.startswith("__"):
            raise AttributeError(step)
        return cast(State, getattr(self.group, step))

    def step(self, raw_state: str | None) -> str | None:
        """The step a stored state is at, if it is one of this form's."""
        group, _, step = (raw_state or "").partition(":")
        return step if group == self.group.__name__ and step in self.names else None

    def after(self, step: str) -> tuple[str, ...]:
        return self.names[self.names.index(step) + 1 :]

    def pressed(self) -> tuple[State, ...]:
        """The steps answered with buttons: text typed there is not an answer."""
        return tuple(getattr(self.group, n) for n in self.names if n not in self.typed)

    def typed_in(self) -> tuple[State, ...]:
        """The steps answered by typing: a photo or a sticker there is not an answer."""
        return tuple(getattr(self.group, n) for n in self.names if n in self.typed)


Ask = Callable[["Message", "FSMContext", "Services", str, str], Awaitable[None]]


def _every_step(step: str, data: dict) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class Form:
    """The form-step helper: a form walks its ``steps`` in order, skipping those that do not apply
    to the answers so far; ``ask`` shows one step's question (the chat is at that step by then).
    A step answered while changing one answer from the summary (``editing`` in the form data)
    goes straight back to the summary (``summary``), not on to the next question."""

    steps: Steps
    ask: Ask
    applies: Callable[[str, dict], bool] = _every_step
    summary: str = "confirm"

    async def question(self, message: "Message", state: "FSMContext", svc: "Services", lang: str, step: str) -> None:
        await self.ask(message, state, svc, lang, step)

    async def goto(self, message: "Message", state: "FSMContext", svc: "Services", lang: str, step: str) -> None:
        await state.set_state(getattr(self.steps, step))
        await self.question(message, state, svc, lang, step)

    async def advance(self, message: "Message", state: "FSMContext", svc: "Services", lang: str) -> None:
        data = await state.get_data()
        if data.get("editing"):
            await state.update_data(editing=False)
            await self.goto(message, state, svc, lang, self.summary)
            return
        step = self.steps.step(await state.get_state())
        for nxt in self.steps.after(step) if step is not None else ():
            if self.applies(nxt, data):
                await self.goto(message, state, svc, lang, nxt)
                return

    async def ask_again(self, message: "Message", state: "FSMContext", svc: "Services", lang: str) -> bool:
        """The question of the step the chat is at (False when it is not in this form)."""
        step = self.steps.step(await state.get_state())
        if step is not None:
            await self.goto(message, state, svc, lang, step)
        return step is not None


ComplaintForm = Steps(
    "ComplaintForm",
    "category description photos location phone confirm edit",
    typed="description photos location phone",
)


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
