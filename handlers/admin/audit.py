"""Admins: /audit [days] — the audit log of the last days as a spreadsheet, with counts per action.
Anyone else typing /audit gets the same refusal as the other admin commands (handlers/fallback.py)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.filters import RoleFilter
from workflows import audit
from workflows.context import Services
from workflows.roles import ADMIN
from workflows.texts import t

router = Router(name="audit")
router.message.filter(RoleFilter(ADMIN))


@router.message(Command("audit"))
async def audit_cmd(message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str) -> None:
    try:
        days = audit.parse_days(command.args)
    except ValueError:
        await message.answer(t(lang, "audit.usage"))
        return
    e = await audit.export(session, tz=svc.tz, now=svc.now(), days=days, actor_id=message.from_user.id, lang=lang)
    await session.commit()  # the export is on record before the file leaves
    await message.answer(audit.summary_text(e, tz=svc.tz, lang=lang))
    await message.answer_document(
        BufferedInputFile(e.xlsx, filename=e.filename),
        caption=t(
            lang,
            "audit.caption",
            since=f"{e.since.astimezone(svc.tz):%Y-%m-%d}",
            until=f"{e.until.astimezone(svc.tz):%Y-%m-%d}",
            n=f"{len(e.rows):,}",
        ),
    )
