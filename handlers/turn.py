"""What a handler works with in one update, in one argument.

aiogram hands a handler what it names (the update's session, the services, the sender's language,
who they are, the chat's form state: bot/middlewares.py puts them in the handler data). A handler
that needs all five takes ``turn`` instead of five parameters, and unpacks what it uses:

    async def officer_action(query: CallbackQuery, callback_data: OfficerCb, turn: Turn) -> None:
        state, session, svc, lang, principal = turn

Handlers that need fewer keep naming them one by one. The language is the sender's: text for
someone else (an officer's card, a resident's answer) takes that person's language, not this one.
"""

from __future__ import annotations

from typing import NamedTuple

from aiogram.fsm.context import FSMContext
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.context import Services
from workflows.roles import Principal


class Turn(NamedTuple):
    state: FSMContext
    session: AsyncSession
    svc: Services
    lang: str
    principal: Principal
