"""Families: /birth — the birth one-stop (행복출산 원스톱 + the district's own 출산지원금).

Asks only what the benefits need: the child's birth date, birth order, the household's 동,
whether the 출생신고 is made, and two optional yes/no facts (기초생활수급, and for a third child
the heating). Shows every benefit with its amount, a first-year total, what it needs, where it is
handled and its legal basis (in English for English), in parts: one message per place the family
applies and one for the totals; then one §17 screen per outside body; then files one application
that fans out.
"""

from __future__ import annotations

from datetime import date, timedelta

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from handlers.onestop import resident as os_
from handlers.keyboards import markup
from handlers.replies import answer_all
from handlers.onestop.resident import BirthForm, OsFlowCb
from handlers.entries import entry
from workflows.onestop import service as bd
from workflows.onestop.benefits import add_months, load_catalogue, won
from workflows.onestop.service import BirthAnswers, Plan
from workflows.contact import mask_phone
from workflows.context import Services
from workflows.texts import ENGLISH_DATA, escape, pack, t

router = Router(name="birth")
KIND = bd.BIRTH
HEATING = ("city_gas", "district", "other")


def answers(data: dict) -> BirthAnswers:
    return BirthAnswers(
        birth_date=date.fromisoformat(data["date"]),
        order=int(data["order"]),
        dong=data["dong"],
        report_made=bool(data.get("reported")),
        recipient=data.get("recipient"),
        heating=data.get("heating"),
    )


def plan(svc: Services, data: dict) -> Plan:
    return bd.plan_birth(svc, answers(data), data.get("provision", {}))


def applies(step: str, data: dict) -> bool:
    return step != "heating" or data.get("order") == 3


# --- texts built from the plan ---------------------------------------------------------------------


def amount_line(it: bd.PlannedItem, lang: str) -> str:
    if it.starts_later:
        line = t(lang, "onestop.list.later")
    elif it.first_year is None:
        line = t(lang, "onestop.list.amount_unknown")
    elif it.upper_bound:
        line = t(lang, "onestop.list.first_year_max", amount=won(it.first_year, lang))
    else:
        line = t(lang, "onestop.list.first_year", amount=won(it.first_year, lang))
    if not it.confirmed:
        line += t(lang, "onestop.list.unconfirmed")
    return line


# the parts of the benefit list, in this order: one message each (where the family applies)
SECTIONS = (
    ("dong", "onestop.list.section.dong"),
    ("health", "onestop.list.section.health"),
    ("tax", "onestop.list.section.tax"),
    ("outside", "onestop.list.section.outside"),
)
READABLE = 1500  # a part longer than this (a district with many benefits) goes on in another message


def benefits_messages(svc: Services, p: Plan, data: dict, lang: str) -> list[str]:
    """Every benefit with its amount, what it needs and where it is handled, in readable parts: one
    message per place the family applies (동 주민센터, 보건소, outside bodies), then the totals. Each
    part is packed on its own (texts.pack), so a benefit is never cut and a part never runs on."""
    a = answers(data)
    known = dict(SECTIONS)
    groups = [(key, [it for it in p.items if it.office == office]) for office, key in SECTIONS]
    groups.append((None, [it for it in p.items if it.office not in known]))  # never dropped
    parts: list[list[str]] = []
    n = 0
    for key, items in groups:
        if not items:
            continue
        blocks = [t(lang, key)] if key else []
        for it in items:  # numbered in the order shown
            n += 1
            blocks.append(
                t(
                    lang,
                    "onestop.list.item",
                    i=n,
                    name=escape(it.name(lang)),
                    rule=escape(it.amount_text(lang)),
                    amount=amount_line(it, lang),
                    handler=escape(bd.planned_handler(svc, it, KIND, lang)),
                    needs=escape(it.needs(lang) or "-"),
                    basis=escape(it.basis(lang)),
                )
            )
        parts.append(blocks)
    head = t(
        lang,
        "onestop.list.head",
        date=bd.fmt_date(a.birth_date, lang),
        order=t(lang, bd.ORDER_KEYS[a.order]),
        dong=escape(svc.district.dong_name(a.dong, lang)),
    )
    if parts:
        parts[0].insert(0, head)
    else:
        parts.append([head])
    names = {b.code: escape(b.name(lang)) for b in load_catalogue().benefits.values()}
    totals = [
        t(lang, "onestop.list.not_combined", name=names.get(left, left), kept=names.get(kept, kept))
        for left, kept in p.not_combined
    ]
    totals.append(t(lang, "onestop.list.total", amount=won(p.total(confirmed=True), lang)))
    unconfirmed = p.total(confirmed=False)
    if unconfirmed:
        totals.append(t(lang, "onestop.list.total_unconfirmed", amount=won(unconfirmed, lang)))
    totals.append(t(lang, "onestop.list.not_asked"))
    parts.append(totals)
    return [message for blocks in parts for message in pack(blocks, limit=READABLE)]


