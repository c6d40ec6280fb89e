"""One complaint shown by its receipt number or its card: the officer card (with its buttons when
the officer may act) or, for the resident, their own view; the answer's attachments offered again
under either. From /find, a group card's link, an answer opened from a group, and the inbox."""

from __future__ import annotations

from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.keyboards import markup
from handlers.complaints.status import offer_files, send_detail
from workflows.complaints import casework
from workflows.complaints import service as complaints
from workflows.complaints.common import NotFound
from workflows.context import Services
from workflows.roles import Principal, can_handle
from workflows.texts import t
from workflows.complaints.cards import officer_buttons


async def show_card(
    message: Message, session: AsyncSession, svc: Services, c, lang: str, p: Principal, via: str
) -> None:
    buttons = officer_buttons(c, lang) if can_handle(p, c.department_code, c.handed_to) else []
    names = await casework.names_for(session, c, lang)
    *before, card = complaints.officer_view(
        session, svc, p, c, lang, via=via, names=names
    )  # audited: it shows the phone
    await session.commit()
    for text in before:  # an answered complaint: the last answer and the history in full
        await message.answer(text)
    if c.answer_text:
        await offer_files(message, session, c, lang)  # what went with the answer
    await message.answer(card, reply_markup=markup(buttons) if buttons else None)


async def open_receipt(
    message: Message, session: AsyncSession, svc: Services, lang: str, p: Principal, receipt: str, *, via: str
) -> None:
    """One complaint by its receipt number: the officer card for its department's officers, the
    resident's own view for the resident; anyone else is told there is no such complaint. From
    /find, and from a group card's link (/start case_<receipt>, handlers/group.py)."""
    try:
        c = await complaints.get_visible(session, p, receipt_no=receipt)
    except NotFound:
        await message.answer(t(lang, "status.not_found"))
        return
    if p.is_officer and can_handle(p, c.department_code, c.handed_to):
        await show_card(message, session, svc, c, lang, p, via=via)
    else:  # the resident's own complaint
        await send_detail(message, svc, c, lang)
        await offer_files(message, session, c, lang)  # the answer's attachments, again
