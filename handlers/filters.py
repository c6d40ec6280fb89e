"""Role filters: a handler behind RoleFilter("admin") is never reached by anyone else."""
from aiogram import F
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from workflows.roles import Principal


class RoleFilter(Filter):
    def __init__(self, role: str):
        self.role = role

    async def __call__(self, event: TelegramObject, principal: Principal | None = None) -> bool:
        return principal is not None and self.role in principal.roles


# Text typed into a form that is really a command (/something) is not taken as the answer;
# it falls through to the command handlers or the "unknown command" reply, and the form stays.
NOT_COMMAND = ~F.text.startswith("/")
