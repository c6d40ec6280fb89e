"""Outbox rows Telegram refuses for good (a 400: "can't parse entities", "message is too long", a
chat it does not know): what happens next. Called by the delivery worker (bot/delivery.py) in the
transaction that marks the row failed, so the follow-up rows exist exactly when the failure does.

1. A row refused for its text (formatting Telegram cannot parse, a text or caption too long) is
   queued once more as plain text: no parse_mode, the HTML tags
   stripped (a link keeps its address), entities unescaped, split at Telegram's limits (4,096
   characters for a message; a caption over 1,024 goes as a message after its photo or file); the
   buttons stay on the last part. Keys ``plain:<row id>:<part>:<kind>``.
2. When that fails too, or the refusal was not about the text (a chat Telegram does not know),
   or there was no text to simplify, someone is told who did not get what:
   the department's group chat for one of its officers, when it has one, else every admin
   (ADMIN_IDS and the admin role). The notice names the row, its kind (the dedup key's leading
   words: ``push``, ``lt:receipt``), the recipient's role or department and Telegram's error —
   never the chat id or the message itself. Keys ``undelivered:<row id>:<chat>``.
3. A notice that fails is only logged (by the worker): nothing about a notice, so nothing loops.
"""

from __future__ import annotations

import html
import re
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import OutboxMessage, User
from workflows import roles
from workflows.context import Services
from workflows.outbox import Queued, enqueue_many
from workflows.texts import escape, t

PLAIN, NOTICE = "plain", "undelivered"
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024
CAPTIONED = ("sendPhoto", "sendDocument")

_LINK = re.compile(r'<a\s[^>]*?href\s*=\s*["\']([^"\']*)["\'][^>]*>(.*?)</a\s*>', re.I | re.S)
_TAG = re.compile(
    r"</?(?:b|strong|i|em|u|ins|s|strike|del|span|tg-spoiler|tg-emoji|a|code|pre|blockquote)"
    r"(?:\s[^<>]*)?/?>",
    re.I,
)
_WORD = re.compile(r"[a-z_-]+")
# Telegram's reasons that plain text within the limits can cure (Bot API and TDLib wording)
_FIXABLE = re.compile(r"parse entities|too long|too_long|entit", re.I)


def plain_text(text: str) -> str:
    """The text Telegram's HTML mode would show, as plain text: the tags of its formatting removed
    (a link as ``label (address)``), ``&lt;`` and the like unescaped. A ``<`` that opens no such
    tag is kept as typed."""

    def link(m: re.Match) -> str:
        url, label = m.group(1), m.group(2)
        shown = html.unescape(_TAG.sub("", label))
        return f"{label} ({url})" if url and html.unescape(url) != shown else label

    return html.unescape(_TAG.sub("", _LINK.sub(link, text)))


def _units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1  # Telegram counts UTF-16 code units


