"""/broadcast (admins; workflows/broadcast.py): audience with counts → text or one photo → the
preview exactly as it will be sent → send through the outbox → the delivery report on demand."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import BroadcastCb
from handlers.filters import NOT_COMMAND
from handlers.keyboards import markup
from handlers.replies import allowed, answer_in
from handlers.states import resumes
from workflows import broadcast as bc
from workflows.context import Services
from workflows.roles import Principal
from workflows.texts import escape, t
from handlers.turn import Turn

router = Router(name="broadcast")


class BroadcastForm(StatesGroup):
    audience = State()
    text = State()
    confirm = State()


def _btn(label: str, action: str, v: str = "", at: int = 0, d: str = "") -> tuple[str, str]:
    return label, BroadcastCb(action=action, v=v, d=d, at=at).pack()


async def _audience_screen(message: Message, session: AsyncSession, svc: Services, lang: str) -> None:
    staff = len(await bc.recipients(session, svc, bc.Audience(bc.STAFF)))
    residents = len(await bc.recipients(session, svc, bc.Audience(bc.RESIDENTS)))
    await message.answer(
        t(lang, "bc.ask_audience"),
        reply_markup=markup(
            [
                [_btn(t(lang, "bc.btn.staff", n=staff), "aud", bc.STAFF)],
                [_btn(t(lang, "bc.btn.departments"), "depts")],
                [_btn(t(lang, "bc.btn.residents", n=residents), "aud", bc.RESIDENTS)],
            ]
        ),
    )


async def _ask_text(message: Message, svc: Services, lang: str, a: bc.Audience, n: int) -> None:
    text = t(lang, "bc.ask_text", audience=escape(a.name(svc, lang)), n=n)
    if a.kind == bc.RESIDENTS:
        text += "\n\n" + t(lang, "bc.ask_text_residents")
    await message.answer(text)


async def _preview(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    """The message exactly as the recipients get it, then the confirmation with the count."""
    data = await state.get_data()
    a = bc.parse_audience(data.get("aud"), svc)
    method, params = bc.render(data.get("text"), data.get("photo"))
    n = len(await bc.recipients(session, svc, a))
    await message.answer(t(lang, "bc.preview_head"))
    if method == "sendPhoto":
        await message.answer_photo(params["photo"], caption=params.get("caption"), parse_mode=params.get("parse_mode"))
    else:
        await message.answer(params["text"], parse_mode=params["parse_mode"])
    at = data["at"]
    await message.answer(
        t(lang, "bc.confirm", audience=escape(a.name(svc, lang)), n=n),
        reply_markup=markup(
            [
                [_btn(t(lang, "bc.btn.send"), "send", at=at)],
                [_btn(t(lang, "bc.btn.rewrite"), "rewrite", at=at), _btn(t(lang, "bc.btn.cancel"), "cancel", at=at)],
            ]
        ),
    )


@resumes(BroadcastForm)
async def show_where(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    current = await state.get_state()
    data = await state.get_data()
    a = bc.parse_audience(data.get("aud"), svc)
    if current == BroadcastForm.confirm.state and a is not None:
        await _preview(message, state, session, svc, lang)
    elif current == BroadcastForm.text.state and a is not None:
        await _ask_text(message, svc, lang, a, len(await bc.recipients(session, svc, a)))
    else:
        await _audience_screen(message, session, svc, lang)


@router.message(Command("broadcast"))
async def broadcast_cmd(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    if not principal.is_admin:
        await message.answer(t(lang, "bc.admins_only"))
        return
    if message.chat.type != "private":
        await message.answer(t(lang, "bc.private_only"))
        return
    await state.set_state(BroadcastForm.audience)
    await state.set_data({})
    await _audience_screen(message, session, svc, lang)


async def _admin_in_form(
    query: CallbackQuery, state: FSMContext, lang: str, principal: Principal, step: State | None
) -> dict | None:
    """The form's data when an admin presses a button of the step it is at, else None (answered)."""
    if not await allowed(query, lang, principal.is_admin):
        return None
    if step is not None and await state.get_state() != step.state:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return None
    return await state.get_data()


