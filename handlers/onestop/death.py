"""Families: /death — the death one-stop (유성구 사망 원스톱 + 안심상속), in gentle words.

Asks the date of death, the reporter's relationship (가족관계등록법 §85), the deceased's 동, whether
the 사망신고 is made, whether an heir (or only the deceased) has an address abroad (상속세 and 취득세
then run 9 months, not 6), one §17 consent per outside agency, an optional contact and whether to
be reminded; then tells each related agency and gives the reporter a checklist with dates.
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
from handlers.onestop.resident import DeathForm, OsFlowCb
from handlers.entries import entry
from workflows.onestop import service as bd
from workflows.onestop.service import DeathAnswers, Plan
from workflows.contact import mask_phone
from workflows.context import Services
from workflows.texts import escape, pack, t

router = Router(name="death")
KIND = bd.DEATH


def answers(data: dict) -> DeathAnswers:
    return DeathAnswers(
        death_date=date.fromisoformat(data["date"]),
        relationship=data["relationship"],
        dong=data["dong"],
        report_made=bool(data.get("reported")),
        abroad=data.get("abroad") if data.get("abroad") in bd.ABROAD else "none",
    )


def plan(svc: Services, data: dict) -> Plan:
    return bd.plan_death(svc, answers(data), data.get("provision", {}))


def summary_messages(svc: Services, data: dict, lang: str) -> list[str]:
    a = answers(data)
    p = plan(svc, data)
    rules = bd.load_death_rules()
    items = os_.summary_items(svc, p.applied(), KIND, lang)
    plain = svc.cipher.decrypt(data["phone_enc"]) if data.get("phone_enc") else None
    blocks = [
        t(
            lang,
            "onestop.summary.death",
            date=bd.fmt_date(a.death_date, lang),
            relationship=escape(rules.relationship(a.relationship, lang)),
            dong=escape(svc.district.dong_name(a.dong, lang)),
            reported=t(lang, "onestop.answer.yes" if a.report_made else "onestop.answer.no"),
            abroad=t(lang, bd.ABROAD_KEYS[a.abroad]),
            n=len(p.applied()),
            items=items,
            phone=mask_phone(plain) if plain else t(lang, "onestop.summary.no_phone"),
            reminders=t(lang, "onestop.answer.yes" if data.get("reminders", True) else "onestop.answer.no"),
        )
    ]
    skipped = [it for it in p.items if it.skipped]
    if skipped:
        blocks.append(t(lang, "onestop.summary.skipped_death", items=os_.summary_items(svc, skipped, KIND, lang)))
    return pack(blocks, sep="")


async def ask(message: Message, state: FSMContext, svc: Services, lang: str, step: str) -> None:
    data = await state.get_data()
    if step == "date":
        await message.answer(t(lang, "onestop.ask.death_date"), reply_markup=markup([os_.cancel_row(KIND, lang)]))
    elif step == "relationship":
        rules = bd.load_death_rules()
        rows = [[(rules.relationship(code, lang), os_.cb(KIND, "rel", code))] for code in rules.relationships]
        await message.answer(
            t(lang, "onestop.ask.relationship"), reply_markup=markup(rows + [os_.cancel_row(KIND, lang)])
        )
    elif step == "abroad":
        rows = [[(t(lang, bd.ABROAD_KEYS[code]), os_.cb(KIND, "abroad", code))] for code in bd.ABROAD]
        await message.answer(t(lang, "onestop.ask.abroad"), reply_markup=markup(rows + [os_.cancel_row(KIND, lang)]))
    elif step == "reminders":
        await message.answer(
            t(lang, "onestop.ask.reminders"),
            reply_markup=markup(
                os_.yes_no(KIND, "remind", lang, yes="onestop.answer.remind_yes", no="onestop.answer.remind_no")
            ),
        )
    elif step == "confirm":
        await answer_all(
            message,
            summary_messages(svc, data, lang),
            markup(
                [
                    [(t(lang, "onestop.btn.submit_death"), os_.cb(KIND, "submit", data["form"]))],
                    os_.cancel_row(KIND, lang),
                ]
            ),
        )


async def submitted(message: Message, svc: Services, lang: str, app) -> None:
    told = sum(1 for it in app.items if it.state != bd.SKIPPED)
    await message.answer(t(lang, "onestop.submitted_death", receipt=app.receipt_no, n=told))
    await message.answer(
        bd.checklist_text(svc, app.event_date, app.report_made, lang, abroad=(app.facts or {}).get("abroad"))
        + (
            t(lang, "onestop.checklist.reminders_on")
            if app.reminders_on
            else t(lang, "onestop.checklist.reminders_off")
        )
    )


FLOW = os_.register(
    os_.Flow(
        kind=KIND,
        steps=DeathForm,
        ask=ask,
        plan=plan,
        answers=answers,
        submitted=submitted,
        oldest=lambda svc: bd.local_today(svc) - timedelta(days=bd.DEATH_MAX_AGE_DAYS),
    )
)


@entry("death")
@router.message(Command("death"))
async def death_cmd(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    await os_.begin(message, state, svc, lang, KIND)


@router.callback_query(OsFlowCb.filter((F.kind == KIND) & (F.action == "rel")))
async def got_relationship(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str
) -> None:
    if callback_data.value not in bd.load_death_rules().relationships:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    if await os_.flow_for(query, callback_data, state, lang, "relationship") is None:
        return
    await state.update_data(relationship=callback_data.value)
    await FLOW.advance(query.message, state, svc, lang)


@router.callback_query(OsFlowCb.filter((F.kind == KIND) & (F.action == "abroad")))
async def got_abroad(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str
) -> None:
    if callback_data.value not in bd.ABROAD:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    if await os_.flow_for(query, callback_data, state, lang, "abroad") is None:
        return
    await state.update_data(abroad=callback_data.value)
    await FLOW.advance(query.message, state, svc, lang)


@router.callback_query(OsFlowCb.filter((F.kind == KIND) & (F.action == "remind")))
async def got_reminders(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str
) -> None:
    if await os_.flow_for(query, callback_data, state, lang, "reminders") is None:
        return
    await state.update_data(reminders=callback_data.value == "1")
    await FLOW.advance(query.message, state, svc, lang)
