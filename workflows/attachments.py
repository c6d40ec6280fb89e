"""What the bot accepts as a file from a user, and how big: the rules in one place.

* A **photo** (Telegram's compressed photo) is taken as it is, up to ``IMAGE_MAX_BYTES``.
* An **image sent as a file** (a document declared image/jpeg, image/png, image/webp or
  image/heic/heif — or, without a declared type, named so) is accepted up to the same limit: it is
  downloaded, its first bytes must really be that kind of image, and it is then sent back to the
  sender as a photo, so everything downstream (officers' screens, the outbox) handles one kind of
  file id. Telegram re-encodes photos, which also drops the file's metadata (EXIF: the camera's GPS
  position, the device).
* Anything else — a video, GIF, video message, voice, audio, sticker, PDF, program — is refused
  with a text that says what is accepted; the form it was sent into does not change.

Telegram may leave ``file_size`` out: the size is then unknown before the download (the Bot API's
getFile is asked, and the downloaded bytes are measured). Spreadsheets and text files keep their
own rules where they are read (workflows/food_alerts/food_import.py: .csv up to ``export.max_bytes`` in
data/food_alerts.json; workflows/new_residents/newsletter.py: .txt/.md up to ``file_max_bytes``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from workflows.texts import t

IMAGE_MAX_BYTES = 10 * 1024 * 1024  # Telegram's own limit for a photo a bot sends (sendPhoto)
IMAGE_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/heic": (".heic",),
    "image/heif": (".heif",),
}
UNDECLARED = frozenset({"", "application/octet-stream", "binary/octet-stream"})
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"})

PHOTO, DOCUMENT = "photo", "document"
CONVERT = "convert"  # the verdict for an image sent as a file
# Message kinds that carry a file and are never accepted as a picture (GIFs come as "animation").
OTHER_KINDS = ("animation", "video", "video_note", "voice", "audio", "sticker")
KIND_KEYS = {
    "video": "attach.kind.video",
    "animation": "attach.kind.animation",
    "video_note": "attach.kind.video_note",
    "voice": "attach.kind.voice",
    "audio": "attach.kind.audio",
    "sticker": "attach.kind.sticker",
}


@dataclass(frozen=True)
class Incoming:
    """A file as Telegram describes it in the message (nothing downloaded yet)."""

    kind: str  # photo, document, or one of OTHER_KINDS
    mime_type: str | None = None  # as the sender's app declared it
    file_name: str | None = None
    file_size: int | None = None  # None: Telegram did not say


class Refused(ValueError):
    """Not accepted; ``code`` is type, size or content, and the text comes from ``refusal_text``."""

    def __init__(self, code: str, *, kind: str = DOCUMENT, file_name: str | None = None, size: int | None = None):
        super().__init__(code)
        self.code, self.kind, self.file_name, self.size = code, kind, file_name, size


def extension(file_name: str | None) -> str | None:
    """'Report.PDF' -> '.pdf'; None when there is no plain extension (at most 8 letters/digits)."""
    m = re.search(r"\.([A-Za-z0-9]{1,8})$", (file_name or "").strip())
    return "." + m.group(1).lower() if m else None


def declared_image_type(f: Incoming) -> str | None:
    """The accepted image type a document claims to be: its MIME type, or — when the app declared
    none — its extension. None: not an image we accept."""
    mime = (f.mime_type or "").strip().lower()
    if mime in IMAGE_TYPES:
        return mime
    if mime in UNDECLARED:
        ext = extension(f.file_name)
        return next((m for m, exts in IMAGE_TYPES.items() if ext in exts), None)
    return None


def check_size(
    size: int | None, *, kind: str = DOCUMENT, file_name: str | None = None, max_bytes: int = IMAGE_MAX_BYTES
) -> None:
    """Refused("size") above the limit; an unknown size (None) passes, to be measured later."""
    if size is not None and size > max_bytes:
        raise Refused("size", kind=kind, file_name=file_name, size=size)


def check_image(f: Incoming, *, max_bytes: int = IMAGE_MAX_BYTES) -> str:
    """PHOTO: take the photo as it is. CONVERT: an image file, to download (``check_image_bytes``)
    and send back as a photo. Refused otherwise (type, or size when Telegram gave one)."""
    if f.kind == PHOTO:
        check_size(f.file_size, kind=PHOTO, max_bytes=max_bytes)
        return PHOTO
    if f.kind == DOCUMENT and declared_image_type(f) is not None:
        check_size(f.file_size, file_name=f.file_name, max_bytes=max_bytes)
        return CONVERT
    raise Refused("type", kind=f.kind, file_name=f.file_name)


def sniff_image(data: bytes) -> str | None:
    """The image type the bytes really are (by their signature), or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "image/heic"
    return None


def check_image_bytes(data: bytes, *, file_name: str | None = None, max_bytes: int = IMAGE_MAX_BYTES) -> str:
    """After the download: the real size, and that the content is an accepted image whatever the
    name or declared type said. Returns the image type."""
    check_size(len(data), file_name=file_name, max_bytes=max_bytes)
    kind = sniff_image(data)
    if kind is None:
        raise Refused("content", file_name=file_name)
    return kind


def _mb(n: int) -> str:
    """Megabytes (MiB) rounded up to a tenth, so a file just over the limit never reads as the limit."""
    return f"{math.ceil(n * 10 / (1024 * 1024)) / 10:.1f}".removesuffix(".0")


def what(lang: str, kind: str, file_name: str | None) -> str:
    """'동영상', '.pdf 파일' ... for the refusal."""
    if kind in KIND_KEYS:
        return t(lang, KIND_KEYS[kind])
    ext = extension(file_name)
    return t(lang, "attach.kind.file", ext=ext) if ext else t(lang, "attach.kind.unnamed_file")


def refusal_text(lang: str, e: Refused, *, max_bytes: int = IMAGE_MAX_BYTES) -> str:
    if e.code == "size":
        return t(lang, "attach.too_big", size=_mb(e.size or 0), mb=_mb(max_bytes))
    if e.code == "content":
        return t(lang, "attach.not_image")
    return t(lang, "attach.refused", what=what(lang, e.kind, e.file_name), mb=_mb(max_bytes))
