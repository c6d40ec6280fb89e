"""Admins: /grant, /revoke, /invite, /departments; where a former officer's open complaints go."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import RoleGrant

from handlers.commands import set_commands_for
from handlers.callbacks import OrphansCb
from handlers.filters import RoleFilter
from handlers.replies import allowed
from handlers.keyboards import markup
from workflows import roles
from workflows.complaints import casework
from workflows.context import Services
from workflows.roles import ADMIN, Principal, RoleError
from workflows.texts import escape, t

router = Router(name="admin")
router.message.filter(RoleFilter(ADMIN))


def _dept(svc: Services, code: str | None, lang: str) -> str:
    return f" ({escape(svc.district.department(code).name(lang))})" if code else ""


@router.message(Command("grant"))
async def grant_cmd(
    message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str, bot: Bot
) -> None:
    """/grant <id> <role> [dept] [name…]: a department role takes the department code; the words
    after it (or after the role) are the name colleagues will see (else their Telegram name)."""
    args = (command.args or "").split()
    user_id = roles.parse_user_id(args[0]) if len(args) >= 2 else None
    if user_id is None:
        await message.answer(t(lang, "admin.grant_usage"))
        return
    role = args[1].lower()
    takes_dept = role in roles.DEPARTMENT_ROLES
    dept = args[2].upper() if takes_dept and len(args) >= 3 else None
    staff_name = " ".join(args[3:] if takes_dept else args[2:])
    before, old_dept = await roles.held(session, user_id, role)
    try:
        g = await roles.grant(
            session,
            user_id=user_id,
            role=role,
            department_code=dept,
            by=message.from_user.id,
            departments=svc.district.departments,
        )
    except RoleError as e:
        await message.answer(e.text(lang))
        return
    await roles.set_staff_name(session, user_id, staff_name)
    await session.commit()
    name = t(lang, f"role.name.{g.role}")
    if not before:
        text = t(lang, "admin.granted", user=user_id, role=name, dept=_dept(svc, g.department_code, lang))
    elif old_dept == g.department_code:
        text = t(lang, "admin.grant_unchanged", user=user_id, role=name, dept=_dept(svc, g.department_code, lang))
    else:  # moved: say from where to where
        text = t(
            lang,
            "admin.grant_moved",
            user=user_id,
            role=name,
            old=escape(svc.district.department(old_dept).name(lang)) if old_dept else "-",
            new=escape(svc.district.department(g.department_code).name(lang)),
        )
    await message.answer(text)
    p = await roles.load_principal(session, user_id, svc.admin_ids)
    await set_commands_for(bot, p, "ko")
    await ask_about_orphans(message, session, svc, lang, user_id)  # moved to another department


@router.message(Command("revoke"))
async def revoke_cmd(
    message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str, bot: Bot
) -> None:
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
    await message.answer(
        t(lang, "admin.revoked" if n else "admin.revoke_none", user=user_id, role=t(lang, f"role.name.{role}"))
    )
    p = await roles.load_principal(session, user_id, svc.admin_ids)
    await set_commands_for(bot, p, "ko")
    await ask_about_orphans(message, session, svc, lang, user_id)


# --- a former officer's open complaints: to a colleague, or back to unassigned ----------------------


async def ask_about_orphans(message: Message, session: AsyncSession, svc: Services, lang: str, user_id: int) -> None:
    """After a revoke (or a move to another department): for each department the person left with
    complaints still in their charge, ask the admin to whom they go."""
    for o in await casework.orphans_of(session, user_id):
        name = (await roles.staff_names(session, [user_id], lang))[user_id]
        rows = [
            [(c.name[:40], OrphansCb(g=o.grant_id, to=c.grant_id).pack())]
            for c in (await roles.colleagues(session, o.department_code, lang))[:20]
            if c.user_id != user_id
        ]
        rows.append([(t(lang, "ws.orphans.btn.unassign"), OrphansCb(g=o.grant_id, to=0).pack())])
        shown = ", ".join(o.receipts[:10]) + (
            t(lang, "ws.and_more", n=len(o.receipts) - 10) if len(o.receipts) > 10 else ""
        )
        await message.answer(
            t(
                lang,
                "ws.orphans.ask",
                name=escape(name),
                n=len(o.receipts),
                receipts=shown,
                department=escape(svc.district.department(o.department_code).name(lang)),
            ),
            reply_markup=markup(rows),
        )


@router.callback_query(OrphansCb.filter())
async def orphans_to(
    query: CallbackQuery,
    callback_data: OrphansCb,
    session: AsyncSession,
    svc: Services,
    lang: str,
    principal: Principal,
) -> None:
    if not await allowed(query, lang, principal.is_admin):
        return
    ended = await session.get(RoleGrant, callback_data.g)
    target = await roles.current_grant(session, callback_data.to) if callback_data.to else None
    if (
        ended is None
        or ended.revoked_at is None
        or (callback_data.to and (target is None or target.department_code != ended.department_code))
    ):
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    moved = await casework.reassign_orphans(session, svc, principal, ended, target.user_id if target else None)
    await session.commit()
    await query.message.edit_reply_markup(reply_markup=None)
    if not moved:
        await query.message.answer(t(lang, "ws.orphans.none"))
    elif target:
        name = (await roles.staff_names(session, [target.user_id], lang))[target.user_id]
        await query.message.answer(t(lang, "ws.orphans.done_to", n=len(moved), name=escape(name)))
    else:
        await query.message.answer(t(lang, "ws.orphans.done_unassigned", n=len(moved)))


@router.message(Command("invite"))
async def invite_cmd(message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str) -> None:
    args = (command.args or "").split()
    if len(args) not in (1, 2):
        await message.answer(t(lang, "admin.invite_usage"))
        return
    role, dept = args[0].lower(), (args[1].upper() if len(args) == 2 else None)
    try:
        inv = await roles.create_invite(
            session, role=role, department_code=dept, by=message.from_user.id, departments=svc.district.departments
        )
    except RoleError as e:
        await message.answer(e.text(lang))
        return
    await session.commit()
    link = f"https://t.me/{svc.bot_username}?start=inv_{inv.token}"
    await message.answer(
        t(
            lang,
            "admin.invite_link",
            role=t(lang, f"role.name.{inv.role}"),
            dept=_dept(svc, inv.department_code, lang),
            days=roles.INVITE_TTL.days,
            link=link,
        )
    )


@router.message(Command("departments"))
async def departments_cmd(message: Message, svc: Services, lang: str) -> None:
    lines = "\n".join(
        f"<code>{escape(d.code)}</code> {escape(d.name(lang))} {escape(d.phone)}"
        for d in svc.district.departments.values()
    )
    await message.answer(t(lang, "admin.departments", lines=lines))
