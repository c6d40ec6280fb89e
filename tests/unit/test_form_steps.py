"""The form-step helper (handlers/states.Steps and Form): steps declared once keep the state names
stored in chats, and a form walks, skips and returns to its summary as the forms rely on."""

from __future__ import annotations

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from handlers.complaints.filing import ANSWERS
from handlers.onestop.resident import BUTTON_STEPS, BirthForm, DeathForm
from handlers.states import ComplaintForm, Form, Steps


def test_stored_state_names_are_those_of_the_classes_they_replace():
    # chats that were in a form before the change carry these strings in the database
    assert BirthForm.date.state == "BirthForm:date"
    assert DeathForm.reminders.state == "DeathForm:reminders"
    assert ComplaintForm.photos.state == "ComplaintForm:photos"
    assert BirthForm.group.__name__ == "BirthForm"
    assert BirthForm.date in BirthForm.group.__all_states__


def test_the_step_of_a_stored_state():
    assert BirthForm.step("BirthForm:dong") == "dong"
    assert BirthForm.step("DeathForm:dong") is None  # another form's
    assert BirthForm.step("BirthForm:gone") is None  # a step that no longer exists
    assert BirthForm.step(None) is None
    assert BirthForm.step("BirthForm") is None


def test_button_steps_are_all_but_the_typed_ones():
    pressed = {s.state for s in BUTTON_STEPS}
    assert "BirthForm:consent" in pressed and "DeathForm:reminders" in pressed
    assert not pressed & {"BirthForm:date", "BirthForm:phone", "DeathForm:date", "DeathForm:phone"}
    assert len(pressed) == len(BirthForm.names) + len(DeathForm.names) - 4


def test_the_summary_sends_back_only_to_answers():
    assert ANSWERS == ("category", "description", "photos", "location", "phone")


@pytest.mark.parametrize(
    "steps, typed",
    [
        ("a b a", ""),  # a step twice
        ("a b", "c"),  # typed but not a step
        ("a after", ""),  # a step that would hide the helper's own method
    ],
)
def test_a_badly_declared_form_is_refused_at_import(steps, typed):
    with pytest.raises(ValueError):
        Steps("Bad", steps, typed=typed)


def _chat() -> FSMContext:
    return FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=2, user_id=2))


def _form(asked: list[str], skip: frozenset[str] = frozenset()) -> Form:
    async def ask(message, state, svc, lang, step):
        asked.append(step)

    return Form(
        steps=Steps("WalkForm", "first second third confirm"),
        ask=ask,
        applies=lambda step, data: step not in skip,
    )


async def test_advance_walks_in_order_and_skips_what_does_not_apply():
    asked: list[str] = []
    form, state = _form(asked, skip=frozenset({"second"})), _chat()
    await form.goto(None, state, None, "ko", "first")
    await form.advance(None, state, None, "ko")
    assert asked == ["first", "third"]
    assert await state.get_state() == "WalkForm:third"


async def test_an_answer_changed_from_the_summary_goes_back_to_it():
    asked: list[str] = []
    form, state = _form(asked), _chat()
    await state.set_state(form.steps.first)
    await state.update_data(editing=True, kept="yes")
    await form.advance(None, state, None, "ko")
    assert asked == ["confirm"] and await state.get_state() == "WalkForm:confirm"
    assert await state.get_data() == {"editing": False, "kept": "yes"}


async def test_asking_again_outside_the_form_does_nothing():
    asked: list[str] = []
    form, state = _form(asked), _chat()
    await state.set_state("OtherForm:first")
    assert await form.ask_again(None, state, None, "ko") is False
    await state.set_state(form.steps.second)
    assert await form.ask_again(None, state, None, "ko") is True
    assert asked == ["second"]