async def warn_if_late(message: Message, svc: Services, lang: str, born: date) -> None:
    """Said when the birth date is taken: the report is late (or nearly), with the fine."""
    warning = late_warning(svc, born, lang)
    if warning:
        await message.answer(warning + t(lang, "onestop.fine.if_reported"))


def late_warning(svc: Services, birth: date, lang: str) -> str | None:
    """가족관계등록법 §122: the band the family is in now, and the whole schedule."""
    cat = load_catalogue()
    deadline = bd.rule_deadline(bd.birth_report_rule(cat), birth, svc)
    fine = bd.late_fine(deadline, bd.local_today(svc), cat.late_fines)
    if fine is None:
        return None
    table = "\n".join(
        t(
            lang,
            "onestop.fine.row",
            band=escape(b["label_en" if lang in ENGLISH_DATA else "label_ko"]),
            fine=won(b["fine"], lang),
            after=won(b["after_demand"], lang),
        )
        for b in cat.late_fines["bands"]
    )
    return t(
        lang,
        "onestop.fine.warning",
        deadline=bd.fmt_date(deadline, lang),
        days=fine.days_late,
        band=escape(fine.label(lang)),
        fine=won(fine.fine, lang),
        after=won(fine.after_demand, lang),
        table=table,
    )


def summary_messages(svc: Services, data: dict, lang: str) -> list[str]:
    """The last screen before filing: what is applied for and where, the skipped ones, the report
    deadline or the late-report fines; as many messages as it takes."""
    a = answers(data)
    p = plan(svc, data)
    applied = os_.summary_items(svc, p.applied(), KIND, lang)
    skipped = [it for it in p.items if it.skipped]
    blocks = [
        t(
            lang,
            "onestop.summary.birth",
            date=bd.fmt_date(a.birth_date, lang),
            order=t(lang, bd.ORDER_KEYS[a.order]),
            dong=escape(svc.district.dong_name(a.dong, lang)),
            reported=t(lang, "onestop.answer.yes" if a.report_made else "onestop.answer.no"),
            n=len(p.applied()),
            items=applied,
            total=won(p.total(confirmed=True), lang),
            phone=_phone(svc, data, lang),
        )
    ]
    if skipped:
        blocks.append(t(lang, "onestop.summary.skipped", items=os_.summary_items(svc, skipped, KIND, lang)))
    if not a.report_made:
        deadline = bd.rule_deadline(bd.birth_report_rule(), a.birth_date, svc)
        today = bd.local_today(svc)
        if deadline >= today:
            blocks.append(
                t(
                    lang,
                    "onestop.summary.report_deadline",
                    deadline=bd.fmt_date(deadline, lang),
                    left=bd.days_left_text(deadline, today, lang),
                )
            )
        else:
            blocks.append("\n\n" + late_warning(svc, a.birth_date, lang))
    return pack(blocks, sep="")


def _phone(svc: Services, data: dict, lang: str) -> str:
    plain = svc.cipher.decrypt(data["phone_enc"]) if data.get("phone_enc") else None
    return mask_phone(plain) if plain else t(lang, "onestop.summary.no_phone")


