"""반송 (issue 16 §4): the receiving department refuses a transfer back, with its reason
(workflows/complaints/transfers.py has the rules: what can be returned, and when a move goes to the desk)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from handlers.callbacks import ReturnCb
from handlers.filters import NOT_COMMAND
from handlers.complaints.case_forms import complaint_for, finish, reason_form, tell_taken
from handlers.states import OfficerForm
from handlers.replies import answer_in
from workflows.complaints import transfers
from workflows.complaints.common import Taken
from workflows.context import Services
from workflows.texts import escape, t
from workflows.complaints.common import check_free
from workflows.complaints import service as complaints
from handlers.turn import Turn

router = Router(name="transfers")


def _name(svc: Services, code: str, lang: str) -> str:
    return escape(svc.district.department(code).name(lang))


@router.callback_query(ReturnCb.filter())
async def return_button(query: CallbackQuery, callback_data: ReturnCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    c = await complaint_for(session, principal, callback_data.cid)
    if c is None:
        await query.answer(t(lang, "op.not_your_department"), show_alert=True)
        return
    sender = transfers.returnable(c)
    if sender is None:  # a stale or forged button: already moved on, closed, or assigned by the desk
        await query.answer(t(lang, "op.not_returnable"), show_alert=True)
        return
    try:
        check_free(principal, c)
    except Taken as e:
        await query.answer()
        await tell_taken(query.message, session, lang, c, e)
        return
    await query.answer()
    await state.set_state(OfficerForm.return_reason)
    await state.set_data({"cid": c.id})
    await query.message.answer(
        t(lang, "op.ask_return_reason", receipt=c.receipt_no, department=_name(svc, sender, lang))
    )


@router.message(OfficerForm.return_reason, F.text, NOT_COMMAND)
async def return_reason(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    got = await reason_form(message, state, session, lang, principal)
    if got is None:
        return
    _data, c, reason = got
    try:
        if not await finish(message, state, session, lang, c, complaints.give_back(session, svc, principal, c, reason)):
            return
    except transfers.NotReturnable:
        await state.clear()
        await message.answer(t(lang, "op.not_returnable"))
        return
    await message.answer(sent_text(svc, c, lang, returned=True))


def sent_text(svc: Services, c, lang: str, *, returned: bool) -> str:
    """What the officer reads after a return or a transfer: where it went (the desk, when the move
    was the third)."""
    if transfers.at_desk(c.events):
        return t(lang, "op.sent_to_desk", receipt=c.receipt_no, desk=_name(svc, c.department_code, lang))
    return t(
        lang,
        "op.returned" if returned else "op.transferred",
        receipt=c.receipt_no,
        department=_name(svc, c.department_code, lang),
    )


answer_in(router, "op.text_expected", OfficerForm.return_reason)
