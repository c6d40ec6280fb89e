"""/opinion: the monthly opinion days (소통 Day).

Residents subscribe (opt-in, with consent), answer the poll and send up to 3 opinions on the day;
an edit (a button, or editing the Telegram message) replaces one. Officers of the configured
소통 department prepare the next topic (title, background with an optional photo or link, the
question, an optional native poll), approve or edit the automatic analysis draft and publish it,
then record per theme what was reflected in policy and publish that. Rules live in
workflows/opinion_days/service.py; this module parses, calls and renders.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, PollAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import RESULT_HOOKS
from handlers import media
from handlers.states import Form, Steps, resumes
from handlers.callbacks import Num
from handlers.filters import NOT_COMMAND
from handlers.keyboards import grid, markup
from handlers.replies import answer_in
from handlers.entries import entry
from workflows.opinion_days import service as od
from workflows.context import Services
from workflows.opinion_days.service import OpinionError, cb, fmt_day
from workflows.roles import Principal
from workflows.texts import escape, t
from handlers.turn import Turn

router = Router(name="opinion")


class OpdCb(CallbackData, prefix="opd"):  # workflows.opinion_days.cb builds the same strings
    action: str
    tid: Num = 0
    n: Num = 0
    s: str = ""


class OpinionForm(StatesGroup):
    text = State()  # data: tid, slot (None = a new opinion)


# the preview (a summary that reads the database: subscribers, the topic it would replace) is shown
# by _preview, not asked by the form helper
OpinionPrep = Steps(
    "OpinionPrep", "title background link question poll options preview", typed="title background link question options"
)


class OpinionStaff(StatesGroup):
    analysis_text = State()  # data: tid
    theme_note = State()  # data: tid, theme, status


async def _poll_sent(session: AsyncSession, row, result) -> None:
    """Delivery result hook: remember which topic and resident a sent poll belongs to."""
    if getattr(result, "poll", None) is not None:
        await od.record_poll_sent(session, dedup_key=row.dedup_key, poll_id=result.poll.id)


RESULT_HOOKS["sendPoll"] = _poll_sent


def _err(lang: str, e: OpinionError) -> str:
    return t(lang, e.code, **{k: escape(str(v)) for k, v in e.kw.items()})  # e.g. theme keywords residents wrote


def _staff(svc: Services, p: Principal) -> bool:
    return od.is_organiser(svc, p)


async def _refuse_non_staff(query: CallbackQuery, svc: Services, lang: str) -> None:
    dept = svc.district.department(od.config(svc).department).name(lang)
    await query.answer(t(lang, "opd.not_staff", department=dept), show_alert=True)


# --- the resident's home screen -----------------------------------------------------------------


async def show_home(message: Message, session: AsyncSession, svc: Services, lang: str, p: Principal) -> None:
    c = od.config(svc)
    uid = p.user_id
    prof = await od.profile(session, uid)
    subscribed = bool(prof and prof.active)
    dong = t(lang, "opd.home.dong", dong=escape(svc.district.dong_name(prof.dong, lang))) if prof and prof.dong else ""
    status = t(lang, "opd.home.subscribed", dong=dong) if subscribed else t(lang, "opd.home.not_subscribed")
    rows: list[list[tuple[str, str]]] = []
    today = ""
    topic = await od.open_topic(session, svc)
    if topic is not None:
        mine = len(await od.my_opinions(session, topic.id, uid))
        today = t(
            lang,
            "opd.home.today",
            title=escape(topic.title),
            question=escape(topic.question),
            mine=mine,
            n=c.per_person,
        )
        rows.append([(t(lang, "opd.btn.write"), cb("write", topic.id))])
        if mine:
            rows.append([(t(lang, "opd.btn.mine"), cb("mine", topic.id))])
    rows.append(
        [(t(lang, "opd.btn.unsubscribe"), cb("unsub"))] if subscribed else [(t(lang, "opd.btn.subscribe"), cb("sub"))]
    )
    rows.append([(t(lang, "opd.btn.dong"), cb("dongask"))])
    nxt = od.next_day(svc)
    text = t(
        lang,
        "opd.home",
        n=c.per_person,
        chars=f"{c.max_chars:,}",
        analysis_days=c.analysis_days,
        answer_days=c.answer_days,
        next=fmt_day(nxt, lang),
        status=status,
        today=today,
    )
    if not subscribed and not await od.has_consent(session, uid):
        text += "\n\n" + t(lang, "opd.privacy")
    if _staff(svc, p):
        planned = await od.topic_on(session, nxt)
        prepared = (
            t(lang, "opd.home.prepared", title=escape(planned.title)) if planned else t(lang, "opd.home.unprepared")
        )
        text += t(
            lang,
            "opd.home.staff",
            department=escape(svc.district.department(c.department).name(lang)),
            prepared=prepared,
        )
        rows.append([(t(lang, "opd.btn.prepare"), cb("prep")), (t(lang, "opd.btn.board"), cb("board"))])
    await message.answer(text, reply_markup=markup(rows))


@entry("opinion")
@router.message(Command("opinion"))
async def opinion_cmd(message: Message, session: AsyncSession, svc: Services, lang: str, principal: Principal) -> None:
    await show_home(message, session, svc, lang, principal)


def _dong_keyboard(svc: Services, lang: str):
    dongs = [(svc.district.dong_name(d, lang), OpdCb(action="dong", n=i)) for i, d in enumerate(svc.district.dongs)]
    skip = (t(lang, "btn.skip"), OpdCb(action="dong", n=-1))
    return grid([*dongs, skip], 2 if lang == "en" else 3)  # English: "Jayang 1-dong (자양1동)", two to a row


@router.callback_query(OpdCb.filter(F.action == "sub"))
async def subscribe(query: CallbackQuery, session: AsyncSession, svc: Services, lang: str) -> None:
    await query.answer()
    if not await od.subscribe(session, svc, query.from_user.id):
        await query.message.answer(t(lang, "opd.already_subscribed"))
        return
    await session.commit()
    await query.message.answer(t(lang, "opd.subscribed"))
    await query.message.answer(t(lang, "opd.ask_dong"), reply_markup=_dong_keyboard(svc, lang))


@router.callback_query(OpdCb.filter(F.action == "unsub"))
async def unsubscribe(query: CallbackQuery, session: AsyncSession, svc: Services, lang: str) -> None:
    await query.answer()
    done = await od.unsubscribe(session, svc, query.from_user.id)
    await query.message.answer(t(lang, "opd.unsubscribed" if done else "opd.not_subscribed"))


@router.callback_query(OpdCb.filter(F.action == "dongask"))
async def ask_dong(query: CallbackQuery, svc: Services, lang: str) -> None:
    await query.answer()
    await query.message.answer(t(lang, "opd.ask_dong"), reply_markup=_dong_keyboard(svc, lang))


@router.callback_query(OpdCb.filter(F.action == "dong"))
async def choose_dong(
    query: CallbackQuery, callback_data: OpdCb, session: AsyncSession, svc: Services, lang: str
) -> None:
    dongs = svc.district.dongs
    if not -1 <= callback_data.n < len(dongs):
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    dong = dongs[callback_data.n] if callback_data.n >= 0 else None
    await od.set_dong(session, svc, query.from_user.id, dong)
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(
        t(lang, "opd.dong_set", dong=escape(svc.district.dong_name(dong, lang)))
        if dong
        else t(lang, "opd.dong_skipped")
    )


# --- opinions ------------------------------------------------------------------------------------


async def _open(query: CallbackQuery, session: AsyncSession, svc: Services, lang: str, tid: int):
    """The topic behind a button if it still takes opinions; otherwise say so."""
    topic = await od.get_topic(session, tid)
    if not od.is_open(svc, topic):
        await query.answer(t(lang, "opd.err.closed"), show_alert=True)
        return None
    return topic


async def _ask_opinion(
    msg: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, topic, uid: int
) -> None:
    c = od.config(svc)
    mine = await od.my_opinions(session, topic.id, uid)
    if len(mine) >= c.per_person:
        await msg.answer(
            t(lang, "opd.err.limit", n=c.per_person),
            reply_markup=markup([[(t(lang, "opd.btn.mine"), cb("mine", topic.id))]]),
        )
        return
    await od.send_poll(session, topic, uid)  # residents who came without the announcement can vote too
    await state.set_state(OpinionForm.text)
    await state.set_data({"tid": topic.id, "slot": None})
    await msg.answer(
        t(
            lang,
            "opd.ask_opinion",
            title=escape(topic.title),
            question=escape(topic.question),
            min=c.min_chars,
            max=c.max_chars,
            slot=len(mine) + 1,
            n=c.per_person,
        )
    )


@router.callback_query(OpdCb.filter(F.action.in_({"write", "cwrite"})))
async def write(
    query: CallbackQuery, callback_data: OpdCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    topic = await _open(query, session, svc, lang, callback_data.tid)
    if topic is None:
        return
    await query.answer()
    uid = query.from_user.id
    if callback_data.action == "cwrite":
        await od.consent(session, uid)
    elif not await od.has_consent(session, uid):
        await query.message.answer(
            t(lang, "opd.privacy"), reply_markup=markup([[(t(lang, "opd.btn.consent_write"), cb("cwrite", topic.id))]])
        )
        return
    await _ask_opinion(query.message, state, session, svc, lang, topic, uid)


@router.callback_query(OpdCb.filter(F.action == "mine"))
async def mine(query: CallbackQuery, callback_data: OpdCb, session: AsyncSession, svc: Services, lang: str) -> None:
    topic = await _open(query, session, svc, lang, callback_data.tid)
    if topic is None:
        return
    await query.answer()
    entries = await od.my_opinions(session, topic.id, query.from_user.id)
    if not entries:
        await query.message.answer(t(lang, "opd.mine_none"))
        return
    lines = "\n".join(t(lang, "opd.mine_line", slot=e.slot, text=escape(e.text)) for e in entries)
    rows = [[(t(lang, "opd.btn.edit_n", slot=e.slot), cb("edit", topic.id, e.slot)) for e in entries]]
    if len(entries) < od.config(svc).per_person:
        rows.append([(t(lang, "opd.btn.write"), cb("write", topic.id))])
    await query.message.answer(t(lang, "opd.mine", title=escape(topic.title), lines=lines), reply_markup=markup(rows))


@router.callback_query(OpdCb.filter(F.action == "edit"))
async def edit_opinion(
    query: CallbackQuery, callback_data: OpdCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    topic = await _open(query, session, svc, lang, callback_data.tid)
    if topic is None:
        return
    entry = next(
        (e for e in await od.my_opinions(session, topic.id, query.from_user.id) if e.slot == callback_data.n), None
    )
    if entry is None:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    c = od.config(svc)
    await state.set_state(OpinionForm.text)
    await state.set_data({"tid": topic.id, "slot": entry.slot})
    await query.message.answer(
        t(lang, "opd.ask_edit", slot=entry.slot, min=c.min_chars, max=c.max_chars, text=escape(entry.text))
    )


@router.message(OpinionForm.text, F.text, NOT_COMMAND)
async def opinion_text(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    data = await state.get_data()
    topic = await od.get_topic(session, data.get("tid", 0))
    uid = message.from_user.id
    try:
        if data.get("slot"):
            entry = await od.replace_opinion(
                session, svc, topic, uid, data["slot"], message.text, message_id=message.message_id
            )
        else:
            entry = await od.add_opinion(session, svc, topic, uid, message.text, message_id=message.message_id)
    except OpinionError as e:
        if e.code in ("opd.err.closed", "opd.err.limit", "opd.err.no_such_opinion"):
            await state.clear()  # nothing more to type here
        await message.answer(_err(lang, e))
        return
    await state.clear()
    c = od.config(svc)
    count = len(await od.my_opinions(session, topic.id, uid))
    rows = [[(t(lang, "opd.btn.mine"), cb("mine", topic.id))]]
    if count < c.per_person:
        rows.insert(0, [(t(lang, "opd.btn.write"), cb("write", topic.id))])
    prof = await od.profile(session, uid)
    if prof is None or prof.dong is None:
        rows.append([(t(lang, "opd.btn.dong"), cb("dongask"))])
    text = (
        t(lang, "opd.replaced", slot=entry.slot)
        if data.get("slot")
        else t(lang, "opd.saved", slot=entry.slot, n=c.per_person)
    )
    await message.answer(text, reply_markup=markup(rows))


@router.message(OpinionForm.text, NOT_COMMAND)
async def opinion_not_text(message: Message, lang: str) -> None:
    await message.answer(t(lang, "opd.text_expected"))


@router.edited_message(F.text, F.chat.type == "private")
async def opinion_edited(message: Message, session: AsyncSession, svc: Services, lang: str) -> None:
    """Editing the message that carried an opinion replaces the opinion (until 24:00)."""
    try:
        entry = await od.replace_by_message(session, svc, message.from_user.id, message.message_id, message.text)
    except OpinionError as e:
        await message.answer(_err(lang, e))
        return
    if entry is None:  # not an opinion's message: the general rule (handlers/edits.py)
        raise SkipHandler()
    await message.answer(t(lang, "opd.replaced", slot=entry.slot))


@router.poll_answer()
async def poll_answer(answer: PollAnswer, session: AsyncSession, svc: Services) -> None:
    if answer.user is not None:
        await od.record_vote(
            session, svc, poll_id=answer.poll_id, user_id=answer.user.id, option_ids=list(answer.option_ids)
        )


# --- officers: preparing the next topic -------------------------------------------------------------

PREP_FIELDS = ("title", "background", "link", "question", "poll")
FIELD_LABEL = {
    "title": "opd.field.title",
    "background": "opd.field.background",
    "link": "opd.field.link",
    "question": "opd.field.question",
    "poll": "opd.field.poll",
}


async def question(msg: Message, state: FSMContext, svc: Services, lang: str, field: str) -> None:
    """One step's question (handlers/states.Form: the chat is at that step)."""
    if field == "title":
        await msg.answer(
            t(lang, "opd.prep.ask_title", day=fmt_day(od.next_day(svc), lang), min=od.TITLE_LEN[0], max=od.TITLE_LEN[1])
        )
    elif field == "background":
        await msg.answer(t(lang, "opd.prep.ask_background", min=od.BACKGROUND_LEN[0], max=od.BACKGROUND_LEN[1]))
    elif field == "link":
        await msg.answer(t(lang, "opd.prep.ask_link"), reply_markup=markup([[(t(lang, "btn.skip"), cb("nolink"))]]))
    elif field == "question":
        await msg.answer(t(lang, "opd.prep.ask_question", min=od.QUESTION_LEN[0], max=od.QUESTION_LEN[1]))
    elif field == "options":
        c = od.config(svc)
        await msg.answer(t(lang, "opd.prep.ask_options", min=c.poll_min, max=c.poll_max, len=od.OPTION_LEN))
    else:
        assert field == "poll", field  # the preview is shown by _preview (show_step)
        await msg.answer(
            t(lang, "opd.prep.ask_poll"),
            reply_markup=markup(
                [[(t(lang, "opd.btn.poll_yes"), cb("pollyes")), (t(lang, "opd.btn.poll_no"), cb("pollno"))]]
            ),
        )


