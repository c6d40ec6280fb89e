"""등록면허세 one-stop (/licensetax), the tax officers' side (/taxinbox) and /verify.

Residents: a short collection notice, then the licence type (a button, or a keyword to search
the catalogue), what is being applied for (for a 변경면허: what changes, decided by 시행령 §40②1;
a non-taxable case is answered at once), the 영업장 면적 when the 종 depends on it (㎡ with decimals,
or 평 converted at 400/121 ㎡), the licensing body, the business name, the 사업장's 동, an optional
taxpayer name and expected issue date (typed like the birth form's dates: 12월 4일, 내일…); a
summary with the amount and its legal basis;
then the notice (text + PNG) arrives through the outbox, or, when the 종 is unconfirmed, after the
tax officer settles it. After payment: the receipt (text + PNG) and a 면허 불허 button (§37).

세무과 officers: /taxinbox — 종 to settle (a 변경면허 may be closed as 비과세), unpaid notices (수납 처리, 고지 취소 with a reason), held
payments (accept or return), open refund requests and confirmations to relay by hand.
Licensing bodies: /verify <notice no> [code] in their registered chat; 면허 불허 on the confirmation.
"""

from __future__ import annotations

import asyncio
import uuid

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import Num
from handlers.filters import NOT_COMMAND
from handlers.keyboards import markup
from handlers.replies import allowed, answer_in
from handlers.states import Form, Steps, resumes
from handlers.entries import entry
from workflows.license_tax import service as lt
from workflows import users
from workflows.license_tax import licensing_bodies
from workflows.context import Services
from workflows.license_tax.service import Draft, LicenseTaxError
from workflows.roles import Principal
from workflows.texts import escape, t
from workflows.models import LicenseTaxNotice, LicenseTaxPayment
from workflows import worklist as wl
from handlers import worklist as lists
from handlers.turn import Turn

router = Router(name="license_tax")
_background: set[asyncio.Task] = set()


# a licence is picked from buttons or searched for by typing; change_reason and figure are asked
# only for the kinds and licences that need them (_kind_picked)
LicenseTaxForm = Steps(
    "LicenseTaxForm",
    "consent licence kind change_reason figure body business dong taxpayer issue_date confirm",
    typed="licence figure business taxpayer issue_date",
)


class TaxOfficerForm(StatesGroup):
    cancel_reason = State()


class LtFormCb(CallbackData, prefix="ltf"):
    action: str  # consent, lic, all, kind, reason, body, dong, skip, submit, cancel
    value: str = ""
    form: str = ""


class LtCb(CallbackData, prefix="lt"):  # workflows/license_tax.cb builds the same strings
    action: (
        str  # open, pay_open, class, nontax_ask, nontax, cancel, paid_ask, paid, accept, return, refuse_ask, refused
    )
    id: Num
    arg: Num = 0


def kick(duties) -> None:
    """Deliver webhook confirmations now, not at the next scheduled run (after the commit)."""
    if duties is None:
        return
    task = asyncio.create_task(duties.license_tax())
    _background.add(task)
    task.add_done_callback(_background.discard)


def _form_kb(lang: str, form: str, rows: list[list[tuple[str, str, str]]], *, cancel: bool = True):
    out = [[(label, LtFormCb(action=a, value=v, form=form).pack()) for label, a, v in row] for row in rows]
    if cancel:
        out.append([(t(lang, "btn.cancel"), LtFormCb(action="cancel", form=form).pack())])
    return markup(out)


def _pairs(items: list[tuple[str, str, str]]) -> list[list[tuple[str, str, str]]]:
    return [items[i : i + 2] for i in range(0, len(items), 2)]


# --- the resident's form --------------------------------------------------------------------------


async def _history(session: AsyncSession, svc: Services, lang: str, user_id: int) -> str:
    rows = await lt.list_for_citizen(session, user_id)
    if not rows:
        return ""
    lines = [
        t(
            lang,
            "lt.history_line",
            no=n.notice_no,
            licence=escape(n.licence_name),
            state=lt.state_text(n, lang),
            amount=lt.won(n.paid_amount or n.amount, lang),
        )
        for n in rows
    ]
    return t(lang, "lt.history", lines="\n".join(lines)) + "\n\n"


