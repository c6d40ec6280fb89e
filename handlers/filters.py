"""Role filters: a handler behind RoleFilter("admin") is never reached by anyone else."""
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from workflows.roles import Principal


class RoleFilter(Filter):
    def __init__(self, role: str):
        self.role = role

    async def __call__(self, event: TelegramObject, principal: Principal | None = None) -> bool:
        return principal is not None and self.role in principal.roles
