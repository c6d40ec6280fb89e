"""Group chats get no personal data (first router): in a group or supergroup, the commands and
buttons that show a resident's complaint, phone, address or name — or start a form that would
collect them — are answered with a short "open a private chat" and a link to the bot
(https://t.me/<bot>?start=<payload>), and nothing else is posted there.

The commands that stay in groups show nothing personal: /help, /ranking (the public ranking),
/report (evaluators' aggregates, EVALUATION_CHAT_ID may be a group), /verify (typed in licensing
bodies' chats), /departments, /language, /cancel. Every other command the bot knows goes to the
private chat, so a command added later is private unless it is listed here. Buttons pressed in a
group: those of the complaint officer's card, the resident's screens and the one-stop and tax
officers' work buttons answer with an alert — except the complaint officer card's actions that ask
for text (답변, 반려, 연장, 이송, 메모), which go on in the officer's private chat (an old card's, from
before group cards held only a link); an outside body's 수신 확인 and a licensing body's 면허 불허 work
as before. One-stop and tax group cards carry only a link (workflows/group_cards.py,
handlers/staff_links.py).

The link's payload brings the person back to what they asked for: ``case_<receipt>`` (a
department group card's button, workflows/complaints/cards.open_link_buttons, or /find in a group) opens
that complaint as /find would, with the rights checked again; ``ans_<receipt>`` opens its answer
form (left in the group when an officer pressed 답변 on a card there and the bot could not write to
them: handlers/answer_templates.continue_in_private); ``status``, ``complaint``, ``inbox`` and
``privacy`` run those commands. Anything else is the plain /start.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import commands
from handlers.complaints.answer_templates import IN_PRIVATE, continue_in_private, open_answer_link
from handlers.callbacks import OfficerCb
from handlers.complaints.case_view import open_receipt
from workflows.context import Services
from workflows.links import private_chat
from workflows.roles import Principal
from workflows.texts import escape, t
from handlers.privacy import privacy_cmd
from handlers.complaints.status import show_list
from handlers.complaints.filing import begin
from handlers.complaints.officer import RECEIPT, show_inbox
from handlers.turn import Turn

router = Router(name="group")

GROUPS = ("group", "supergroup")
GROUP_SAFE = {"help", "ranking", "report", "verify", "departments", "language", "cancel"}
PRIVATE_ONLY = sorted(
    {
        *commands.EVERYONE,
        *commands.CITIZEN,
        *commands.OFFICER,
        *commands.ADMIN,
        *commands.EVALUATOR,
        *commands.FOOD,
        *commands.EDITOR,
        *commands.TAX,
    }
    - GROUP_SAFE
)
START_ROUTES = ("status", "complaint", "inbox", "privacy")
# callback data prefixes (handlers/callbacks.py) of screens with a resident's data or forms that collect it
PRIVATE_BUTTONS = {
    "pv",
    "pvd",
    "menu",
    "cat",
    "step",
    "cf",
    "ed",
    "ft",
    "st",
    "op",
    "tr",
    "rm",
    "an",
    "fb",
    "rt",
    "rd",
    "ax",
    "at",
    "tpl",
    "arf",
}  # the last four: handlers/complaints/answer_templates.py
# the one-stop and tax officers' work buttons (an old group card's, or forged): their answers show the
# family's or the payer's data; only an outside body's 수신 확인 and a licensing body's 면허 불허 stay
PRIVATE_BUTTON_ACTIONS = {
    *(("osi", a) for a in ("open", "take", "done", "supp", "skip_note", "contact")),
    *(
        ("lt", a)
        for a in ("open", "class", "nontax_ask", "nontax", "cancel", "paid_ask", "paid", "pay_open", "accept", "return")
    ),
}


def _private_button(data: str | None) -> bool:
    parts = (data or "").split(":")
    return parts[0] in PRIVATE_BUTTONS or tuple(parts[:2]) in PRIVATE_BUTTON_ACTIONS


def _payload(name: str, args: str | None) -> str | None:
    receipt = (args or "").strip()
    if name == "find" and RECEIPT.match(receipt):
        return f"case_{receipt}"
    return name if name in START_ROUTES else None


@router.message(F.chat.type.in_(GROUPS), Command(*PRIVATE_ONLY))
async def private_only(message: Message, command: CommandObject, svc: Services, lang: str) -> None:
    name = command.command.lower()
    link = private_chat(svc.bot_username, _payload(name, command.args))
    button = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t(lang, "group.open_private"), url=link)]]
    )
    await message.answer(
        t(lang, "group.private_only", command=escape(f"/{name}")), reply_markup=button if link else None
    )


@router.callback_query(F.message.chat.type.in_(GROUPS), OfficerCb.filter(F.action.in_(IN_PRIVATE)))
async def form_in_private(query: CallbackQuery, callback_data: OfficerCb, turn: Turn, bot: Bot) -> None:
    """답변 (or another action that asks for text) on a card in a group: it goes on in the private
    chat (handlers/answer_templates.continue_in_private); nothing is typed into the group."""
    state, session, svc, lang, principal = turn
    await continue_in_private(query, callback_data, state, session, svc, lang, principal, bot)


@router.callback_query(F.message.chat.type.in_(GROUPS), F.data.func(_private_button))
async def private_only_button(query: CallbackQuery, lang: str) -> None:
    await query.answer(t(lang, "group.private_button"), show_alert=True)


# --- the private side of the links --------------------------------------------------------------


@router.message(F.chat.type == "private", CommandStart(deep_link=True, magic=F.args.regexp(r"^case_\d{4}-\d{6}$")))
async def start_case(
    message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str, principal: Principal
) -> None:
    await open_receipt(message, session, svc, lang, principal, command.args[len("case_") :], via="link")


@router.message(F.chat.type == "private", CommandStart(deep_link=True, magic=F.args.regexp(r"^ans_\d{4}-\d{6}$")))
async def start_answer(message: Message, command: CommandObject, turn: Turn) -> None:
    """The link left in a group when the bot could not write to the officer: the answer form."""
    state, session, svc, lang, principal = turn
    await open_answer_link(message, state, session, svc, lang, principal, command.args[len("ans_") :])


@router.message(F.chat.type == "private", CommandStart(deep_link=True, magic=F.args.in_(START_ROUTES)))
async def start_route(message: Message, command: CommandObject, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    uid = message.from_user.id
    if command.args == "status":
        await show_list(message, session, svc, lang, uid)
    elif command.args == "complaint":
        await begin(message, state, session, svc, lang, uid)
    elif command.args == "inbox":
        await show_inbox(message, session, svc, lang, principal)
    else:
        await privacy_cmd(message, session, svc, lang)
