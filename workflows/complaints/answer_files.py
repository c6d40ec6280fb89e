"""Photos and documents an officer attaches to an answer (issue 16 §4), without Telegram.

What is taken: a photo, or a document of an ordinary office type — PDF, 한글 (HWP/HWPX), Word,
Excel, PowerPoint, OpenDocument, plain text/CSV, or an image sent as a file — at most
``MAX_FILES`` per answer. Videos, GIFs, voice and video messages, audio and stickers are refused,
and so is a document of any other type (a program, an archive). Nothing is downloaded: the files
go to the resident again by their Telegram ``file_id``, so no size limit of the bot's own downloads
(20 MB) applies.

While the answer is being written the files are kept in the form's data as plain lists
(``Attachment.as_data``); when it is sent they become ``answer_files`` rows (positions continuing
after those of an earlier answer of the same complaint) and outbox rows to the resident, queued
after the answer itself so that they arrive after it: the photos as one album (or one photo), the
documents as one album of documents (or one document) — Telegram does not mix the two in an album.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import AnswerFile, Complaint, User
from workflows.attachments import OTHER_KINDS, extension, what
from workflows.outbox import enqueue
from workflows.texts import CAPTION_LIMIT, clip, escape, t

MAX_FILES = 5
PHOTO, DOCUMENT = "photo", "document"
DOCUMENT_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".hwp",
        ".hwpx",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".odt",
        ".ods",
        ".odp",
        ".rtf",
        ".txt",
        ".csv",
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".heic",
        ".heif",
        ".gif",
        ".bmp",
        ".tif",
        ".tiff",
    }
)
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/x-hwp",
        "application/haansofthwp",
        "application/vnd.hancom.hwp",
        "application/hwp+zip",
        "application/vnd.hancom.hwpx",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/rtf",
        "text/plain",
        "text/csv",
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "image/heif",
        "image/gif",
        "image/bmp",
        "image/tiff",
    }
)
KIND_KEYS = {PHOTO: "ans.files.kind.photo", DOCUMENT: "ans.files.kind.document"}
NAME_MAX = 255  # answer_files.file_name


@dataclass(frozen=True)
class Attachment:
    kind: str  # photo | document
    file_id: str
    file_unique_id: str
    file_name: str | None = None

    def as_data(self) -> list:
        return [self.kind, self.file_id, self.file_unique_id, self.file_name]

    @classmethod
    def from_data(cls, row) -> "Attachment":
        return cls(*row)


class Refused(ValueError):
    """Not attached. ``code``: kind (a video, voice …), type (a document of another type), full
    (already MAX_FILES), same (this very file is attached already)."""

    def __init__(self, code: str, *, kind: str = DOCUMENT, file_name: str | None = None):
        super().__init__(code)
        self.code, self.kind, self.file_name = code, kind, file_name


def document_accepted(mime_type: str | None, file_name: str | None) -> bool:
    """An office document or an image file: by its extension, or — without one — by its declared type."""
    ext = extension(file_name)
    if ext is not None:
        return ext in DOCUMENT_EXTENSIONS
    return (mime_type or "").strip().lower() in DOCUMENT_TYPES


def add(
    current: list[Attachment],
    new: Attachment | None,
    *,
    kind: str,
    mime_type: str | None = None,
    file_name: str | None = None,
) -> list[Attachment]:
    """The attachments with ``new`` added (``kind``: the message's kind — photo, document, or one of
    attachments.OTHER_KINDS, for which ``new`` is None). Raises Refused."""
    if kind in OTHER_KINDS or new is None:
        raise Refused("kind", kind=kind, file_name=file_name)
    if kind == DOCUMENT and not document_accepted(mime_type, file_name):
        raise Refused("type", file_name=file_name)
    if any(a.file_unique_id == new.file_unique_id for a in current):
        raise Refused("same", kind=kind, file_name=file_name)
    if len(current) >= MAX_FILES:
        raise Refused("full", kind=kind, file_name=file_name)
    return [*current, new]


def refusal_text(lang: str, e: Refused) -> str:
    if e.code == "full":
        return t(lang, "ans.files.full", max=MAX_FILES)
    if e.code == "same":
        return t(lang, "ans.files.same")
    return t(lang, "ans.files.refused", what=what(lang, e.kind, e.file_name))


def name(lang: str, a: Attachment) -> str:
    """'사진', '회신.pdf' (plain text: escape it for HTML)."""
    return clip(a.file_name, 40) if a.kind == DOCUMENT and a.file_name else t(lang, KIND_KEYS[a.kind])


def label(lang: str, a: Attachment, i: int) -> str:
    """'1. 사진', '2. 회신.pdf' (plain text: escape it for HTML)."""
    return f"{i}. {name(lang, a)}"


def summary(lang: str, files: list[Attachment]) -> str:
    """The preview's line about the attachments (HTML)."""
    if not files:
        return t(lang, "ans.files.none", max=MAX_FILES)
    names = ", ".join(escape(label(lang, a, i)) for i, a in enumerate(files, 1))
    more = t(lang, "ans.files.more", left=MAX_FILES - len(files)) if len(files) < MAX_FILES else ""
    return t(lang, "ans.files.some", n=len(files), names=names) + more


