"""The answer form's extras (issue 16 §4) and the department's answer templates.

* Attachments: at the answer's preview (and already while the text is asked) an officer may send up
  to 5 photos or documents (workflows/complaints/answer_files.py); the preview says "첨부 n개", 다시 쓰기 keeps
  them, [📎 첨부 빼기] removes one or all. On 보내기 (handlers/complaints/officer.py) they are stored and queued to
  the resident after the answer. The resident's /status detail offers them again (a button).
* Templates: /templates lists, adds (title, then body) and deletes (with a confirmation) the
  department's templates; [📋 템플릿] in the answer form lists them (paged) and puts the chosen one's
  text into the preview. A template id of another department (a forged button) is refused.
* An answer pressed in a group: the text is never collected there. The officer gets the form in
  the private chat (or the card, for the other actions that ask for text); when the bot cannot
  write to them (403: they never started it) the group gets a short reply with a t.me link,
  /start ans_<receipt> (handlers/group.py), which opens the answer form with the same checks.
* An officer's photo or document outside any form: how to attach it to an answer, and — for a
  photo — the resident's complaint offer still (``outside``, a router just before the fallback).
"""

from __future__ import annotations

from datetime import datetime, timezone

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, Filter, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    Message,
    TelegramObject,
)
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import media
from handlers.complaints.case_view import open_receipt, show_card
from handlers.complaints.case_forms import button_complaint, complaint_for, form_complaint, tell_taken
from handlers.callbacks import AnswerCb, Num, OfficerCb, ResidentFilesCb
from handlers.filters import NOT_COMMAND
from handlers.keyboards import markup
from handlers.states import OfficerForm, TemplateForm
from handlers.replies import answer_in
from workflows.complaints import answer_files as af
from workflows.complaints import answer_templates as tpls
from workflows.complaints import service as complaints
from workflows.complaints.answer_files import Attachment
from workflows.complaints.common import Taken
from workflows.complaints.common import NotFound
from workflows.context import Services
from workflows.links import private_chat
from workflows.roles import Principal, can_handle
from workflows.complaints.states import OPEN, TransitionError
from workflows.texts import clip, escape, t, t_fit
from workflows.complaints.common import ANSWER, DESCRIPTION_MAX, check_free
from handlers.fallback import offer
from handlers.turn import Turn

router = Router(name="answer_templates")
outside = Router(name="officer_files")  # registered just before handlers/fallback.py

IN_PRIVATE = ("answer", "reject", "extend", "transfer", "note")  # the card's actions that ask for text


class AnsFileCb(CallbackData, prefix="ax"):  # the answer's attachments
    cid: Num
    a: str  # preview, ask (which to remove), rm (one), all (remove all)
    i: Num = -1  # rm: the attachment's index
    n: Num = 0  # how many there were when the button was shown (else the button is stale)


class AnsTplCb(CallbackData, prefix="at"):  # a template into the answer
    cid: Num
    t: Num = 0  # the template; 0: the list
    p: Num = -1  # the list's page; -1: the list opened anew (a page is edited in place)


class TplCb(CallbackData, prefix="tpl"):  # /templates
    a: str  # l list, v view, d delete?, y delete!, k keep, n new
    t: Num = 0
    p: Num = 0


class IsOfficer(Filter):
    async def __call__(self, event: TelegramObject, principal: Principal | None = None) -> bool:
        return principal is not None and principal.is_officer


# --- the answer form -----------------------------------------------------------------------------


def _files(data: dict) -> list[Attachment]:
    return [Attachment.from_data(x) for x in data.get("files", [])]


async def ask_answer(msg: Message, lang: str, c) -> None:
    """The answer form's first question, with [📋 템플릿]."""
    await msg.answer(
        t(lang, "op.ask_answer", receipt=c.receipt_no),
        reply_markup=markup([[(t(lang, "ans.btn.templates"), AnsTplCb(cid=c.id).pack())]]),
    )


def _send_button(lang: str, cid: int, n: int) -> tuple[str, str]:
    label = t(lang, "ans.btn.send_files", n=n) if n else t(lang, "op.btn.send")
    return label, AnswerCb(cid=cid, action="send").pack()


async def preview(msg: Message, lang: str, c, data: dict) -> None:
    """The answer as it will go, the attachments, and 보내기 / 다시 쓰기 / 템플릿 / 첨부 빼기."""
    files = _files(data)
    text = t_fit(
        lang, "op.answer_preview_files", "answer", data["answer"], receipt=c.receipt_no, files=af.summary(lang, files)
    )
    rows = [
        [
            _send_button(lang, c.id, len(files)),
            (t(lang, "op.btn.rewrite"), AnswerCb(cid=c.id, action="rewrite").pack()),
        ],
        [(t(lang, "ans.btn.templates"), AnsTplCb(cid=c.id).pack())],
    ]
    if files:
        rows[1].append((t(lang, "ans.btn.remove"), AnsFileCb(cid=c.id, a="ask", n=len(files)).pack()))
    await msg.answer(text, reply_markup=markup(rows))


