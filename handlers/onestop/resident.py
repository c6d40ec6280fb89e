"""Birth and death one-stop, the family's side shared by /birth and /death: the form machinery
(resume, the §15 collection screen, 동, yes/no questions, one §17 provision screen per outside
body, the optional phone, submit, cancel), and what comes after filing: the per-item section of
/status, answering a 보완요청, the reminder buttons and the 5-item rating.

The flows themselves (their own questions and summaries) live in handlers/onestop/birth.py and
handlers/onestop/death.py and register a `Flow` here. All form state is in the FSM (in the database),
so a family can stop at any question and carry on later, even after a restart.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Awaitable, Callable

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import Num
from handlers.filters import NOT_COMMAND
from handlers.keyboards import markup
from handlers.replies import answer_all
from handlers.states import Form, Steps, resumes, stale_press
from workflows import district_info
from workflows.onestop import service as bd
from workflows.onestop.service import OnestopError, Plan
from workflows.date_words import DateInputError, parse_date
from workflows.contact import InvalidPhone, normalize_phone
from workflows.context import Services
from workflows.texts import escape, t

router = Router(name="onestop")


BirthForm = Steps(
    "BirthForm",
    "consent date order dong reported recipient heating benefits provision phone confirm",
    typed="date phone",
)
DeathForm = Steps(
    "DeathForm", "consent date relationship dong reported abroad provision phone reminders confirm", typed="date phone"
)


class FamilyForm(StatesGroup):
    supplement_reply = State()


class OsFlowCb(CallbackData, prefix="osf"):
    kind: str  # birth / death
    action: str  # resume, restart, consent, dong, reported, provide, phone_skip, submit, cancel, + the flow's own
    value: str = ""


class SupplementCb(CallbackData, prefix="osup"):  # workflows/birth_death.cb_supplement
    item: Num


class ReminderCb(CallbackData, prefix="orem"):  # workflows/birth_death.cb_reminder
    action: str  # reported, stop
    app: Num


@dataclass(frozen=True, kw_only=True)
class Flow(Form):
    """A one-stop form (handlers/states.Form): ``steps`` holds the shared questions and its own,
    ``ask`` shows its own and "confirm"; the shared ones (``SHARED_ASK``) are asked here."""

    kind: str
    plan: Callable[[Services, dict], Plan]  # the plan for the answers (provision as answered)
    answers: Callable[[dict], object]  # BirthAnswers / DeathAnswers
    submitted: Callable[[Message, Services, str, object], Awaitable[None]]
    oldest: Callable[[Services], date]  # the earliest date its date step takes
    dated: Callable[[Message, Services, str, date], Awaitable[None]] | None = None  # said once a date is taken

    async def question(self, message: Message, state: FSMContext, svc: Services, lang: str, step: str) -> None:
        shared = SHARED_ASK.get(step)
        if shared is not None:
            await shared(message, state, svc, lang, self)
        else:
            await self.ask(message, state, svc, lang, step)


FLOWS: dict[str, Flow] = {}
WHAT_KEYS = {bd.BIRTH: "onestop.what.birth", bd.DEATH: "onestop.what.death"}
CONSENT_KEYS = {bd.BIRTH: "onestop.consent.birth", bd.DEATH: "onestop.consent.death"}
REPORTED_KEYS = {bd.BIRTH: "onestop.ask.reported_birth", bd.DEATH: "onestop.ask.reported_death"}
DONG_KEYS = {bd.BIRTH: "onestop.ask.dong_birth", bd.DEATH: "onestop.ask.dong_death"}
DATE_KEYS = {"format": "onestop.date.format", "future": "onestop.date.future"}
TOO_OLD_KEYS = {bd.BIRTH: "onestop.date.too_old_birth", bd.DEATH: "onestop.date.too_old_death"}


def register(flow: Flow) -> Flow:
    FLOWS[flow.kind] = flow
    return flow


def flow_of_state(current: str | None) -> Flow | None:
    if not current:
        return None
    return next((f for f in FLOWS.values() if f.steps.step(current) is not None), None)


def cb(kind: str, action: str, value: str = "") -> str:
    return OsFlowCb(kind=kind, action=action, value=value).pack()


def cancel_row(kind: str, lang: str) -> list[tuple[str, str]]:
    return [(t(lang, "btn.cancel"), cb(kind, "cancel"))]


# --- the form machinery -------------------------------------------------------------------------


async def begin(message: Message, state: FSMContext, svc: Services, lang: str, kind: str) -> None:
    """/birth or /death: carry on with a form in progress (or start afresh), else start."""
    current = flow_of_state(await state.get_state())
    if current is not None:
        await message.answer(
            t(lang, "onestop.form.resume_q", what=t(lang, WHAT_KEYS[current.kind])),
            reply_markup=markup(
                [
                    [(t(lang, "onestop.form.resume"), cb(current.kind, "resume"))],
                    [(t(lang, "onestop.form.restart"), cb(kind, "restart"))],
                ]
            ),
        )
        return
    await start(message, state, svc, lang, kind)


async def start(message: Message, state: FSMContext, svc: Services, lang: str, kind: str) -> None:
    await state.set_data({"form": uuid.uuid4().hex, "kind": kind, "provision": {}})
    await FLOWS[kind].goto(message, state, svc, lang, "consent")


async def current_step(state: FSMContext) -> str | None:
    current = await state.get_state()
    return current.split(":", 1)[1] if current and ":" in current else None


async def ask_again(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    flow = flow_of_state(await state.get_state())
    if flow is not None:
        await flow.ask_again(message, state, svc, lang)


@resumes(BirthForm, DeathForm)
async def show_step(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    await ask_again(message, state, svc, lang)


async def flow_for(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, lang: str, step: str | None = None
) -> Flow:
    """The flow this button belongs to, if the form is at the step the button answers (each action
    answers one step). Otherwise the press is stale: it goes on to ``stale_flow_button``, which
    shows where the form is now (handlers/states.stale_press)."""
    flow = flow_of_state(await state.get_state())
    if flow is None or flow.kind != callback_data.kind or (step is not None and await current_step(state) != step):
        raise SkipHandler()
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    return flow


# --- shared questions ---------------------------------------------------------------------------------


async def ask_consent(message: Message, state: FSMContext, svc: Services, lang: str, flow: Flow) -> None:
    await message.answer(
        t(lang, CONSENT_KEYS[flow.kind], version=bd.NOTICE_VERSION),
        reply_markup=markup(
            [
                [(t(lang, "onestop.consent.agree"), cb(flow.kind, "consent", "1"))],
                [(t(lang, "onestop.consent.refuse"), cb(flow.kind, "consent", "0"))],
            ]
        ),
    )


async def ask_dong(message: Message, state: FSMContext, svc: Services, lang: str, flow: Flow) -> None:
    rows, row = [], []
    for i, dong in enumerate(svc.district.dongs):  # English: "Jayang 1-dong (자양1동)", two to a row
        row.append((svc.district.dong_name(dong, lang), cb(flow.kind, "dong", str(i))))
        if len(row) == (2 if lang == "en" else 3):
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    rows.append(cancel_row(flow.kind, lang))
    await message.answer(t(lang, DONG_KEYS[flow.kind]), reply_markup=markup(rows))


def yes_no(
    kind: str,
    action: str,
    lang: str,
    *,
    yes: str = "onestop.answer.yes",
    no: str = "onestop.answer.no",
    skip: bool = False,
) -> list[list[tuple[str, str]]]:
    rows = [[(t(lang, yes), cb(kind, action, "1")), (t(lang, no), cb(kind, action, "0"))]]
    if skip:
        rows.append([(t(lang, "onestop.answer.skip"), cb(kind, action, "-"))])
    rows.append(cancel_row(kind, lang))
    return rows


async def ask_reported(message: Message, state: FSMContext, svc: Services, lang: str, flow: Flow) -> None:
    await message.answer(
        t(lang, REPORTED_KEYS[flow.kind]),
        reply_markup=markup(
            yes_no(flow.kind, "reported", lang, yes="onestop.answer.reported_yes", no="onestop.answer.reported_no")
        ),
    )


async def ask_provision(message: Message, state: FSMContext, svc: Services, lang: str, flow: Flow) -> None:
    """One §17 screen per outside body: recipient, purpose, items, retention, right to refuse."""
    data = await state.get_data()
    plan = flow.plan(svc, data)
    bodies = plan.bodies
    pending = [b for b in bodies if b not in data.get("provision", {})]
    if not pending:
        await flow.advance(message, state, svc, lang)
        return
    body = pending[0]
    name, retention = bd.body_info(flow.kind, body, lang)
    services = ", ".join(escape(it.name(lang)) for it in plan.services_of(body))
    phone = bd.body_phone(flow.kind, body)
    if phone:  # a short number says it needs no area code; no number is said plainly, never a placeholder
        dial = escape(phone) + (t(lang, "phone.no_area_code") if district_info.is_special_number(phone) else "")
        direct = t(lang, "onestop.provision.direct_phone", phone=dial)
    else:
        direct = t(lang, "onestop.provision.no_phone", phone=escape(svc.district.raw["district"].get("main_phone", "")))
    text = t(
        lang,
        "onestop.provision",
        i=bodies.index(body) + 1,
        n=len(bodies),
        recipient=escape(name),
        purpose=bd.provision_purpose(flow.kind, plan, body, lang),
        items=bd.provision_items(plan, body, lang),
        retention=escape(retention),
        services=services,
        direct=direct,
    )
    await message.answer(
        text,
        reply_markup=markup(
            [
                [(t(lang, "onestop.provision.agree"), cb(flow.kind, "provide", f"{body}.1"))],
                [(t(lang, "onestop.provision.refuse"), cb(flow.kind, "provide", f"{body}.0"))],
                cancel_row(flow.kind, lang),
            ]
        ),
    )


async def ask_phone(message: Message, state: FSMContext, svc: Services, lang: str, flow: Flow) -> None:
    if not wants_phone(flow, svc, await state.get_data()):
        await state.update_data(phone_enc=None)
        await flow.advance(message, state, svc, lang)
        return
    await message.answer(
        t(lang, "onestop.ask.phone"),
        reply_markup=markup([[(t(lang, "btn.skip"), cb(flow.kind, "phone_skip"))], cancel_row(flow.kind, lang)]),
    )


SHARED_ASK = {
    "consent": ask_consent,
    "dong": ask_dong,
    "reported": ask_reported,
    "provision": ask_provision,
    "phone": ask_phone,
}


def summary_items(svc: Services, items, kind: str, lang: str) -> str:
    """ "• 부모급여 → 중곡1동 주민센터" lines (an agency told directly is named once), for HTML."""
    lines = []
    for it in items:
        name, handler = escape(it.name(lang)), escape(bd.planned_handler(svc, it, kind, lang))
        lines.append(
            t(lang, "onestop.summary.item_self", name=name)
            if name == handler
            else t(lang, "onestop.summary.item", name=name, handler=handler)
        )
    return "\n".join(lines) or "-"


@router.message(StateFilter(BirthForm.date, DeathForm.date), F.text, NOT_COMMAND)
async def got_date(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    """The date typed at a flow's date step (of the birth, of the death): taken, or what is wrong
    with it said and the step kept."""
    flow = flow_of_state(await state.get_state())
    if flow is None:
        return
    try:
        day = parse_date(message.text, bd.local_today(svc), oldest=flow.oldest(svc))
    except DateInputError as e:
        await message.answer(t(lang, TOO_OLD_KEYS[flow.kind] if e.code == "too_old" else DATE_KEYS[e.code]))
        return
    await state.update_data(date=day.isoformat())
    if flow.dated is not None:
        await flow.dated(message, svc, lang, day)
    await flow.advance(message, state, svc, lang)


def wants_phone(flow: Flow, svc: Services, data: dict) -> bool:
    """The phone is asked only when an outside body that needs a contact was consented to."""
    plan = flow.plan(svc, data)
    return any("contact" in it.facts for it in plan.applied() if it.agency_code)


# --- shared answers ---------------------------------------------------------------------------------


@router.callback_query(OsFlowCb.filter(F.action.in_({"resume", "restart"})))
async def resume_or_restart(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str
) -> None:
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    flow = flow_of_state(await state.get_state())
    if callback_data.action == "resume" and flow is not None and flow.kind == callback_data.kind:
        await ask_again(query.message, state, svc, lang)
    elif callback_data.kind in FLOWS:
        await start(query.message, state, svc, lang, callback_data.kind)


@router.callback_query(OsFlowCb.filter(F.action == "consent"))
async def got_consent(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str
) -> None:
    flow = await flow_for(query, callback_data, state, lang, "consent")
    if flow is None:
        return
    if callback_data.value != "1":
        await state.clear()
        await query.message.answer(
            t(lang, "onestop.consent.refused", phone=escape(svc.district.raw["district"].get("main_phone", "")))
        )
        return
    await state.update_data(collected_at=svc.now().isoformat())
    await flow.advance(query.message, state, svc, lang)


@router.callback_query(OsFlowCb.filter(F.action == "dong"))
async def got_dong(query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str) -> None:
    flow = await flow_for(query, callback_data, state, lang, "dong")
    if flow is None:
        return
    dong = svc.district.dong_at(callback_data.value)
    if dong is None:
        await ask_again(query.message, state, svc, lang)
        return
    await state.update_data(dong=dong)
    await flow.advance(query.message, state, svc, lang)


@router.callback_query(OsFlowCb.filter(F.action == "reported"))
async def got_reported(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str
) -> None:
    flow = await flow_for(query, callback_data, state, lang, "reported")
    if flow is None:
        return
    await state.update_data(reported=callback_data.value == "1")
    await flow.advance(query.message, state, svc, lang)


@router.callback_query(OsFlowCb.filter(F.action == "provide"))
async def got_provision(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str
) -> None:
    flow = await flow_for(query, callback_data, state, lang, "provision")
    if flow is None:
        return
    body, _, answer = callback_data.value.partition(".")
    data = await state.get_data()
    if body not in flow.plan(svc, data).bodies or answer not in ("0", "1"):
        await ask_again(query.message, state, svc, lang)
        return
    provision = {**data.get("provision", {}), body: answer == "1"}
    await state.update_data(provision=provision)
    if answer == "0":
        name = bd.body_info(flow.kind, body, lang)[0]
        await query.message.answer(t(lang, "onestop.provision.refused_ok", recipient=escape(name)))
    await ask_provision(query.message, state, svc, lang, flow)  # the next body, or on


@router.message(StateFilter(BirthForm.phone, DeathForm.phone), F.text | F.contact, NOT_COMMAND)
async def got_phone(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    raw = message.contact.phone_number if message.contact else message.text
    try:
        phone = normalize_phone(raw)
    except InvalidPhone:
        await message.answer(t(lang, "cf.phone_bad"))
        return
    await state.update_data(phone_enc=svc.cipher.encrypt(phone))
    flow = flow_of_state(await state.get_state())
    if flow is not None:  # the filter matched one of the flows' phone steps
        await flow.advance(message, state, svc, lang)


@router.callback_query(OsFlowCb.filter(F.action == "phone_skip"))
async def phone_skipped(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, svc: Services, lang: str
) -> None:
    flow = await flow_for(query, callback_data, state, lang, "phone")
    if flow is None:
        return
    await state.update_data(phone_enc=None)
    await flow.advance(query.message, state, svc, lang)


@router.callback_query(OsFlowCb.filter(F.action == "submit"))
async def submit(
    query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    data = await state.get_data()
    flow = flow_of_state(await state.get_state())
    if flow is None or await current_step(state) != "confirm" or data.get("form") != callback_data.value:
        existing = await bd.find_by_submit_key(session, query.from_user.id, callback_data.value)
        await query.answer()
        await query.message.answer(
            t(lang, "onestop.already_submitted", receipt=existing.receipt_no) if existing else t(lang, "stale_button")
        )
        return
    await query.answer()
    app, created = await bd.submit(
        session,
        svc,
        kind=flow.kind,
        citizen_id=query.from_user.id,
        submit_key=data["form"],
        answers=flow.answers(data),
        provision=data.get("provision", {}),
        collected_at=datetime.fromisoformat(data["collected_at"]),
        phone_enc=data.get("phone_enc"),
        reminders_on=data.get("reminders", True),
    )
    await session.commit()
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    if not created:
        await query.message.answer(t(lang, "onestop.already_submitted", receipt=app.receipt_no))
        return
    await flow.submitted(query.message, svc, lang, app)


@router.callback_query(OsFlowCb.filter(F.action == "cancel"))
async def cancel(query: CallbackQuery, callback_data: OsFlowCb, state: FSMContext, lang: str) -> None:
    flow = flow_of_state(await state.get_state())
    if flow is None or flow.kind != callback_data.kind:
        raise SkipHandler()
    await query.answer()
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t(lang, "cancel.done", what=t(lang, WHAT_KEYS[flow.kind])))


# --- after filing: /status, 보완요청 answers, reminders, rating -------------------------------------


async def show_status(message: Message, session: AsyncSession, svc: Services, lang: str, user_id: int) -> bool:
    """The one-stop section of /status (one message per application, more when it is long); False if
    there are none."""
    apps = await bd.list_for_citizen(session, user_id)
    for app in apps:
        buttons = []
        if any(it.state == bd.SUPPLEMENT for it in app.items):
            buttons = [
                [
                    (
                        t(lang, "onestop.btn.reply_item", service=bd.item_name(it, app.kind, lang, svc.district)),
                        bd.cb_supplement(it.id),
                    )
                ]
                for it in app.items
                if it.state == bd.SUPPLEMENT
            ]
        await answer_all(message, bd.status_messages(svc, app, lang), markup(buttons) if buttons else None)
    return bool(apps)


@router.callback_query(SupplementCb.filter())
async def supplement_reply_start(
    query: CallbackQuery,
    callback_data: SupplementCb,
    state: FSMContext,
    session: AsyncSession,
    svc: Services,
    lang: str,
) -> None:
    item = await bd.get_item(session, callback_data.item)
    if item is None or item.application.citizen_id != query.from_user.id or item.state != bd.SUPPLEMENT:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    await state.set_state(FamilyForm.supplement_reply)
    await state.set_data({"item": item.id})
    await query.message.answer(
        t(lang, "onestop.ask.reply", service=escape(bd.item_name(item, item.application.kind, lang, svc.district)))
    )


@router.message(FamilyForm.supplement_reply, F.text, NOT_COMMAND)
async def supplement_reply(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    item = await bd.get_item(session, (await state.get_data()).get("item", 0))
    if item is None:
        await state.clear()
        await message.answer(t(lang, "stale_button"))
        return
    try:
        await bd.family_reply(session, svc, message.from_user.id, item, message.text)
    except OnestopError as e:
        if e.code in ("short", "long"):
            await message.answer(
                t(lang, "onestop.note_length", n=len(message.text.strip()), lo=bd.NOTE_MIN, hi=f"{bd.NOTE_MAX:,}")
            )
            return
        await state.clear()
        await message.answer(t(lang, "stale_button"))
        return
    await session.commit()
    await state.clear()
    await message.answer(
        t(lang, "onestop.reply_sent", handler=escape(bd.handler_name(svc, item, item.application.kind, lang)))
    )


@router.message(FamilyForm.supplement_reply, NOT_COMMAND)
async def supplement_reply_expected(message: Message, lang: str) -> None:
    await message.answer(t(lang, "cf.text_expected"))


@router.callback_query(ReminderCb.filter())
async def reminder_button(
    query: CallbackQuery, callback_data: ReminderCb, session: AsyncSession, svc: Services, lang: str
) -> None:
    try:
        if callback_data.action == "reported":
            await bd.mark_reported(session, svc, query.from_user.id, callback_data.app)
            text = t(lang, "onestop.reported_ok")
        else:
            await bd.stop_reminders(session, svc, query.from_user.id, callback_data.app)
            text = t(lang, "onestop.reminders_stopped")
    except OnestopError:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await session.commit()
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(text)


# --- anything else typed or sent into a form ----------------------------------------------------------

BUTTON_STEPS = (*BirthForm.pressed(), *DeathForm.pressed())


@router.message(StateFilter(*BUTTON_STEPS), NOT_COMMAND)
async def use_buttons(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    await message.answer(t(lang, "onestop.use_buttons"))
    await ask_again(message, state, svc, lang)


@router.message(StateFilter(BirthForm.phone, DeathForm.phone), NOT_COMMAND)
async def phone_expected(message: Message, lang: str) -> None:
    await message.answer(t(lang, "cf.phone_bad"))


@router.message(StateFilter(BirthForm.date, DeathForm.date), NOT_COMMAND)
async def date_expected(message: Message, lang: str) -> None:
    """A sticker or photo where a date is asked (typed dates are read by the flows)."""
    await message.answer(t(lang, "onestop.date.format"))


@router.callback_query(OsFlowCb.filter())
async def stale_flow_button(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    await stale_press(query, state, session, svc, lang)
