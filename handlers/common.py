"""Everyone: /start (and invite deep links), /help, /menu, /language, /cancel (/privacy: handlers/privacy.py).

The menu (handlers/keyboards.menu) lists every resident service of workflows/data/services.json; a
menu button runs the same entry as the service's command (``run_entry``), as if the resident had
typed it. Free text about a service, or a greeting, is answered here too (``point_free_text``).
"""

from __future__ import annotations


from aiogram import Bot, F, Router
from aiogram.dispatcher.event.handler import CallableObject
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.commands import set_commands_for
from workflows.models import User
from handlers import keyboards as kb
from handlers.callbacks import LangCb, MenuCb
from handlers.privacy import show_notice
from handlers.states import ComplaintForm, OfficerForm
from handlers.entries import ENTRIES, entry
from workflows import roles, services, users
from workflows.context import Services
from workflows.roles import Principal, RoleError
from workflows.texts import escape, pick, t

router = Router(name="common")


def help_text(lang: str, p: Principal) -> str:
    text = t(lang, "help")
    if p.is_officer:
        text += t(lang, "help.officer")
    if p.is_evaluator:
        text += t(lang, "help.evaluator")
    if p.is_admin:
        text += t(lang, "help.admin")
    return text


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("inv_")))
async def start_invite(
    message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str, bot: Bot
) -> None:
    try:
        grant = await roles.redeem_invite(
            session, token=command.args[4:], user_id=message.from_user.id, departments=svc.district.departments
        )
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
    """The greeting lists every service, with the menu under it; the complaint consent follows
    for someone who has not given it (each one-stop asks its own when it starts). The consent is read
    before the first reply: the update's one transaction ends there (bot/commit_first.py)."""
    consent = await users.active_consent(session, message.from_user.id)
    await message.answer(
        t(lang, "start.greeting", district=escape(pick(lang, svc.district.name_ko, svc.district.name_en))),
        reply_markup=kb.menu(lang, officer=principal.is_officer),
    )
    if consent is None:
        await show_notice(message, svc, lang, None)


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


async def run_entry(code: str, message: Message, user, bot: Bot, data: dict) -> None:
    """Run service `code`'s command handler as if `user` had typed its command in this chat: the
    same function, with the handler data of this update (session, state, lang, principal ...)."""
    handler = ENTRIES[code]  # registered by the service's module (handlers/entries.py)
    command = services.catalogue().get(code).command
    typed = message.model_copy(
        update={"from_user": user, "text": f"/{command}", "entities": None, "reply_markup": None}
    ).as_(bot)
    await CallableObject(handler).call(typed, **data)


@router.callback_query(MenuCb.filter(F.action.in_(ENTRIES)))  # the registry as it is when pressed
async def menu_entry(query: CallbackQuery, callback_data: MenuCb, bot: Bot, lang: str, **data) -> None:
    if not isinstance(query.message, Message) or query.message.chat.type != "private":
        await query.answer(t(lang, "menu.private_only"), show_alert=True)
        return
    await query.answer()
    await run_entry(callback_data.action, query.message, query.from_user, bot, {**data, "bot": bot, "lang": lang})


async def point_free_text(message: Message, lang: str, principal: Principal) -> bool:
    """Free text outside a form that is only a greeting: greeted with the menu (True, handled)."""
    if not services.is_greeting(message.text or ""):
        return False
    await message.answer(t(lang, "hint.greeting"), reply_markup=kb.menu(lang, officer=principal.is_officer))
    return True


def service_hint(text: str, lang: str) -> tuple[str, list[tuple[str, str]]] | None:
    """For free text about a service ("출생신고 하려면…"): the line that points to its command and
    the button that starts it, shown above the complaint offer (handlers/fallback.py)."""
    s = services.match(text)
    if s is None or s.code not in ENTRIES:
        return None
    if s.code == "foodalert":  # for operators: a resident reporting a case files a complaint
        line = t(lang, "hint.service.foodalert")
    else:
        line = t(lang, "hint.service", what=t(lang, f"hint.what.{s.code}"), command=f"/{s.command}")
    return line, [(t(lang, f"menu.{s.code}"), MenuCb(action=s.code).pack())]


@entry("language")
@router.message(Command("language"))
async def language_cmd(message: Message, lang: str) -> None:
    await message.answer(t(lang, "language.choose"), reply_markup=kb.language())


@router.callback_query(LangCb.filter())
async def language_set(
    query: CallbackQuery, callback_data: LangCb, session: AsyncSession, user: User, principal: Principal, bot: Bot
) -> None:
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
    what = (
        "complaint"
        if current.startswith(ComplaintForm.group.__name__)
        else "answer"
        if current.startswith(OfficerForm.__name__)
        else "other"
    )
    await state.clear()
    await message.answer(t(lang, "cancel.done", what=t(lang, f"cancel.what.{what}")))
