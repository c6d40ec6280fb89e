"""Role filters: a handler behind RoleFilter("admin") is never reached by anyone else; commands are
not answers; a form's button acts only on its own step (ShownAtStep)."""

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from handlers.states import step_token
from workflows.roles import Principal


class RoleFilter(Filter):
    def __init__(self, role: str):
        self.role = role

    async def __call__(self, event: TelegramObject, principal: Principal | None = None) -> bool:
        return principal is not None and self.role in principal.roles


# Text typed into a form that is really a command (/something) is not taken as the answer;
# it falls through to the command handlers or the "unknown command" reply, and the form stays.
NOT_COMMAND = ~F.text.startswith("/")


class ShownAtStep(Filter):
    """For a button carrying the step it was shown for (a ``st`` field, handlers/states.step_token):
    it acts only while the form is at that step. A button without one (shown outside a form) passes.
    A press refused here reaches the stale-button answer of handlers/fallback.py, which shows where
    the form is now. Put it after the CallbackData filter, whose result it reads."""

    async def __call__(self, event: TelegramObject, callback_data: object = None, raw_state: str | None = None) -> bool:
        shown_at = getattr(callback_data, "st", "")
        return not shown_at or shown_at == step_token(raw_state)


SHOWN_AT_STEP = ShownAtStep()
