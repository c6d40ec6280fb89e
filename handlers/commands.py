"""setMyCommands per role scope: everyone sees the citizen commands (/foodalert among them: any
restaurant operator may register), officers and admins more."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from workflows.new_residents.newsletter import is_editor as newsletter_editor
from workflows.roles import Principal
from workflows.texts import LANGS, t

log = logging.getLogger(__name__)

EVERYONE = ("start", "help", "menu", "cancel", "language", "privacy")
CITIZEN = ("complaint", "status", "birth", "death", "licensetax", "moving", "opinion", "foodalert", "ranking")
OFFICER = ("inbox", "find", "onestop", "settings", "templates")
ADMIN = ("grant", "revoke", "invite", "departments", "audit", "broadcast")
EVALUATOR = ("report",)
FOOD = ("foodalert",)  # listed for everyone (in CITIZEN); operators and 위생과 officers use it most
EDITOR = ("newsletter",)  # the newsletter editor department's officers, admins
# 등록면허세: every officer sees it (the tax department is in the district profile, which this module
# does not load); others are told it is for the tax division. /verify is typed in licensing bodies' chats.
TAX = ("taxinbox",)


def commands(lang: str, names) -> list[BotCommand]:
    return [BotCommand(command=n, description=t(lang, f"cmd.{n}")) for n in names]


def names_for(p: Principal) -> tuple[str, ...]:
    names: tuple[str, ...] = CITIZEN + EVERYONE
    if p.is_officer:
        names = OFFICER + TAX + names
    if p.is_evaluator:
        names = EVALUATOR + names
    if newsletter_editor(p):
        names = EDITOR + names
    if p.is_admin:
        names = names + ADMIN
    return names


async def set_default_commands(bot: Bot) -> None:
    for lang in LANGS:
        await bot.set_my_commands(
            commands(lang, CITIZEN + EVERYONE),
            scope=BotCommandScopeDefault(),
            language_code=None if lang == "ko" else lang,
        )


async def set_commands_for(bot: Bot, p: Principal, lang: str) -> None:
    """Commands for one user's private chat; silently skipped if they never opened the chat."""
    try:
        await bot.set_my_commands(commands(lang, names_for(p)), scope=BotCommandScopeChat(chat_id=p.user_id))
    except TelegramAPIError as e:
        log.info("setMyCommands for a user chat failed: %s", type(e).__name__)