def split(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``text`` in parts of at most ``limit`` (UTF-16 units), cut at a line break where one is
    near, else at a space, else anywhere."""
    parts: list[str] = []
    while text:
        size, cut = 0, len(text)
        for i, ch in enumerate(text):
            size += _units(ch)
            if size > limit:
                cut = i
                break
        if cut < len(text):
            window = text[:cut]
            at = window.rfind("\n")
            if at < cut // 2:
                at = window.rfind(" ")
            cut = at + 1 if at >= cut // 2 else cut
        parts.append(text[:cut].rstrip("\n") or text[:cut])
        text = text[cut:]
    return [p for p in parts if p.strip()]


def kind(dedup_key: str) -> str:
    """What a row was, from its dedup key's leading words (``lt:receipt:12`` -> ``lt:receipt``),
    never its ids or tokens."""
    words = dedup_key.split(":")
    if words[0] == PLAIN and len(words) >= 4:
        return ":".join(words[3:])
    out = []
    for w in words:
        if not _WORD.fullmatch(w):
            break
        out.append(w)
    return ":".join(out) or "?"


def _original_id(row: OutboxMessage) -> int:
    words = row.dedup_key.split(":")
    return int(words[1]) if words[0] == PLAIN and words[1].isdigit() else row.id


def plain_rows(row: OutboxMessage) -> list[Queued]:
    """The row once more without formatting, in as many messages as Telegram's limits need; empty
    when there is no formatted text in it to simplify."""
    p = dict(row.payload)
    markup = p.pop("reply_markup", None)
    what = kind(row.dedup_key)

    def key(i: int) -> str:
        return f"{PLAIN}:{row.id}:{i}:{what}"

    def messages(text: str, first: int) -> list[Queued]:
        parts = split(plain_text(text))
        return [
            Queued(key(first + i), row.chat_id, method="sendMessage", params={"text": part, "parse_mode": None})
            for i, part in enumerate(parts)
        ]

    if row.method == "sendMessage" and isinstance(p.get("text"), str):
        p.pop("entities", None)
        rest = {k: v for k, v in p.items() if k not in ("text", "parse_mode")}
        out = [Queued(m.key, m.chat_id, method=m.method, params={**m.params, **rest}) for m in messages(p["text"], 0)]
    elif row.method in CAPTIONED and isinstance(p.get("caption"), str):
        caption = plain_text(p.pop("caption"))
        p.pop("caption_entities", None)
        p["parse_mode"] = None
        if len(caption.encode("utf-16-le")) // 2 <= CAPTION_LIMIT:
            out = [Queued(key(0), row.chat_id, method=row.method, params={**p, "caption": caption})]
        else:  # the photo or file without its caption, then the caption as messages
            out = [
                Queued(key(0), row.chat_id, method=row.method, params=p),
                *[
                    Queued(key(1 + i), row.chat_id, method="sendMessage", params={"text": part, "parse_mode": None})
                    for i, part in enumerate(split(caption))
                ],
            ]
    else:
        return []
    if markup and out:
        last = out[-1]
        out[-1] = Queued(last.key, last.chat_id, method=last.method, params={**last.params, "reply_markup": markup})
    return out


def _error(error: str) -> str:
    """Telegram's reason without the detail after it, which can quote the message
    ("Bad Request: can't parse entities: Unsupported start tag "x" at byte offset 4")."""
    return ":".join(error.split(":")[:2]).strip()[:120]


async def _recipient(session: AsyncSession, svc: Services, chat_id: int) -> tuple[str, str | None, list[int]]:
    """(who the recipient was: a text key, their department, whom to tell)."""
    admins = await roles.admins(session, svc.admin_ids)
    departments = svc.district.departments.values()
    if chat_id < 0:
        dept = next((d.code for d in departments if d.group_chat_id == chat_id), None)
        return ("undelivered.to.group" if dept else "undelivered.to.chat"), dept, admins
    p = await roles.load_principal(session, chat_id, svc.admin_ids)
    if p.is_officer:
        group = svc.district.department(p.department).group_chat_id
        return "undelivered.to.officer", p.department, [group] if group else admins
    for role in (roles.ADMIN, roles.EVALUATOR, roles.OPERATOR):
        if role in p.roles:
            return f"role.name.{role}", None, admins
    return "undelivered.to.resident", None, admins


async def _tell(session: AsyncSession, svc: Services, row: OutboxMessage, error: str) -> int:
    who, dept, targets = await _recipient(session, svc, row.chat_id)
    targets = [c for c in targets if c != row.chat_id]  # not the chat that could not be reached
    langs = dict(
        (await session.execute(select(User.id, User.language).where(User.id.in_([c for c in targets if c > 0])))).all()
    )
    retried = row.dedup_key.startswith(PLAIN + ":")

    def notice(lang: str) -> str:
        to = t(lang, who, dept=escape(svc.district.department(dept).name(lang)) if dept else "")
        text = t(
            lang,
            "undelivered.notice",
            id=_original_id(row),
            kind=escape(kind(row.dedup_key)),
            method=row.method,
            to=to,
            error=escape(_error(error)),
        )
        return text + ("\n" + t(lang, "undelivered.retried") if retried else "")

    return await enqueue_many(
        session, [Queued(f"{NOTICE}:{row.id}:{c}", c, text=notice(langs.get(c, "ko"))) for c in targets]
    )


async def refused(svc: Services, session: AsyncSession, row: OutboxMessage, error: str) -> None:
    """``row`` was refused for good with ``error``: queue its plain-text retry, or tell someone."""
    if row.dedup_key.startswith(NOTICE + ":"):
        return  # a notice about a failure is not itself reported
    if row.method.startswith("edit"):
        return  # a copy of a card that can no longer be edited (deleted by its reader): nothing is lost
    if not row.dedup_key.startswith(PLAIN + ":") and _FIXABLE.search(error):
        retry = plain_rows(row)
        if retry:
            await enqueue_many(session, retry)
            return
    await _tell(session, svc, row, error)
