"""What the officer's forms share (handlers/complaints/officer.py and the forms beside it: transfers, 보완,
answer templates): the complaint a form or a button is about, if it is still the officer's; the end
of a form's last step; a colleague who took the complaint meanwhile; a typed reason's problem."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import OfficerCb
from handlers.keyboards import markup
from workflows import roles
from workflows.complaints import service as complaints
from workflows.complaints.common import Taken
from workflows.complaints.common import NotFound
from workflows.errors import Length
from workflows.models import Complaint
from workflows.roles import Principal, can_handle
from workflows.complaints.states import TransitionError
from workflows.texts import escape, t
from workflows.complaints.common import REASON


async def complaint_for(session: AsyncSession, p: Principal, cid: int) -> Complaint | None:
    """The complaint if this officer may act on it, else None (another department's is invisible)."""
    try:
        c = await complaints.get_visible(session, p, complaint_id=cid)
    except NotFound:
        return None
    return c if can_handle(p, c.department_code, c.handed_to) else None


async def form_complaint(
    message: Message, state: FSMContext, session: AsyncSession, lang: str, p: Principal
) -> tuple[dict, Complaint | None]:
    """The complaint an officer's open form is about; ends the form if it is no longer theirs."""
    data = await state.get_data()
    c = await complaint_for(session, p, data.get("cid", 0))
    if c is None:
        await state.clear()
        await message.answer(t(lang, "op.not_your_department"))
    return data, c


async def button_complaint(
    query: CallbackQuery, cid: int, state: FSMContext, session: AsyncSession, lang: str, p: Principal, *steps
) -> tuple[dict, Complaint | None]:
    """The complaint behind a form's button, if the button belongs to the officer's open form at one
    of ``steps`` (else it is stale) and the complaint is still theirs (else the form ends)."""
    data = await state.get_data()
    if await state.get_state() not in {s.state for s in steps} or data.get("cid") != cid:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return data, None
    c = await complaint_for(session, p, cid)
    if c is None:
        await state.clear()
        await query.answer(t(lang, "op.not_your_department"), show_alert=True)
    return data, c


async def tell_taken(msg: Message, session: AsyncSession, lang: str, c, e: Taken) -> None:
    """Another officer has it: say who, and offer to take it over (explicitly, recorded)."""
    name = (await roles.staff_names(session, [e.officer_id], lang))[e.officer_id]
    await msg.answer(
        t(lang, "ws.taken_by", receipt=c.receipt_no, name=escape(name)),
        reply_markup=markup([[(t(lang, "op.btn.takeover"), OfficerCb(action="takeover", cid=c.id).pack())]]),
    )


async def finish(msg: Message, state: FSMContext, session: AsyncSession, lang: str, c, work) -> bool:
    """Run a form's last step (``work``, the domain call) on complaint ``c``: a state that no longer
    allows it, or a colleague who took it over meanwhile, ends the form with what happened; done, it
    is committed and the form ends. True when done."""
    try:
        await work
    except TransitionError as e:
        await state.clear()
        await msg.answer(t(lang, "op.bad_state", state=t(lang, f"state.{e.state}")))
        return False
    except Taken as e:
        await state.clear()
        await tell_taken(msg, session, lang, c, e)
        return False
    await session.commit()
    await state.clear()
    return True


async def reason_form(
    message: Message, state: FSMContext, session: AsyncSession, lang: str, p: Principal, rule: Length = REASON
) -> tuple[dict, Complaint, str] | None:
    """The complaint of an officer's open reason form (이송, 반려, 연장, 반송) and the reason typed;
    None after saying what is wrong: the form ends if the complaint is no longer theirs, and stays
    for a reason that does not fit (they may write it again)."""
    data, c = await form_complaint(message, state, session, lang, p)
    if c is None:
        return None
    reason = (message.text or "").strip()  # the handlers take text messages only (F.text)
    if err := reason_error(lang, reason, rule):
        await message.answer(err)
        return None
    return data, c, reason


def reason_error(lang: str, text: str, rule: Length = REASON) -> str | None:
    """What is wrong with a typed reason, as the officer is told; None when it fits."""
    e = rule.problem(text)
    return None if e is None else e.text(lang)
