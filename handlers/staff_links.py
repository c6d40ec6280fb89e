"""The private side of a one-stop or tax group card's link (workflows/group_cards.py):
``/start os_<item>`` opens a one-stop sub-request for an officer of its department, ``/start
lt_<notice>`` a 등록면허세 notice and ``/start ltp_<payment>`` a held payment for a tax officer —
the same audited card and work buttons as /onestop and /taxinbox. Anyone else (a resident, an
officer of another department, a missing item) gets the same short answer and nothing of it."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import LicenseTaxNotice, LicenseTaxPayment
from handlers.keyboards import markup
from workflows import group_cards
from workflows.license_tax import service as lt
from workflows.context import Services
from workflows.roles import Principal
from workflows.texts import t
from handlers.onestop.officer import item_for_officer, officer_card

router = Router(name="staff_links")


@router.message(F.chat.type == "private", CommandStart(deep_link=True, magic=F.args.regexp(group_cards.PAYLOAD)))
async def open_from_group(
    message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str, principal: Principal
) -> None:
    kind, item_id = group_cards.parse(command.args)
    if kind == group_cards.ONESTOP:
        item = await item_for_officer(session, principal, item_id)
        if item is None:
            await message.answer(t(lang, "staff_link.not_found"))
            return
        text, kb = await officer_card(session, svc, principal, item, lang)  # audited, committed
        await message.answer(text, reply_markup=kb)
        return
    if not lt.is_tax_officer(svc, principal):
        await message.answer(t(lang, "staff_link.not_found"))
        return
    if kind == group_cards.TAX:
        n = await session.get(LicenseTaxNotice, item_id)
        if n is None:
            await message.answer(t(lang, "staff_link.not_found"))
            return
        buttons = lt.officer_buttons(n, lang, lt.catalogue_for(svc.district))
        text = lt.officer_view(session, svc, principal, n, lang, via="link")
        await session.commit()
        await message.answer(text, reply_markup=markup(buttons) if buttons else None)
        return
    p = await session.get(LicenseTaxPayment, item_id)
    if p is None:
        await message.answer(t(lang, "staff_link.not_found"))
        return
    n = await session.get(LicenseTaxNotice, p.notice_id) if p.notice_id else None
    card = lt.officer_view(session, svc, principal, n, lang, via="link") if n else t(lang, "lt.op.no_notice")
    await session.commit()
    buttons = lt.payment_buttons(p, n, lang)
    await message.answer(
        lt.payment_line(svc, p, lang) + "\n\n" + card, reply_markup=markup(buttons) if buttons else None
    )
