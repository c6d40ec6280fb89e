"""/foodalert: operators register, change or stop food-poisoning alerts; 위생과 officers (and admins)
see the numbers, make invite links and send outbreak notices with a preview; admins import the
일반음식점 licence export by sending its .csv here. Rules live in workflows/food_alerts/service.py."""

from __future__ import annotations

import io
import uuid

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.commands import set_commands_for
from handlers.filters import NOT_COMMAND, SHOWN_AT_STEP, RoleFilter
from handlers.keyboards import grid, markup
from handlers.replies import allowed, answer_in
from handlers.states import Form, Steps, resumes, step_token
from handlers.entries import entry
from workflows.food_alerts import service as fa
from workflows import roles
from workflows.food_alerts import food_import
from workflows.context import Services
from workflows.roles import ADMIN, OPERATOR, Principal
from workflows.texts import escape, t
from handlers.turn import Turn

router = Router(name="foodalert")
router.message.filter(F.chat.type == "private")

NAME_ERRORS = {"short": "food.name.short", "long": "food.name.long", "rrn": "food.name.rrn"}
NOTICE_ERRORS = {"short": "food.notice.short", "long": "food.notice.long"}
CSV_ERRORS = {
    "too_big": "food.csv.too_big",
    "encoding": "food.csv.encoding",
    "empty": "food.csv.empty",
    "missing_columns": "food.csv.missing_columns",
    "too_many_rows": "food.csv.too_many_rows",
    "malformed": "food.csv.malformed",
}


class FoodCb(CallbackData, prefix="fa"):
    action: str  # join, type, dong, save, redo, quit, edit, stop, stop_yes, stop_no, notice, invite
    value: str = ""
    st: str = ""  # in the registration form: the step it was shown for (filters.ShownAtStep)


class NoticeCb(CallbackData, prefix="fn"):
    action: str  # audience, pick, send, rewrite, cancel
    value: str = ""


# registration, in order; edit_name is a registered operator's change of name (handlers below)
FoodForm = Steps("FoodForm", "name business_type dong confirm edit_name", typed="name edit_name")


class NoticeForm(StatesGroup):
    audience = State()
    text = State()
    confirm = State()


def is_staff(p: Principal, cfg: fa.FoodConfig) -> bool:
    return p.is_admin or (p.is_officer and p.department == cfg.department)


# --- keyboards ---------------------------------------------------------------------------------


def _types_kb(cfg: fa.FoodConfig, lang: str, cb: type[CallbackData], action: str, **step):
    return grid([(bt.name(lang), cb(action=action, value=bt.code, **step)) for bt in cfg.types.values()], 2)


def _dongs_kb(svc: Services, lang: str, cb: type[CallbackData], action: str, **step):
    dongs = [
        (svc.district.dong_name(d, lang), cb(action=action, value=str(i), **step))
        for i, d in enumerate(svc.district.dongs)
    ]
    return grid(dongs, 2 if lang == "en" else 3)  # English: "Jayang 1-dong (자양1동)", two to a row


def _operator_kb(lang: str):
    return markup(
        [
            [
                (t(lang, "food.btn.edit_name"), FoodCb(action="edit", value="name").pack()),
                (t(lang, "food.btn.edit_type"), FoodCb(action="edit", value="type").pack()),
                (t(lang, "food.btn.edit_dong"), FoodCb(action="edit", value="dong").pack()),
            ],
            [(t(lang, "food.btn.stop"), FoodCb(action="stop").pack())],
        ]
    )


# --- entry --------------------------------------------------------------------------------------


def _season_kw(cfg: fa.FoodConfig, lang: str) -> dict:
    return {"season": escape(fa.season_label(cfg, lang)), "threshold": escape(fa.grade(cfg, cfg.threshold).name(lang))}


async def show_operator(
    message: Message, session: AsyncSession, svc: Services, cfg: fa.FoodConfig, lang: str, user_id: int
) -> None:
    await fa.claim_redeemed(session, user_id)
    op = await fa.get_operator(session, user_id)
    if op is None:
        await message.answer(
            t(lang, "food.intro", **_season_kw(cfg, lang)),
            reply_markup=markup([[(t(lang, "food.btn.join"), FoodCb(action="join").pack())]]),
        )
        return
    await message.answer(
        t(
            lang,
            "food.status",
            name=escape(op.business_name),
            type=escape(cfg.types[op.business_type].name(lang)),
            dong=escape(svc.district.dong_name(op.dong, lang)) if op.dong else t(lang, "food.dong_none"),
            **_season_kw(cfg, lang),
        ),
        reply_markup=_operator_kb(lang),
    )


