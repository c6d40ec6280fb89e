"""What a department's group chat sees of a one-stop sub-request (출생·사망 원스톱) or of a
registration-licence-tax notice (등록면허세): only what the whole group may see — what kind of item
it is, its receipt or notice number, the 동, its state — and a link that opens it in the officer's
private chat (``/start os_<item>``, ``lt_<notice>``, ``ltp_<payment>``; handlers/staff_links.py),
where the rights are checked again and viewing it is audited, as for complaints
(workflows/complaints/cards.group_card). Never the family's dates, relationship, answers or phone, nor a
business name, taxpayer, amount, account or transaction number: a group's members change, and the
chat keeps what was posted.

This module holds what the cards share (the payload of the link, its button); each card is drawn by
its feature (birth_death.group_card, license_tax.group_card), from the heads it names there."""

from __future__ import annotations

import re

from workflows.context import Services
from workflows.links import private_chat
from workflows.texts import t

ONESTOP, TAX, PAYMENT = "os", "lt", "ltp"
PAYLOAD = re.compile(r"^(os|lt|ltp)_([1-9]\d{0,11})$")


def payload(kind: str, item_id: int) -> str:
    return f"{kind}_{item_id}"


def parse(text: str | None) -> tuple[str, int] | None:
    """(kind, id) of a /start payload made by payload(), else None."""
    m = PAYLOAD.fullmatch((text or "").strip())
    return (m[1], int(m[2])) if m else None


def open_buttons(svc: Services, kind: str, item_id: int, lang: str) -> list[list[tuple[str, str]]] | None:
    """One link button that opens the item in the private chat with the bot (None before getMe)."""
    link = private_chat(svc.bot_username, payload(kind, item_id))
    return [[(t(lang, "op.group.open"), link)]] if link else None
