"""Everyone: /start (and invite deep links), /help, /menu, /language, /cancel (/privacy: handlers/privacy.py)."""
from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import set_commands_for
from bot.db.models import User
from handlers import keyboards as kb
from handlers.callbacks import LangCb, MenuCb
from handlers.privacy import show_privacy
from handlers.states import ComplaintForm, OfficerForm
from workflows import roles, users
from workflows.context import Services
from workflows.roles import Principal, RoleError
from workflows.texts import escape, t

router = Router(name="common")


def help_text(lang: str, p: Principal) -> str:
    text = t(lang, "help")
    if p.is_officer:
        text += t(lang, "help.officer")
    if p.is_evaluator:
        text += t(lang, "help.evaluator")
    if roles.OPERATOR in p.roles or p.is_admin:
        text += t(lang, "help.operator")
    if p.is_admin:
        text += t(lang, "help.admin")
    return text


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("inv_")))
async def start_invite(message: Message, command: CommandObject, session: AsyncSession, svc: Services,
                       lang: str, bot: Bot) -> None:
    try:
        grant = await roles.redeem_invite(session, token=command.args[4:], user_id=message.from_user.id,
                                          departments=svc.district.departments)
    except RoleError as e:
        await message.answer(e.text(lang))
        return
    await session.commit()
    dept = f" ({escape(svc.district.department(grant.department_code).name(lang))})" if grant.department_code else ""
    await message.answer(t(lang, "invite.welcome", role=t(lang, f"role.name.{grant.role}"), dept=dept))
    p = await roles.load_principal(session, message.from_user.id, svc.admin_ids)
    await set_commands_for(bot, p, lang)


@router.message(CommandStart())
async def start(message: Message, session: AsyncSession, svc: Services, lang: str, principal: Principal) -> None:
    await message.answer(t(lang, "start.greeting", district=escape(svc.district.name_ko if lang == "ko" else svc.district.name_en)))
    if await users.active_consent(session, message.from_user.id) is None:
        await show_privacy(message, session, svc, lang, message.from_user.id)
    else:
        await message.answer(t(lang, "menu.title"), reply_markup=kb.menu(lang, officer=principal.is_officer))


@router.message(Command("help"))
async def help_cmd(message: Message, lang: str, principal: Principal) -> None:
    await message.answer(help_text(lang, principal))


@router.message(Command("menu"))
async def menu_cmd(message: Message, lang: str, principal: Principal) -> None:
    await message.answer(t(lang, "menu.title"), reply_markup=kb.menu(lang, officer=principal.is_officer))


@router.callback_query(MenuCb.filter(F.action == "help"))
async def menu_help(query: CallbackQuery, lang: str, principal: Principal) -> None:
    await query.answer()
    await query.message.answer(help_text(lang, principal))


@router.message(Command("language"))
async def language_cmd(message: Message, lang: str) -> None:
    await message.answer(t(lang, "language.choose"), reply_markup=kb.language())


@router.callback_query(LangCb.filter())
async def language_set(query: CallbackQuery, callback_data: LangCb, session: AsyncSession, user: User,
                       principal: Principal, bot: Bot) -> None:
    await users.set_language(session, user, callback_data.code)
    await query.answer()
    await query.message.answer(t(user.language, "language.set"))
    await set_commands_for(bot, principal, user.language)


@router.message(Command("cancel"))
async def cancel_cmd(message: Message, state: FSMContext, lang: str) -> None:
    current = await state.get_state()
    if current is None:
        await state.set_data({})
        await message.answer(t(lang, "cancel.nothing"))
        return
    what = ("complaint" if current.startswith(ComplaintForm.__name__)
            else "answer" if current.startswith(OfficerForm.__name__) else "other")
    await state.clear()
    await message.answer(t(lang, "cancel.done", what=t(lang, f"cancel.what.{what}")))
