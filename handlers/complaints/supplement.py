"""보완 요청 in the chat (workflows/complaints/supplement.py): the officer asks (what is missing, by when,
a preview), withdraws or asks again; the resident answers (text and photos, confirmed) or asks for
more time. The officer's entry is the card's 보완 요청 / 보완 요청 철회 button and the expiry notice's
다시 요청 (handlers/officer.officer_action passes those presses to ``officer_entry``)."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.complaints.case_forms import tell_taken
from handlers.callbacks import Num
from handlers.filters import NOT_COMMAND
from handlers.keyboards import markup
from handlers.replies import answer_in
from workflows.complaints import states
from workflows.complaints import service as complaints
from workflows.complaints import supplement as sp
from workflows.complaints.common import Taken
from workflows.complaints.common import Forbidden, NotFound
from workflows.context import Services
from workflows.roles import Principal, can_handle
from workflows.complaints.states import TransitionError
from workflows.texts import escape, t
from workflows.complaints.cards import officer_buttons
from workflows.complaints.common import MAX_PHOTOS, is_paused
from workflows.models import Complaint
from handlers.fallback import offer
from handlers.turn import Turn

router = Router(name="supplement")


class SuppCb(CallbackData, prefix="sp"):  # workflows/supplement.cb builds the same strings
    action: str  # officer: days, send, rewrite; resident: reply, rsend, rcancel, more, ext
    cid: Num
    n: Num = 0  # days (days, ext)


class SupplementForm(StatesGroup):  # the officer's request
    what = State()
    period = State()
    confirm = State()


class SupplementReply(StatesGroup):  # the resident's answer
    collect = State()


# --- the officer ---------------------------------------------------------------------------------


async def _officer_complaint(session: AsyncSession, p: Principal, cid: int):
    try:
        c = await complaints.get_visible(session, p, complaint_id=cid)
    except NotFound:
        return None
    return c if p.is_officer and can_handle(p, c.department_code, c.handed_to) else None


def _period_buttons(svc: Services, c, lang: str) -> list[list[tuple[str, str]]]:
    now = svc.now()
    return [
        [
            (
                t(lang, "sp.btn.days", days=d, date=sp.due_in(svc, d, now).astimezone(svc.tz).strftime("%m-%d")),
                SuppCb(action="days", cid=c.id, n=d).pack(),
            )
        ]
        for d in sp.rule().choices_days
    ]


async def officer_entry(
    msg: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, p: Principal, c, action: str
) -> None:
    """보완 요청 (start the form), 보완 요청 철회, 다시 요청 — from the card or the expiry notice. Taken
    and TransitionError are answered by the caller (handlers/officer.officer_action)."""
    if action == "supplement":
        try:
            sp.check_may_request(p, c)
        except sp.AlreadyPaused:
            await msg.answer(t(lang, "sp.already", receipt=c.receipt_no, due=svc.fmt(c.pause_due_at, lang)))
            return
        r = sp.rule()
        await state.set_state(SupplementForm.what)
        await state.set_data({"cid": c.id})
        await msg.answer(t(lang, "sp.ask_what", receipt=c.receipt_no, min=r.text_min, max=r.text_max))
        return
    try:
        if action == "supp_cancel":
            await sp.withdraw(session, svc, p, c)
            await session.commit()
            await msg.answer(
                t(lang, "sp.withdrawn_done", receipt=c.receipt_no, deadline=svc.fmt(c.deadline_at, lang)),
                reply_markup=markup(officer_buttons(c, lang)),
            )
        elif action == "supp_again":
            await sp.ask_again(session, svc, p, c)
            await session.commit()
            await msg.answer(t(lang, "sp.again_done", receipt=c.receipt_no, due=svc.fmt(c.pause_due_at, lang)))
    except sp.NotPaused:
        await msg.answer(t(lang, "sp.not_paused"))
    except sp.NotDue:
        await msg.answer(t(lang, "sp.not_due", due=svc.fmt(c.pause_due_at, lang)))
    except sp.Limit:
        await msg.answer(t(lang, "sp.again_limit"))


async def _form(message: Message, state: FSMContext, session: AsyncSession, lang: str, p: Principal):
    data = await state.get_data()
    c = await _officer_complaint(session, p, data.get("cid", 0))
    if c is None:
        await state.clear()
        await message.answer(t(lang, "op.not_your_department"))
    return data, c


@router.message(SupplementForm.what, F.text, NOT_COMMAND)
async def what_text(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    _data, c = await _form(message, state, session, lang, principal)
    if c is None:
        return
    r = sp.rule()
    try:
        what = sp.validate_request(message.text)
    except ValueError as e:
        await message.answer(
            t(lang, "sp.what_short", min=r.text_min)
            if str(e) == "short"
            else t(lang, "sp.what_long", max=r.text_max, n=len(message.text.strip()))
        )
        return
    await state.update_data(what=what)
    await state.set_state(SupplementForm.period)
    await message.answer(t(lang, "sp.ask_period"), reply_markup=markup(_period_buttons(svc, c, lang)))


async def _preview(message: Message, state: FSMContext, svc: Services, lang: str, c, due: datetime) -> None:
    data = await state.get_data()
    await state.update_data(due=due.isoformat())
    await state.set_state(SupplementForm.confirm)
    await message.answer(
        t(lang, "sp.preview", receipt=c.receipt_no, what=escape(data["what"]), due=svc.fmt(due, lang)),
        reply_markup=markup(
            [
                [
                    (t(lang, "op.btn.send"), SuppCb(action="send", cid=c.id).pack()),
                    (t(lang, "op.btn.rewrite"), SuppCb(action="rewrite", cid=c.id).pack()),
                ]
            ]
        ),
    )


@router.message(SupplementForm.period, F.text, NOT_COMMAND)
async def period_text(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    _data, c = await _form(message, state, session, lang, principal)
    if c is None:
        return
    try:
        due = sp.parse_due(svc, message.text)
    except ValueError as e:
        key = {"past": "sp.date_past", "far": "sp.date_far"}.get(str(e), "sp.date_format")
        await message.answer(t(lang, key, max=sp.rule().max_days), reply_markup=markup(_period_buttons(svc, c, lang)))
        return
    await _preview(message, state, svc, lang, c, due)


async def _officer_button(
    query: CallbackQuery, cb: SuppCb, state: FSMContext, session: AsyncSession, lang: str, p: Principal, step: State
):
    """The complaint behind a button of the officer's open form; None (answered) when the button is
    stale or the complaint no longer theirs."""
    data = await state.get_data()
    if await state.get_state() != step.state or data.get("cid") != cb.cid:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return data, None
    c = await _officer_complaint(session, p, cb.cid)
    if c is None:
        await state.clear()
        await query.answer(t(lang, "op.not_your_department"), show_alert=True)
    return data, c


@router.callback_query(SuppCb.filter(F.action == "days"))
async def period_days(query: CallbackQuery, callback_data: SuppCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    _data, c = await _officer_button(query, callback_data, state, session, lang, principal, SupplementForm.period)
    if c is None:
        return
    if callback_data.n not in sp.rule().choices_days:  # a forged number of days
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    await _preview(query.message, state, svc, lang, c, sp.due_in(svc, callback_data.n))


@router.callback_query(SuppCb.filter(F.action.in_({"send", "rewrite"})))
async def confirm(query: CallbackQuery, callback_data: SuppCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    data, c = await _officer_button(query, callback_data, state, session, lang, principal, SupplementForm.confirm)
    if c is None:
        return
    await query.answer()
    if callback_data.action == "rewrite":
        r = sp.rule()
        await state.set_state(SupplementForm.what)
        await query.message.answer(t(lang, "sp.ask_what", receipt=c.receipt_no, min=r.text_min, max=r.text_max))
        return
    try:
        await sp.request(session, svc, principal, c, data["what"], datetime.fromisoformat(data["due"]))
    except Taken as e:  # a colleague took it over meanwhile
        await state.clear()
        await tell_taken(query.message, session, lang, c, e)
        return
    except (Forbidden, NotFound):
        await state.clear()
        await query.message.answer(t(lang, "op.not_your_department"))
        return
    except TransitionError as e:
        await state.clear()
        await query.message.answer(t(lang, "op.bad_state", state=t(lang, f"state.{e.state}")))
        return
    except sp.AlreadyPaused:
        await state.clear()
        await query.message.answer(t(lang, "sp.already", receipt=c.receipt_no, due=svc.fmt(c.pause_due_at, lang)))
        return
    except ValueError:  # the last day passed while the preview waited
        await state.set_state(SupplementForm.period)
        await query.message.answer(t(lang, "sp.date_past"), reply_markup=markup(_period_buttons(svc, c, lang)))
        return
    await session.commit()
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t(lang, "sp.sent", receipt=c.receipt_no, due=svc.fmt(c.pause_due_at, lang)))


answer_in(router, "op.text_expected", SupplementForm.what, SupplementForm.period)
answer_in(router, "cf.use_buttons", SupplementForm.confirm)


# --- the resident --------------------------------------------------------------------------------


async def _own_paused(query: CallbackQuery, session: AsyncSession, lang: str, p: Principal, cid: int):
    """The resident's own complaint with an open 보완 request; None (answered) otherwise."""
    try:
        c = await complaints.get_visible(session, p, complaint_id=cid)
    except NotFound:
        c = None
    if c is None or c.citizen_id != p.user_id:
        await query.answer(t(lang, "status.not_found"), show_alert=True)
        return None
    if not sp.awaiting(c):  # an open request, or one whose day passed (a late 보완 is still passed on)
        await query.answer(t(lang, "sp.not_paused"), show_alert=True)
        return None
    return c


