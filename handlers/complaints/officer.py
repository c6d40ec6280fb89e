"""Officers: routed complaints of their own department — take, answer, transfer, reject, extend."""

from __future__ import annotations

import re

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InputMediaPhoto, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.filters import NOT_COMMAND
from handlers.complaints import supplement
from handlers.complaints import answer_templates as answer_ui
from handlers import worklist as lists
from handlers.complaints.case_view import open_receipt, show_card
from handlers.complaints.case_forms import (
    button_complaint,
    complaint_for,
    finish,
    form_complaint,
    reason_form,
    tell_taken,
)
from handlers.callbacks import AnswerCb, AssignCb, MenuCb, OfficerCb, RemedyCb, SettingsCb, TransferCb
from handlers.keyboards import grid, markup
from handlers.states import OfficerForm
from handlers.replies import answer_in
from workflows import roles
from workflows.complaints import states
from workflows.complaints import casework
from workflows.complaints import service as complaints
from workflows import worklist as wl
from workflows.complaints.common import Taken
from workflows.complaints.common import AlreadyExtended
from workflows.context import Services
from workflows.errors import DomainError
from workflows.roles import Principal
from workflows.complaints.states import TransitionError
from workflows.texts import escape, t
from workflows.complaints.cards import officer_buttons
from workflows.complaints.common import ANSWER, REJECT_REASON, check_free
from handlers.complaints.transfers import sent_text
from handlers.turn import Turn

router = Router(name="officer")
SUPPLEMENT_ACTIONS = ("supplement", "supp_cancel", "supp_again")
RECEIPT = re.compile(r"^\d{4}-\d{6}$")


async def show_inbox(message: Message, session: AsyncSession, svc: Services, lang: str, p: Principal) -> None:
    """The department's open complaints, every one of them, paged and filtered (handlers/worklist.py)."""
    await lists.show(message, session, svc, lang, p, wl.View(wl.COMPLAINTS))


@router.message(Command("inbox"))
async def inbox_cmd(message: Message, session: AsyncSession, svc: Services, lang: str, principal: Principal) -> None:
    await show_inbox(message, session, svc, lang, principal)


@router.callback_query(MenuCb.filter(F.action == "inbox"))
async def inbox_menu(
    query: CallbackQuery, session: AsyncSession, svc: Services, lang: str, principal: Principal
) -> None:
    await query.answer()
    await show_inbox(query.message, session, svc, lang, principal)


@router.message(Command("find"))
async def find_cmd(
    message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str, principal: Principal
) -> None:
    """/find 2026-000123 opens a complaint; /find <words> (officers) searches the department's
    complaints — what the resident wrote, the typed address, the receipt number — paged."""
    receipt = (command.args or "").strip()
    if RECEIPT.match(receipt):
        await open_receipt(message, session, svc, lang, principal, receipt, via="find")
        return
    words = lists.fit_query(receipt)
    if not principal.is_officer or not words:
        await message.answer(t(lang, "ws.find_usage" if principal.is_officer else "op.find_usage"))
        return
    if words != " ".join(wl.search_words(receipt)):
        await message.answer(t(lang, "ws.search.cut", words=escape(words)))
    await lists.show(message, session, svc, lang, principal, wl.View(wl.SEARCH, query=words))


