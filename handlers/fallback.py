"""Last router: free text (or a photo, with or without a caption) offers to file a complaint;
whatever a form did not take leaves the form as it was; anything else gets a clear answer; a
button no handler took is stale and shows where the form is now (handlers/states.py)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import commands
from handlers import media
from handlers.callbacks import FreeTextCb
from handlers.common import point_free_text, service_hint
from handlers.keyboards import markup
from handlers.states import show_where, stale_press
from workflows.complaints.common import DESCRIPTION_MAX
from workflows.context import Services
from workflows.roles import Principal
from workflows.texts import escape, t

router = Router(name="fallback")


@router.message(F.text.startswith("/"))
async def unknown_command(message: Message, lang: str) -> None:
    name = message.text[1:].split(maxsplit=1)[0].split("@")[0].lower() if len(message.text) > 1 else ""
    restricted = name in commands.ADMIN or name in commands.OFFICER
    await message.answer(t(lang, "not_allowed" if restricted else "unknown_command"))


@router.message(F.chat.type == "private", ~StateFilter(None))
async def in_a_form(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    """Text typed at a button step (or anything else a form's own handlers did not take): the form
    and its data stay as they are; the resident is pointed to the buttons, shown again below."""
    await message.answer(t(lang, "cf.use_buttons"))
    await show_where(message, state, session, svc, lang)


async def offer(
    message: Message, state: FSMContext, svc: Services, lang: str, text: str | None, photos: list[list[str]]
) -> None:
    """Offer to file what they gave as a complaint, with a suggested category (complaint.free_text_choice)."""
    await state.set_data({"free_text": text, **({"free_photos": photos} if photos else {})})
    cat = svc.district.suggest_category(text) if text else None
    rows = []
    if cat is not None:
        rows.append(
            [(t(lang, "cf.offer_yes", category=cat.name(lang)), FreeTextCb(action="file", cat=cat.code).pack())]
        )
    rows.append(
        [
            (t(lang, "cf.offer_other"), FreeTextCb(action="choose").pack()),
            (t(lang, "cf.offer_no"), FreeTextCb(action="no").pack()),
        ]
    )
    key = "cf.offer_photo" if text is None else "cf.offer_free_text" if cat else "cf.offer_free_text_nocat"
    said = t(lang, key, category=escape(cat.name(lang)) if cat else "")
    if photos:
        said += t(lang, "cf.offer_photos", n=len(photos))
    if hint := service_hint(text, lang) if text else None:  # "출생신고 하려면…": /birth first, the offer kept
        said, rows = f"{hint[0]}\n\n{said}", [hint[1]] + rows
    await message.answer(said, reply_markup=markup(rows))


@router.message(F.text, F.chat.type == "private")
async def free_text(message: Message, state: FSMContext, svc: Services, lang: str, principal: Principal) -> None:
    """Typing is never a dead end: offer to file what they wrote, with a suggested category (a
    greeting is greeted with the menu instead)."""
    text = message.text.strip()[: DESCRIPTION_MAX + 1]  # one holding a 주민등록번호 never gets here (bot/rrn_guard.py)
    if await point_free_text(message, lang, principal):
        return
    await offer(message, state, svc, lang, text, [])


@router.message(F.photo | F.document.mime_type.startswith("image/") | F.caption, F.chat.type == "private")
async def photo_outside_a_form(message: Message, state: FSMContext, svc: Services, lang: str, bot: Bot) -> None:
    """A photo (or an image sent as a file), with or without a caption: offered as a complaint, the
    caption as its text and the photo attached. A file that is no picture is refused with what is
    accepted; its caption is still offered."""
    got = await media.take_image(message, bot, lang)
    caption = (message.caption or "").strip()[: DESCRIPTION_MAX + 1] or None
    if got is None and caption is None:
        return  # told what is accepted
    await offer(message, state, svc, lang, caption, [list(got)] if got else [])


@router.message(F.chat.type == "private")
async def other_content(message: Message, lang: str) -> None:
    """A sticker, voice ... outside a form."""
    await message.answer(t(lang, "fallback.other"))


@router.callback_query()
async def stale_callback(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    await stale_press(query, state, session, svc, lang)