@router.callback_query(SuppCb.filter(F.action == "reply"))
async def reply_start(query: CallbackQuery, callback_data: SuppCb, turn: Turn) -> None:
    state, session, _svc, lang, principal = turn
    c = await _own_paused(query, session, lang, principal, callback_data.cid)
    if c is None:
        return
    await query.answer()
    data = await state.get_data()
    if await state.get_state() != SupplementReply.collect.state or data.get("cid") != c.id:
        await state.set_state(SupplementReply.collect)
        await state.set_data({"cid": c.id, "text": "", "photos": []})
    await query.message.answer(
        t(lang, "sp.ask_reply", receipt=c.receipt_no, room=sp.room_for_photos(c), what=escape(sp.what_missing(c)))
    )


async def _reply_form(message: Message, state: FSMContext, session: AsyncSession, lang: str, p: Principal):
    data = await state.get_data()
    try:
        c = await complaints.get_visible(session, p, complaint_id=data.get("cid", 0))
    except NotFound:
        c = None
    if c is None or c.citizen_id != p.user_id or not sp.awaiting(c):
        await state.clear()
        await message.answer(t(lang, "sp.not_paused"))
        return data, None
    return data, c


async def _reply_preview(message: Message, state: FSMContext, lang: str, c) -> None:
    data = await state.get_data()
    text = data.get("text") or ""
    rows = [
        [
            (t(lang, "op.btn.send"), SuppCb(action="rsend", cid=c.id).pack()),
            (t(lang, "sp.btn.cancel"), SuppCb(action="rcancel", cid=c.id).pack()),
        ]
    ]
    if data.get("guessed"):  # typed outside the form: it may be a new complaint instead
        rows.append([(t(lang, "sp.btn.as_new"), SuppCb(action="asnew", cid=c.id).pack())])
    await message.answer(
        t(
            lang,
            "sp.reply_preview",
            receipt=c.receipt_no,
            text=escape(text) if text else t(lang, "sp.reply_empty"),
            photos=len(data.get("photos", [])),
        ),
        reply_markup=markup(rows),
    )


