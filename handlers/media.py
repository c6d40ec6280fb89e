"""Telegram side of workflows/attachments.py (no router): describe the file in a message, and take
a picture from it — a photo as it is, an image sent as a file downloaded, checked and sent back as
a photo — or tell the sender what is accepted. The caller's form state is never touched here."""

from __future__ import annotations

import io

import aiohttp
from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import BufferedInputFile, Message

from workflows import attachments
from workflows.attachments import DOCUMENT, OTHER_KINDS, PHOTO, Incoming, Refused
from workflows.texts import t

# A message that carries a file of any kind (for filters: these reach take_image, which refuses
# what is not a picture with a clear text).
ANY_FILE = F.photo | F.document | F.video | F.animation | F.video_note | F.voice | F.audio | F.sticker


def incoming(message: Message) -> Incoming | None:
    """The message's file as attachments.Incoming, or None when it carries none."""
    if message.photo:
        return Incoming(PHOTO, "image/jpeg", None, message.photo[-1].file_size)
    for kind in OTHER_KINDS:  # before the document: a GIF comes as both animation and document
        obj = getattr(message, kind, None)
        if obj is not None:
            return Incoming(
                kind, getattr(obj, "mime_type", None), getattr(obj, "file_name", None), getattr(obj, "file_size", None)
            )
    if message.document:
        d = message.document
        return Incoming(DOCUMENT, d.mime_type, d.file_name, d.file_size)
    return None


def refusal(message: Message, lang: str) -> str | None:
    """The refusal for a file that is plainly not acceptable (its kind, or the size Telegram gave),
    without downloading anything; None when it may be a picture."""
    f = incoming(message)
    if f is None:
        return None
    try:
        attachments.check_image(f)
    except Refused as e:
        return attachments.refusal_text(lang, e)
    return None


async def _download(bot: Bot, file_id: str, file_name: str | None) -> bytes:
    """getFile (its size is checked when the message had none), then the bytes."""
    f = await bot.get_file(file_id)
    attachments.check_size(f.file_size, file_name=file_name)
    buf = await bot.download_file(f.file_path, destination=io.BytesIO())
    return buf.getvalue()


async def take_image(message: Message, bot: Bot, lang: str, *, reply_markup=None) -> tuple[str, str] | None:
    """(file_id, file_unique_id) of a photo to keep, or None after answering why not (with
    ``reply_markup``, so the form's buttons stay at hand)."""
    f = incoming(message)
    if f is None:
        return None
    try:
        if attachments.check_image(f) == PHOTO:
            best = message.photo[-1]
            return best.file_id, best.file_unique_id
        doc = message.document
        data = await _download(bot, doc.file_id, doc.file_name)
        attachments.check_image_bytes(data, file_name=doc.file_name)
    except Refused as e:
        await message.answer(attachments.refusal_text(lang, e), reply_markup=reply_markup)
        return None
    except (TimeoutError, TelegramAPIError, aiohttp.ClientError, OSError):
        await message.answer(t(lang, "attach.download_failed"), reply_markup=reply_markup)
        return None
    try:  # sent back as a photo: from now on it is a photo like any other
        sent = await message.answer_photo(
            BufferedInputFile(data, filename=doc.file_name or "image"), caption=t(lang, "attach.converted")
        )
    except TelegramBadRequest:
        await message.answer(t(lang, "attach.convert_failed"), reply_markup=reply_markup)
        return None
    best = sent.photo[-1]
    return best.file_id, best.file_unique_id