async def show_preview(msg: Message, state: FSMContext, lang: str, c, answer: str) -> None:
    """The answer text is set (typed, or a template's): to the preview, the attachments kept."""
    await state.update_data(answer=answer)
    await state.set_state(OfficerForm.answer_confirm)
    await preview(msg, lang, c, await state.get_data())


async def after_answer(session: AsyncSession, c, data: dict) -> None:
    """On 보내기, after complaints.answer and in its transaction: the attachments stored and queued."""
    await af.save_and_send(session, c, _files(data))


@router.message(OfficerForm.answer_confirm, media.ANY_FILE, NOT_COMMAND)
@router.message(OfficerForm.answer_text, media.ANY_FILE, NOT_COMMAND)
async def attach(message: Message, state: FSMContext, session: AsyncSession, lang: str, principal: Principal) -> None:
    """A photo or document for the answer; anything else is refused and the form stays as it was."""
    data, c = await form_complaint(message, state, session, lang, principal)
    if c is None:
        return
    await session.commit()  # the complaint's row lock is not held while Telegram is asked
    got = media.incoming(message)
    new = None
    if message.photo:
        best = message.photo[-1]
        new = Attachment(af.PHOTO, best.file_id, best.file_unique_id)
    elif got.kind == af.DOCUMENT:
        d = message.document
        new = Attachment(af.DOCUMENT, d.file_id, d.file_unique_id, d.file_name)
    try:
        files = af.add(_files(data), new, kind=got.kind, mime_type=got.mime_type, file_name=got.file_name)
    except af.Refused as e:
        await message.answer(af.refusal_text(lang, e))
        return
    await state.update_data(files=[a.as_data() for a in files])
    name = escape(af.name(lang, files[-1]))
    caption = (message.caption or "").strip()
    if await state.get_state() == OfficerForm.answer_text.state:
        if caption and ANSWER.fits(caption):
            await show_preview(message, state, lang, c, caption)  # the caption is the answer's text
            return
        said = t(lang, "ans.files.added_write", n=len(files), max=af.MAX_FILES, name=name)
        if caption and (problem := ANSWER.problem(caption)) is not None:
            said += "\n" + problem.text(lang)
        await message.answer(said)
        return
    said = t(lang, "ans.files.added", n=len(files), max=af.MAX_FILES, name=name)
    if caption:
        said += "\n" + t(lang, "ans.files.caption_ignored")
    await message.answer(
        said,
        reply_markup=markup(
            [
                [
                    _send_button(lang, c.id, len(files)),
                    (t(lang, "ans.btn.preview"), AnsFileCb(cid=c.id, a="preview").pack()),
                ]
            ]
        ),
    )


@router.callback_query(AnsFileCb.filter())
async def files_button(
    query: CallbackQuery,
    callback_data: AnsFileCb,
    state: FSMContext,
    session: AsyncSession,
    lang: str,
    principal: Principal,
) -> None:
    cb = callback_data
    data, c = await button_complaint(query, cb.cid, state, session, lang, principal, OfficerForm.answer_confirm)
    if c is None:
        return
    await session.commit()
    files = _files(data)
    if cb.a != "preview" and cb.n != len(files):  # the attachments changed since it was shown
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    if cb.a == "ask":
        rows = [
            [
                (
                    t(lang, "ans.remove.one", label=clip(af.label(lang, a, i + 1), 50)),
                    AnsFileCb(cid=c.id, a="rm", i=i, n=len(files)).pack(),
                )
            ]
            for i, a in enumerate(files)
        ]
        rows.append(
            [
                (t(lang, "ans.btn.remove_all"), AnsFileCb(cid=c.id, a="all", n=len(files)).pack()),
                (t(lang, "ans.btn.preview"), AnsFileCb(cid=c.id, a="preview").pack()),
            ]
        )
        await query.message.answer(t(lang, "ans.remove.ask"), reply_markup=markup(rows))
        return
    if cb.a == "rm" and 0 <= cb.i < len(files):
        files.pop(cb.i)
    elif cb.a == "all":
        files = []
    await state.update_data(files=[a.as_data() for a in files])
    await preview(query.message, lang, c, await state.get_data())


