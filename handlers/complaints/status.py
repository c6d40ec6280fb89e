"""Citizens: /status (own complaints, newest first) and one complaint's full history."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from contextlib import nullcontext

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.callbacks import MenuCb, ResidentFilesCb, StatusCb
from handlers.keyboards import grid, markup
from handlers.onestop.resident import show_status as onestop_status  # birth/death one-stop items (issue 3)
from workflows.complaints import answer_files as af
from workflows.complaints import service as complaints
from workflows.complaints.common import NotFound
from workflows.context import Services
from workflows.roles import Principal
from workflows.texts import t
from handlers.complaints.supplement import status_block

router = Router(name="status")


async def show_list(
    message: Message,
    session: AsyncSession,
    svc: Services,
    lang: str,
    user_id: int,
    reads: async_sessionmaker[AsyncSession] | None = None,
) -> None:
    """The resident's complaints and one-stop applications, read in a read session when given (no
    write lock: the update's own session stays without a transaction while the list is read)."""
    async with reads() if reads is not None else nullcontext(session) as r:
        await _show_list(message, r, svc, lang, user_id)


async def _show_list(message: Message, session: AsyncSession, svc: Services, lang: str, user_id: int) -> None:
    rows = await complaints.list_for_citizen(session, user_id)
    if not rows:
        if not await onestop_status(message, session, svc, lang, user_id):
            await message.answer(t(lang, "status.none"))
        return
    lines = []
    for c in rows:
        waits = c.paused_at is not None  # a 보완 request waits for the resident (workflows/complaints/supplement.py)
        line = t(
            lang,
            "status.line",
            receipt=c.receipt_no,
            state=t(lang, "sp.state") if waits else t(lang, f"state.{c.state}"),
            department=svc.district.department(c.department_code).name(lang),  # a button: plain text
            deadline=svc.fmt(c.pause_due_at if waits else c.deadline_at, lang),
        )
        lines.append((line, StatusCb(cid=c.id)))
    await message.answer(t(lang, "status.title", n=len(rows)), reply_markup=grid(lines, 1))
    await onestop_status(message, session, svc, lang, user_id)


async def send_detail(message: Message, svc: Services, c, lang: str) -> None:
    """One complaint in full: several messages when the answer and the history are long."""
    for text in complaints.detail_messages(svc, c, lang):
        await message.answer(text)

    await status_block(message, svc, c, lang)  # an open 보완 request: what, by when, the answer buttons


@router.message(Command("status"))
async def status_cmd(
    message: Message,
    session: AsyncSession,
    svc: Services,
    lang: str,
    reads: async_sessionmaker[AsyncSession] | None = None,
) -> None:
    await show_list(message, session, svc, lang, message.from_user.id, reads)


@router.callback_query(MenuCb.filter(F.action == "status"))
async def status_menu(
    query: CallbackQuery,
    session: AsyncSession,
    svc: Services,
    lang: str,
    reads: async_sessionmaker[AsyncSession] | None = None,
) -> None:
    await query.answer()
    await show_list(query.message, session, svc, lang, query.from_user.id, reads)


@router.callback_query(StatusCb.filter())
async def status_detail(
    query: CallbackQuery, callback_data: StatusCb, session: AsyncSession, svc: Services, lang: str, principal: Principal
) -> None:
    try:
        c = await complaints.get_visible(session, principal, complaint_id=callback_data.cid)
    except NotFound:
        await query.answer(t(lang, "status.not_found"), show_alert=True)
        return
    await query.answer()
    await send_detail(query.message, svc, c, lang)
    await offer_files(query.message, session, c, lang)  # the answer's photos and documents, again


async def offer_files(msg: Message, session: AsyncSession, c, lang: str) -> None:
    """Under the resident's /status detail: the answer's attachments, with a button to get them again."""
    n = await af.count_of(session, c.id)
    await session.commit()
    if n:
        await msg.answer(
            t(lang, "status.answer_files", receipt=c.receipt_no, n=n),
            reply_markup=markup([[(t(lang, "status.btn.answer_files"), ResidentFilesCb(cid=c.id).pack())]]),
        )