async def _next(
    msg: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, done: str, **values
) -> None:
    """Store a field, then ask the next one (or go back to the preview when editing)."""
    data = await state.update_data(**values)
    if data.get("editing") or done == "poll":
        await _preview(msg, state, session, svc, lang)
    else:
        await FORM.advance(msg, state, svc, lang)


FORM = Form(steps=OpinionPrep, ask=question, summary="preview")


@resumes(OpinionPrep)
async def show_step(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    if await state.get_state() == OpinionPrep.preview.state:
        await _preview(message, state, session, svc, lang)
    else:
        await FORM.ask_again(message, state, svc, lang)


async def _preview(msg: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    data = await state.get_data()
    draft = od.TopicDraft.from_data(data)
    day = od.next_day(svc)
    existing = await od.topic_on(session, day)
    header = t(
        lang,
        "opd.prep.preview",
        n=len(await od.subscribers(session)),
        day=fmt_day(day, lang),
        time=f"{od.config(svc).announce_minute // 60:02d}:{od.config(svc).announce_minute % 60:02d}",
        replace=t(lang, "opd.prep.replace", title=escape(existing.title)) if existing else "",
    )
    body = od.announcement_text(svc, draft, lang, day)
    if draft.poll_options:
        body += "\n\n" + t(lang, "opd.prep.preview_poll", options=" / ".join(escape(o) for o in draft.poll_options))
    await state.set_state(OpinionPrep.preview)
    await state.update_data(editing=True)
    if draft.image_file_id:
        await msg.answer_photo(draft.image_file_id, caption=f"<b>{escape(draft.title)}</b>")
    await msg.answer(
        f"{header}\n\n{body}",
        reply_markup=markup(
            [
                [(t(lang, "opd.btn.schedule"), cb("sched"))],
                [(t(lang, "opd.btn.prep_edit"), cb("pedit")), (t(lang, "opd.btn.prep_cancel"), cb("pcancel"))],
            ]
        ),
    )


@router.callback_query(OpdCb.filter(F.action == "prep"))
async def prepare(query: CallbackQuery, state: FSMContext, svc: Services, lang: str, principal: Principal) -> None:
    if not _staff(svc, principal):
        await _refuse_non_staff(query, svc, lang)
        return
    await query.answer()
    await state.set_data({})
    await FORM.goto(query.message, state, svc, lang, "title")


def _field_handler(field: str, clean):
    async def handler(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
        try:
            value = clean(message.text)
        except OpinionError as e:
            await message.answer(_err(lang, e))
            return
        await _next(message, state, session, svc, lang, field, **{field: value})

    handler.__name__ = f"prep_{field}"
    return handler


router.message(OpinionPrep.title, F.text, NOT_COMMAND)(_field_handler("title", od.clean_title))
router.message(OpinionPrep.link, F.text, NOT_COMMAND)(_field_handler("link", od.clean_link))
router.message(OpinionPrep.question, F.text, NOT_COMMAND)(_field_handler("question", od.clean_question))


@router.message(OpinionPrep.background, F.text | media.ANY_FILE, NOT_COMMAND)
async def prep_background(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, bot: Bot
) -> None:
    """Text, or a picture with the text as its caption (a photo, or an image sent as a file; other
    files are refused with what is accepted — workflows/attachments.py)."""
    is_file = message.text is None
    if is_file and (problem := media.refusal(message, lang)):
        await message.answer(problem)
        return
    if is_file and not message.caption:
        await message.answer(t(lang, "opd.prep.photo_caption"))
        return
    try:
        text = od.clean_background(message.caption if is_file else message.text)
    except OpinionError as e:
        await message.answer(_err(lang, e))
        return
    image = None
    if is_file:
        got = await media.take_image(message, bot, lang)
        if got is None:
            return
        image = got[0]
    await _next(message, state, session, svc, lang, "background", background=text, image=image)


@router.callback_query(OpdCb.filter(F.action == "nolink"), OpinionPrep.link)
async def prep_no_link(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    await query.answer()
    await _next(query.message, state, session, svc, lang, "link", link=None)


@router.callback_query(OpdCb.filter(F.action.in_({"pollyes", "pollno"})), OpinionPrep.poll)
async def prep_poll(
    query: CallbackQuery, callback_data: OpdCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    await query.answer()
    if callback_data.action == "pollno":
        await _next(query.message, state, session, svc, lang, "poll", poll=[])
        return
    await FORM.goto(query.message, state, svc, lang, "options")  # also when changing the poll from the preview


@router.message(OpinionPrep.options, F.text, NOT_COMMAND)
async def prep_options(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    try:
        options = od.parse_poll_options(svc, message.text)
    except OpinionError as e:
        await message.answer(_err(lang, e))
        return
    await _next(message, state, session, svc, lang, "poll", poll=options)


@router.callback_query(OpdCb.filter(F.action.in_({"sched", "pedit", "pcancel", "pfield"})))
async def prep_preview_action(query: CallbackQuery, callback_data: OpdCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    if await state.get_state() != OpinionPrep.preview.state or not _staff(svc, principal):
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    msg, action = query.message, callback_data.action
    if action == "pcancel":
        await state.clear()
        await msg.answer(t(lang, "opd.prep.cancelled"))
    elif action == "pedit":
        fields = [(t(lang, FIELD_LABEL[f]), OpdCb(action="pfield", s=f)) for f in PREP_FIELDS]
        await msg.answer(t(lang, "opd.prep.edit_which"), reply_markup=grid(fields, 3))
    elif action == "pfield":
        if callback_data.s not in PREP_FIELDS:
            return
        await FORM.goto(msg, state, svc, lang, callback_data.s)
    else:
        try:
            topic, _ = await od.schedule_topic(
                session, svc, principal.user_id, od.TopicDraft.from_data(await state.get_data())
            )
        except OpinionError as e:
            await msg.answer(_err(lang, e))
            return
        await state.clear()
        await session.commit()
        local = topic.announce_at.astimezone(svc.tz)
        await msg.answer(
            t(
                lang,
                "opd.prep.scheduled",
                day=fmt_day(topic.day, lang),
                time=f"{local:%H:%M}",
                title=escape(topic.title),
            )
        )


# --- officers: status board, analysis, policy answer ----------------------------------------------------


def _mark(lang: str, a: od.Achieved) -> str:
    if a.days is not None:
        return t(lang, "opd.board.done" if a.on_time else "opd.board.late", days=a.days)
    return t(lang, "opd.board.overdue") if a.on_time is False else t(lang, "opd.board.pending")


STATUS_LABEL = {
    od.SCHEDULED: "opd.status.scheduled",
    od.OPEN: "opd.status.open",
    od.CLOSED: "opd.status.closed",
    od.ANALYSED: "opd.status.analysed",
    od.ANSWERED: "opd.status.answered",
    od.MISSED: "opd.status.missed",
}


@router.callback_query(OpdCb.filter(F.action == "board"))
async def board(query: CallbackQuery, session: AsyncSession, svc: Services, lang: str, principal: Principal) -> None:
    if not _staff(svc, principal):
        await _refuse_non_staff(query, svc, lang)
        return
    await query.answer()
    topics = await od.recent_topics(session)
    if not topics:
        await query.message.answer(t(lang, "opd.board.empty"))
        return
    lines, rows = [t(lang, "opd.board.title")], []
    for tp in topics:
        ind = od.topic_indicators(svc, tp)
        lines.append(
            t(
                lang,
                "opd.board.line",
                day=fmt_day(tp.day, lang),
                title=escape(tp.title),
                status=t(lang, STATUS_LABEL[tp.status]),
                analysis_due=od.fmt_due(svc, tp.analysis_due_at, lang),
                analysis=_mark(lang, ind.analysis) if tp.status not in (od.SCHEDULED, od.OPEN, od.MISSED) else "",
                answer_due=od.fmt_due(svc, tp.answer_due_at, lang),
                answer=_mark(lang, ind.answer) if tp.status not in (od.SCHEDULED, od.OPEN, od.MISSED) else "",
            )
        )
        if tp.status == od.CLOSED:
            rows.append([(f"{t(lang, 'opd.btn.view_draft')} · {tp.day:%m-%d}", cb("draft", tp.id))])
        elif tp.status == od.ANALYSED:
            rows.append([(f"{t(lang, 'opd.btn.policy')} · {tp.day:%m-%d}", cb("themes", tp.id))])
    await query.message.answer("\n".join(lines), reply_markup=markup(rows) if rows else None)


async def _staff_topic(
    query: CallbackQuery,
    session: AsyncSession,
    svc: Services,
    lang: str,
    p: Principal,
    tid: int,
    status: str,
    wrong_status_key: str,
):
    """The topic behind an officer's button, if this officer may act and it is in ``status``."""
    if not _staff(svc, p):
        await _refuse_non_staff(query, svc, lang)
        return None
    topic = await od.get_topic(session, tid)
    if topic is None or topic.status != status:
        await query.answer(t(lang, wrong_status_key if topic else "stale_button"), show_alert=True)
        return None
    return topic


@router.callback_query(OpdCb.filter(F.action.in_({"draft", "pub", "anedit"})))
async def analysis_action(query: CallbackQuery, callback_data: OpdCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    topic = await _staff_topic(query, session, svc, lang, principal, callback_data.tid, od.CLOSED, "opd.err.not_draft")
    if topic is None:
        return
    await query.answer()
    if callback_data.action == "draft":
        await query.message.answer(
            t(
                lang,
                "opd.op.draft",
                title=escape(topic.title),
                due=od.fmt_due(svc, topic.analysis_due_at, lang),
                text=topic.analysis_text,
            ),
            reply_markup=markup(od.staff_buttons(topic, lang)),
        )
    elif callback_data.action == "anedit":
        await state.set_state(OpinionStaff.analysis_text)
        await state.set_data({"tid": topic.id})
        await query.message.answer(t(lang, "opd.an.ask_edit", min=od.ANALYSIS_TEXT_LEN[0], max=od.ANALYSIS_TEXT_LEN[1]))
    else:
        n = await od.publish_analysis(session, svc, topic, principal.user_id)
        await state.clear()
        await session.commit()
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(t(lang, "opd.an.published", n=n), reply_markup=markup(od.staff_buttons(topic, lang)))


@router.message(OpinionStaff.analysis_text, F.text, NOT_COMMAND)
async def analysis_text(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    topic = await od.get_topic(session, (await state.get_data()).get("tid", 0))
    if topic is None or not _staff(svc, principal):
        await state.clear()
        await message.answer(t(lang, "stale_button"))
        return
    try:
        text = await od.set_analysis_text(session, svc, topic, message.html_text)
    except OpinionError as e:
        if e.code == "opd.err.not_draft":
            await state.clear()
        await message.answer(_err(lang, e))
        return
    await state.clear()
    await message.answer(t(lang, "opd.an.edit_preview", text=text), reply_markup=markup(od.staff_buttons(topic, lang)))


async def _show_themes(msg: Message, session: AsyncSession, svc: Services, lang: str, topic) -> None:
    rows = [
        [
            (
                t(
                    lang,
                    "opd.themes.btn",
                    mark="✅" if th.policy_status else "▫️",
                    rank=th.rank,
                    keyword=th.keyword,
                    opinions=th.opinions,
                ),
                cb("theme", topic.id, th.id),
            )
        ]
        for th in await od.themes(session, topic.id)
    ]
    text = t(lang, "opd.themes.title", title=escape(topic.title), due=od.fmt_due(svc, topic.answer_due_at, lang))
    if not rows:
        text += "\n\n" + t(lang, "opd.themes.none")
    rows.append([(t(lang, "opd.btn.publish_answer"), cb("ansp", topic.id))])
    await msg.answer(text, reply_markup=markup(rows))


@router.callback_query(OpdCb.filter(F.action.in_({"themes", "theme", "tstat", "ansp"})))
async def policy_action(query: CallbackQuery, callback_data: OpdCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    topic = await _staff_topic(
        query, session, svc, lang, principal, callback_data.tid, od.ANALYSED, "opd.err.not_answerable"
    )
    if topic is None:
        return
    action, msg = callback_data.action, query.message
    theme = None
    if action in ("theme", "tstat"):
        theme = next((th for th in await od.themes(session, topic.id) if th.id == callback_data.n), None)
        if theme is None or (action == "tstat" and callback_data.s not in od.POLICY_STATUSES):
            await query.answer(t(lang, "stale_button"), show_alert=True)
            return
    await query.answer()
    if action == "themes":
        await _show_themes(msg, session, svc, lang, topic)
    elif action == "theme":
        statuses = [
            (t(lang, od.POLICY_LABEL[s]), OpdCb(action="tstat", tid=topic.id, n=theme.id, s=s))
            for s in od.POLICY_STATUSES
        ]
        await msg.answer(
            t(lang, "opd.themes.ask_status", keyword=escape(theme.keyword), opinions=theme.opinions),
            reply_markup=grid(statuses, 2),
        )
    elif action == "tstat":
        await state.set_state(OpinionStaff.theme_note)
        await state.set_data({"tid": topic.id, "theme": theme.id, "status": callback_data.s})
        await msg.answer(
            t(
                lang,
                "opd.themes.ask_note",
                keyword=escape(theme.keyword),
                status=t(lang, od.POLICY_LABEL[callback_data.s]),
                min=od.NOTE_LEN[0],
                max=od.NOTE_LEN[1],
            )
        )
    else:
        try:
            n = await od.publish_answer(session, svc, topic, principal.user_id)
        except OpinionError as e:
            await msg.answer(_err(lang, e))
            return
        await state.clear()
        await session.commit()
        await msg.answer(t(lang, "opd.answer.published", n=n))


@router.message(OpinionStaff.theme_note, F.text, NOT_COMMAND)
async def theme_note(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    data = await state.get_data()
    topic = await od.get_topic(session, data.get("tid", 0))
    if topic is None or not _staff(svc, principal):
        await state.clear()
        await message.answer(t(lang, "stale_button"))
        return
    try:
        theme = await od.record_theme_answer(
            session, svc, topic, principal.user_id, data["theme"], data["status"], message.text
        )
    except OpinionError as e:
        if e.code != "opd.err.note_len":
            await state.clear()
        await message.answer(_err(lang, e))
        return
    await state.clear()
    await message.answer(t(lang, "opd.themes.saved", keyword=escape(theme.keyword)))
    await _show_themes(message, session, svc, lang, topic)


# --- registered last: anything else typed into a form of this feature ---------------------------------

answer_in(
    router, "opd.prep.text_expected", *OpinionPrep.typed_in(), OpinionStaff.analysis_text, OpinionStaff.theme_note
)
answer_in(router, "cf.use_buttons", *OpinionPrep.pressed())