@router.callback_query(OfficerCb.filter())
async def officer_action(query: CallbackQuery, callback_data: OfficerCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    c = await complaint_for(session, principal, callback_data.cid)
    if c is None:
        await query.answer(t(lang, "op.not_your_department"), show_alert=True)
        return
    action, msg = callback_data.action, query.message
    if action in ("take", "answer", "transfer", "reject", "extend", "assign", *SUPPLEMENT_ACTIONS):
        try:
            check_free(principal, c)
        except Taken as e:
            await query.answer()
            await tell_taken(msg, session, lang, c, e)
            return
    await query.answer()
    try:
        if action == "open":
            await show_card(msg, session, svc, c, lang, principal, via="open")
        elif action == "take":
            await complaints.take(session, svc, principal, c)
            await session.commit()
            await msg.answer(
                t(lang, "op.taken", receipt=c.receipt_no, deadline=svc.fmt(c.deadline_at, lang)),
                reply_markup=markup(officer_buttons(c, lang)),
            )
        elif action == "answer":
            await complaints.start_answer(session, svc, principal, c)
            await state.set_state(OfficerForm.answer_text)
            await state.set_data({"cid": c.id})
            await answer_ui.ask_answer(msg, lang, c)  # with [📋 템플릿]
        elif action == "transfer":
            if c.state not in states.OPEN:
                raise TransitionError("transfer", c.state)
            others = [d for d in svc.district.departments.values() if d.code != c.department_code]
            kb = grid([(d.name(lang), TransferCb(cid=c.id, dept=d.code)) for d in others], 2)
            await msg.answer(t(lang, "op.ask_transfer_dept", receipt=c.receipt_no), reply_markup=kb)
        elif action == "reject":
            if c.state not in states.OPEN:
                raise TransitionError("reject", c.state)
            await state.set_state(OfficerForm.reject_reason)
            await state.set_data({"cid": c.id})
            await msg.answer(t(lang, "op.ask_reject_reason", receipt=c.receipt_no))
        elif action == "extend":
            if c.state not in states.OPEN:
                raise TransitionError("extend", c.state)
            if c.extended:
                raise AlreadyExtended(c.receipt_no)
            await state.set_state(OfficerForm.extend_reason)
            await state.set_data({"cid": c.id})
            await msg.answer(
                t(
                    lang,
                    "op.ask_extend_reason",
                    receipt=c.receipt_no,
                    deadline=svc.fmt(complaints.extended_deadline(svc, c), lang),
                )
            )
        elif action == "media":
            await send_media(msg, session, svc, principal, c, lang)
        elif action == "takeover":
            await casework.takeover(session, svc, principal, c)
            await session.commit()
            await msg.answer(
                t(lang, "ws.took_over", receipt=c.receipt_no), reply_markup=markup(officer_buttons(c, lang))
            )
        elif action == "assign":
            if c.state not in states.OPEN:
                raise TransitionError("assign", c.state)
            people = [
                x
                for x in await roles.colleagues(session, principal.department, lang)
                if x.user_id not in (principal.user_id, c.officer_id)
            ]
            if not people:
                await msg.answer(t(lang, "ws.assign.none"))
                return
            rows = [[(x.name[:40], AssignCb(cid=c.id, g=x.grant_id).pack())] for x in people[:30]]
            await msg.answer(t(lang, "ws.assign.ask", receipt=c.receipt_no), reply_markup=markup(rows))
        elif action in SUPPLEMENT_ACTIONS:  # 보완 요청 (handlers/complaints/supplement.py)
            await supplement.officer_entry(msg, state, session, svc, lang, principal, c, action)
        elif action == "note":
            await state.set_state(OfficerForm.note_text)
            await state.set_data({"cid": c.id})
            await msg.answer(t(lang, "ws.note.ask", receipt=c.receipt_no))
    except Taken as e:
        await tell_taken(msg, session, lang, c, e)
    except TransitionError as e:
        await msg.answer(t(lang, "op.bad_state", state=t(lang, f"state.{e.state}")))
    except AlreadyExtended:
        await msg.answer(t(lang, "op.already_extended"))


async def send_media(msg: Message, session: AsyncSession, svc: Services, p: Principal, c, lang: str) -> None:
    media = complaints.media_view(session, svc, p, c)  # audited when there is something to show
    if media.empty:
        await msg.answer(t(lang, "op.no_location"))
        return
    await session.commit()
    photos = media.photo_file_ids
    if len(photos) == 1:
        await msg.answer_photo(photos[0], caption=c.receipt_no)
    elif photos:
        await msg.answer_media_group(
            [InputMediaPhoto(media=f, caption=c.receipt_no if i == 0 else None) for i, f in enumerate(photos)]
        )
    if media.location is not None:
        await msg.answer_location(latitude=media.location[0], longitude=media.location[1])


# --- answer ------------------------------------------------------------------------------------


@router.message(OfficerForm.answer_text, F.text, NOT_COMMAND)
async def answer_text(
    message: Message, state: FSMContext, session: AsyncSession, lang: str, principal: Principal
) -> None:
    _data, c = await form_complaint(message, state, session, lang, principal)
    if c is None:
        return
    text = message.text.strip()
    if (e := ANSWER.problem(text)) is not None:
        await message.answer(e.text(lang))
        return
    await answer_ui.show_preview(message, state, lang, c, text)  # attachments kept, more may come


@router.callback_query(AnswerCb.filter())
async def answer_confirm(query: CallbackQuery, callback_data: AnswerCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    data, c = await button_complaint(
        query, callback_data.cid, state, session, lang, principal, OfficerForm.answer_confirm
    )
    if c is None:
        return
    await query.answer()
    if callback_data.action == "rewrite":
        await state.set_state(OfficerForm.answer_text)
        await answer_ui.ask_answer(query.message, lang, c)  # the attachments stay
        return

    async def send() -> None:
        await complaints.answer(session, svc, principal, c, data["answer"])
        await answer_ui.after_answer(session, c, data)  # its photos and documents, after it

    if not await finish(query.message, state, session, lang, c, send()):
        return
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t(lang, "op.answer_sent", receipt=c.receipt_no))


# --- transfer, reject, extend -------------------------------------------------------------------


@router.callback_query(TransferCb.filter())
async def transfer_dept(query: CallbackQuery, callback_data: TransferCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    c = await complaint_for(session, principal, callback_data.cid)
    if c is None or callback_data.dept not in svc.district.departments:
        await query.answer(t(lang, "op.not_your_department"), show_alert=True)
        return
    await query.answer()
    if callback_data.dept == c.department_code:
        await query.message.answer(t(lang, "op.same_department"))
        return
    await state.set_state(OfficerForm.transfer_reason)
    await state.set_data({"cid": c.id, "dept": callback_data.dept})
    await query.message.answer(
        t(lang, "op.ask_transfer_reason", department=escape(svc.district.department(callback_data.dept).name(lang)))
    )


@router.message(OfficerForm.transfer_reason, F.text, NOT_COMMAND)
async def transfer_reason(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    got = await reason_form(message, state, session, lang, principal)
    if got is None:
        return
    data, c, reason = got
    if not await finish(
        message, state, session, lang, c, complaints.transfer(session, svc, principal, c, data["dept"], reason)
    ):
        return

    await message.answer(sent_text(svc, c, lang, returned=False))


@router.message(OfficerForm.reject_reason, F.text, NOT_COMMAND)
async def reject_reason(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    got = await reason_form(message, state, session, lang, principal, REJECT_REASON)
    if got is None:
        return
    _data, c, reason = got
    await state.update_data(reason=reason)
    await state.set_state(OfficerForm.reject_remedy)
    remedies = [(r.text(lang)[:60], RemedyCb(cid=c.id, code=r.code)) for r in svc.district.remedies.values()]
    await message.answer(t(lang, "op.ask_remedy"), reply_markup=grid(remedies, 1))


@router.callback_query(RemedyCb.filter())
async def reject_remedy(query: CallbackQuery, callback_data: RemedyCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    data, c = await button_complaint(
        query, callback_data.cid, state, session, lang, principal, OfficerForm.reject_remedy
    )
    if c is None:
        return
    await query.answer()
    if not await finish(
        query.message,
        state,
        session,
        lang,
        c,
        complaints.reject(session, svc, principal, c, data["reason"], callback_data.code),
    ):
        return
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t(lang, "op.rejected", receipt=c.receipt_no))


@router.message(OfficerForm.extend_reason, F.text, NOT_COMMAND)
async def extend_reason(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    got = await reason_form(message, state, session, lang, principal)
    if got is None:
        return
    _data, c, reason = got
    try:
        await complaints.extend(session, svc, principal, c, reason)
    except Taken as e:
        await state.clear()
        await tell_taken(message, session, lang, c, e)
        return
    except (TransitionError, AlreadyExtended):
        await state.clear()
        await message.answer(
            t(lang, "op.already_extended") if c.extended else t(lang, "op.bad_state", state=t(lang, f"state.{c.state}"))
        )
        return
    await session.commit()
    await state.clear()
    await message.answer(t(lang, "op.extended", receipt=c.receipt_no, deadline=svc.fmt(c.deadline_at, lang)))


# --- teamwork: assign to a colleague, internal notes ----------------------------------------------


@router.callback_query(AssignCb.filter())
async def assign_to(
    query: CallbackQuery, callback_data: AssignCb, session: AsyncSession, svc: Services, lang: str, principal: Principal
) -> None:
    c = await complaint_for(session, principal, callback_data.cid)
    grant = await roles.current_grant(session, callback_data.g)
    if c is None:
        await query.answer(t(lang, "op.not_your_department"), show_alert=True)
        return
    if grant is None:
        await query.answer(t(lang, "ws.assign.not_colleague"), show_alert=True)
        return
    await query.answer()
    try:
        await casework.assign(session, svc, principal, c, grant.user_id)
    except Taken as e:
        await tell_taken(query.message, session, lang, c, e)
        return
    except casework.NotColleague:
        await query.message.answer(t(lang, "ws.assign.not_colleague"))
        return
    except TransitionError as e:
        await query.message.answer(t(lang, "op.bad_state", state=t(lang, f"state.{e.state}")))
        return
    await session.commit()
    name = (await roles.staff_names(session, [grant.user_id], lang))[grant.user_id]
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t(lang, "ws.assign.done", receipt=c.receipt_no, name=escape(name)))


@router.message(OfficerForm.note_text, F.text, NOT_COMMAND)
async def note_text(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    _data, c = await form_complaint(message, state, session, lang, principal)
    if c is None:
        return
    try:
        casework.add_note(svc, principal, c, message.text)
    except DomainError as e:
        await message.answer(e.text(lang))
        return
    await session.commit()
    await state.clear()
    await message.answer(
        t(lang, "ws.note.saved", receipt=c.receipt_no),
        reply_markup=markup([[(t(lang, "ws.btn.open"), OfficerCb(action="open", cid=c.id).pack())]]),
    )


# --- /settings: a card per new complaint, or the morning digest -----------------------------------


async def _settings_text(session: AsyncSession, lang: str, p: Principal) -> tuple[str, object]:
    mode = await wl.card_mode(session, p.user_id)
    name = (await roles.staff_names(session, [p.user_id], lang))[p.user_id]
    other = wl.DIGEST if mode == wl.CARDS else wl.CARDS
    kb = markup([[(t(lang, f"ws.btn.mode.{other}"), SettingsCb(mode=other).pack())]])
    return t(lang, "ws.settings", mode=t(lang, f"ws.mode.{mode}"), name=escape(name)), kb


@router.message(Command("settings"))
async def settings_cmd(message: Message, session: AsyncSession, lang: str, principal: Principal) -> None:
    if not principal.is_officer:
        await message.answer(t(lang, "op.not_officer"))
        return
    text, kb = await _settings_text(session, lang, principal)
    await message.answer(text, reply_markup=kb)


@router.callback_query(SettingsCb.filter(F.mode.in_({wl.CARDS, wl.DIGEST})))
async def settings_set(
    query: CallbackQuery, callback_data: SettingsCb, session: AsyncSession, lang: str, principal: Principal
) -> None:
    if not principal.is_officer:
        await query.answer(t(lang, "op.not_officer"), show_alert=True)
        return
    await wl.set_card_mode(session, principal.user_id, callback_data.mode)
    await session.commit()
    await query.answer(t(lang, "ws.settings.saved", mode=t(lang, f"ws.mode.{callback_data.mode}")))
    text, kb = await _settings_text(session, lang, principal)
    await query.message.edit_text(text, reply_markup=kb)


answer_in(
    router,
    "op.text_expected",
    OfficerForm.answer_text,
    OfficerForm.note_text,
    OfficerForm.transfer_reason,
    OfficerForm.reject_reason,
    OfficerForm.extend_reason,
)
answer_in(router, "cf.use_buttons", OfficerForm.answer_confirm, OfficerForm.reject_remedy)
