"""An edited message (Telegram's "edit" on something already sent) is never applied to what the
bot received — one rule for every form and every stored text: an answer taken into a form, a
complaint's text or typed address, a comment. What was received stays as it was first sent (and
was already checked, stored, maybe passed on to an officer); applying a later edit silently would
change a case behind the officer's back, and an edit at a later step could not be told apart from
an answer to that step. So the person is told the edit is not applied and how to change what they
gave: in a form, its current step is shown again (answer it with a new message) and an earlier
answer is changed with [수정] on the complaint summary, or by starting again (/cancel) elsewhere.

The one exception is documented where it lives: on an opinion day, editing the message that
carried an opinion replaces that opinion until 24:00 (handlers/opinion.opinion_edited, which
passes every other edit on to this router). An edit holding a 주민등록번호 never gets this far:
bot/rrn_guard.py refuses it and says what was received before stays. In groups edits are ignored
(the bot posts nothing there for them)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.states import show_where
from workflows.context import Services
from workflows.texts import t

router = Router(name="edits")

# forms whose summary has a [수정] that changes any earlier answer
EDITABLE_ON_SUMMARY = {"ComplaintForm": "edit.how.complaint"}


@router.edited_message(F.chat.type == "private")
async def edit_not_applied(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    current = await state.get_state()
    if current is None:  # no form: what was received (a filed complaint, a comment) stays
        await message.answer(t(lang, "edit.not_applied"))
        return
    how = t(lang, EDITABLE_ON_SUMMARY.get(current.split(":", 1)[0], "edit.how.restart"))
    await message.answer(t(lang, "edit.not_applied_form", how=how))
    await show_where(message, state, session, svc, lang)  # the current step again, where a form can show it
