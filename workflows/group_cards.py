"""What a department's group chat sees of a one-stop sub-request (출생·사망 원스톱) or of a
registration-licence-tax notice (등록면허세): only what the whole group may see — what kind of item
it is, its receipt or notice number, the 동, its state — and a link that opens it in the officer's
private chat (``/start os_<item>``, ``lt_<notice>``, ``ltp_<payment>``; handlers/staff_links.py),
where the rights are checked again and viewing it is audited, as for complaints
(workflows/complaints.group_card). Never the family's dates, relationship, answers or phone, nor a
business name, taxpayer, amount, account or transaction number: a group's members change, and the
chat keeps what was posted."""

from __future__ import annotations

import re

from workflows.models import LicenseTaxNotice, LicenseTaxPayment, OnestopItem
from workflows.context import Services
from workflows.links import private_chat
from workflows.texts import escape, t

ONESTOP, TAX, PAYMENT = "os", "lt", "ltp"
PAYLOAD = re.compile(r"^(os|lt|ltp)_([1-9]\d{0,11})$")

# the officers' heads (texts) -> the group's, which leave out what the family or the payer wrote
ONESTOP_HEADS = {
    "onestop.op.new": "onestop.op.new",
    "onestop.op.reply": "onestop.group.reply",
    "onestop.op.relay_failed": "onestop.op.relay_failed",
    "onestop.op.withdrawn": "onestop.op.withdrawn",
}
TAX_HEADS = {
    "lt.op.new_change": "lt.group.new_change",
    "lt.op.new_unconfirmed": "lt.group.new_unconfirmed",
    "lt.op.withdrawn": "lt.group.withdrawn",
    "lt.op.payment_held": "lt.group.payment_held",
    "lt.op.relay_by_hand": "lt.group.relay_by_hand",
}


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


def onestop_card(svc: Services, item: OnestopItem, head: str, lang: str) -> str:
    from workflows import birth_death as bd

    app = item.application
    dong = (app.facts or {}).get("dong")
    return t(
        lang,
        "onestop.group.card",
        head=t(lang, ONESTOP_HEADS.get(head, "onestop.group.update")),
        kind=t(lang, bd.KIND_KEYS[app.kind]),
        receipt=app.receipt_no,
        service=escape(bd.item_name(item, app.kind, lang, svc.district)),
        dong=escape(svc.district.dong_name(dong, lang)) if dong else t(lang, "op.group.no_dong"),
        state=t(lang, bd.STATE_KEYS[item.state]),
    )


def tax_card(svc: Services, n: LicenseTaxNotice | None, head: str, lang: str) -> str:
    from workflows import license_tax as lt

    line = (
        t(
            lang,
            "lt.group.notice",
            no=n.notice_no,
            state=lt.state_text(n, lang),
            licence=escape(lt._licence_name(svc, n, lang)),
            dong=escape(svc.district.dong_name(n.dong, lang)),
        )
        if n is not None
        else t(lang, "lt.group.no_notice")
    )
    return t(lang, "lt.group.card", head=t(lang, TAX_HEADS.get(head, "lt.group.update")), notice=line)


def tax_buttons(
    svc: Services, n: LicenseTaxNotice | None, payment: LicenseTaxPayment | None, lang: str
) -> list[list[tuple[str, str]]] | None:
    if payment is not None:
        return open_buttons(svc, PAYMENT, payment.id, lang)
    return open_buttons(svc, TAX, n.id, lang) if n is not None else None
