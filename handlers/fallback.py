"""Last router: free text offers to file a complaint; anything else gets a clear answer."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import commands
from handlers.callbacks import FreeTextCb
from handlers.common import point_free_text, service_hint
from handlers.keyboards import markup
from workflows.complaints import DESCRIPTION_MAX
from workflows.context import Services
from workflows.roles import Principal
from workflows.texts import escape, t

router = Router(name="fallback")


@router.message(F.text.startswith("/"))
async def unknown_command(message: Message, lang: str) -> None:
    name = message.text[1:].split(maxsplit=1)[0].split("@")[0].lower() if len(message.text) > 1 else ""
    restricted = name in commands.ADMIN or name in commands.OFFICER
    await message.answer(t(lang, "not_allowed" if restricted else "unknown_command"))


@router.message(F.text, F.chat.type == "private")
async def free_text(message: Message, state: FSMContext, svc: Services, lang: str, principal: Principal) -> None:
    """Typing is never a dead end: offer to file what they wrote, with a suggested category (a
    greeting is greeted with the menu instead)."""
    text = message.text.strip()[:DESCRIPTION_MAX + 1]  # one holding a 주민등록번호 never gets here (bot/rrn_guard.py)
    if await point_free_text(message, lang, principal):
        return
    await state.set_data({"free_text": text})
    cat = svc.district.suggest_category(text)
    rows = []
    if cat is not None:
        rows.append([(t(lang, "cf.offer_yes", category=cat.name(lang)), FreeTextCb(action="file", cat=cat.code).pack())])
    rows.append([(t(lang, "cf.offer_other"), FreeTextCb(action="choose").pack()),
                 (t(lang, "cf.offer_no"), FreeTextCb(action="no").pack())])
    key = "cf.offer_free_text" if cat else "cf.offer_free_text_nocat"
    said = t(lang, key, category=escape(cat.name(lang)) if cat else "")
    if hint := service_hint(text, lang):  # "출생신고 하려면…": /birth first, the offer kept
        said, rows = f"{hint[0]}\n\n{said}", [hint[1]] + rows
    await message.answer(said, reply_markup=markup(rows))


@router.message(F.chat.type == "private")
async def other_content(message: Message, lang: str) -> None:
    """A sticker, photo, voice ... outside a form."""
    await message.answer(t(lang, "fallback.other"))


@router.callback_query()
async def stale_callback(query: CallbackQuery, lang: str) -> None:
    await query.answer(t(lang, "stale_button"), show_alert=True)
