"""Officers: the one-stop sub-requests of their own department — /onestop lists them; 접수,
처리완료 (with an optional message to the family) and 보완요청 (with a required message). Another
department's sub-request is invisible (the same answer as a missing one). Outside bodies on a
Telegram channel acknowledge a notice with its 수신 확인 button, in their own chat only."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import Num
from handlers.filters import NOT_COMMAND
from handlers.keyboards import markup
from handlers.replies import answer_in
from handlers import worklist as lists
from workflows.onestop import agency_notify
from workflows import worklist as wl
from workflows.onestop import service as bd
from workflows.onestop.service import OnestopError
from workflows.context import Services
from workflows.roles import Principal, can_handle
from workflows.texts import escape, t
from handlers.turn import Turn

router = Router(name="onestop_officer")


class OsItemCb(CallbackData, prefix="osi"):  # workflows/birth_death.cb_item
    action: str  # open, take, done, supp, skip_note, contact
    item: Num


class AgencyAckCb(CallbackData, prefix="oack"):  # workflows/agency_notify.create
    n: Num


class OnestopOfficerForm(StatesGroup):
    done_note = State()
    supplement_text = State()


async def item_for_officer(session: AsyncSession, p: Principal, item_id: int):
    """The sub-request if this officer's department handles it, else None."""
    item = await bd.get_item(session, item_id)
    if item is None or item.department_code is None or not can_handle(p, item.department_code):
        return None
    return item


async def show_list(message: Message, session: AsyncSession, svc: Services, lang: str, p: Principal) -> None:
    """Every open sub-request of the officer's department, paged and filtered (handlers/worklist.py)."""
    await lists.show(message, session, svc, lang, p, wl.View(wl.ONESTOP))


@router.message(Command("onestop"))
async def onestop_cmd(message: Message, session: AsyncSession, svc: Services, lang: str, principal: Principal) -> None:
    await show_list(message, session, svc, lang, principal)


async def officer_card(session: AsyncSession, svc: Services, p: Principal, item, lang: str):
    """The card (an audited view) and its buttons; the audit entry is committed before it is shown."""
    buttons = bd.officer_buttons(item, lang)
    text = bd.officer_view(session, svc, p, item, lang)
    await session.commit()
    return text, markup(buttons) if buttons else None


@router.callback_query(OsItemCb.filter())
async def item_action(query: CallbackQuery, callback_data: OsItemCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    item = await item_for_officer(session, principal, callback_data.item)
    if item is None:
        await query.answer(t(lang, "op.not_your_department"), show_alert=True)
        return
    action = callback_data.action
    if action != "open" and item.state not in bd.WORKABLE:
        await query.answer(t(lang, "onestop.op.already_final"), show_alert=True)
        return
    await query.answer()
    msg = query.message
    if action == "open":
        text, kb = await officer_card(session, svc, principal, item, lang)
        await msg.answer(text, reply_markup=kb)
    elif action == "contact":
        try:
            phone = await bd.reveal_contact(session, svc, principal, item)
        except OnestopError:
            await msg.answer(t(lang, "onestop.op.no_contact"))
            return
        await session.commit()
        await msg.answer(
            t(
                lang,
                "onestop.op.contact",
                receipt=item.application.receipt_no,
                phone=escape(phone),
                body=escape(bd.handler_name(svc, item, item.application.kind, lang)),
            )
        )
    elif action == "take":
        try:
            await bd.take(session, svc, principal, item)
        except OnestopError:
            await msg.answer(t(lang, "stale_button"))
            return
        await session.commit()
        text, kb = await officer_card(session, svc, principal, item, lang)
        await msg.answer(t(lang, "onestop.op.taken") + "\n" + text, reply_markup=kb)
    elif action == "done":
        await state.set_state(OnestopOfficerForm.done_note)
        await state.set_data({"item": item.id})
        await msg.answer(
            t(lang, "onestop.op.ask_done_note"),
            reply_markup=markup(
                [[(t(lang, "onestop.op.btn_no_note"), OsItemCb(action="skip_note", item=item.id).pack())]]
            ),
        )
    elif action == "skip_note":
        await _complete(msg, state, session, svc, lang, principal, item, None)
    elif action == "supp":
        await state.set_state(OnestopOfficerForm.supplement_text)
        await state.set_data({"item": item.id})
        await msg.answer(t(lang, "onestop.op.ask_supplement"))


async def _refused(message: Message, state: FSMContext, lang: str, e: OnestopError, text: str | None) -> None:
    """A message of the wrong length is asked again; anything else ends the form."""
    if e.code in ("short", "long"):
        await message.answer(
            t(lang, "onestop.note_length", n=len((text or "").strip()), lo=bd.NOTE_MIN, hi=f"{bd.NOTE_MAX:,}")
        )
        return
    await state.clear()
    await message.answer(t(lang, "stale_button"))


async def _complete(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    svc: Services,
    lang: str,
    p: Principal,
    item,
    note: str | None,
) -> None:
    try:
        await bd.complete(session, svc, p, item, note)
    except OnestopError as e:
        await _refused(message, state, lang, e, note)
        return
    await session.commit()
    await state.clear()
    await message.answer(
        t(
            lang,
            "onestop.op.done",
            receipt=item.application.receipt_no,
            service=escape(bd.item_name(item, item.application.kind, lang, svc.district)),
        )
    )


async def _form_item(message: Message, state: FSMContext, session: AsyncSession, lang: str, p: Principal):
    item = await item_for_officer(session, p, (await state.get_data()).get("item", 0))
    if item is None or item.state not in bd.WORKABLE:
        await state.clear()
        await message.answer(t(lang, "op.not_your_department") if item is None else t(lang, "onestop.op.already_final"))
        return None
    return item


@router.message(OnestopOfficerForm.done_note, F.text, NOT_COMMAND)
async def done_note(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    item = await _form_item(message, state, session, lang, principal)
    if item is not None:
        await _complete(message, state, session, svc, lang, principal, item, message.text)


@router.message(OnestopOfficerForm.supplement_text, F.text, NOT_COMMAND)
async def supplement_text(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    item = await _form_item(message, state, session, lang, principal)
    if item is None:
        return
    try:
        await bd.request_supplement(session, svc, principal, item, message.text)
    except OnestopError as e:
        await _refused(message, state, lang, e, message.text)
        return
    await session.commit()
    await state.clear()
    await message.answer(t(lang, "onestop.op.supplement_sent", receipt=item.application.receipt_no))


answer_in(router, "cf.text_expected", OnestopOfficerForm.done_note, OnestopOfficerForm.supplement_text)


@router.callback_query(AgencyAckCb.filter())
async def agency_ack(
    query: CallbackQuery, callback_data: AgencyAckCb, session: AsyncSession, svc: Services, lang: str
) -> None:
    try:
        n = await bd.acknowledge_notice(
            session, svc, notification_id=callback_data.n, chat_id=query.message.chat.id, user_id=query.from_user.id
        )
    except agency_notify.AckError as e:
        await query.answer(
            t(lang, "onestop.agency.ack_already" if e.code == "already" else "stale_button"), show_alert=True
        )
        return
    await session.commit()
    await query.answer(t(lang, "onestop.agency.ack_done"))
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t(lang, "onestop.agency.ack_recorded", at=svc.fmt(n.acknowledged_at, lang)))