async def show_staff(
    message: Message, session: AsyncSession, svc: Services, cfg: fa.FoodConfig, lang: str, p: Principal
) -> None:
    n = await fa.counts(session)
    if not fa.in_season(cfg, fa.local_day(svc)):
        today = t(lang, "food.staff.off_season", season=escape(fa.season_label(cfg, lang)))
    elif (f := await fa.todays_forecast(session, svc, cfg)) is None:
        today = t(lang, "food.staff.today_none")
    else:
        g = fa.grade(cfg, f.risk)
        today = t(lang, "food.staff.today", emoji=g.emoji, grade=escape(g.name(lang)), at=svc.fmt(f.fetched_at, lang))
    text = t(lang, "food.staff", active=n[fa.ACTIVE], invited=n[fa.INVITED], today=today)
    if p.is_admin:
        text += t(lang, "food.staff.csv_hint")
    await message.answer(
        text,
        reply_markup=markup(
            [
                [(t(lang, "food.btn.notice"), FoodCb(action="notice").pack())],
                [(t(lang, "food.btn.invite"), FoodCb(action="invite").pack())],
            ]
        ),
    )


@entry("foodalert")
@router.message(Command("foodalert"))
async def foodalert_cmd(message: Message, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    await state.clear()
    cfg = fa.config()
    if is_staff(principal, cfg):
        await show_staff(message, session, svc, cfg, lang, principal)
    else:
        await show_operator(message, session, svc, cfg, lang, message.from_user.id)


# --- operator registration -------------------------------------------------------------------


@router.callback_query(FoodCb.filter(F.action.in_({"join", "redo"})), SHOWN_AT_STEP)
async def join(query: CallbackQuery, state: FSMContext, svc: Services, lang: str) -> None:
    await query.answer()
    await state.set_data({})
    await FORM.goto(query.message, state, svc, lang, "name")


# --- the registration form's questions (each button carries its step), and where it is now ---------


async def ask_type(message: Message, lang: str) -> None:
    await message.answer(
        t(lang, "food.ask_type"),
        reply_markup=_types_kb(fa.config(), lang, FoodCb, "type", st=step_token(FoodForm.business_type)),
    )


async def ask_dong(message: Message, svc: Services, lang: str) -> None:
    await message.answer(
        t(lang, "food.ask_dong"), reply_markup=_dongs_kb(svc, lang, FoodCb, "dong", st=step_token(FoodForm.dong))
    )


async def show_confirm(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    data, at = await state.get_data(), step_token(FoodForm.confirm)
    await message.answer(
        t(
            lang,
            "food.confirm",
            name=escape(data["name"]),
            type=escape(fa.config().types[data["business_type"]].name(lang)),
            dong=escape(svc.district.dong_name(data["dong"], lang)),
        ),
        reply_markup=markup(
            [
                [(t(lang, "food.btn.save"), FoodCb(action="save", st=at).pack())],
                [
                    (t(lang, "food.btn.redo"), FoodCb(action="redo", st=at).pack()),
                    (t(lang, "food.btn.quit"), FoodCb(action="quit", st=at).pack()),
                ],
            ]
        ),
    )


async def question(message: Message, state: FSMContext, svc: Services, lang: str, step: str) -> None:
    """One step's question (handlers/states.Form: the chat is at that step)."""
    if step == "business_type":
        await ask_type(message, lang)
    elif step == "dong":
        await ask_dong(message, svc, lang)
    elif step == "confirm":
        await show_confirm(message, state, svc, lang)
    else:  # the name, at registration or as a change
        await message.answer(t(lang, "food.ask_name"))


FORM = Form(steps=FoodForm, ask=question)


@resumes(FoodForm)
async def show_step(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    await FORM.ask_again(message, state, svc, lang)


@router.message(FoodForm.name, F.text, NOT_COMMAND)
@router.message(FoodForm.edit_name, F.text, NOT_COMMAND)
async def name_typed(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    try:
        name = fa.validate_name(message.text)
    except ValueError as e:
        await message.answer(t(lang, NAME_ERRORS[str(e)]))
        return
    cfg = fa.config()
    if await state.get_state() == FoodForm.edit_name.state:
        op = await fa.get_operator(session, message.from_user.id)
        await state.clear()
        if op is None:
            await message.answer(t(lang, "food.not_registered"))
            return
        await fa.change(session, svc, op, name=name, cfg=cfg)
        await session.commit()
        await message.answer(t(lang, "food.changed"))
        await show_operator(message, session, svc, cfg, lang, message.from_user.id)
        return
    await state.update_data(name=name)
    await FORM.advance(message, state, svc, lang)


answer_in(router, "food.name.text_only", FoodForm.name, FoodForm.edit_name)


@router.callback_query(FoodCb.filter(F.action.in_({"type", "dong"})), SHOWN_AT_STEP)
async def picked(
    query: CallbackQuery, callback_data: FoodCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    """A 업종 or 동 button: the next registration step, or a change of a registered business."""
    cfg = fa.config()
    action, value = callback_data.action, callback_data.value
    chosen = (
        value if action == "type" and value in cfg.types else svc.district.dong_at(value) if action == "dong" else None
    )
    if chosen is None:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    current = await state.get_state()
    if current == FoodForm.business_type.state and action == "type":
        await state.update_data(business_type=chosen)
        await FORM.advance(query.message, state, svc, lang)
        return
    if current == FoodForm.dong.state and action == "dong":
        await state.update_data(dong=chosen)
        await FORM.advance(query.message, state, svc, lang)
        return
    op = await fa.get_operator(session, query.from_user.id)
    if op is None:
        await query.message.answer(t(lang, "food.not_registered"))
        return
    await fa.change(session, svc, op, cfg=cfg, **({"business_type": chosen} if action == "type" else {"dong": chosen}))
    await session.commit()
    await query.message.answer(t(lang, "food.changed"))
    await show_operator(query.message, session, svc, cfg, lang, query.from_user.id)


async def _refresh_commands(bot: Bot, session: AsyncSession, svc: Services, user_id: int, lang: str) -> None:
    """The operator role came or went: /foodalert appears in (or leaves) the user's command menu."""
    await set_commands_for(bot, await roles.load_principal(session, user_id, svc.admin_ids), lang)


@router.callback_query(FoodCb.filter(F.action == "save"), FoodForm.confirm, SHOWN_AT_STEP)
async def save(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, svc: Services, lang: str, bot: Bot
) -> None:
    data = await state.get_data()
    cfg = fa.config()
    await fa.register(
        session,
        svc,
        user_id=query.from_user.id,
        name=data["name"],
        business_type=data["business_type"],
        dong=data["dong"],
        cfg=cfg,
    )
    await state.clear()
    await session.commit()
    await query.answer()
    await query.message.answer(t(lang, "food.registered", **_season_kw(cfg, lang)))
    await _refresh_commands(bot, session, svc, query.from_user.id, lang)


@router.callback_query(FoodCb.filter(F.action == "quit"), SHOWN_AT_STEP)
async def quit_form(query: CallbackQuery, state: FSMContext, lang: str) -> None:
    await state.clear()
    await query.answer()
    await query.message.answer(t(lang, "food.cancelled"))


# --- operator changes and stop ----------------------------------------------------------------


@router.callback_query(FoodCb.filter(F.action == "edit"))
async def edit(
    query: CallbackQuery, callback_data: FoodCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    await query.answer()
    if await fa.get_operator(session, query.from_user.id) is None:
        await query.message.answer(t(lang, "food.not_registered"))
        return
    await state.clear()
    if callback_data.value == "name":
        await FORM.goto(query.message, state, svc, lang, "edit_name")
    elif callback_data.value == "type":
        await query.message.answer(t(lang, "food.ask_type"), reply_markup=_types_kb(fa.config(), lang, FoodCb, "type"))
    else:
        await query.message.answer(t(lang, "food.ask_dong"), reply_markup=_dongs_kb(svc, lang, FoodCb, "dong"))


@router.callback_query(FoodCb.filter(F.action == "stop"))
async def stop_ask(query: CallbackQuery, lang: str) -> None:
    await query.answer()
    await query.message.answer(
        t(lang, "food.stop_confirm"),
        reply_markup=markup(
            [
                [
                    (t(lang, "food.btn.stop_yes"), FoodCb(action="stop_yes").pack()),
                    (t(lang, "food.btn.stop_no"), FoodCb(action="stop_no").pack()),
                ]
            ]
        ),
    )


@router.callback_query(FoodCb.filter(F.action.in_({"stop_yes", "stop_no"})))
async def stop_answer(
    query: CallbackQuery, callback_data: FoodCb, session: AsyncSession, svc: Services, lang: str, bot: Bot
) -> None:
    await query.answer()
    if callback_data.action == "stop_no":
        await query.message.answer(t(lang, "food.kept"))
        return
    stopped = await fa.stop(session, query.from_user.id)
    await session.commit()
    await query.message.answer(t(lang, "food.stopped" if stopped else "food.not_registered"))
    if stopped:
        await _refresh_commands(bot, session, svc, query.from_user.id, lang)


# --- staff: invite links and outbreak notices --------------------------------------------------


@router.callback_query(FoodCb.filter(F.action == "invite"))
async def invite(query: CallbackQuery, session: AsyncSession, svc: Services, lang: str, principal: Principal) -> None:
    if not await allowed(query, lang, is_staff(principal, fa.config())):
        return
    await query.answer()
    inv = await roles.create_invite(
        session,
        role=OPERATOR,
        department_code=None,
        by=query.from_user.id,
        departments=svc.district.departments,
        now=svc.now(),
        actor_role=ADMIN if principal.is_admin else roles.OFFICER,
    )
    await session.commit()
    await query.message.answer(
        t(
            lang,
            "admin.invite_link",
            role=t(lang, "role.name.operator"),
            dept="",
            days=roles.INVITE_TTL.days,
            link=f"https://t.me/{svc.bot_username}?start=inv_{inv.token}",
        )
    )


def _audience_label(svc: Services, cfg: fa.FoodConfig, kind: str, value: str | None, lang: str) -> str:
    """Who a notice goes to, for an HTML message (a type's or a 동's name, escaped)."""
    if kind == "type":
        return escape(cfg.types[value].name(lang))
    return escape(svc.district.dong_name(value, lang)) if kind == "dong" else t(lang, "food.notice.all")


@router.callback_query(FoodCb.filter(F.action == "notice"))
async def notice_start(query: CallbackQuery, state: FSMContext, lang: str, principal: Principal) -> None:
    if not await allowed(query, lang, is_staff(principal, fa.config())):
        return
    await query.answer()
    await state.clear()
    await state.set_state(NoticeForm.audience)
    await ask_audience(query.message, lang)


async def ask_audience(message: Message, lang: str) -> None:
    await message.answer(
        t(lang, "food.notice.audience"),
        reply_markup=markup(
            [
                [(t(lang, "food.notice.all"), NoticeCb(action="audience", value="all").pack())],
                [
                    (t(lang, "food.notice.by_dong"), NoticeCb(action="audience", value="dong").pack()),
                    (t(lang, "food.notice.by_type"), NoticeCb(action="audience", value="type").pack()),
                ],
                [(t(lang, "food.btn.quit"), NoticeCb(action="cancel").pack())],
            ]
        ),
    )


async def ask_notice_text(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    data = await state.get_data()
    n = len(await fa.notice_recipients(session, data["kind"], data.get("value")))
    await message.answer(
        t(
            lang,
            "food.notice.ask_text",
            n=n,
            audience=_audience_label(svc, fa.config(), data["kind"], data.get("value"), lang),
        )
    )


async def show_preview(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    data = await state.get_data()
    n = len(await fa.notice_recipients(session, data["kind"], data.get("value")))
    cfg = fa.config()
    await message.answer(
        t(
            lang,
            "food.notice.preview",
            audience=_audience_label(svc, cfg, data["kind"], data.get("value"), lang),
            n=n,
            message=fa.notice_message(svc, cfg, data["text"], lang),
        ),
        reply_markup=markup(
            [
                [(t(lang, "food.btn.send"), NoticeCb(action="send", value=data["form_id"]).pack())],
                [
                    (t(lang, "food.btn.rewrite"), NoticeCb(action="rewrite").pack()),
                    (t(lang, "food.btn.quit"), NoticeCb(action="cancel").pack()),
                ],
            ]
        ),
    )


@resumes(NoticeForm)
async def show_notice_step(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    current = await state.get_state()
    if current == NoticeForm.audience.state:
        await ask_audience(message, lang)
    elif current == NoticeForm.text.state:
        await ask_notice_text(message, state, session, svc, lang)
    else:
        await show_preview(message, state, session, svc, lang)


@router.callback_query(NoticeCb.filter(F.action.in_({"audience", "pick"})), NoticeForm.audience)
async def notice_audience(
    query: CallbackQuery, callback_data: NoticeCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    cfg = fa.config()
    action, value = callback_data.action, callback_data.value
    await query.answer()
    if action == "audience" and value == "dong":
        await query.message.answer(
            t(lang, "food.notice.pick_dong"), reply_markup=_dongs_kb(svc, lang, NoticeCb, "pick")
        )
        await state.update_data(kind="dong")
        return
    if action == "audience" and value == "type":
        await query.message.answer(
            t(lang, "food.notice.pick_type"), reply_markup=_types_kb(cfg, lang, NoticeCb, "pick")
        )
        await state.update_data(kind="type")
        return
    kind = "all" if action == "audience" else (await state.get_data()).get("kind")
    chosen = (
        None
        if kind == "all"
        else svc.district.dong_at(value)
        if kind == "dong"
        else value
        if value in cfg.types
        else None
    )
    if kind not in fa.AUDIENCES or (kind != "all" and chosen is None):
        await query.message.answer(t(lang, "stale_button"))
        return
    n = len(await fa.notice_recipients(session, kind, chosen))
    label = _audience_label(svc, cfg, kind, chosen, lang)
    if n == 0:
        await query.message.answer(t(lang, "food.notice.nobody", audience=label))
        return
    await state.update_data(kind=kind, value=chosen)
    await state.set_state(NoticeForm.text)
    await query.message.answer(t(lang, "food.notice.ask_text", audience=label, n=n))


@router.message(NoticeForm.text, F.text, NOT_COMMAND)
async def notice_text(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    try:
        body = fa.validate_notice(message.text)
    except ValueError as e:
        await message.answer(t(lang, NOTICE_ERRORS[str(e)]))
        return
    await state.update_data(text=body, form_id=uuid.uuid4().hex)
    await state.set_state(NoticeForm.confirm)
    await show_preview(message, state, session, svc, lang)


answer_in(router, "food.notice.text_only", NoticeForm.text)


@router.callback_query(NoticeCb.filter(F.action == "send"), NoticeForm.confirm)
async def notice_send(query: CallbackQuery, callback_data: NoticeCb, turn: Turn) -> None:
    state, session, svc, lang, principal = turn
    data = await state.get_data()
    if not is_staff(principal, fa.config()) or data.get("form_id") != callback_data.value:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    notice, _ = await fa.send_notice(
        session,
        svc,
        form_id=data["form_id"],
        officer_id=query.from_user.id,
        kind=data["kind"],
        value=data.get("value"),
        text=data["text"],
    )
    await state.clear()
    await session.commit()
    await query.answer()
    await query.message.answer(t(lang, "food.notice.sent", n=notice.recipients))


@router.callback_query(NoticeCb.filter(F.action == "rewrite"), NoticeForm.confirm)
async def notice_rewrite(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    await query.answer()
    await state.set_state(NoticeForm.text)
    await ask_notice_text(query.message, state, session, svc, lang)


@router.callback_query(NoticeCb.filter(F.action == "cancel"))
async def notice_cancel(query: CallbackQuery, state: FSMContext, lang: str) -> None:
    await state.clear()
    await query.answer()
    await query.message.answer(t(lang, "food.notice.cancelled"))


# --- admin: licence-export import -------------------------------------------------------------


def _is_csv(message: Message) -> bool:
    return message.document is not None and (message.document.file_name or "").lower().endswith(".csv")


@router.message(_is_csv, RoleFilter(ADMIN))
async def csv_import(message: Message, bot: Bot, session: AsyncSession, svc: Services, lang: str) -> None:
    cfg = fa.config()
    doc = message.document
    if (doc.file_size or 0) > cfg.max_bytes:
        await message.answer(t(lang, "food.csv.too_big", mb=cfg.max_bytes // 1_000_000))
        return
    await message.answer(t(lang, "food.csv.working"))
    try:
        data = (await bot.download(doc, destination=io.BytesIO())).getvalue()
    except (TelegramAPIError, OSError):
        await message.answer(t(lang, "food.csv.download_failed"))
        return
    try:
        parsed = food_import.parse_licence_csv(data, svc.district.dongs, cfg)
    except food_import.CsvError as e:
        await message.answer(t(lang, CSV_ERRORS[e.code], **e.kw))
        return
    done = await food_import.import_businesses(session, svc, parsed.rows, by=message.from_user.id, cfg=cfg)
    await session.commit()
    await message.answer(
        t(
            lang,
            "food.csv.done",
            created=len(done.created),
            already=done.already,
            closed=parsed.skipped["closed"],
            no_name=parsed.skipped["no_name"],
            duplicate=parsed.skipped["duplicate"],
            no_dong=sum(op.dong is None for op, _ in done.created),
        )
    )
    if done.created:
        day = f"{fa.local_day(svc):%Y%m%d}"
        await message.answer_document(
            BufferedInputFile(
                food_import.invitations_csv(svc, done.created, lang, cfg), filename=f"food-alert-invitations-{day}.csv"
            ),
            caption=t(lang, "food.csv.file_caption", days=cfg.invite_ttl.days),
        )