@router.callback_query(AnsTplCb.filter())
async def template_button(query: CallbackQuery, callback_data: AnsTplCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    cb = callback_data
    _data, c = await button_complaint(
        query, cb.cid, state, session, lang, principal, OfficerForm.answer_text, OfficerForm.answer_confirm
    )
    if c is None:
        return
    if cb.t:
        try:
            tpl = await tpls.get(session, principal.department, cb.t)
        except tpls.NotFound:
            await query.answer(t(lang, "ans.tpl.not_found"), show_alert=True)
            return
        await session.commit()
        await query.answer()
        await show_preview(query.message, state, lang, c, tpl.body)
        return
    page = await tpls.page(session, principal.department, cb.p)
    await session.commit()
    await query.answer()
    department = escape(svc.district.department(principal.department).name(lang))
    if not page.total:
        await query.message.answer(t(lang, "ans.tpl.none", department=department))
        return
    rows = [[(clip(x.title, 60), AnsTplCb(cid=c.id, t=x.id).pack())] for x in page.items]
    rows += _nav(lang, page, lambda p: AnsTplCb(cid=c.id, p=p).pack())
    text = t(lang, "ans.tpl.title", department=department, n=page.total, page=_page_label(lang, page))
    if cb.p >= 0 and query.message.text:  # paging: the list edits itself
        await query.message.edit_text(text, reply_markup=markup(rows))
    else:
        await query.message.answer(text, reply_markup=markup(rows))


def _page_label(lang: str, page: tpls.Page) -> str:
    return t(lang, "tpl.page", p=page.page + 1, pages=page.pages) if page.pages > 1 else ""


def _nav(lang: str, page: tpls.Page, data) -> list[list[tuple[str, str]]]:
    row = []
    if page.page > 0:
        row.append((t(lang, "tpl.btn.prev"), data(page.page - 1)))
    if page.page + 1 < page.pages:
        row.append((t(lang, "tpl.btn.next"), data(page.page + 1)))
    return [row] if row else []


# --- opening the answer form (a card's button, a group's link) ------------------------------------


async def open_answer(
    msg: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, p: Principal, c
) -> None:
    """Start the answer form for ``c`` in ``msg``'s (private) chat, as the card's 답변 button does."""

    try:
        check_free(p, c)
        await complaints.start_answer(session, svc, p, c)
    except Taken as e:
        await tell_taken(msg, session, lang, c, e)
        return
    except TransitionError as e:
        await msg.answer(t(lang, "op.bad_state", state=t(lang, f"state.{e.state}")))
        return
    await session.commit()
    await state.set_state(OfficerForm.answer_text)
    await state.set_data({"cid": c.id})
    await ask_answer(msg, lang, c)


async def open_answer_link(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, p: Principal, receipt: str
) -> None:
    """/start ans_<receipt> (left in a group when the bot could not write to the officer)."""
    try:
        c = await complaints.get_visible(session, p, receipt_no=receipt)
    except NotFound:
        await message.answer(t(lang, "status.not_found"))
        return
    if not (p.is_officer and can_handle(p, c.department_code, c.handed_to)):
        await open_receipt(message, session, svc, lang, p, receipt, via="link")  # the resident's own view
        return
    await open_answer(message, state, session, svc, lang, p, c)


def _private(bot: Bot, user_id: int) -> Message:
    """A message of the officer's private chat with the bot, to answer into (nothing is read from it)."""
    return Message(message_id=0, date=datetime.now(timezone.utc), chat=Chat(id=user_id, type="private")).as_(bot)


async def continue_in_private(
    query: CallbackQuery,
    callback_data: OfficerCb,
    state: FSMContext,
    session: AsyncSession,
    svc: Services,
    lang: str,
    principal: Principal,
    bot: Bot,
) -> None:
    """A card's 답변 (or another action that asks for text) pressed in a group: nothing is collected
    there. The officer gets the answer form (the card, for the other actions) in the private chat;
    if the bot cannot write to them, the group gets a short reply with a link that opens it."""
    c = await complaint_for(session, principal, callback_data.cid)
    if c is None:
        await query.answer(t(lang, "op.not_your_department"), show_alert=True)
        return
    receipt, cid, action, closed = c.receipt_no, c.id, callback_data.action, c.state not in OPEN
    await session.commit()  # nothing held open while Telegram is asked
    if closed:  # answered, rejected, closed …: nothing to go on with
        await query.answer(t(lang, "op.bad_state", state=t(lang, f"state.{c.state}")), show_alert=True)
        return
    label = t(lang, f"op.btn.{action}")
    pm = _private(bot, query.from_user.id)
    intro = "grp.form.private_answer" if action == "answer" else "grp.form.private_card"
    try:
        await pm.answer(t(lang, intro, receipt=receipt, action=label))
    except (TelegramForbiddenError, TelegramBadRequest):
        link = private_chat(svc.bot_username, f"{'ans' if action == 'answer' else 'case'}_{receipt}")
        await query.answer(t(lang, "grp.form.unreachable_alert"), show_alert=True)
        await query.message.answer(
            t(lang, "grp.form.unreachable", receipt=receipt, action=label),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text=t(lang, "grp.form.btn"), url=link)]]
            )
            if link
            else None,
        )
        return
    await query.answer(t(lang, "grp.form.opened", receipt=receipt), show_alert=True)
    c = await complaint_for(session, principal, cid)
    if c is None:  # moved on in the meantime
        await pm.answer(t(lang, "op.not_your_department"))
        return
    if action == "answer":
        uid = query.from_user.id
        private_state = FSMContext(storage=state.storage, key=StorageKey(bot_id=bot.id, chat_id=uid, user_id=uid))
        await open_answer(pm, private_state, session, svc, lang, principal, c)
    else:
        await show_card(pm, session, svc, c, lang, principal, via="link")


