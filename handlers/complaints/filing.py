"""Citizens: the /complaint form (category, text, photos, place, phone, summary) and free text."""

from __future__ import annotations

import uuid

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards as kb
from handlers import media
from handlers.callbacks import CategoryCb, EditCb, FormCb, FreeTextCb, MenuCb, StepCb
from handlers.filters import NOT_COMMAND, SHOWN_AT_STEP
from handlers.privacy import after_consent, ask_consent_first
from handlers.replies import answer_in
from handlers.states import ComplaintForm, Form, resumes
from workflows import users
from workflows.complaints import service as complaints
from workflows.complaints.common import DESCRIPTION_MAX, Draft, MAX_PHOTOS
from workflows.contact import InvalidPhone, has_phone, mask_phone, normalize_phone
from workflows.context import Services
from workflows.texts import escape, t
from workflows.complaints.common import DESCRIPTION, DailyLimit, place_html, repeat_of

router = Router(name="complaint")


async def _consented(session: AsyncSession, user_id: int) -> bool:
    return await users.active_consent(session, user_id) is not None


async def begin(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    svc: Services,
    lang: str,
    user_id: int,
    *,
    category: str | None = None,
    description: str | None = None,
    photos: list | tuple = (),
) -> None:
    """Start a new form (replacing any unfinished one), optionally pre-filled from free text or a
    photo sent outside a form. Without the consent, what was given is kept and the form starts
    once they agree (handlers/privacy.ask_consent_first)."""
    photos = [list(p) for p in photos]
    if not await _consented(session, user_id):
        await ask_consent_first(
            message,
            state,
            session,
            svc,
            lang,
            user_id,
            "complaint",
            category=category,
            description=description,
            photos=photos,
        )
        return
    data = {"form_id": uuid.uuid4().hex, "photos": photos}
    if description:
        data["description"] = description  # kept: then only the topic is asked
    if category:
        data["category"] = category
    await state.set_data(data)
    if not category:
        await FORM.goto(message, state, svc, lang, "category")
    elif description:
        await FORM.goto(message, state, svc, lang, "photos")
    else:
        await FORM.goto(message, state, svc, lang, "description")


@after_consent("complaint")
async def begin_after_consent(
    message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str, user_id: int, **kept
) -> None:
    await begin(message, state, session, svc, lang, user_id, **kept)


async def question(message: Message, state: FSMContext, svc: Services, lang: str, step: str) -> None:
    """One step's question (handlers/states.Form: the chat is at that step)."""
    data = await state.get_data()
    if step == "category":
        await message.answer(
            t(lang, "cf.ask_category"), reply_markup=kb.categories(lang, svc.district, data.get("form_id", "-"))
        )
    elif step == "description":
        cat = svc.district.category(data["category"])
        await message.answer(t(lang, "cf.ask_description", category=escape(cat.name(lang))))
    elif step == "photos":
        n = len(data.get("photos", []))
        await message.answer(
            t(lang, "cf.ask_photos_more", n=n) if n else t(lang, "cf.ask_photos"),
            reply_markup=kb.photos(lang, n, clear=True),
        )
    elif step == "location":
        await message.answer(t(lang, "cf.ask_location"), reply_markup=kb.step(lang, ComplaintForm.location))
    elif step == "phone":
        await message.answer(t(lang, "cf.ask_phone"), reply_markup=kb.step(lang, ComplaintForm.phone))
    elif step == "edit":
        await message.answer(t(lang, "cf.edit_which"), reply_markup=kb.edit_fields(lang))
    else:
        await show_summary(message, state, svc, lang)


FORM = Form(steps=ComplaintForm, ask=question)
ANSWERS = ComplaintForm.names[: ComplaintForm.names.index(FORM.summary)]  # what the summary can send back to


