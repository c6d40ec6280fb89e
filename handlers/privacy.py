"""Everyone: /privacy — the notice and consent (agree, refuse, withdraw), and the resident's own
data: [내 정보 보기] (workflows/privacy.what_is_held) and [내 정보 삭제] with a confirmation
(workflows/privacy.delete_my_data). An old or repeated confirmation press does nothing harmful.
What a person asked for before consenting (``/complaint``, free text or a photo offered as a
complaint) is kept and goes on once they agree (``ask_consent_first``, ``after_consent``)."""

from __future__ import annotations

from typing import Awaitable, Callable

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards as kb
from handlers.callbacks import PrivacyCb, PrivacyDataCb
from handlers.replies import answer_all
from handlers.entries import entry
from workflows import users
from workflows.models import Consent
from workflows.privacy import service as privacy
from workflows.context import Services
from workflows.privacy.service import Deleted, Held
from workflows.privacy.retention import period_text
from workflows.texts import MESSAGE_LIMIT, PRIVACY_VERSION, escape, pack, t, visible_len
from handlers.turn import Turn

router = Router(name="privacy")

PURPOSE_KEYS = {
    "complaint": "privacy.purpose.complaint",
    "opinion": "privacy.purpose.opinion",
    "food_alert": "privacy.purpose.food_alert",
    "new_resident_info": "privacy.purpose.new_resident_info",
    "license_tax": "privacy.purpose.license_tax",
}
SUBSCRIPTION_KEYS = {
    "opinion": "privacy.subscription.opinion",
    "new_resident": "privacy.subscription.new_resident",
    "food_alert": "privacy.subscription.food_alert",
}


def notice_text(svc: Services, lang: str) -> str:
    """The privacy notice with the configured retention periods (RETENTION_* settings)."""
    r = svc.retention
    return t(
        lang,
        "privacy.notice",
        version=PRIVACY_VERSION,
        retention=period_text(r.complaint_days, lang),
        contact_retention=period_text(r.contact_days, lang),
    )


def _markup(lang: str, consented: bool, data_buttons: bool) -> InlineKeyboardMarkup:
    rows = list(kb.privacy(lang, consented).inline_keyboard)
    if data_buttons:
        rows += kb.markup(
            [
                [
                    (t(lang, "privacy.btn.show"), PrivacyDataCb(action="show").pack()),
                    (t(lang, "privacy.btn.delete"), PrivacyDataCb(action="ask").pack()),
                ]
            ]
        ).inline_keyboard
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def show_privacy(
    message: Message, session: AsyncSession, svc: Services, lang: str, user_id: int, *, data_buttons: bool = False
) -> None:
    """The notice and the consent status with its buttons; from /privacy also the data buttons."""
    await show_notice(message, svc, lang, await users.active_consent(session, user_id), data_buttons=data_buttons)


async def show_notice(
    message: Message, svc: Services, lang: str, consent: Consent | None, *, data_buttons: bool = False
) -> None:
    """The notice and the status of ``consent`` (read by the caller, before its first reply)."""
    text = notice_text(svc, lang) + "\n\n"
    text += (
        t(lang, "privacy.status_on", at=svc.fmt(consent.granted_at, lang), version=consent.version)
        if consent
        else t(lang, "privacy.status_off")
    )
    await message.answer(text, reply_markup=_markup(lang, consent is not None, data_buttons))


# Other features' parts of /privacy, shown under the notice: (message, session, svc, lang, user_id).
SECTIONS: list[Callable[..., Awaitable[None]]] = []


def privacy_section(fn):
    """Register a feature's part of /privacy (a decorator)."""
    SECTIONS.append(fn)
    return fn


# --- what was asked before the consent goes on after it -----------------------------------------------

# name -> goes on with it: (message, state, session, svc, lang, user_id, **what was kept)
AFTER_CONSENT: dict[str, Callable[..., Awaitable[None]]] = {}
PENDING = "after_consent"  # the FSM data key (never logged; dropped on refusal, /cancel or a new form)


def after_consent(name: str):
    def register(fn):
        AFTER_CONSENT[name] = fn
        return fn

    return register


async def ask_consent_first(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, user_id: int, do: str, **kept
) -> None:
    """Something that needs the consent was asked for without it: keep what was asked (in the FSM data)
    and show the notice; agreeing goes on with it."""
    await state.update_data({PENDING: {"do": do, **kept}})
    await message.answer(t(lang, "privacy.need_consent"))
    await show_privacy(message, session, svc, lang, user_id)