# --- /templates --------------------------------------------------------------------------------


async def _list(session: AsyncSession, svc: Services, lang: str, p: Principal, n: int = 0):
    page = await tpls.page(session, p.department, n)
    await session.commit()
    department = escape(svc.district.department(p.department).name(lang))
    add = [(t(lang, "tpl.btn.add"), TplCb(a="n").pack())]
    if not page.total:
        return t(lang, "tpl.list_empty", department=department), markup([add])
    first = page.page * tpls.PAGE_SIZE
    lines = "\n".join(
        t(lang, "tpl.line", i=first + i, title=escape(x.title), words=escape(clip(x.body, 60)))
        for i, x in enumerate(page.items, 1)
    )
    rows = [
        [(f"{first + i}. {clip(x.title, 50)}", TplCb(a="v", t=x.id, p=page.page).pack())]
        for i, x in enumerate(page.items, 1)
    ]
    rows += _nav(lang, page, lambda q: TplCb(a="l", p=q).pack())
    rows.append(add)
    text = t(lang, "tpl.list", department=department, n=page.total, page=_page_label(lang, page), lines=lines)
    return text, markup(rows)


@router.message(Command("templates"))
async def templates_cmd(message: Message, turn: Turn) -> None:
    _state, session, svc, lang, principal = turn
    if not principal.is_officer:
        await message.answer(t(lang, "op.not_officer"))
        return
    text, kb = await _list(session, svc, lang, principal)
    await message.answer(text, reply_markup=kb)


