"""FSM states of the chat forms."""
from aiogram.fsm.state import State, StatesGroup


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


class CitizenForm(StatesGroup):
    reopen_comment = State()
    rating_comment = State()