@router.callback_query(BroadcastCb.filter(F.action == "depts"))
async def departments(query: CallbackQuery, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    if await _admin_in_form(query, state, lang, principal, BroadcastForm.audience) is None:
        return
    await query.answer()
    rows, row = [], []
    for d in svc.district.departments.values():
        n = len(await bc.recipients(session, svc, bc.Audience(bc.DEPARTMENT, d.code)))
        row.append(_btn(f"{d.name(lang)[:40]} ({n})", "aud", bc.DEPARTMENT, d=d.code))
        if len(row) == 2:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    await query.message.answer(t(lang, "bc.ask_department"), reply_markup=markup(rows))


@router.callback_query(BroadcastCb.filter(F.action == "aud"))
async def audience(query: CallbackQuery, callback_data: BroadcastCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    if await _admin_in_form(query, state, lang, principal, BroadcastForm.audience) is None:
        return
    a = bc.parse_audience(f"{callback_data.v}:{callback_data.d}" if callback_data.d else callback_data.v, svc)
    if a is None:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    n = len(await bc.recipients(session, svc, a))
    if not n:
        await query.message.answer(t(lang, "bc.nobody", audience=escape(a.name(svc, lang))))
        return
    await state.set_state(BroadcastForm.text)
    await state.set_data({"aud": a.code})
    await _ask_text(query.message, svc, lang, a, n)


async def _take(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    svc: Services,
    lang: str,
    text: str | None,
    photo: str | None,
) -> None:
    try:
        bc.render(text, photo)
    except bc.BroadcastError as e:
        await message.answer(e.text(lang))  # the step stays: they may send it again
        return
    await state.update_data(text=text, photo=photo, at=message.message_id)
    await state.set_state(BroadcastForm.confirm)
    await _preview(message, state, session, svc, lang)


@router.message(BroadcastForm.text, F.text, NOT_COMMAND)
async def text_step(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    if not principal.is_admin:  # the role ended while the form was open
        await state.clear()
        await message.answer(t(lang, "bc.admins_only"))
        return
    await _take(message, state, session, svc, lang, message.text, None)


@router.message(BroadcastForm.text, F.photo)
async def photo_step(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    if not principal.is_admin:  # the role ended while the form was open
        await state.clear()
        await message.answer(t(lang, "bc.admins_only"))
        return
    await _take(message, state, session, svc, lang, message.caption, message.photo[-1].file_id)


answer_in(router, "bc.text_or_photo", BroadcastForm.text)


@router.message(BroadcastForm.confirm, F.photo)
async def second_photo(message: Message, lang: str) -> None:
    await message.answer(t(lang, "bc.one_photo"))


answer_in(router, "cf.use_buttons", BroadcastForm.audience, BroadcastForm.confirm)


@router.callback_query(BroadcastCb.filter(F.action.in_({"send", "rewrite", "cancel"})))
async def confirm(query: CallbackQuery, callback_data: BroadcastCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    data = await _admin_in_form(query, state, lang, principal, BroadcastForm.confirm)
    if data is None:
        return
    if data.get("at") != callback_data.at:  # the button of an earlier preview
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    a = bc.parse_audience(data.get("aud"), svc)
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    if callback_data.action == "cancel":
        await state.clear()
        await query.message.answer(t(lang, "bc.cancelled"))
        return
    if callback_data.action == "rewrite":
        await state.set_state(BroadcastForm.text)
        await _ask_text(query.message, svc, lang, a, len(await bc.recipients(session, svc, a)))
        return
    try:
        sent = await bc.send(session, svc, principal, a, data.get("text"), data.get("photo"))
    except bc.BroadcastError as e:
        await state.clear()
        await query.message.answer(e.text(lang))
        return
    await session.commit()
    await state.clear()
    await query.message.answer(
        t(lang, "bc.queued", audience=escape(a.name(svc, lang)), n=sent.recipients),
        reply_markup=markup([[_btn(t(lang, "bc.btn.report"), "report", at=sent.token)]]),
    )


@router.callback_query(BroadcastCb.filter(F.action == "report"))
async def delivery_report(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    session: AsyncSession,
    svc: Services,
    lang: str,
    principal: Principal,
) -> None:
    if not await allowed(query, lang, principal.is_admin):
        return
    counts = await bc.report(session, principal.user_id, callback_data.at)
    if counts is None:
        await query.answer(t(lang, "bc.report_none"), show_alert=True)
        return
    await query.answer()
    await query.message.answer(
        t(
            lang,
            "bc.report",
            at=svc.fmt(svc.now(), lang),
            total=sum(counts.values()),
            sent=counts["sent"],
            blocked=counts["blocked"],
            failed=counts["failed"] + counts["cancelled"],
            pending=counts["pending"],
        ),
        reply_markup=markup([[_btn(t(lang, "bc.btn.report"), "report", at=callback_data.at)]]),
    )