@router.callback_query(TplCb.filter())
async def templates_button(query: CallbackQuery, callback_data: TplCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    cb, msg = callback_data, query.message
    if not principal.is_officer:
        await query.answer(t(lang, "op.not_officer"), show_alert=True)
        return
    if cb.a == "l":
        await query.answer()
        text, kb = await _list(session, svc, lang, principal, cb.p)
        await msg.edit_text(text, reply_markup=kb)
        return
    if cb.a == "n":
        await query.answer()
        await state.set_state(TemplateForm.title)
        await state.set_data({})
        await msg.answer(t(lang, "tpl.ask_title"))
        return
    try:
        tpl = await tpls.get(session, principal.department, cb.t)
    except tpls.NotFound:
        await query.answer(t(lang, "tpl.not_found"), show_alert=True)
        return
    await session.commit()  # read; "y" takes it again to delete it
    back = (t(lang, "tpl.btn.back"), TplCb(a="l", p=cb.p).pack())
    title = escape(tpl.title)
    if cb.a == "v":
        await query.answer()
        await msg.answer(
            t_fit(lang, "tpl.view", "body", tpl.body, title=title),
            reply_markup=markup([[(t(lang, "tpl.btn.delete"), TplCb(a="d", t=tpl.id, p=cb.p).pack()), back]]),
        )
    elif cb.a == "d":
        await query.answer()
        await msg.answer(
            t(lang, "tpl.confirm_delete", title=title),
            reply_markup=markup(
                [
                    [
                        (t(lang, "tpl.btn.delete_yes"), TplCb(a="y", t=tpl.id, p=cb.p).pack()),
                        (t(lang, "tpl.btn.keep"), TplCb(a="k", t=tpl.id, p=cb.p).pack()),
                    ]
                ]
            ),
        )
    elif cb.a == "y":
        await tpls.remove(session, svc, principal.department, tpl.id)
        await session.commit()
        await query.answer()
        await msg.edit_text(t(lang, "tpl.deleted", title=title))
        text, kb = await _list(session, svc, lang, principal, cb.p)
        await msg.answer(text, reply_markup=kb)
    else:  # k: kept
        await query.answer()
        await msg.edit_text(t(lang, "tpl.kept"), reply_markup=markup([[back]]))


_INVALID = {
    "title_empty": "tpl.title_empty",
    "title_long": "tpl.title_long",
    "title_taken": "tpl.title_taken",
    "body_short": "op.answer_short",
    "body_long": "op.answer_long",
    "too_many": "tpl.too_many",
}


@router.message(TemplateForm.title, F.text, NOT_COMMAND)
async def template_title(
    message: Message, state: FSMContext, session: AsyncSession, lang: str, principal: Principal
) -> None:
    if not principal.is_officer:
        await state.clear()
        await message.answer(t(lang, "op.not_officer"))
        return
    try:
        title = tpls.validate_title(message.text)
    except tpls.Invalid as e:
        await message.answer(t(lang, _INVALID[e.code], n=e.n))
        return
    await state.update_data(title=title)
    await state.set_state(TemplateForm.body)
    await message.answer(t(lang, "tpl.ask_body", title=escape(title)))


@router.message(TemplateForm.body, F.text, NOT_COMMAND)
async def template_body(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    if not principal.is_officer:
        await state.clear()
        await message.answer(t(lang, "op.not_officer"))
        return
    data = await state.get_data()
    try:
        tpl = await tpls.add(session, svc, principal.department, principal.user_id, data.get("title", ""), message.text)
    except tpls.Invalid as e:
        if e.code == "title_taken":  # a colleague saved one with this title meanwhile: a new title
            await state.set_state(TemplateForm.title)
        await message.answer(t(lang, _INVALID[e.code], n=e.n))
        return
    await session.commit()
    await state.clear()
    await message.answer(t(lang, "tpl.saved", title=escape(tpl.title)))
    text, kb = await _list(session, svc, lang, principal)
    await message.answer(text, reply_markup=kb)


answer_in(router, "op.text_expected", TemplateForm.title, TemplateForm.body)


# --- the resident: the answer's attachments again ----------------------------------------------


async def send_files(msg: Message, files, caption: str) -> None:
    """The files into ``msg``'s chat (a reply to the person's own press), as answer_files.sends says."""
    for method, params in af.sends(files, caption):
        if method == "sendPhoto":
            await msg.answer_photo(params["photo"], caption=params["caption"], parse_mode="HTML")
        elif method == "sendDocument":
            await msg.answer_document(params["document"], caption=params["caption"], parse_mode="HTML")
        else:
            await msg.answer_media_group(
                [
                    (InputMediaPhoto if m["type"] == af.PHOTO else InputMediaDocument)(
                        media=m["media"], caption=m.get("caption"), parse_mode=m.get("parse_mode")
                    )
                    for m in params["media"]
                ]
            )


@router.callback_query(ResidentFilesCb.filter())
async def resident_files(
    query: CallbackQuery, callback_data: ResidentFilesCb, session: AsyncSession, lang: str, principal: Principal
) -> None:
    try:
        c = await complaints.get_visible(session, principal, complaint_id=callback_data.cid)
    except NotFound:
        await query.answer(t(lang, "status.not_found"), show_alert=True)
        return
    files = await af.files_of(session, c.id)
    receipt = c.receipt_no
    await session.commit()
    if not files:
        await query.answer(t(lang, "status.answer_files_gone"), show_alert=True)
        return
    await query.answer()
    await send_files(query.message, files, af.caption(lang, receipt, len(files)))


# --- an officer's photo or document outside any form -------------------------------------------


@outside.message(F.chat.type == "private", StateFilter(None), F.photo | F.document, IsOfficer())
async def officer_file(message: Message, state: FSMContext, svc: Services, lang: str, bot: Bot) -> None:
    """Say how to attach it to an answer; a photo (or image file) is still offered as a complaint of
    their own, as to any resident, and a caption is never dropped."""
    picture = bool(message.photo) or (
        message.document is not None and (message.document.mime_type or "").startswith("image/")
    )
    caption = (message.caption or "").strip()[: DESCRIPTION_MAX + 1] or None
    if not picture:
        await message.answer(t(lang, "cf.officer_file_hint"))
        if caption:
            await offer(message, state, svc, lang, caption, [])
        return
    await message.answer(t(lang, "cf.officer_file_hint") + "\n" + t(lang, "cf.officer_photo_hint"))
    got = await media.take_image(message, bot, lang)
    if got is None and caption is None:
        return
    await offer(message, state, svc, lang, caption, [list(got)] if got else [])