@resumes(ComplaintForm)
async def show_step(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    """Where the form is now: its question again, with its buttons (a stale press, text at a button step)."""
    await FORM.ask_again(message, state, svc, lang)


async def show_summary(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    data = await state.get_data()
    cat = svc.district.category(data["category"])
    dept = svc.district.department(svc.district.route(cat.code))
    phone = svc.cipher.decrypt(data["phone_enc"]) if data.get("phone_enc") else None
    place = place_html(data.get("address"), data.get("lat"), data.get("lon"), lang)
    text = t(
        lang,
        "cf.summary",
        category=escape(cat.name(lang)),
        department=escape(dept.name(lang)),
        deadline=svc.fmt(complaints.preview_deadline(svc, cat.code), lang),
        description=escape(data["description"]),
        photos=len(data.get("photos", [])),
        location=place,
        phone=mask_phone(phone) if phone else t(lang, "cf.none"),
    )
    if has_phone(data["description"]) or has_phone(data.get("address")):  # officers see it masked
        text += t(lang, "cf.summary_phone_note")
    await state.set_state(ComplaintForm.confirm)
    await message.answer(text, reply_markup=kb.confirm(lang, data["form_id"]))


# --- entry points ----------------------------------------------------------------------------


@router.message(Command("complaint"))
async def complaint_cmd(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    await begin(message, state, session, svc, lang, message.from_user.id)


@router.callback_query(MenuCb.filter(F.action == "complaint"))
async def complaint_menu(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    await query.answer()
    await begin(query.message, state, session, svc, lang, query.from_user.id)


@router.callback_query(FreeTextCb.filter())
async def free_text_choice(
    query: CallbackQuery, callback_data: FreeTextCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    await query.answer()
    data = await state.get_data()
    text, photos = data.get("free_text"), data.get("free_photos", [])
    if await state.get_state() is not None or (text is None and not photos):
        await query.message.answer(t(lang, "stale_button"))
        return
    await query.message.edit_reply_markup(reply_markup=None)
    if callback_data.action == "no":
        await state.set_data({})
        await query.message.answer(t(lang, "cf.offer_dismissed"))
        return
    category = (
        callback_data.cat if callback_data.action == "file" and callback_data.cat in svc.district.categories else None
    )
    fits = DESCRIPTION.fits(text)
    await begin(
        query.message,
        state,
        session,
        svc,
        lang,
        query.from_user.id,
        category=category,
        description=text if fits else None,
        photos=photos,
    )


# --- steps -------------------------------------------------------------------------------------


@router.callback_query(ComplaintForm.category, CategoryCb.filter())
async def got_category(
    query: CallbackQuery, callback_data: CategoryCb, state: FSMContext, svc: Services, lang: str
) -> None:
    await query.answer()
    if callback_data.code not in svc.district.categories:
        await query.message.answer(t(lang, "stale_button"))
        return
    await state.update_data(category=callback_data.code)
    data = await state.get_data()
    if data.get("editing"):
        await FORM.advance(query.message, state, svc, lang)
    elif data.get("description"):  # pre-filled from free text
        await FORM.goto(query.message, state, svc, lang, "photos")
    else:
        await FORM.advance(query.message, state, svc, lang)


@router.message(ComplaintForm.category, NOT_COMMAND)
async def category_expected(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    await FORM.goto(message, state, svc, lang, "category")


def description_error(text: str, lang: str) -> str | None:
    """What is wrong with the complaint's text, as the resident is told; None when it fits."""
    e = DESCRIPTION.problem(text)
    return None if e is None else e.text(lang)


@router.message(ComplaintForm.description, F.text, NOT_COMMAND)
async def got_description(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    text = message.text.strip()
    if (error := description_error(text, lang)) is not None:
        await message.answer(error)
        return
    await state.update_data(description=text)
    await FORM.advance(message, state, svc, lang)


# Photos: taken at the text step too (a photo with a caption is the most natural report), never
# dropped by a button; a caption is the text at the text step and is added to it at the photo step.
TAKEN, SAME, FULL, REFUSED, MOVED_ON = "taken", "same", "full", "refused", "moved_on"


async def take_photo(
    message: Message, state: FSMContext, lang: str, bot: Bot, step, reply_markup=None
) -> tuple[str, int]:
    """Adds the message's picture (a photo, or an image sent as a file, checked and taken as a photo)
    to the form's photos: (what happened, how many there are now). A video, a PDF ... is refused
    with what is accepted (``reply_markup`` under it), and the photos stay as they were."""
    photos = (await state.get_data()).get("photos", [])
    if len(photos) >= MAX_PHOTOS:
        return FULL, len(photos)
    got = await media.take_image(message, bot, lang, reply_markup=reply_markup)
    data = await state.get_data()  # again: a conversion takes a moment, other photos may have come
    photos = data.get("photos", [])
    if await state.get_state() != step.state:
        return MOVED_ON, len(photos)  # the resident moved on (or cancelled) meanwhile
    if got is None:
        return REFUSED, len(photos)
    if any(p[1] == got[1] for p in photos):
        return SAME, len(photos)  # the same photo delivered again
    if len(photos) >= MAX_PHOTOS:
        return FULL, len(photos)
    photos.append(list(got))
    await state.update_data(photos=photos)
    return TAKEN, len(photos)


@router.message(ComplaintForm.description, media.ANY_FILE, NOT_COMMAND)
async def photo_at_description(message: Message, state: FSMContext, svc: Services, lang: str, bot: Bot) -> None:
    """A photo at the text step: attached, and its caption, if any, is the complaint's text."""
    outcome, n = await take_photo(message, state, lang, bot, ComplaintForm.description)
    if outcome == MOVED_ON:
        return
    said = [t(lang, "cf.photo_not_added")] if outcome == FULL else []
    caption = (message.caption or "").strip()
    error = description_error(caption, lang) if caption else None
    if caption and error is None:
        if said:
            await message.answer(said[0])
        await state.update_data(description=caption)
        await FORM.advance(message, state, svc, lang)
        return
    if n:
        said.append(t(lang, "cf.photo_kept", n=n))
    said.append(error or t(lang, "cf.text_after_photo"))
    await message.answer(" ".join(said))


answer_in(router, "cf.text_expected", ComplaintForm.description)


async def add_caption(message: Message, state: FSMContext, lang: str) -> str | None:
    """A caption sent with a photo at the photo step goes at the end of the text; what was done."""
    caption = (message.caption or "").strip()
    if not caption:
        return None
    text = f"{(await state.get_data()).get('description', '')}\n{caption}".strip()
    if len(text) > DESCRIPTION_MAX:
        return t(lang, "cf.caption_too_long")
    await state.update_data(description=text)
    return t(lang, "cf.caption_added")


@router.message(ComplaintForm.photos, media.ANY_FILE, NOT_COMMAND)
async def got_photo(message: Message, state: FSMContext, lang: str, bot: Bot) -> None:
    n = len((await state.get_data()).get("photos", []))
    outcome, n = await take_photo(message, state, lang, bot, ComplaintForm.photos, kb.photos(lang, n))
    if outcome in (MOVED_ON, SAME):
        return
    said = {TAKEN: [t(lang, "cf.photo_added", n=n)], FULL: [t(lang, "cf.photo_limit")], REFUSED: []}[outcome]
    if (note := await add_caption(message, state, lang)) is not None:
        said.append(note)
    if said:
        await message.answer("\n".join(said), reply_markup=kb.photos(lang, n))


@router.message(ComplaintForm.photos, NOT_COMMAND)
async def photo_expected(message: Message, state: FSMContext, lang: str) -> None:
    n = len((await state.get_data()).get("photos", []))
    await message.answer(t(lang, "cf.photo_expected"), reply_markup=kb.photos(lang, n))


@router.message(ComplaintForm.location, F.location, NOT_COMMAND)
async def got_location(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    loc = message.location
    address = message.venue.address if message.venue else None
    await state.update_data(lat=loc.latitude, lon=loc.longitude, address=address)
    await message.answer(t(lang, "cf.location_ok"))
    await FORM.advance(message, state, svc, lang)


def address_ok(text: str) -> bool:
    return 2 <= len(text) <= 300 and not text.startswith("/")


@router.message(ComplaintForm.location, F.text, NOT_COMMAND)
async def got_address(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    text = message.text.strip()
    if not address_ok(text):
        await message.answer(t(lang, "cf.location_bad"), reply_markup=kb.step(lang, ComplaintForm.location))
        return
    await state.update_data(address=text, lat=None, lon=None)
    await FORM.advance(message, state, svc, lang)


async def photo_note(message: Message, state: FSMContext, lang: str, bot: Bot, step) -> str | None:
    """A photo sent at the place or phone step joins the form's photos while there is room; what
    was done with it, for the resident (None when the form moved on meanwhile)."""
    outcome, n = await take_photo(message, state, lang, bot, step)
    if outcome == MOVED_ON:
        return None
    return {
        TAKEN: t(lang, "cf.photo_added_here", n=n),
        FULL: t(lang, "cf.photo_not_added"),
        SAME: t(lang, "cf.photo_kept", n=n),
        REFUSED: "",
    }[outcome]


@router.message(ComplaintForm.location, media.ANY_FILE, NOT_COMMAND)
async def photo_at_location(message: Message, state: FSMContext, svc: Services, lang: str, bot: Bot) -> None:
    """A photo at the place step: the photo is attached and its caption is the typed address."""
    note = await photo_note(message, state, lang, bot, ComplaintForm.location)
    if note is None:
        return
    caption = (message.caption or "").strip()
    if caption and address_ok(caption):
        await state.update_data(address=caption, lat=None, lon=None)
        await message.answer("\n".join(filter(None, [note, t(lang, "cf.caption_as_address", address=escape(caption))])))
        await FORM.advance(message, state, svc, lang)
        return
    said = [note, t(lang, "cf.caption_not_address") if caption else "", t(lang, "cf.location_still")]
    await message.answer("\n".join(filter(None, said)), reply_markup=kb.step(lang, ComplaintForm.location))


@router.message(ComplaintForm.location, NOT_COMMAND)
async def location_expected(message: Message, lang: str) -> None:
    await message.answer(t(lang, "cf.location_bad"), reply_markup=kb.step(lang, ComplaintForm.location))


@router.message(ComplaintForm.phone, F.text | F.contact, NOT_COMMAND)
async def got_phone(message: Message, state: FSMContext, svc: Services, lang: str) -> None:
    raw = message.contact.phone_number if message.contact else message.text
    try:
        phone = normalize_phone(raw)
    except InvalidPhone:
        await message.answer(t(lang, "cf.phone_bad"), reply_markup=kb.step(lang, ComplaintForm.phone))
        return
    await state.update_data(phone_enc=svc.cipher.encrypt(phone))
    await FORM.advance(message, state, svc, lang)


@router.message(ComplaintForm.phone, media.ANY_FILE, NOT_COMMAND)
async def photo_at_phone(message: Message, state: FSMContext, svc: Services, lang: str, bot: Bot) -> None:
    """A photo at the phone step: the photo is attached and its caption is read as typed text."""
    note = await photo_note(message, state, lang, bot, ComplaintForm.phone)
    if note is None:
        return
    caption = (message.caption or "").strip()
    phone = None
    if caption:
        try:
            phone = normalize_phone(caption)
        except InvalidPhone:
            pass
    if phone is not None:
        await state.update_data(phone_enc=svc.cipher.encrypt(phone))
        await message.answer("\n".join(filter(None, [note, t(lang, "cf.caption_as_phone", phone=mask_phone(phone))])))
        await FORM.advance(message, state, svc, lang)
        return
    said = [note, t(lang, "cf.caption_not_phone") if caption else "", t(lang, "cf.phone_still")]
    await message.answer("\n".join(filter(None, said)), reply_markup=kb.step(lang, ComplaintForm.phone))


@router.message(ComplaintForm.phone, NOT_COMMAND)
async def phone_expected(message: Message, lang: str) -> None:
    await message.answer(t(lang, "cf.phone_bad"), reply_markup=kb.step(lang, ComplaintForm.phone))


# A step's button acts only on the step it was shown for (SHOWN_AT_STEP): a double tap, or a button
# from an earlier step, reaches the stale answer of handlers/fallback.py, which shows where the form is.
@router.callback_query(
    StateFilter(ComplaintForm.photos, ComplaintForm.location, ComplaintForm.phone), StepCb.filter(), SHOWN_AT_STEP
)
async def step_button(query: CallbackQuery, callback_data: StepCb, state: FSMContext, svc: Services, lang: str) -> None:
    await query.answer()
    current = await state.get_state()
    if current == ComplaintForm.photos.state:  # no button here drops a photo unasked
        n = len((await state.get_data()).get("photos", []))
        if callback_data.action == "clear":
            await state.update_data(photos=[])
            await query.message.answer(t(lang, "cf.photos_cleared"))
            await FORM.goto(query.message, state, svc, lang, "photos")
            return
        if callback_data.action == "skip" and n:  # the question's skip, pressed after photos came
            await query.message.answer(t(lang, "cf.photos_kept", n=n))
    elif callback_data.action == "skip":
        if current == ComplaintForm.location.state:
            await state.update_data(address=None, lat=None, lon=None)
        else:
            await state.update_data(phone_enc=None)
    await FORM.advance(query.message, state, svc, lang)


# --- summary: submit, edit, cancel ----------------------------------------------------------


@router.callback_query(FormCb.filter(F.action == "submit"))
async def submit(
    query: CallbackQuery, callback_data: FormCb, state: FSMContext, session: AsyncSession, svc: Services, lang: str
) -> None:
    data = await state.get_data()
    current = await state.get_state()
    if current != ComplaintForm.confirm.state or data.get("form_id") != callback_data.form:
        existing = await complaints.find_by_submit_key(session, query.from_user.id, callback_data.form)
        await query.answer()
        step = ComplaintForm.step(current)
        if existing is None and step not in (None, "edit") and data.get("form_id") == callback_data.form:
            # this form's summary was shown but the step before it was not saved (the bot stopped
            # in between): ask that step again rather than call the button stale
            await FORM.goto(query.message, state, svc, lang, step)
            return
        await query.message.answer(
            t(lang, "cf.already_submitted", receipt=existing.receipt_no) if existing else t(lang, "stale_button")
        )
        return
    await query.answer()
    draft = Draft(
        category=data["category"],
        description=data["description"],
        photos=[tuple(p) for p in data.get("photos", [])],
        address=data.get("address"),
        latitude=data.get("lat"),
        longitude=data.get("lon"),
        phone_enc=data.get("phone_enc"),
    )
    try:
        c, created = await complaints.submit(
            session, svc, citizen_id=query.from_user.id, submit_key=callback_data.form, draft=draft
        )
    except DailyLimit as e:  # the form stays: its 제출 works again from again_at
        await query.message.answer(t(lang, "cf.daily_limit", n=e.limit, at=svc.fmt(e.again_at, lang)))
        return
    await state.clear()  # the form ends with its complaint: one commit for both
    await session.commit()
    await query.message.edit_reply_markup(reply_markup=None)
    if not created:
        await query.message.answer(t(lang, "cf.already_submitted", receipt=c.receipt_no))
        return
    await query.message.answer(
        t(
            lang,
            "cf.submitted",
            receipt=c.receipt_no,
            department=escape(svc.district.department(c.department_code).name(lang)),
            deadline=svc.fmt(c.deadline_at, lang),
        )
        + (t(lang, "cf.repeat_of", receipt=repeat) if (repeat := repeat_of(c)) else "")
    )


@router.callback_query(FormCb.filter(F.action == "edit"), SHOWN_AT_STEP)
async def edit(query: CallbackQuery, callback_data: FormCb, state: FSMContext, svc: Services, lang: str) -> None:
    await query.answer()
    data = await state.get_data()
    if await state.get_state() != ComplaintForm.confirm.state or data.get("form_id") != callback_data.form:
        await query.message.answer(t(lang, "stale_button"))
        return
    await FORM.goto(query.message, state, svc, lang, "edit")


@router.callback_query(ComplaintForm.edit, EditCb.filter())
async def edit_field(query: CallbackQuery, callback_data: EditCb, state: FSMContext, svc: Services, lang: str) -> None:
    await query.answer()
    if callback_data.field not in ANSWERS:  # a forged field
        await query.message.answer(t(lang, "stale_button"))
        return
    await state.update_data(editing=True)  # the photos stay: the photo step offers to remove them
    await FORM.goto(query.message, state, svc, lang, callback_data.field)


@router.callback_query(FormCb.filter(F.action == "cancel"), SHOWN_AT_STEP)
async def cancel(query: CallbackQuery, callback_data: FormCb, state: FSMContext, lang: str) -> None:
    await query.answer()
    current = await state.get_state()
    data = await state.get_data()
    if (
        current is None
        or not current.startswith(ComplaintForm.group.__name__)
        or (callback_data.form != "-" and data.get("form_id") != callback_data.form)
    ):
        await query.message.answer(t(lang, "stale_button"))
        return
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t(lang, "cancel.done", what=t(lang, "cancel.what.complaint")))


@router.message(StateFilter(ComplaintForm.confirm, ComplaintForm.edit), NOT_COMMAND)
async def use_buttons(message: Message, state: FSMContext, session: AsyncSession, svc: Services, lang: str) -> None:
    await message.answer(t(lang, "cf.use_buttons"))
    # the message with those buttons may never have arrived (the bot stopped between saving the
    # step and sending it): show it again
    await show_step(message, state, session, svc, lang)
