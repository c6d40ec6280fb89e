"""Residents: /moving (전입주민 생활정보), 수신 거부 and the follow-up question; editors: /newsletter.

Thin: parsing, keyboards and replies. The rules (dates, tailoring, consent, the send date) are in
workflows/new_residents/service.py and workflows/new_residents/newsletter.py.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import METHODS
from handlers import media
from handlers.filters import NOT_COMMAND
from handlers.keyboards import grid, markup
from handlers.privacy import privacy_section, show_privacy
from handlers.replies import answer_in
from handlers.states import Form, Steps, resumes
from handlers.entries import entry
from workflows import users
from workflows.new_residents import service as new_residents
from workflows.new_residents import newsletter
from workflows.context import Services
from workflows.errors import DomainError
from workflows.district_info import DistrictDataError
from workflows.new_residents.service import FACTS, DateError, Household
from workflows.new_residents.newsletter import NewsletterError
from workflows.texts import escape, t
from handlers.turn import Turn

log = logging.getLogger(__name__)
router = Router(name="moving")


class NrCb(CallbackData, prefix="nr"):  # workflows.new_residents.STOP_CB / ASK_CB are these packed
    action: str  # stop, ask, again


class DongCb(CallbackData, prefix="nrd"):
    name: str


class HouseCb(CallbackData, prefix="nrh"):
    q: str  # head_age or one of FACTS
    v: str  # an age band code, y, n, skip, rest (skip the rest)


class ConsentCb(CallbackData, prefix="nrc"):
    action: str  # agree, refuse
    form: str


class TopicCb(CallbackData, prefix="nrt"):
    code: str


class NlCb(CallbackData, prefix="nl"):
    action: str  # skip, confirm, rewrite, cancel
    form: str


MovingForm = Steps("MovingForm", "date dong household consent", typed="date")


class QuestionForm(StatesGroup):
    topic = State()
    text = State()


class NewsletterForm(StatesGroup):
    text = State()
    photo = State()
    links = State()
    confirm = State()


QUESTIONS = ("head_age",) + FACTS
QUESTION_TEXTS = {
    "head_age": "nr.ask.head_age",
    "children_under_7": "nr.ask.children_under_7",
    "school_age_children": "nr.ask.school_age_children",
    "seniors_65": "nr.ask.seniors_65",
    "pet": "nr.ask.pet",
    "car": "nr.ask.car",
}
FACT_LABELS = {
    "children_under_7": "nr.label.children_under_7",
    "school_age_children": "nr.label.school_age_children",
    "seniors_65": "nr.label.seniors_65",
    "pet": "nr.label.pet",
    "car": "nr.label.car",
}


def stop_markup(lang: str, *, again: bool = False):
    rows = [[(t(lang, "nr.btn.again"), NrCb(action="again").pack())]] if again else []
    return markup(rows + new_residents.stop_buttons(lang))


# --- /moving --------------------------------------------------------------------------------


@entry("moving")
@router.message(Command("moving"))
async def moving_cmd(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    sub = await new_residents.subscription(session, message.from_user.id)
    if sub is not None:
        await message.answer(
            t(
                lang,
                "nr.already",
                dong=escape(svc.district.dong_name(sub.dong, lang)),
                date=sub.moved_in_on.isoformat(),
            ),
            reply_markup=stop_markup(lang, again=True),
        )
        return
    await begin(message, state, svc, lang)


@router.callback_query(NrCb.filter(F.action == "again"))
async def again(query: CallbackQuery, state: FSMContext, svc: Services, lang: str) -> None:
    await query.answer()
    await begin(query.message, state, svc, lang)


@resumes(MovingForm, QuestionForm)
async def show_step(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    """Where the form is now (a stale button, or something it did not take)."""
    current = await state.get_state()
    if await FORM.ask_again(message, state, svc, lang):
        return
    if current == QuestionForm.topic.state:
        await ask_topic(message, lang)
    elif (topic := new_residents.settings().topics.get((await state.get_data()).get("topic", ""))) is not None:
        await message.answer(t(lang, "nr.q.ask_text", topic=escape(topic.name(lang))))


async def begin(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    await state.set_data({"form_id": uuid.uuid4().hex})
    await FORM.goto(message, state, svc, lang, "date")


async def question(message: Message, state: FSMContext, svc: Services, lang: str, step: str) -> None:
    """One step's question (handlers/states.Form: the chat is at that step)."""
    if step == "date":
        await message.answer(t(lang, "nr.intro", day=new_residents.settings().newsletter.send_day))
    elif step == "dong":
        await ask_dong(message, state, svc, lang)
    elif step == "household":
        await ask_household(message, state, svc, lang)
    else:
        await show_consent(message, state, lang, svc)