async def open_request(message: Message, session: AsyncSession, principal: Principal) -> bool | dict:
    """Filter: the resident has a complaint waiting for their 보완 (the one due first)."""
    from sqlalchemy import select

    if message.from_user is None or message.chat.type != "private" or principal.is_officer:
        return False
    cid = await session.scalar(
        select(Complaint.id)
        .where(
            Complaint.citizen_id == message.from_user.id,
            Complaint.paused_at.is_not(None),
            Complaint.state.in_(states.OPEN),
        )
        .order_by(Complaint.pause_due_at, Complaint.id)
        .limit(1)
    )
    return {"paused_cid": cid} if cid else False


@router.message(StateFilter(None), F.text, NOT_COMMAND, open_request)
async def typed_outside(
    message: Message, state: FSMContext, session: AsyncSession, lang: str, principal: Principal, paused_cid: int
) -> None:
    """Text typed outside any form while a 보완 request is open: offered as the 보완 (or, with a
    button, as a new complaint), never dropped."""
    c = await complaints.get_visible(session, principal, complaint_id=paused_cid)
    text = message.text.strip()
    if len(text) > sp.REPLY_MAX:
        await message.answer(t(lang, "sp.reply_long", n=len(text), max=sp.REPLY_MAX))
        return
    await state.set_state(SupplementReply.collect)
    await state.set_data({"cid": c.id, "text": text, "photos": [], "guessed": True})
    await message.answer(t(lang, "sp.guessed", receipt=c.receipt_no, what=escape(sp.what_missing(c))))
    await _reply_preview(message, state, lang, c)