# --- questions -----------------------------------------------------------------------------------------


async def ask(message: Message, state: FSMContext, svc: Services, lang: str, step: str) -> None:
    data = await state.get_data()
    if step == "date":
        await message.answer(t(lang, "onestop.ask.birth_date"), reply_markup=markup([os_.cancel_row(KIND, lang)]))
    elif step == "order":
        await message.answer(
            t(lang, "onestop.ask.order"),
            reply_markup=markup(
                [
                    [(t(lang, bd.ORDER_KEYS[n]), os_.cb(KIND, "order", str(n))) for n in (1, 2, 3)],
                    os_.cancel_row(KIND, lang),
                ]
            ),
        )
    elif step == "recipient":
        await message.answer(
            t(lang, "onestop.ask.recipient"), reply_markup=markup(os_.yes_no(KIND, "recipient", lang, skip=True))
        )
    elif step == "heating":
        await message.answer(
            t(lang, "onestop.ask.heating"),
            reply_markup=markup(
                [[(t(lang, bd.HEATING_KEYS[h]), os_.cb(KIND, "heating", h))] for h in HEATING]
                + [os_.cancel_row(KIND, lang)]
            ),
        )
    elif step == "benefits":
        p = bd.plan_birth(svc, answers(data))
        label = "onestop.btn.next_consent" if p.bodies else "onestop.btn.next_summary"
        await answer_all(
            message,
            benefits_messages(svc, p, data, lang),
            markup([[(t(lang, label), os_.cb(KIND, "next"))], os_.cancel_row(KIND, lang)]),
        )
    elif step == "confirm":
        await answer_all(
            message,
            summary_messages(svc, data, lang),
            markup(
                [[(t(lang, "onestop.btn.submit"), os_.cb(KIND, "submit", data["form"]))], os_.cancel_row(KIND, lang)]
            ),
        )


async def submitted(message: Message, svc: Services, lang: str, app) -> None:
    applied = sum(1 for it in app.items if it.state != bd.SKIPPED)
    await message.answer(t(lang, "onestop.submitted_birth", receipt=app.receipt_no, n=applied))
    await answer_all(message, bd.status_messages(svc, app, lang))


FLOW = os_.register(
    os_.Flow(
        kind=KIND,
        steps=BirthForm,
        ask=ask,
        applies=applies,
        plan=plan,
        answers=answers,
        submitted=submitted,
        oldest=lambda svc: add_months(bd.local_today(svc), -bd.BIRTH_MAX_AGE_MONTHS) + timedelta(days=1),
        dated=warn_if_late,
    )
)


# --- handlers ---------------------------------------------------------------------------------------------


@entry("birth")
@router.message(Command("birth"))
async def birth_cmd(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    await os_.begin(message, state, svc, lang, KIND)


async def _answer(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str, step: str, **values
) -> None:
    if await os_.flow_for(query, callback_data, state, lang, step) is None:
        return
    await state.update_data(**values)
    await FLOW.advance(query.message, state, svc, lang)


@router.callback_query(OsFlowCb.filter((F.kind == KIND) & (F.action == "order") & F.value.in_({"1", "2", "3"})))
async def got_order(query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str) -> None:
    await _answer(query, callback_data, state, svc, lang, "order", order=int(callback_data.value))


@router.callback_query(OsFlowCb.filter((F.kind == KIND) & (F.action == "recipient")))
async def got_recipient(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str
) -> None:
    value = {"1": True, "0": False}.get(callback_data.value)  # "-" = not answered
    await _answer(query, callback_data, state, svc, lang, "recipient", recipient=value)


@router.callback_query(OsFlowCb.filter((F.kind == KIND) & (F.action == "heating") & F.value.in_(set(HEATING))))
async def got_heating(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str
) -> None:
    await _answer(query, callback_data, state, svc, lang, "heating", heating=callback_data.value)


@router.callback_query(OsFlowCb.filter((F.kind == KIND) & (F.action == "next")))
async def benefits_next(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str
) -> None:
    await _answer(query, callback_data, state, svc, lang, "benefits")
