"""Citizens after an answer: 해결됨 / 해결 안 됨, then the 친절 OSS 5-item rating — the same survey,
questions and buttons for a complaint and for a completed one-stop (workflows/ratings.py)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.filters import NOT_COMMAND, SHOWN_AT_STEP
from handlers.callbacks import FeedbackCb, OsRateCb, OsRateMoreCb, RateCb, RateMoreCb, StepCb
from handlers.keyboards import markup
from handlers.states import CitizenForm
from handlers import keyboards as kb
from workflows import ratings
from workflows.complaints import service as complaints
from workflows.complaints.common import NotFound
from workflows.context import Services
from workflows.ratings import RatingError
from workflows.roles import Principal
from workflows.complaints.states import TransitionError
from workflows.texts import t
from workflows.complaints.common import REOPEN_REASON
from handlers.turn import Turn

router = Router(name="feedback")


async def _own(session: AsyncSession, p: Principal, cid: int):
    try:
        c = await complaints.get_visible(session, p, complaint_id=cid)
    except NotFound:
        return None
    return c if c.citizen_id == p.user_id else None


@router.callback_query(FeedbackCb.filter())
async def feedback(query: CallbackQuery, callback_data: FeedbackCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    c = await _own(session, principal, callback_data.cid)
    if c is None or c.state != "answered":
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    if callback_data.resolved:
        await complaints.citizen_close(session, svc, principal, c)
        await session.commit()
        await query.message.answer(t(lang, "citizen.closed"))
    else:
        await state.set_state(CitizenForm.reopen_comment)
        await state.set_data({"cid": c.id})
        await query.message.answer(t(lang, "citizen.ask_reopen"))


@router.message(CitizenForm.reopen_comment, F.text, NOT_COMMAND)
async def reopen_comment(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    data = await state.get_data()
    c = await _own(session, principal, data.get("cid", 0))
    if c is None:
        await state.clear()
        await message.answer(t(lang, "stale_button"))
        return
    text = message.text.strip()
    if (e := REOPEN_REASON.problem(text)) is not None:
        await message.answer(e.text(lang))
        return
    try:
        await complaints.citizen_reopen(session, svc, principal, c, text)
    except TransitionError:
        await state.clear()
        await message.answer(t(lang, "stale_button"))
        return
    await session.commit()
    await state.clear()
    await message.answer(t(lang, "citizen.reopened", receipt=c.receipt_no, deadline=svc.fmt(c.deadline_at, lang)))


@router.message(CitizenForm.reopen_comment, NOT_COMMAND)
async def reopen_text_expected(message: Message, lang: str) -> None:
    await message.answer(t(lang, "citizen.ask_reopen"))


REFUSED = {"already": "rate.already", "handled": "rate.refused.handled", "own_staff": "rate.refused.own_staff"}


def _subject(data: RateCb | RateMoreCb | OsRateCb | OsRateMoreCb) -> dict[str, int]:
    """The survey a button belongs to: a complaint's or a one-stop application's."""
    if isinstance(data, (RateCb, RateMoreCb)):
        return {"complaint_id": data.cid}
    return {"application_id": data.app}


@router.callback_query(RateCb.filter())
@router.callback_query(OsRateCb.filter())
async def rate(
    query: CallbackQuery,
    callback_data: RateCb | OsRateCb,
    state: FSMContext,
    session: AsyncSession,
    svc: Services,
    lang: str,
) -> None:
    try:
        r = await ratings.rate(
            session,
            svc,
            user_id=query.from_user.id,
            item=callback_data.item,
            score=callback_data.score,
            **_subject(callback_data),
        )
    except RatingError as e:
        await query.answer(t(lang, REFUSED.get(e.code, "stale_button")), show_alert=True)
        return
    await session.commit()
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    if callback_data.item == ratings.OVERALL:
        await query.message.answer(
            t(lang, "rate.thanks_overall", score=r.overall),
            reply_markup=markup(
                [
                    [
                        (t(lang, "rate.details_yes"), ratings.details_data(r, True)),
                        (t(lang, "rate.details_no"), ratings.details_data(r, False)),
                    ]
                ]
            ),
        )
        return
    await ask_next(query.message, state, r, lang)


async def ask_next(message: Message, state: FSMContext, r, lang: str) -> None:
    """The next item's question; after the last one, a complaint's survey asks for a comment."""
    item = ratings.next_item(r)
    if item is not None:
        n = ratings.ITEMS.index(item) + 1
        await message.answer(
            t(lang, "rate.item", n=n, item=t(lang, f"rate.item.{item}")),
            reply_markup=markup(ratings.score_buttons(r, item)),
        )
    elif r.service == ratings.COMPLAINT:
        await state.set_state(CitizenForm.rating_comment)
        await state.set_data({"cid": r.complaint_id})
        await message.answer(t(lang, "rate.ask_comment"), reply_markup=kb.step(lang, CitizenForm.rating_comment))
    else:
        await message.answer(t(lang, "rate.done"))


@router.callback_query(RateMoreCb.filter())
@router.callback_query(OsRateMoreCb.filter())
async def rate_more(
    query: CallbackQuery, callback_data: RateMoreCb | OsRateMoreCb, state: FSMContext, session: AsyncSession, lang: str
) -> None:
    try:
        r = await ratings.answers(session, query.from_user.id, **_subject(callback_data))
    except RatingError:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    if callback_data.go and ratings.next_item(r) is not None:
        await ask_next(query.message, state, r, lang)
    else:
        await query.message.answer(t(lang, "rate.done"))


@router.message(CitizenForm.rating_comment, F.text, NOT_COMMAND)
async def rating_comment(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    data = await state.get_data()
    try:
        await ratings.comment(
            session, svc, user_id=message.from_user.id, complaint_id=data.get("cid", 0), text=message.text
        )
    except RatingError as e:
        if e.code == "too_long":
            await message.answer(t(lang, "rate.comment_long", n=len(message.text)))
            return
        await state.clear()
        await message.answer(t(lang, "rate.already"))
        return
    await session.commit()
    await state.clear()
    await message.answer(t(lang, "rate.done"))


@router.callback_query(CitizenForm.rating_comment, StepCb.filter(F.action == "skip"), SHOWN_AT_STEP)
async def rating_comment_skip(query: CallbackQuery, state: FSMContext, lang: str) -> None:
    await query.answer()
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t(lang, "rate.done"))


@router.message(CitizenForm.rating_comment, NOT_COMMAND)
async def rating_comment_expected(message: Message, lang: str) -> None:
    await message.answer(t(lang, "rate.ask_comment"), reply_markup=kb.step(lang, CitizenForm.rating_comment))