def _joined(old: str, more: str) -> str:
    return f"{old}\n{more}" if old else more


@router.message(SupplementReply.collect, F.text, NOT_COMMAND)
async def reply_text(
    message: Message, state: FSMContext, session: AsyncSession, lang: str, principal: Principal
) -> None:
    data, c = await _reply_form(message, state, session, lang, principal)
    if c is None:
        return
    text = _joined(data.get("text") or "", message.text.strip())
    if len(text) > sp.REPLY_MAX:
        await message.answer(t(lang, "sp.reply_long", n=len(text), max=sp.REPLY_MAX))
        return
    await state.update_data(text=text)
    await _reply_preview(message, state, lang, c)


@router.message(SupplementReply.collect, F.photo)
async def reply_photo(
    message: Message, state: FSMContext, session: AsyncSession, lang: str, principal: Principal
) -> None:
    data, c = await _reply_form(message, state, session, lang, principal)
    if c is None:
        return
    photos = list(data.get("photos") or [])
    text = data.get("text") or ""
    caption = (message.caption or "").strip()
    if caption:
        if len(_joined(text, caption)) > sp.REPLY_MAX:
            await message.answer(t(lang, "sp.reply_long", n=len(_joined(text, caption)), max=sp.REPLY_MAX))
            return
        text = _joined(text, caption)
    if len(photos) < sp.room_for_photos(c):
        best = message.photo[-1]
        photos.append([best.file_id, best.file_unique_id])
    else:
        await message.answer(
            t(lang, "sp.photo_no_room", max=MAX_PHOTOS, caption=t(lang, "sp.caption_kept") if caption else "")
        )
    await state.update_data(text=text, photos=photos)
    await _reply_preview(message, state, lang, c)


@router.message(SupplementReply.collect, NOT_COMMAND)
async def reply_other(message: Message, lang: str) -> None:
    await message.answer(t(lang, "sp.reply_expected"))


@router.callback_query(SuppCb.filter(F.action == "asnew"))
async def as_new_complaint(
    query: CallbackQuery, callback_data: SuppCb, state: FSMContext, svc: Services, lang: str
) -> None:
    """Not a 보완 after all: what they typed is offered as a new complaint (handlers/fallback.offer)."""
    data = await state.get_data()
    if await state.get_state() != SupplementReply.collect.state or data.get("cid") != callback_data.cid:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)

    await offer(query.message, state, svc, lang, data.get("text") or None, data.get("photos") or [])