async def _take_pending(state: FSMContext) -> dict | None:
    data = await state.get_data()
    pending = data.pop(PENDING, None)
    if pending is not None:
        await state.set_data(data)
    return pending


@entry("privacy")
@router.message(Command("privacy"))
async def privacy_cmd(message: Message, session: AsyncSession, svc: Services, lang: str) -> None:
    await show_privacy(message, session, svc, lang, message.from_user.id, data_buttons=True)
    for section in SECTIONS:  # e.g. the new-resident subscription, with its stop button
        await section(message, session, svc, lang, message.from_user.id)


@router.callback_query(PrivacyCb.filter())
async def privacy_action(query: CallbackQuery, callback_data: PrivacyCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    uid = query.from_user.id
    await query.answer()
    pending = await _take_pending(state)
    if callback_data.action == "agree":
        consent = await users.give_consent(session, uid)
        await session.commit()
        go_on = AFTER_CONSENT.get((pending or {}).pop("do", None))
        if go_on is not None:
            await query.message.answer(t(lang, "privacy.agreed_go_on", at=svc.fmt(consent.granted_at, lang)))
            await go_on(query.message, state, session, svc, lang, uid, **pending)
            return
        await query.message.answer(
            t(lang, "privacy.agreed", at=svc.fmt(consent.granted_at, lang)),
            reply_markup=kb.menu(lang, officer=principal.is_officer),
        )
    elif callback_data.action == "refuse":
        await users.withdraw_consent(session, uid)
        await query.message.answer(
            t(lang, "privacy.refused", phone=escape(svc.district.raw["district"].get("main_phone", "")))
        )
    else:
        await users.withdraw_consent(session, uid)
        await query.message.answer(t(lang, "privacy.withdrawn"))


# --- see my data -------------------------------------------------------------------------------------


def _yes_no(value: bool, lang: str, yes: str = "privacy.held.stored") -> str:
    return t(lang, yes) if value else t(lang, "privacy.held.none")


def _with_lists(lang: str, key: str, lists: dict[str, tuple[list[str], str, str, str]], **values) -> list[str]:
    """`key` rendered with each list (name: items, separator, text when empty, title key) inline;
    when that is over Telegram's limit, the message says so and the lists follow whole in their own
    messages, one item a line under their titles. Items are HTML already."""
    inline = {name: sep.join(items) or empty for name, (items, sep, empty, _) in lists.items()}
    text = t(lang, key, **values, **inline)
    if visible_len(text) <= MESSAGE_LIMIT:
        return [text]
    below = t(lang, "privacy.listed_below")
    blocks = [t(lang, key, **values, **{name: below if items else inline[name] for name, (items, *_) in lists.items()})]
    for items, _, _, title in lists.values():
        if items:
            blocks += ["\n\n" + t(lang, title) + "\n" + items[0], *("\n" + i for i in items[1:])]
    return pack(blocks, sep="")


def held_messages(svc: Services, h: Held, lang: str) -> list[str]:
    r = svc.retention
    dong = (
        t(lang, "privacy.held.dong", dong=escape(svc.district.dong_name(h.opinion_dong, lang)))
        if h.opinion_dong
        else ""
    )
    opinion = t(lang, "privacy.held.subscribed" if h.opinion_subscribed else "privacy.held.not_subscribed", dong=dong)
    new_resident = (
        t(
            lang,
            "privacy.held.new_resident",
            dong=escape(svc.district.dong_name(h.new_resident_dong, lang)),
            date=str(h.moved_in_on),
        )
        if h.new_resident_dong
        else t(lang, "privacy.held.none")
    )

    def consent_line(c) -> str:
        withdrawn = (
            t(lang, "privacy.held.consent_withdrawn", at=svc.fmt(c.withdrawn_at, lang)) if c.withdrawn_at else ""
        )
        purpose = t(lang, PURPOSE_KEYS[c.purpose]) if c.purpose in PURPOSE_KEYS else escape(c.purpose)
        return t(
            lang,
            "privacy.held.consent",
            purpose=purpose,
            version=escape(c.version),
            granted=svc.fmt(c.granted_at, lang),
            withdrawn=withdrawn,
        )

    lists = {
        "phones": ([escape(p) for p in h.phones], ", ", t(lang, "privacy.held.none"), "privacy.list.phones"),
        "consents": (
            [consent_line(c) for c in h.consents]
            + [line for oc in h.onestop_consents for line in privacy.onestop_consent_lines(svc, oc, lang)],
            "\n",
            t(lang, "privacy.held.no_consents"),
            "privacy.list.consents",
        ),
    }
    return _with_lists(
        lang,
        "privacy.held",
        lists,
        since=svc.fmt(h.since, lang),
        complaints=h.complaints,
        complaints_open=len(h.complaints_open),
        photos=h.photos,
        locations=h.locations,
        onestop=h.onestop,
        onestop_open=len(h.onestop_open),
        tax=h.tax_notices,
        tax_unpaid=len(h.tax_unpaid),
        tax_paid=h.tax_paid,
        taxpayer=_yes_no(h.taxpayer_name, lang),
        opinion=opinion,
        opinions=h.opinions,
        votes=h.votes,
        new_resident=new_resident,
        food=_yes_no(h.food_business, lang, "privacy.held.registered"),
        forms=h.forms,
        queued=h.queued_messages,
        retention=period_text(r.complaint_days, lang),
        contact_retention=period_text(r.contact_days, lang),
        outbox_retention=period_text(r.outbox_days, lang),
        form_retention=period_text(r.form_days, lang),
    )


@router.callback_query(PrivacyDataCb.filter())
async def data_action(
    query: CallbackQuery,
    callback_data: PrivacyDataCb,
    session: AsyncSession,
    svc: Services,
    lang: str,
    state: FSMContext,
) -> None:
    uid = query.from_user.id
    if callback_data.action == "show":
        await query.answer()
        h = await privacy.what_is_held(session, svc, uid)
        await session.commit()
        await answer_all(query.message, held_messages(svc, h, lang))
    elif callback_data.action == "ask":
        await query.answer()
        h = await privacy.what_is_held(session, svc, uid)
        await session.commit()
        cases = h.open_cases
        listed = ", ".join(cases[:10]) + (" …" if len(cases) > 10 else "")
        open_part = (
            t(lang, "privacy.delete.open", n=len(cases), cases=listed) if cases else t(lang, "privacy.delete.no_open")
        )
        stamp = int(svc.now().timestamp())
        await query.message.answer(
            t(
                lang,
                "privacy.delete.ask",
                open=open_part,
                minutes=privacy.CONFIRM_MINUTES,
                tax_retention=period_text(svc.retention.tax_record_days, lang),
            ),
            reply_markup=kb.markup(
                [
                    [(t(lang, "privacy.btn.erase"), PrivacyDataCb(action="erase", at=stamp).pack())],
                    [(t(lang, "privacy.btn.keep"), PrivacyDataCb(action="keep").pack())],
                ]
            ),
        )
    elif callback_data.action == "erase":
        await erase(query, callback_data, session, svc, lang, state)
    else:  # keep
        await query.answer()
        await _drop_buttons(query)
        await query.message.answer(t(lang, "privacy.delete.kept"))


async def _drop_buttons(query: CallbackQuery) -> None:
    try:  # a double press (already edited) is no error: bot/unchanged_edit.py
        await query.message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest:  # too old to edit, or gone: the buttons do nothing anyway
        pass


async def erase(
    query: CallbackQuery,
    callback_data: PrivacyDataCb,
    session: AsyncSession,
    svc: Services,
    lang: str,
    state: FSMContext,
) -> None:
    now = svc.now()
    if not privacy.confirmation_valid(callback_data.at, now):
        await query.answer(t(lang, "privacy.delete.stale"), show_alert=True)
        await _drop_buttons(query)
        return
    await query.answer()
    await state.clear()  # the form this chat may be in (Redis or the database)
    result = await privacy.delete_my_data(session, svc, query.from_user.id, now)
    await session.commit()
    await _drop_buttons(query)
    await answer_all(
        query.message, deleted_messages(result, lang) if result.anything else [t(lang, "privacy.delete.nothing")]
    )


def deleted_messages(d: Deleted, lang: str) -> list[str]:
    none = t(lang, "privacy.held.none")
    withdrawn = [escape(n) for n in (*d.withdrawn, *d.onestop_withdrawn, *d.tax_cancelled)]
    lists = {
        "withdrawn": (withdrawn, ", ", none, "privacy.list.withdrawn"),
        "kept": ([escape(n) for n in d.tax_kept], ", ", none, "privacy.list.kept"),
    }
    return _with_lists(
        lang,
        "privacy.deleted",
        lists,
        complaints=d.complaints,
        onestop=d.onestop,
        tax=d.tax_anonymised,
        consents=d.consents,
        subscriptions=", ".join(t(lang, SUBSCRIPTION_KEYS[s]) for s in d.subscriptions) or none,
        messages=d.messages_cancelled + d.messages_deleted,
    )