# --- stored with the answer, sent to the resident ---------------------------------------------


async def files_of(session: AsyncSession, complaint_id: int) -> list[AnswerFile]:
    return list(
        await session.scalars(
            select(AnswerFile)
            .where(AnswerFile.complaint_id == complaint_id)
            .order_by(AnswerFile.position, AnswerFile.id)
        )
    )


async def count_of(session: AsyncSession, complaint_id: int) -> int:
    return (
        await session.scalar(
            select(func.count()).select_from(AnswerFile).where(AnswerFile.complaint_id == complaint_id)
        )
        or 0
    )


def sends(files: list[AnswerFile] | list[Attachment], caption: str) -> list[tuple[str, dict]]:
    """(Bot API method, parameters) to send these files: the photos, then the documents, each kind
    as one album when there are several; ``caption`` (HTML) on the first item of each."""
    out: list[tuple[str, dict]] = []
    for kind, method in ((PHOTO, "sendPhoto"), (DOCUMENT, "sendDocument")):
        ids = [f.file_id for f in files if f.kind == kind]
        if len(ids) == 1:
            out.append((method, {kind: ids[0], "caption": caption, "parse_mode": "HTML"}))
        elif ids:
            out.append(
                (
                    "sendMediaGroup",
                    {
                        "media": [
                            {
                                "type": kind,
                                "media": fid,
                                **({"caption": caption, "parse_mode": "HTML"} if i == 0 else {}),
                            }
                            for i, fid in enumerate(ids)
                        ]
                    },
                )
            )
    return out


def caption(lang: str, receipt: str, n: int) -> str:
    return clip(t(lang, "ans.files.caption", receipt=receipt, n=n), CAPTION_LIMIT)


async def save_and_send(session: AsyncSession, c: Complaint, files: list[Attachment]) -> list[AnswerFile]:
    """After complaints.answer, in the same transaction: the answer's files stored with the
    complaint and queued to the resident (after the answer message, which was queued first)."""
    if not files:
        return []
    resident = await session.get(User, c.citizen_id)
    lang = resident.language if resident else "ko"
    start = await session.scalar(select(func.max(AnswerFile.position)).where(AnswerFile.complaint_id == c.id))
    start = -1 if start is None else start
    rows = [
        AnswerFile(
            complaint_id=c.id,
            position=start + 1 + i,
            kind=a.kind,
            file_id=a.file_id[:200],
            file_unique_id=a.file_unique_id[:100],
            file_name=a.file_name[:NAME_MAX] if a.file_name else None,
        )
        for i, a in enumerate(files)
    ]
    session.add_all(rows)
    for i, (method, params) in enumerate(sends(files, caption(lang, c.receipt_no, len(files)))):
        await enqueue(
            session, key=f"ansfile:{c.id}:{len(c.events)}:{i}", chat_id=c.citizen_id, method=method, params=params
        )
    return rows