@router.callback_query(SuppCb.filter(F.action.in_({"rsend", "rcancel"})))
async def reply_confirm(query: CallbackQuery, callback_data: SuppCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    data = await state.get_data()
    if await state.get_state() != SupplementReply.collect.state or data.get("cid") != callback_data.cid:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    c = await _own_paused(query, session, lang, principal, callback_data.cid)
    if c is None:
        await state.clear()
        return
    await query.answer()
    if callback_data.action == "rcancel":
        await state.clear()
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            t(lang, "sp.reply_cancelled", due=svc.fmt(c.pause_due_at, lang))
            if is_paused(c)
            else t(lang, "sp.reply_cancelled_late")
        )
        return
    late = sp.expired(c)
    try:
        await sp.reply(session, svc, principal, c, data.get("text") or "", [tuple(x) for x in data.get("photos") or []])
    except ValueError:
        await query.message.answer(t(lang, "sp.reply_short"))
        return
    await session.commit()
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    if late:  # on time, the service's own message tells the resident the new deadline (sp.push.replied)
        await query.message.answer(
            t(lang, "sp.reply_sent_late", receipt=c.receipt_no, deadline=svc.fmt(c.deadline_at, lang))
        )


@router.callback_query(SuppCb.filter(F.action == "more"))
async def more_ask(
    query: CallbackQuery, callback_data: SuppCb, session: AsyncSession, svc: Services, lang: str, principal: Principal
) -> None:
    c = await _own_paused(query, session, lang, principal, callback_data.cid)
    if c is None:
        return
    r = sp.rule()
    left = r.max_extensions - sp.extensions_used(c)
    if left <= 0:
        await query.answer(t(lang, "sp.more_limit", max=r.max_extensions), show_alert=True)
        return
    await query.answer()
    base = max(c.pause_due_at, svc.now()).astimezone(svc.tz).date()
    rows = [
        [
            (
                t(lang, "sp.btn.more_days", days=d, date=sp.last_day(svc, base, d).strftime("%m-%d")),
                SuppCb(action="ext", cid=c.id, n=d).pack(),
            )
        ]
        for d in r.extension_days
    ]
    await query.message.answer(
        t(lang, "sp.ask_more", receipt=c.receipt_no, due=svc.fmt(c.pause_due_at, lang), left=left),
        reply_markup=markup(rows),
    )


@router.callback_query(SuppCb.filter(F.action == "ext"))
async def more_set(
    query: CallbackQuery, callback_data: SuppCb, session: AsyncSession, svc: Services, lang: str, principal: Principal
) -> None:
    c = await _own_paused(query, session, lang, principal, callback_data.cid)
    if c is None:
        return
    try:
        await sp.more_time(session, svc, principal, c, callback_data.n)
    except sp.Limit:
        await query.answer(t(lang, "sp.more_limit", max=sp.rule().max_extensions), show_alert=True)
        return
    except ValueError:  # a forged number of days
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await session.commit()
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t(lang, "sp.more_done", due=svc.fmt(c.pause_due_at, lang)))


async def status_block(message: Message, svc: Services, c, lang: str) -> None:
    """/status of a complaint with an open request: what is asked, by when, and the answer buttons."""
    if not sp.awaiting(c):
        return
    if sp.expired(c):
        await message.answer(
            t(lang, "sp.status_expired", receipt=c.receipt_no, what=escape(sp.what_missing(c))),
            reply_markup=markup([[(t(lang, "sp.btn.reply"), SuppCb(action="reply", cid=c.id).pack())]]),
        )
        return
    await message.answer(
        t(lang, "sp.status", receipt=c.receipt_no, due=svc.fmt(c.pause_due_at, lang), what=escape(sp.what_missing(c))),
        reply_markup=markup(sp.resident_buttons(c, lang)),
    )
