"""Inline keyboards. Labels come from workflows.texts; callback data from handlers.callbacks."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callbacks import CategoryCb, EditCb, FormCb, LangCb, MenuCb, PrivacyCb, StepCb
from handlers.states import ComplaintForm, step_token
from workflows import services
from workflows.district import District
from workflows.outbox import Buttons
from workflows.texts import t


def markup(rows: Buttons) -> InlineKeyboardMarkup:
    """Plain (label, callback_data) rows, as workflows build them, to an aiogram markup."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=l, callback_data=d) for l, d in row] for row in rows]
    )


def grid(buttons: Sequence[tuple[str, CallbackData | str]], *sizes: int) -> InlineKeyboardMarkup:
    """(label, callback data) buttons in rows of ``sizes``, the last size repeated for the rest (as
    aiogram's builder lays them out with ``adjust``). Not the builder: it deep-copies every button
    already added at each new one (18 ms for the 13 categories, more for an officer's long list)."""
    return markup(rows_of(buttons, *sizes))


def rows_of(buttons: Sequence[tuple[str, CallbackData | str]], *sizes: int) -> list[list[tuple[str, str]]]:
    """The rows ``grid`` lays out, as plain (label, callback_data) pairs."""
    packed = [(label, d.pack() if isinstance(d, CallbackData) else d) for label, d in buttons]
    rows: list[list[tuple[str, str]]] = []
    at = 0
    while at < len(packed):
        size = sizes[min(len(rows), len(sizes) - 1)]
        rows.append(packed[at : at + size])
        at += size
    return rows


def privacy(lang: str, consented: bool) -> InlineKeyboardMarkup:
    if consented:
        return markup([[(t(lang, "privacy.withdraw"), PrivacyCb(action="withdraw").pack())]])
    return markup(
        [
            [(t(lang, "privacy.agree"), PrivacyCb(action="agree").pack())],
            [(t(lang, "privacy.refuse"), PrivacyCb(action="refuse").pack())],
        ]
    )


def language() -> InlineKeyboardMarkup:
    return markup(
        [
            [
                ("한국어", LangCb(code="ko").pack()),
                ("English", LangCb(code="en").pack()),
                ("中文", LangCb(code="zh").pack()),
            ]
        ]
    )


def menu(lang: str, *, officer: bool) -> InlineKeyboardMarkup:
    """Every resident service (workflows/data/services.json), two to a row: a button runs the same
    entry as its command (handlers/common.py). Officers also get their inbox; everyone help."""
    buttons = [(t(lang, f"menu.{s.code}"), MenuCb(action=s.code).pack()) for s in services.catalogue().services]
    rows = rows_of(buttons, 2)
    if officer:
        rows.append([(t(lang, "menu.inbox"), MenuCb(action="inbox").pack())])
    rows.append([(t(lang, "menu.help"), MenuCb(action="help").pack())])
    return markup(rows)


def categories(lang: str, district: District, form_id: str = "-") -> InlineKeyboardMarkup:
    cancel = FormCb(action="cancel", form=form_id, st=step_token(ComplaintForm.category))
    return grid(
        [
            *((cat.name(lang), CategoryCb(code=cat.code)) for cat in district.categories.values()),
            (t(lang, "btn.cancel"), cancel),
        ],
        2,
    )


def step(lang: str, at) -> InlineKeyboardMarkup:
    """[건너뛰기] for an optional step (``at``: the state it is shown for, filters.ShownAtStep)."""
    return markup([[(t(lang, "btn.skip"), StepCb(action="skip", st=step_token(at)).pack())]])


def photos(lang: str, n: int, *, clear: bool = False) -> InlineKeyboardMarkup:
    """The photo step's buttons, each saying what it does and none dropping a photo unasked: skip
    only while there is none, done with the number that goes with the complaint, and (under the
    question, when some are attached) removing them all."""
    at = step_token(ComplaintForm.photos)
    if n == 0:
        return markup([[(t(lang, "btn.skip_photos"), StepCb(action="skip", st=at).pack())]])
    rows = [[(t(lang, "btn.done_photos", n=n), StepCb(action="done", st=at).pack())]]
    if clear:
        rows.append([(t(lang, "btn.clear_photos"), StepCb(action="clear", st=at).pack())])
    return markup(rows)


def confirm(lang: str, form_id: str) -> InlineKeyboardMarkup:
    at = step_token(ComplaintForm.confirm)
    return markup(
        [
            [(t(lang, "cf.submit"), FormCb(action="submit", form=form_id, st=at).pack())],
            [
                (t(lang, "cf.edit"), FormCb(action="edit", form=form_id, st=at).pack()),
                (t(lang, "cf.cancel"), FormCb(action="cancel", form=form_id, st=at).pack()),
            ],
        ]
    )


EDIT_FIELDS = ("category", "description", "photos", "location", "phone")  # labels: cf.edit.<field>


def edit_fields(lang: str) -> InlineKeyboardMarkup:
    return grid([(t(lang, f"cf.edit.{f}"), EditCb(field=f)) for f in EDIT_FIELDS], 3)