@entry("licensetax")
@router.message(Command("licensetax"), F.chat.type == "private")
async def licensetax_cmd(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    if not lt.enabled(svc.district):
        await message.answer(
            t(lang, "lt.not_available", phone=escape(svc.district.raw.get("district", {}).get("main_phone", "-")))
        )
        return
    form = uuid.uuid4().hex[:12]
    await state.set_data({"form": form})
    head = await _history(session, svc, lang, message.from_user.id)
    if await users.active_consent(session, message.from_user.id, lt.CONSENT_PURPOSE) is None:
        await state.set_state(LicenseTaxForm.consent)
        await message.answer(head + t(lang, "lt.consent"), reply_markup=_consent_kb(lang, form))
        return
    if head:
        await message.answer(head.strip())
    await FORM.goto(message, state, svc, lang, "licence")


def _consent_kb(lang: str, form: str):
    return _form_kb(lang, form, [[(t(lang, "lt.btn.consent"), "consent", "")]])


async def question(message: Message, state: FSMContext, svc: Services, lang: str, step: str) -> None:
    """One step's question (handlers/states.Form: the chat is at that step)."""
    data = await state.get_data()
    cat = lt.catalogue_for(svc.district)
    lic = cat.licences.get(data.get("licence", ""))
    if step == "consent":
        await message.answer(t(lang, "lt.consent"), reply_markup=_consent_kb(lang, data["form"]))
    elif step == "kind" and lic is not None:
        note = "" if lic.confirmed else "\n\n" + t(lang, "lt.unconfirmed_note" if lic.tax_class else "lt.no_class_note")
        await message.answer(
            t(lang, "lt.ask_kind", licence=escape(lic.name(lang))) + note,
            reply_markup=_form_kb(lang, data["form"], [[(k.label(lang), "kind", k.code)] for k in cat.first_kinds()]),
        )
    elif (
        step == "change_reason" and lic is not None
    ):  # 변경면허: what changes decides whether it is taxed (시행령 §40②1)
        reasons = cat.reasons(cat.kinds[data["parent_kind"]])
        await message.answer(
            t(lang, "lt.ask_change", licence=escape(lic.name(lang))),
            reply_markup=_form_kb(lang, data["form"], [[(r.label(lang), "reason", r.code)] for r in reasons]),
        )
    elif step == "figure" and lic is not None and lic.figure:
        await message.answer(t(lang, lt.FIGURE_KEYS[lic.figure][0]))
    elif step == "body" and lic is not None:
        bodies = licensing_bodies.load_bodies(svc.district)
        order = [c for c in lic.bodies if c in bodies] + [c for c in bodies if c not in lic.bodies]
        await message.answer(
            t(lang, "lt.ask_body"),
            reply_markup=_form_kb(lang, data["form"], [[(bodies[c].name(lang), "body", c)] for c in order]),
        )
    elif step == "business":
        await message.answer(t(lang, "lt.ask_business", n=lt.BUSINESS_MAX))
    elif step == "dong":
        # English: "Jayang 1-dong (자양1동)", two to a row; the callback keeps the 동's index
        items = [(svc.district.dong_name(d, lang), "dong", str(i)) for i, d in enumerate(svc.district.dongs)]
        per_row = 2 if lang == "en" else 3
        await message.answer(
            t(lang, "lt.ask_dong"),
            reply_markup=_form_kb(lang, data["form"], [items[i : i + per_row] for i in range(0, len(items), per_row)]),
        )
    elif step == "taxpayer":
        await message.answer(
            t(lang, "lt.ask_taxpayer", n=lt.NAME_MAX),
            reply_markup=_form_kb(lang, data["form"], [[(t(lang, "btn.skip"), "skip", "")]]),
        )
    elif step == "issue_date":
        await message.answer(
            t(lang, "lt.ask_issue_date", **lt.date_example_values(lt.local_today(svc), lang)),
            reply_markup=_form_kb(lang, data["form"], [[(t(lang, "btn.skip"), "skip", "")]]),
        )
    elif step == "confirm":
        await show_summary(message, state, svc, lang)
    elif step == "licence":
        await ask_licence(message, state, svc, lang)
    else:  # the licence chosen is no longer in the catalogue: chosen again
        await FORM.goto(message, state, svc, lang, "licence")


FORM = Form(steps=LicenseTaxForm, ask=question)


@resumes(LicenseTaxForm)
async def show_step(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    await FORM.ask_again(message, state, svc, lang)


async def ask_licence(message: Message, state: FSMContext, svc: Services, lang: str, matches=None) -> None:
    """The licence list, or the ones a search found (the chat is at the licence step)."""
    data = await state.get_data()
    cat = lt.catalogue_for(svc.district)
    licences = list(cat.licences.values()) if matches is None else matches
    items = [(lic.name(lang), "lic", lic.code) for lic in licences]
    rows = _pairs(items)
    if matches is not None:
        rows.append([(t(lang, "lt.btn.all_licences"), "all", "")])
    key = "lt.ask_licence" if matches is None else "lt.search_results"
    await message.answer(t(lang, key, n=len(licences)), reply_markup=_form_kb(lang, data["form"], rows))


async def _stale(
    query: CallbackQuery, state: FSMContext, svc: Services | None, cb: LtFormCb, lang: str, *states: State
) -> bool:
    """True (answered as stale) for a button of another form, or of this form at a step it has left;
    then the question of the step it is at now is shown again, so the resident sees where it went on."""
    data = await state.get_data()
    elsewhere = bool(states) and await state.get_state() not in {s.state for s in states}
    if data.get("form") != cb.form or elsewhere:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        if data.get("form") == cb.form and svc is not None and isinstance(query.message, Message):
            await FORM.ask_again(query.message, state, svc, lang)
        return True
    await query.answer()
    return False


@router.callback_query(LtFormCb.filter(F.action == "consent"))
async def consent(
    query: CallbackQuery, callback_data: LtFormCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    if await _stale(query, state, svc, callback_data, lang, LicenseTaxForm.consent):
        return
    await users.give_consent(session, query.from_user.id, lt.CONSENT_PURPOSE)
    await FORM.advance(query.message, state, svc, lang)


@router.message(LicenseTaxForm.licence, F.text, NOT_COMMAND)
async def search(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    query = message.text.strip()[:40]
    matches = lt.catalogue_for(svc.district).search(query)
    if not matches:
        await message.answer(t(lang, "lt.search_none", query=escape(query)))
        return
    await ask_licence(message, state, svc, lang, matches)


@router.callback_query(LtFormCb.filter(F.action.in_({"lic", "all"})))
async def licence_chosen(
    query: CallbackQuery, callback_data: LtFormCb, state: FSMContext, svc: Services, lang: str
) -> None:
    if await _stale(query, state, svc, callback_data, lang, LicenseTaxForm.licence):
        return
    cat = lt.catalogue_for(svc.district)
    if callback_data.action == "all":
        await FORM.ask_again(query.message, state, svc, lang)
        return
    lic = cat.licences.get(callback_data.value)
    if lic is None:
        await query.message.answer(t(lang, "stale_button"))
        return
    await state.update_data(licence=lic.code, figure=None)
    await FORM.goto(query.message, state, svc, lang, "kind")


@router.callback_query(LtFormCb.filter(F.action == "kind"))
async def kind_chosen(
    query: CallbackQuery, callback_data: LtFormCb, state: FSMContext, svc: Services, lang: str
) -> None:
    if await _stale(query, state, svc, callback_data, lang, LicenseTaxForm.kind):
        return
    cat = lt.catalogue_for(svc.district)
    kind = cat.kinds.get(callback_data.value)
    if kind is None or kind.group is not None:
        await query.message.answer(t(lang, "stale_button"))
        return
    if kind.asks:  # 변경면허: what changes decides whether it is taxed at all (시행령 §40②1)
        await state.update_data(parent_kind=kind.code)
        await FORM.goto(query.message, state, svc, lang, "change_reason")
        return
    await _kind_picked(query.message, state, svc, lang, kind)


@router.callback_query(LtFormCb.filter(F.action == "reason"))
async def reason_chosen(
    query: CallbackQuery, callback_data: LtFormCb, state: FSMContext, svc: Services, lang: str
) -> None:
    if await _stale(query, state, svc, callback_data, lang, LicenseTaxForm.change_reason):
        return
    cat = lt.catalogue_for(svc.district)
    parent = cat.kinds.get((await state.get_data()).get("parent_kind", ""))
    reason = cat.kinds.get(callback_data.value)
    if parent is None or reason is None or reason not in cat.reasons(parent):
        await query.message.answer(t(lang, "stale_button"))
        return
    await _kind_picked(query.message, state, svc, lang, reason)


async def _kind_picked(message: Message, state: FSMContext, svc: Services, lang: str, kind) -> None:
    """A kind (or a change's reason) was picked: a non-taxable case is answered at once; otherwise on
    to the 영업장 면적 (when the 종 depends on it) or the licensing body."""
    cat = lt.catalogue_for(svc.district)
    if kind.non_taxable:
        nt = cat.non_taxable[kind.non_taxable]
        await state.clear()
        extra = "" if nt.confirmed else "\n" + t(lang, "lt.non_taxable_check", phone=lt._tax_phone(svc))
        await message.answer(t(lang, "lt.non_taxable", case=escape(nt.text(lang)), basis=escape(nt.basis)) + extra)
        return
    await state.update_data(kind=kind.code)
    lic = cat.licences[(await state.get_data())["licence"]]
    await FORM.goto(message, state, svc, lang, "figure" if lic.figure else "body")


@router.message(LicenseTaxForm.figure, F.text, NOT_COMMAND)
async def figure_given(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    cat = lt.catalogue_for(svc.district)
    lic = cat.licences[(await state.get_data())["licence"]]
    try:
        figure = lt.parse_figure(message.text, lic.figure or "area_m2", cat)
    except LicenseTaxError:  # said what was wrong; the form stays on this step with everything kept
        await message.answer(t(lang, lt.FIGURE_ERROR_KEYS.get(lic.figure, "lt.err.figure")))
        return
    await state.update_data(figure=figure.value, figure_pyeong=figure.pyeong)
    await FORM.advance(message, state, svc, lang)


@router.callback_query(LtFormCb.filter(F.action == "body"))
async def body_chosen(
    query: CallbackQuery, callback_data: LtFormCb, state: FSMContext, svc: Services, lang: str
) -> None:
    if await _stale(query, state, svc, callback_data, lang, LicenseTaxForm.body):
        return
    if callback_data.value not in licensing_bodies.load_bodies(svc.district):
        await query.message.answer(t(lang, "stale_button"))
        return
    await state.update_data(body=callback_data.value)
    await FORM.advance(query.message, state, svc, lang)


async def _cleaned(message: Message, lang: str, limit: int, code: str) -> str | None:
    """The typed name, or None after telling what is wrong with it."""
    try:
        return lt.clean_text(message.text, limit=limit, code=code)
    except LicenseTaxError as e:
        await message.answer(e.text(lang, n=limit))
        return None


@router.message(LicenseTaxForm.business, F.text, NOT_COMMAND)
async def business_given(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    name = await _cleaned(message, lang, lt.BUSINESS_MAX, "business")
    if name is None:
        return
    await state.update_data(business=name)
    await FORM.advance(message, state, svc, lang)


@router.callback_query(LtFormCb.filter(F.action == "dong"))
async def dong_chosen(
    query: CallbackQuery, callback_data: LtFormCb, state: FSMContext, svc: Services, lang: str
) -> None:
    if await _stale(query, state, svc, callback_data, lang, LicenseTaxForm.dong):
        return
    dong = svc.district.dong_at(callback_data.value)
    if dong is None:
        await query.message.answer(t(lang, "stale_button"))
        return
    await state.update_data(dong=dong)
    await FORM.advance(query.message, state, svc, lang)


@router.message(LicenseTaxForm.taxpayer, F.text, NOT_COMMAND)
async def taxpayer_given(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    name = await _cleaned(message, lang, lt.NAME_MAX, "name")
    if name is None:
        return
    await state.update_data(taxpayer_enc=svc.cipher.encrypt(name))
    await FORM.advance(message, state, svc, lang)


@router.message(LicenseTaxForm.issue_date, F.text, NOT_COMMAND)
async def issue_date_given(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    today = lt.local_today(svc)
    try:
        d = lt.parse_issue_date(message.text, today)
    except LicenseTaxError as e:
        await message.answer(e.text(lang, **lt.date_example_values(today, lang)))
        return
    await state.update_data(issue_date=d.isoformat())
    await FORM.advance(message, state, svc, lang)


@router.callback_query(LtFormCb.filter(F.action == "skip"))
async def skipped(query: CallbackQuery, callback_data: LtFormCb, state: FSMContext, svc: Services, lang: str) -> None:
    if await _stale(query, state, svc, callback_data, lang, LicenseTaxForm.taxpayer, LicenseTaxForm.issue_date):
        return
    skipping = "taxpayer_enc" if await state.get_state() == LicenseTaxForm.taxpayer.state else "issue_date"
    await state.update_data({skipping: None})
    await FORM.advance(query.message, state, svc, lang)


def draft_of(svc: Services, data: dict) -> Draft:
    from datetime import date

    return Draft(
        licence=data["licence"],
        kind=data["kind"],
        body=data["body"],
        business_name=data["business"],
        dong=data["dong"],
        figure=data.get("figure"),
        taxpayer_name=svc.cipher.decrypt(data["taxpayer_enc"]) if data.get("taxpayer_enc") else None,
        expected_issue_date=date.fromisoformat(data["issue_date"]) if data.get("issue_date") else None,
    )


async def show_summary(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    data = await state.get_data()
    draft = draft_of(svc, data)
    a = lt.validate(svc, draft)
    cat = lt.catalogue_for(svc.district)
    cfg = lt.payment_config(svc.district)
    due = lt.due_date(lt.local_today(svc), draft.expected_issue_date, cfg.default_due_days)
    if a.class_confirmed:
        amount = t(lang, "lt.summary.amount", amount=lt.won(a.amount, lang))
    elif a.kind.officer_decides:  # a change that may not be taxed at all (시행령 §40②1)
        amount = (
            t(lang, "lt.summary.amount_change", amount=lt.won(a.amount, lang))
            if a.amount is not None
            else t(lang, "lt.summary.amount_change_unknown")
        )
    elif a.amount is not None:
        amount = t(lang, "lt.summary.amount_expected", amount=lt.won(a.amount, lang))
    else:
        amount = t(lang, "lt.summary.amount_officer")
    figure = "-"
    if draft.figure is not None and a.licence.figure:
        if data.get("figure_pyeong") is not None and a.licence.figure == "area_m2":
            figure = t(
                lang, "lt.figure.area_pyeong", n=lt.fmt_number(draft.figure), p=lt.fmt_number(data["figure_pyeong"])
            )
        else:
            figure = t(lang, lt.FIGURE_KEYS[a.licence.figure][1], n=lt.fmt_number(draft.figure))
    text = t(
        lang,
        "lt.summary",
        licence=escape(a.licence.name(lang)),
        kind=escape(lt.kind_text(cat, a.kind.code, lang)),
        cls=t(lang, "lt.class_n", n=a.tax_class) if a.tax_class else t(lang, "lt.class_unknown"),
        confirmed=t(lang, "lt.op.confirmed" if a.class_confirmed else "lt.op.unconfirmed"),
        figure=figure,
        column=escape(cat.column_label(a.column.code, lang)),
        amount=amount,
        basis=escape(a.legal_basis(cat, lang)),
        body=escape(licensing_bodies.load_bodies(svc.district)[draft.body].name(lang)),
        business=escape(draft.business_name),
        dong=escape(svc.district.dong_name(draft.dong, lang)),
        taxpayer=escape(draft.taxpayer_name) or t(lang, "cf.none"),
        due=lt.fmt_date(svc, due, lang),
        issue=lt.fmt_date(svc, draft.expected_issue_date, lang),
    )
    await message.answer(text, reply_markup=_form_kb(lang, data["form"], [[(t(lang, "lt.btn.submit"), "submit", "")]]))


@router.callback_query(LtFormCb.filter(F.action == "submit"))
async def submit(
    query: CallbackQuery, callback_data: LtFormCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    data = await state.get_data()
    if await state.get_state() != LicenseTaxForm.confirm.state or data.get("form") != callback_data.form:
        n = await lt.find_by_submit_key(session, f"lt:{query.from_user.id}:{callback_data.form}")
        await query.answer(t(lang, "lt.already", no=n.notice_no) if n else t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    try:
        n, _ = await lt.request_notice(
            session,
            svc,
            citizen_id=query.from_user.id,
            submit_key=f"lt:{query.from_user.id}:{callback_data.form}",
            draft=draft_of(svc, data),
        )
    except LicenseTaxError as e:
        await query.message.answer(e.text(lang, n=lt.BUSINESS_MAX))
        return
    await session.commit()
    await state.clear()
    if n.state == lt.ISSUED:
        await query.message.answer(t(lang, "lt.submitted_issued", no=n.notice_no))
    else:
        await query.message.answer(t(lang, "lt.submitted_waiting", no=n.notice_no, phone=lt._tax_phone(svc)))


@router.callback_query(LtFormCb.filter(F.action == "cancel"))
async def form_cancel(query: CallbackQuery, callback_data: LtFormCb, state: FSMContext, lang: str) -> None:
    if await _stale(query, state, None, callback_data, lang):
        return
    await state.clear()
    await query.message.answer(t(lang, "lt.cancelled"))


answer_in(router, "lt.text_expected", *LicenseTaxForm.typed_in())
answer_in(router, "lt.button_expected", *LicenseTaxForm.pressed())


# --- 세무과 officers ------------------------------------------------------------------------------


@router.message(Command("taxinbox"))
async def taxinbox(message: Message, session: AsyncSession, svc: Services, lang: str, principal: Principal) -> None:
    """The counts, held payments, refunds and failed confirmations, and every open notice paged and
    filtered (the officers' list helper: handlers/worklist.py, workflows/worklist.tax_page)."""
    await lists.show(message, session, svc, lang, principal, wl.View(wl.TAX))


async def _notice_for(query: CallbackQuery, session: AsyncSession, lang: str, notice_id: int):
    n = await lt.get_notice(session, notice_id=notice_id)
    if n is None:
        await query.answer(t(lang, "stale_button"), show_alert=True)
    return n


@router.callback_query(
    LtCb.filter(F.action.in_({"open", "class", "nontax_ask", "nontax", "cancel", "paid_ask", "paid"}))
)
async def officer_notice(query: CallbackQuery, callback_data: LtCb, turn: Turn, duties=None) -> None:
    state, session, svc, lang, principal = turn
    if not await allowed(query, lang, lt.is_tax_officer(svc, principal), "lt.err.not_tax_officer"):
        return
    n = await _notice_for(query, session, lang, callback_data.id)
    if n is None:
        return
    action = callback_data.action
    if action == "open":
        await query.answer()
        buttons = lt.officer_buttons(n, lang, lt.catalogue_for(svc.district))
        text = lt.officer_view(session, svc, principal, n, lang)  # audited
        await session.commit()
        await query.message.answer(text, reply_markup=markup(buttons) if buttons else None)
        return
    if action == "cancel":
        if n.state not in lt.OPEN_STATES:
            await query.answer(t(lang, "lt.err.stale"), show_alert=True)
            return
        await query.answer()
        await state.set_state(TaxOfficerForm.cancel_reason)
        await state.set_data({"notice": n.id})
        await query.message.answer(t(lang, "lt.op.ask_cancel_reason", no=n.notice_no))
        return
    if action == "paid_ask":
        await query.answer()
        await query.message.answer(
            t(lang, "lt.op.confirm_paid", no=n.notice_no, amount=lt.won(n.amount, lang)),
            reply_markup=markup([[(t(lang, "lt.btn.mark_paid_confirm"), lt.cb("paid", n.id))]]),
        )
        return
    if action == "nontax_ask":
        cat = lt.catalogue_for(svc.district)
        if n.state != lt.AWAITING_CLASS or not lt.is_change_request(n, cat):
            await query.answer(t(lang, "lt.err.stale"), show_alert=True)
            return
        await query.answer()
        await query.message.answer(
            t(lang, "lt.op.non_taxable_ask", no=n.notice_no, basis=escape(cat.non_taxable["change_not_taxable"].basis)),
            reply_markup=markup([[(t(lang, "lt.btn.non_taxable_confirm"), lt.cb("nontax", n.id))]]),
        )
        return
    try:
        if action == "class":
            await lt.confirm_class(session, svc, principal, n, callback_data.arg)
            reply = t(
                lang,
                "lt.op.class_done",
                no=n.notice_no,
                cls=t(lang, "lt.class_n", n=n.tax_class),
                amount=lt.won(n.amount, lang),
            )
        elif action == "nontax":
            await lt.declare_non_taxable(session, svc, principal, n)
            reply = t(lang, "lt.op.non_taxable_done", no=n.notice_no)
        else:
            await lt.mark_paid(session, svc, principal, n)
            reply = t(lang, "lt.op.paid_done", no=n.notice_no)
    except LicenseTaxError as e:
        await query.answer(e.text(lang), show_alert=True)
        return
    await session.commit()
    await query.answer()
    await query.message.answer(reply)
    if action == "paid":
        kick(duties)


@router.message(TaxOfficerForm.cancel_reason, F.text, NOT_COMMAND)
async def cancel_reason(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    n = await lt.get_notice(session, notice_id=(await state.get_data()).get("notice", 0))
    if n is None:
        await state.clear()
        await message.answer(t(lang, "stale_button"))
        return
    try:
        await lt.cancel(session, svc, principal, n, message.text)
    except LicenseTaxError as e:
        if e.code == "reason":
            await message.answer(t(lang, "lt.err.reason", lo=lt.REASON_MIN, hi=lt.REASON_MAX))
            return
        await state.clear()
        await message.answer(e.text(lang))
        return
    await session.commit()
    await state.clear()
    await message.answer(t(lang, "lt.op.cancel_done", no=n.notice_no))


answer_in(router, "lt.text_expected", TaxOfficerForm.cancel_reason)


@router.callback_query(LtCb.filter(F.action.in_({"pay_open", "accept", "return"})))
async def officer_payment(
    query: CallbackQuery,
    callback_data: LtCb,
    session: AsyncSession,
    svc: Services,
    lang: str,
    principal: Principal,
    duties=None,
) -> None:
    if not await allowed(query, lang, lt.is_tax_officer(svc, principal), "lt.err.not_tax_officer"):
        return
    p = await session.get(LicenseTaxPayment, callback_data.id)
    if p is None:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    n = await session.get(LicenseTaxNotice, p.notice_id) if p.notice_id else None
    if callback_data.action == "pay_open":
        await query.answer()
        card = lt.officer_view(session, svc, principal, n, lang, via="payment") if n else t(lang, "lt.op.no_notice")
        await session.commit()
        buttons = lt.payment_buttons(p, n, lang)
        await query.message.answer(
            lt.payment_line(svc, p, lang) + "\n\n" + card, reply_markup=markup(buttons) if buttons else None
        )
        return
    accept = callback_data.action == "accept"
    try:
        await lt.resolve_payment(session, svc, principal, p, accept=accept)
    except LicenseTaxError as e:
        await query.answer(e.text(lang), show_alert=True)
        return
    await session.commit()
    await query.answer()
    await query.message.answer(
        t(
            lang,
            "lt.op.accepted" if accept else "lt.op.to_return",
            amount=lt.won(p.amount, lang),
            no=n.notice_no if n else "-",
        )
    )
    if accept:
        kick(duties)


# --- a refused licence (§37): the resident, the body's chat or a tax officer -------------------------


@router.callback_query(LtCb.filter(F.action.in_({"refuse_ask", "refused"})))
async def refused(
    query: CallbackQuery, callback_data: LtCb, session: AsyncSession, svc: Services, lang: str, principal: Principal
) -> None:
    n = await _notice_for(query, session, lang, callback_data.id)
    if n is None:
        return
    actor = lt.may_report_refusal(svc, n, chat_id=query.message.chat.id, principal=principal)
    if actor is None:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    if n.state not in (*lt.OPEN_STATES, lt.PAID):
        await query.answer(t(lang, "lt.err.stale"), show_alert=True)
        return
    if callback_data.action == "refuse_ask":
        await query.answer()
        key = "lt.refuse_ask_paid" if n.state == lt.PAID else "lt.refuse_ask_unpaid"
        await query.message.answer(
            t(lang, key, no=n.notice_no),
            reply_markup=markup([[(t(lang, "lt.btn.refused_confirm"), lt.cb("refused", n.id))]]),
        )
        return
    outcome = await lt.licence_refused(session, svc, n, actor_kind=actor, actor_id=query.from_user.id)
    await session.commit()
    await query.answer()
    await query.message.answer(
        t(lang, "lt.refused_done_refund" if outcome == "refund" else "lt.refused_done_cancel", no=n.notice_no)
    )


# --- /verify for licensing bodies ------------------------------------------------------------------


@router.message(Command("verify"))
async def verify_cmd(
    message: Message, command: CommandObject, session: AsyncSession, svc: Services, lang: str, principal: Principal
) -> None:
    args = (command.args or "").split()
    if not args or len(args) > 2 or len(args[0]) > 20:
        await message.answer(t(lang, "lt.verify.usage"))
        return
    try:
        n = await lt.verify(session, svc, chat_id=message.chat.id, principal=principal, notice_no=args[0])
    except LicenseTaxError as e:
        await message.answer(e.text(lang))
        return
    await session.commit()
    await message.answer(lt.verify_text(svc, n, lang, code=args[1] if len(args) == 2 else None))
