"""Admins: /grant, /revoke, /invite, /departments."""
from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import set_commands_for
from handlers.filters import RoleFilter
from workflows import roles
from workflows.context import Services
from workflows.roles import ADMIN, RoleError
from workflows.texts import escape, t

router = Router(name="admin")
router.message.filter(RoleFilter(ADMIN))


def _dept(svc: Services, code: str | None, lang: str) -> str:
    return f" ({escape(svc.district.department(code).name(lang))})" if code else ""


@router.message(Command("grant"))
async def grant_cmd(message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str,
                    bot: Bot) -> None:
    args = (command.args or "").split()
    user_id = roles.parse_user_id(args[0]) if len(args) in (2, 3) else None
    if user_id is None:
        await message.answer(t(lang, "admin.grant_usage"))
        return
    role, dept = args[1].lower(), (args[2].upper() if len(args) == 3 else None)
    before, old_dept = await roles.held(session, user_id, role)
    try:
        g = await roles.grant(session, user_id=user_id, role=role, department_code=dept,
                              by=message.from_user.id, departments=svc.district.departments)
    except RoleError as e:
        await message.answer(e.text(lang))
        return
    await session.commit()
    name = t(lang, f"role.name.{g.role}")
    if not before:
        text = t(lang, "admin.granted", user=user_id, role=name, dept=_dept(svc, g.department_code, lang))
    elif old_dept == g.department_code:
        text = t(lang, "admin.grant_unchanged", user=user_id, role=name, dept=_dept(svc, g.department_code, lang))
    else:  # moved: say from where to where
        text = t(lang, "admin.grant_moved", user=user_id, role=name,
                 old=escape(svc.district.department(old_dept).name(lang)) if old_dept else "-",
                 new=escape(svc.district.department(g.department_code).name(lang)))
    await message.answer(text)
    p = await roles.load_principal(session, user_id, svc.admin_ids)
    await set_commands_for(bot, p, "ko")


@router.message(Command("revoke"))
async def revoke_cmd(message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str,
                     bot: Bot) -> None:
    args = (command.args or "").split()
    user_id = roles.parse_user_id(args[0]) if len(args) == 2 else None
    if user_id is None:
        await message.answer(t(lang, "admin.revoke_usage"))
        return
    role = args[1].lower()
    try:
        n = await roles.revoke(session, user_id=user_id, role=role, by=message.from_user.id)
    except RoleError as e:
        await message.answer(e.text(lang))
        return
    await session.commit()
    await message.answer(t(lang, "admin.revoked" if n else "admin.revoke_none", user=user_id,
                           role=t(lang, f"role.name.{role}")))
    p = await roles.load_principal(session, user_id, svc.admin_ids)
    await set_commands_for(bot, p, "ko")


@router.message(Command("invite"))
async def invite_cmd(message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str) -> None:
    args = (command.args or "").split()
    if len(args) not in (1, 2):
        await message.answer(t(lang, "admin.invite_usage"))
        return
    role, dept = args[0].lower(), (args[1].upper() if len(args) == 2 else None)
    try:
        inv = await roles.create_invite(session, role=role, department_code=dept, by=message.from_user.id,
                                        departments=svc.district.departments)
    except RoleError as e:
        await message.answer(e.text(lang))
        return
    await session.commit()
    link = f"https://t.me/{svc.bot_username}?start=inv_{inv.token}"
    await message.answer(t(lang, "admin.invite_link", role=t(lang, f"role.name.{inv.role}"),
                           dept=_dept(svc, inv.department_code, lang),
                           days=roles.INVITE_TTL.days, link=link))


@router.message(Command("departments"))
async def departments_cmd(message: Message, svc: Services, lang: str) -> None:
    lines = "\n".join(f"<code>{escape(d.code)}</code> {escape(d.name(lang))} {escape(d.phone)}"
                      for d in svc.district.departments.values())
    await message.answer(t(lang, "admin.departments", lines=lines))