FORM = Form(steps=MovingForm, ask=question, summary="consent")


@router.message(MovingForm.date, F.text, NOT_COMMAND)
async def got_date(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    cfg = new_residents.settings()
    try:
        d = new_residents.parse_move_in_date(message.text, svc.now().astimezone(svc.tz).date(), cfg)
    except DateError as e:
        if e.code == "past":
            await message.answer(t(lang, "nr.date_past", date=e.value.isoformat(), days=cfg.past_days))
        elif e.code == "future":
            await message.answer(t(lang, "nr.date_future", date=e.value.isoformat(), days=cfg.future_days))
        else:
            await message.answer(t(lang, "nr.date_format"))
        return
    await state.update_data(date=d.isoformat())
    await FORM.advance(message, state, svc, lang)


answer_in(router, "nr.date_format", MovingForm.date)


async def ask_dong(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    dongs = [(svc.district.dong_name(d, lang), DongCb(name=d)) for d in svc.district.dongs]
    kb = grid(dongs, 2 if lang == "en" else 3)  # English: "Jayang 1-dong (자양1동)", two to a row
    await message.answer(t(lang, "nr.ask_dong", date=(await state.get_data())["date"]), reply_markup=kb)


@router.callback_query(MovingForm.dong, DongCb.filter())
async def got_dong(query: CallbackQuery, callback_data: DongCb, state: FSMContext, svc: Services, lang: str) -> None:
    await query.answer()
    if callback_data.name not in svc.district.dongs:
        await query.message.answer(t(lang, "stale_button"))
        return
    await state.update_data(dong=callback_data.name, q=0)
    await FORM.advance(query.message, state, svc, lang)


@router.message(MovingForm.dong, NOT_COMMAND)
async def dong_expected(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    await FORM.ask_again(message, state, svc, lang)


async def ask_household(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    """The next household question; after the last (or "skip the rest"), on to the consent."""
    data = await state.get_data()
    idx = data.get("q", 0)
    if idx >= len(QUESTIONS):
        await FORM.advance(message, state, svc, lang)
        return
    q = QUESTIONS[idx]
    answers: list[tuple[str, HouseCb]]
    if q == "head_age":
        bands = new_residents.settings()
        answers = [(bands.age_band(code, lang) or code, HouseCb(q=q, v=code)) for code in bands.age_bands]
        sizes = [3, 3]
    else:
        answers = [(t(lang, "nr.btn.yes"), HouseCb(q=q, v="y")), (t(lang, "nr.btn.no"), HouseCb(q=q, v="n"))]
        sizes = [2]
    answers += [(t(lang, "btn.skip"), HouseCb(q=q, v="skip")), (t(lang, "nr.btn.skip_all"), HouseCb(q=q, v="rest"))]
    await message.answer(
        t(lang, QUESTION_TEXTS[q], dong=escape(svc.district.dong_name(data["dong"], lang)), date=data["date"]),
        reply_markup=grid(answers, *sizes, 2),
    )


@router.callback_query(MovingForm.household, HouseCb.filter())
async def got_household(
    query: CallbackQuery, callback_data: HouseCb, state: FSMContext, svc: Services, lang: str
) -> None:
    data = await state.get_data()
    idx = data.get("q", 0)
    q, v = callback_data.q, callback_data.v
    valid = (
        v in ("skip", "rest")
        or (q == "head_age" and v in new_residents.settings().age_bands)
        or (q != "head_age" and v in ("y", "n"))
    )
    if idx >= len(QUESTIONS) or QUESTIONS[idx] != q or not valid:
        raise SkipHandler()  # a question already answered: stale, shown where the form is (handlers/fallback.py)
    await query.answer()
    update = {"q": len(QUESTIONS) if v == "rest" else idx + 1}
    if v not in ("skip", "rest"):
        update[q] = v if q == "head_age" else v == "y"
    await state.update_data(**update)
    await FORM.ask_again(query.message, state, svc, lang)


@router.message(MovingForm.household, NOT_COMMAND)
async def household_expected(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    await FORM.ask_again(message, state, svc, lang)


def household_text(h: Household, lang: str) -> str:
    parts = []
    if h.head_age:
        parts.append(t(lang, "nr.label.head_age", band=new_residents.settings().age_band(h.head_age, lang)))
    for fact in FACTS:
        answer = getattr(h, fact)
        if answer is not None:
            parts.append(t(lang, FACT_LABELS[fact], answer=t(lang, "nr.has" if answer else "nr.has_not")))
    return " · ".join(parts) or t(lang, "nr.household_none")


async def show_consent(message: Message, state: FSMContext, lang: str, svc: Services) -> None:
    data = await state.get_data()
    summary = t(
        lang,
        "nr.summary",
        date=data["date"],
        dong=escape(svc.district.dong_name(data["dong"], lang)),
        household=household_text(Household.from_dict(data), lang),
    )
    await message.answer(
        t(lang, "nr.consent", days=new_residents.settings().retention_days, summary=summary),
        reply_markup=markup(
            [
                [(t(lang, "nr.btn.agree"), ConsentCb(action="agree", form=data["form_id"]).pack())],
                [(t(lang, "nr.btn.refuse"), ConsentCb(action="refuse", form=data["form_id"]).pack())],
            ]
        ),
    )


answer_in(router, "cf.use_buttons", MovingForm.consent)


@router.callback_query(ConsentCb.filter())
async def consent(
    query: CallbackQuery, callback_data: ConsentCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    data = await state.get_data()
    if await state.get_state() != MovingForm.consent.state or data.get("form_id") != callback_data.form:
        raise SkipHandler()  # stale: shown where the form is (handlers/fallback.py)
    await query.answer()
    if callback_data.action != "agree":
        await state.clear()
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(t(lang, "nr.refused"))
        return
    try:
        await new_residents.subscribe(
            session,
            svc,
            user_id=query.from_user.id,
            dong=data["dong"],
            moved_in_on=date.fromisoformat(data["date"]),
            household=Household.from_dict(data),
        )
    except DistrictDataError:
        log.exception("new-resident data files are invalid")
        await session.rollback()
        await query.message.answer(t(lang, "nr.data_unavailable"))
        return
    await session.commit()
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(
        t(
            lang,
            "nr.subscribed",
            dong=escape(svc.district.dong_name(data["dong"], lang)),
            next=newsletter.next_send_text(svc, lang),
        ),
        reply_markup=stop_markup(lang),
    )


# --- 수신 거부 (on every message of the feature) and /privacy ------------------------------------


@router.callback_query(NrCb.filter(F.action == "stop"))
async def stop(query: CallbackQuery, session: AsyncSession, lang: str) -> None:
    stopped = await new_residents.unsubscribe(session, query.from_user.id)
    await session.commit()
    await query.answer()
    await query.message.answer(t(lang, "nr.stopped" if stopped else "nr.stop_nothing"))


@privacy_section
async def subscription_section(message: Message, session: AsyncSession, svc: Services, lang: str, user_id: int) -> None:
    """Shown under /privacy: the subscription, with the button that stops it at once."""
    sub = await new_residents.subscription(session, user_id)
    consent_row = await users.active_consent(session, user_id, new_residents.settings().consent_purpose)
    if sub is None or consent_row is None:
        return
    await message.answer(
        t(
            lang,
            "nr.privacy_status",
            at=svc.fmt(consent_row.granted_at, lang),
            dong=escape(svc.district.dong_name(sub.dong, lang)),
        ),
        reply_markup=stop_markup(lang),
    )


# --- the follow-up question ("anything we can help with?") -------------------------------------


@router.callback_query(NrCb.filter(F.action == "ask"))
async def ask(query: CallbackQuery, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    await query.answer()
    if await users.active_consent(session, query.from_user.id) is None:
        await query.message.answer(t(lang, "nr.q.need_consent"))
        await show_privacy(query.message, session, svc, lang, query.from_user.id)
        return
    await state.set_data({"form_id": uuid.uuid4().hex})
    await state.set_state(QuestionForm.topic)
    await ask_topic(query.message, lang)


async def ask_topic(message: Message, lang: str) -> None:
    topics = [(topic.name(lang), TopicCb(code=topic.code)) for topic in new_residents.settings().topics.values()]
    await message.answer(t(lang, "nr.q.ask_topic"), reply_markup=grid(topics, 2))


@router.callback_query(QuestionForm.topic, TopicCb.filter())
async def got_topic(query: CallbackQuery, callback_data: TopicCb, state: FSMContext, lang: str) -> None:
    topic = new_residents.settings().topics.get(callback_data.code)
    if topic is None:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    await state.update_data(topic=topic.code)
    await state.set_state(QuestionForm.text)
    await query.message.answer(t(lang, "nr.q.ask_text", topic=escape(topic.name(lang))))


@router.message(QuestionForm.topic, NOT_COMMAND)
async def topic_expected(message: Message, lang: str) -> None:
    await ask_topic(message, lang)


@router.message(QuestionForm.text, F.text, NOT_COMMAND)
async def got_question(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    text, data = message.text.strip(), await state.get_data()
    try:
        c, _ = await new_residents.file_question(
            session,
            svc,
            user_id=message.from_user.id,
            topic=data.get("topic", ""),
            text=text,
            submit_key=data.get("form_id", ""),
        )
    except DomainError as e:  # too short, too long, a resident registration number
        await message.answer(e.text(lang))
        return
    except ValueError:
        await state.clear()
        await message.answer(t(lang, "stale_button"))
        return
    await session.commit()
    await state.clear()
    await message.answer(
        t(
            lang,
            "nr.q.filed",
            receipt=c.receipt_no,
            department=escape(svc.district.department(c.department_code).name(lang)),
            deadline=svc.fmt(c.deadline_at, lang),
        )
    )


@router.message(QuestionForm.text, NOT_COMMAND)
async def question_expected(message: Message, lang: str) -> None:
    await message.answer(t(lang, "nr.q.text_expected"))


# --- /newsletter: the editor prepares the month's issue -------------------------------------------


async def _issue_facts(session: AsyncSession, svc: Services, lang: str) -> dict:
    y, m = newsletter.issue_month(svc)
    return {
        "month": newsletter.month_key(y, m),
        "send_at": svc.fmt(newsletter.send_at(svc, y, m), lang),
        "subscribers": await newsletter.subscriber_count(session),
    }


async def _nl_error(message: Message, lang: str, e: NewsletterError, **kb) -> None:
    await message.answer(e.text(lang), **kb)


@router.message(Command("newsletter"))
async def newsletter_cmd(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    if not newsletter.is_editor(principal):
        await message.answer(t(lang, "not_allowed"))
        return
    await nl_begin(message, state, session, svc, lang, uuid.uuid4().hex)


async def nl_begin(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, form_id: str
) -> None:
    facts = await _issue_facts(session, svc, lang)
    existing = await newsletter.current_issue(session, svc)
    if existing is not None and existing.status != newsletter.SCHEDULED:
        await state.clear()
        await message.answer(t(lang, "nl.err.already_sent", month=existing.month))
        return
    await state.set_data({"form_id": form_id})
    await state.set_state(NewsletterForm.text)
    await message.answer(
        t(lang, "nl.start", existing=t(lang, "nl.existing") if existing else "", max=newsletter.cfg().text_max, **facts)
    )


def _skip(lang: str, form_id: str):
    return markup([[(t(lang, "btn.skip"), NlCb(action="skip", form=form_id).pack())]])


@router.message(NewsletterForm.text, F.text, NOT_COMMAND)
async def nl_text(message: Message, state: FSMContext, lang: str) -> None:
    try:
        text = newsletter.check_text(message.html_text, has_photo=False)
    except NewsletterError as e:
        await _nl_error(message, lang, e)
        return
    await state.update_data(text=text, links=None, photo=None)
    await nl_ask_photo(message, state, lang)


@router.message(NewsletterForm.text, F.document)
async def nl_file(message: Message, state: FSMContext, lang: str, bot: Bot) -> None:
    """An issue loaded from a .txt/.md file (links written as [label](https://...) lines)."""
    doc, c = message.document, newsletter.cfg()
    try:
        if (doc.file_size or 0) > c.file_max_bytes:
            raise NewsletterError("file_size", max=c.file_max_bytes // 1024)
        if not (doc.file_name or "").lower().endswith((".txt", ".md")):
            raise NewsletterError("file_type")
        try:
            data = (await bot.download(doc)).getvalue()
        except (TelegramAPIError, OSError):
            await message.answer(t(lang, "nl.file_failed"))
            return
        draft = newsletter.parse_file(data, doc.file_name, c)
    except NewsletterError as e:
        await _nl_error(message, lang, e)
        return
    await state.update_data(text=draft.text, links=draft.links or None, photo=None)
    await nl_ask_photo(message, state, lang)


@router.message(NewsletterForm.text, NOT_COMMAND)
async def nl_text_expected(message: Message, lang: str) -> None:
    await message.answer(t(lang, "nl.text_expected"))


async def nl_ask_photo(message: Message, state: FSMContext, lang: str) -> None:
    await state.set_state(NewsletterForm.photo)
    form_id = (await state.get_data())["form_id"]
    await message.answer(t(lang, "nl.ask_photo", max=newsletter.cfg().caption_max), reply_markup=_skip(lang, form_id))


@router.message(NewsletterForm.photo, media.ANY_FILE)
async def nl_photo(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, bot: Bot
) -> None:
    """A photo, or an image sent as a file (workflows/attachments.py); other files are refused."""
    data = await state.get_data()
    if problem := media.refusal(message, lang):
        await message.answer(problem, reply_markup=_skip(lang, data["form_id"]))
        return
    try:
        newsletter.check_text(data["text"], has_photo=True)
    except NewsletterError as e:
        await _nl_error(message, lang, e, reply_markup=_skip(lang, data["form_id"]))
        return
    got = await media.take_image(message, bot, lang, reply_markup=_skip(lang, data["form_id"]))
    if got is None:
        return
    await state.update_data(photo=got[0])
    await nl_after_photo(message, state, session, svc, lang, bot)


@router.message(NewsletterForm.photo, NOT_COMMAND)
async def nl_photo_expected(message: Message, state: FSMContext, lang: str) -> None:
    await message.answer(t(lang, "nl.photo_expected"), reply_markup=_skip(lang, (await state.get_data())["form_id"]))


async def nl_after_photo(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, bot: Bot
) -> None:
    data = await state.get_data()
    if data.get("links"):  # a file brought its own links
        await nl_preview(message, state, session, svc, lang, bot)
        return
    await state.set_state(NewsletterForm.links)
    await message.answer(
        t(lang, "nl.ask_links", max=newsletter.cfg().max_links), reply_markup=_skip(lang, data["form_id"])
    )


@router.message(NewsletterForm.links, F.text, NOT_COMMAND)
async def nl_links(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, bot: Bot
) -> None:
    try:
        links = newsletter.parse_links(message.text)
    except NewsletterError as e:
        await _nl_error(message, lang, e, reply_markup=_skip(lang, (await state.get_data())["form_id"]))
        return
    await state.update_data(links=links)
    await nl_preview(message, state, session, svc, lang, bot)


@router.message(NewsletterForm.links, NOT_COMMAND)
async def nl_links_expected(message: Message, state: FSMContext, lang: str) -> None:
    await message.answer(
        t(lang, "nl.ask_links", max=newsletter.cfg().max_links),
        reply_markup=_skip(lang, (await state.get_data())["form_id"]),
    )


@router.callback_query(StateFilter(NewsletterForm.photo, NewsletterForm.links), NlCb.filter(F.action == "skip"))
async def nl_skip(
    query: CallbackQuery,
    callback_data: NlCb,
    state: FSMContext,
    session: AsyncSession,
    svc: Services,
    lang: str,
    bot: Bot,
) -> None:
    if (await state.get_data()).get("form_id") != callback_data.form:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    if await state.get_state() == NewsletterForm.photo.state:
        await state.update_data(photo=None)
        await nl_after_photo(query.message, state, session, svc, lang, bot)
    else:
        await state.update_data(links=[])
        await nl_preview(query.message, state, session, svc, lang, bot)


async def nl_preview(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, bot: Bot
) -> None:
    """The message exactly as subscribers will get it, then 확정 / 다시 쓰기 / 취소."""
    data = await state.get_data()
    method, params = newsletter.render(data["text"], data.get("photo"), data.get("links") or [], lang)
    await message.answer(t(lang, "nl.preview_title"))
    await bot(METHODS[method](chat_id=message.chat.id, **params))
    await state.set_state(NewsletterForm.confirm)
    form_id, facts = data["form_id"], await _issue_facts(session, svc, lang)
    await message.answer(
        t(lang, "nl.confirm", **facts),
        reply_markup=markup(
            [
                [(t(lang, "nl.btn.confirm"), NlCb(action="confirm", form=form_id).pack())],
                [
                    (t(lang, "nl.btn.rewrite"), NlCb(action="rewrite", form=form_id).pack()),
                    (t(lang, "nl.btn.cancel"), NlCb(action="cancel", form=form_id).pack()),
                ],
            ]
        ),
    )


answer_in(router, "cf.use_buttons", NewsletterForm.confirm)


@router.callback_query(NlCb.filter(F.action.in_({"confirm", "rewrite", "cancel"})))
async def nl_decide(query: CallbackQuery, callback_data: NlCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    data = await state.get_data()
    if (
        await state.get_state() != NewsletterForm.confirm.state
        or data.get("form_id") != callback_data.form
        or not newsletter.is_editor(principal)
    ):
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    if callback_data.action == "cancel":
        await state.clear()
        await query.message.answer(t(lang, "nl.cancelled"))
        return
    if callback_data.action == "rewrite":
        await nl_begin(query.message, state, session, svc, lang, data["form_id"])
        return
    draft = newsletter.Draft(
        text=data["text"], photo=data.get("photo"), links=[tuple(x) for x in data.get("links") or []]
    )
    try:
        issue = await newsletter.schedule(session, svc, editor_id=query.from_user.id, draft=draft)
    except NewsletterError as e:
        await state.clear()
        await _nl_error(query.message, lang, e)
        return
    await session.commit()
    await state.clear()
    await query.message.answer(t(lang, "nl.scheduled", month=issue.month, send_at=svc.fmt(issue.send_at, lang)))
