"""The monthly newsletter to new-resident subscribers (송파구 model: every month on the 25th).

* An editor (an officer of ``newsletter.editor_department`` in data/new_residents.json, or an admin)
  prepares the month's issue in the chat (text, optional image, links) or an admin loads it from a
  .txt/.md file; the editor sees a preview and confirms (``schedule``). One issue per month;
  confirming again before it goes out replaces it.
* Send date (``send_date``): ``send_day`` (25) of the month at ``send_time`` (10:00), or the next
  working day of the BusinessCalendar when that day is a Saturday, Sunday or 공휴일.
* ``fan_out`` (the daily job at send_time): for every confirmed issue whose time has come, one
  outbox row per active subscriber (consent given, subscription held, bot not blocked) with the
  dedup key ``newsletter:<issue>:<user>``, committed in batches; a run killed halfway and run
  again queues only what is missing, so every subscriber gets exactly one copy. Subscribers who
  joined during the month are simply subscribers by then.
* ``report`` (every few minutes): once none of an issue's rows is pending, the counts (sent,
  blocked = 403, failed, cancelled by 수신 거부) are stored and sent to the editor, once.

A subscriber whose send got 403 is marked inactive by the delivery worker (User.is_active) and
is skipped from then on, until they write to the bot again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import Consent, NewResident, NewsletterIssue, OutboxMessage, User
from workflows.errors import DomainError
from workflows import links as links_
from workflows import outbox
from workflows.new_residents import service as new_residents
from workflows.business_time import BusinessCalendar
from workflows.context import Services
from workflows.new_residents.service import STOP_CB, NewsletterSettings
from workflows.outbox import Queued, enqueue, enqueue_many
from workflows.roles import Principal
from workflows.texts import escape, t

SCHEDULED, SENDING, SENT = "scheduled", "sending", "sent"
BATCH = 500
LABEL_MAX = 40


ERROR_KEYS = {
    "empty": "nl.err.empty",
    "too_long": "nl.err.too_long",
    "photo_too_long": "nl.err.photo_too_long",
    "bad_link": "nl.err.bad_link",
    "too_many_links": "nl.err.too_many_links",
    "file_type": "nl.err.file_type",
    "file_size": "nl.err.file_size",
    "file_encoding": "nl.err.file_encoding",
    "already_sent": "nl.err.already_sent",
}
URL_PROBLEM_KEYS = {
    "protocol": "nl.err.url.protocol",
    "port": "nl.err.url.port",
    "host": "nl.err.url.host",
    "characters": "nl.err.url.characters",
    "percent": "nl.err.url.percent",
    "ipv6": "nl.err.url.ipv6",
    "dot": "nl.err.url.dot",
    "scheme_link": "nl.err.url.scheme_link",
}


class NewsletterError(DomainError):
    """Something the editor has to fix; ``code`` names the text shown (ERROR_KEYS); a link Telegram
    would refuse also says why (``why``: one of workflows.links.PROBLEMS)."""

    keys = ERROR_KEYS

    def text(self, lang: str, **more) -> str:
        why = self.values.get("why")
        return super().text(lang, **more, **({"why": t(lang, URL_PROBLEM_KEYS[why])} if why else {}))


def cfg() -> NewsletterSettings:
    return new_residents.settings().newsletter


def is_editor(p: Principal, c: NewsletterSettings | None = None) -> bool:
    c = c or cfg()
    return p.is_admin or (p.is_officer and p.department == c.editor_department)


# --- when ---------------------------------------------------------------------------------------


def send_date(year: int, month: int, calendar: BusinessCalendar, day: int) -> date:
    """``day`` of the month, or the next working day when it is a Saturday, Sunday or 공휴일."""
    d = date(year, month, day)
    return d if calendar.is_business_day(d) else calendar.next_business_day(d)


def send_at(svc: Services, year: int, month: int, c: NewsletterSettings | None = None) -> datetime:
    c = c or cfg()
    return datetime.combine(send_date(year, month, svc.calendar, c.send_day), c.send_time, svc.tz)


def issue_month(svc: Services, now: datetime | None = None) -> tuple[int, int]:
    """The month whose send is next: this month until its send time has passed, then the next."""
    local = (now or svc.now()).astimezone(svc.tz)
    y, m = local.year, local.month
    if send_at(svc, y, m) <= local:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return y, m


def month_key(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


# --- the content ----------------------------------------------------------------------------------


@dataclass
class Draft:
    text: str  # HTML (Telegram's subset), as the editor's formatting produced it
    photo: str | None = None  # Telegram file_id
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


def check_text(text: str, *, has_photo: bool, c: NewsletterSettings | None = None) -> str:
    c = c or cfg()
    text = (text or "").strip()
    if not text:
        raise NewsletterError("empty")
    limit = c.caption_max if has_photo else c.text_max
    if len(text) > limit:
        raise NewsletterError("photo_too_long" if has_photo else "too_long", n=len(text), max=limit)
    return text


_LINK_LINE = re.compile(
    r"^\s*(?:\[(?P<md_label>[^\]]{1,80})\]\((?P<md_url>\S+)\)|(?P<label>.*?)\s*[|｜]\s*(?P<url>\S+)|(?P<bare>\S+))\s*$"
)


def parse_links(text: str, c: NewsletterSettings | None = None) -> list[tuple[str, str]]:
    """One link per line: ``이름 | https://...``, ``[이름](https://...)`` or a bare URL."""
    c = c or cfg()
    links = []
    for n, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        m = _LINK_LINE.match(line)
        label, url = (
            (m["md_label"], m["md_url"])
            if m and m["md_url"]
            else (m["label"], m["url"])
            if m and m["url"]
            else (None, m["bare"])
            if m
            else (None, "")
        )
        if problem := links_.button_url_problem(url):  # Telegram would refuse the whole issue
            raise NewsletterError("bad_link", line=n, why=problem)
        label = (label or "").strip() or links_.host(url)
        links.append((label[:LABEL_MAX], url))
    if not links:
        raise NewsletterError("bad_link", line=1, why="host")
    if len(links) > c.max_links:
        raise NewsletterError("too_many_links", max=c.max_links)
    return links


_MD_LINK = re.compile(r"^\s*\[([^\]]{1,80})\]\((\S+)\)\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*)$")


def parse_file(data: bytes, filename: str, c: NewsletterSettings | None = None) -> Draft:
    """An issue from a .txt or .md file (UTF-8, or CP949 as Korean Windows saves it).

    Every line is text (HTML-escaped); in both kinds a line that is only ``[label](https://...)``
    becomes a link button; in .md a ``# heading`` line is bold."""
    c = c or cfg()
    name = (filename or "").lower()
    if not name.endswith((".txt", ".md")):
        raise NewsletterError("file_type")
    if len(data) > c.file_max_bytes:
        raise NewsletterError("file_size", max=c.file_max_bytes // 1024)
    for encoding in ("utf-8-sig", "cp949"):
        try:
            raw = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise NewsletterError("file_encoding")
    if "\x00" in raw:
        raise NewsletterError("file_encoding")
    lines, links = [], []
    for n, line in enumerate(raw.replace("\r\n", "\n").split("\n"), 1):
        if m := _MD_LINK.match(line):
            if problem := links_.button_url_problem(m[2]):  # Telegram would refuse the whole issue
                raise NewsletterError("bad_link", line=n, why=problem)
            links.append((m[1].strip()[:LABEL_MAX], m[2]))
            continue
        if name.endswith(".md") and (h := _MD_HEADING.match(line)):
            lines.append(f"<b>{escape(h[1].strip())}</b>")
        else:
            lines.append(escape(line.rstrip()))
    if len(links) > c.max_links:
        raise NewsletterError("too_many_links", max=c.max_links)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return Draft(text=check_text(text, has_photo=False, c=c), links=links)


def render(text: str, photo: str | None, links, lang: str) -> tuple[str, dict]:
    """(method, params) of the message a subscriber gets: the text (or the photo with it as the
    caption), the links as URL buttons and the 수신 거부 button."""
    rows = [[{"text": label, "url": url}] for label, url in links]
    rows.append([{"text": t(lang, "nr.btn.stop"), "callback_data": STOP_CB}])
    markup = {"inline_keyboard": rows}
    if photo:
        return "sendPhoto", {"photo": photo, "caption": text, "parse_mode": "HTML", "reply_markup": markup}
    return "sendMessage", {"text": text, "parse_mode": "HTML", "reply_markup": markup}


# --- preparing an issue --------------------------------------------------------------------------


async def current_issue(session: AsyncSession, svc: Services) -> NewsletterIssue | None:
    return await session.scalar(select(NewsletterIssue).where(NewsletterIssue.month == month_key(*issue_month(svc))))


async def schedule(session: AsyncSession, svc: Services, *, editor_id: int, draft: Draft) -> NewsletterIssue:
    """Confirm the issue for the next send; replaces an earlier version not yet sent."""
    c = cfg()
    text = check_text(draft.text, has_photo=bool(draft.photo), c=c)
    if len(draft.links) > c.max_links:
        raise NewsletterError("too_many_links", max=c.max_links)
    y, m = issue_month(svc)
    now = svc.now()
    issue = await session.scalar(select(NewsletterIssue).where(NewsletterIssue.month == month_key(y, m)))
    if issue is None:
        issue = NewsletterIssue(month=month_key(y, m), created_at=now)
        session.add(issue)
    elif issue.status != SCHEDULED:
        raise NewsletterError("already_sent", month=issue.month)
    issue.text, issue.photo_file_id, issue.links = text, draft.photo, [list(x) for x in draft.links]
    issue.editor_id, issue.status, issue.updated_at = editor_id, SCHEDULED, now
    issue.send_at = send_at(svc, y, m, c)
    await session.flush()
    return issue


async def subscriber_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(_subscribers().subquery())) or 0)


def _subscribers():
    purpose = new_residents.settings().consent_purpose
    consented = exists().where(
        Consent.user_id == NewResident.user_id, Consent.purpose == purpose, Consent.withdrawn_at.is_(None)
    )
    return (
        select(NewResident.user_id, User.language)
        .join(User, User.id == NewResident.user_id)
        .where(User.is_active.is_(True), consented)
        .order_by(NewResident.user_id)
    )


# --- sending ------------------------------------------------------------------------------------


def _key_range(issue_id: int):
    """Rows of one issue by dedup-key range (uses the key's unique index, unlike LIKE)."""
    lo = f"newsletter:{issue_id}:"
    return OutboxMessage.dedup_key >= lo, OutboxMessage.dedup_key < lo[:-1] + ";"


async def fan_out(session: AsyncSession, svc: Services, *, batch: int = BATCH) -> int:
    """Queue every due issue to every active subscriber; commits per batch (restartable)."""
    due = list(
        await session.scalars(
            select(NewsletterIssue)
            .where(NewsletterIssue.status == SCHEDULED, NewsletterIssue.send_at <= svc.now())
            .order_by(NewsletterIssue.id)
        )
    )
    queued = 0
    for issue in due:
        rows = (await session.execute(_subscribers())).all()
        rendered = {lang: render(issue.text, issue.photo_file_id, issue.links, lang) for lang in {r[1] for r in rows}}
        for start in range(0, len(rows), batch):
            queued += await enqueue_many(
                session,
                [
                    Queued(
                        key=f"newsletter:{issue.id}:{user_id}",
                        chat_id=user_id,
                        method=rendered[lang][0],
                        params=rendered[lang][1],
                    )
                    for user_id, lang in rows[start : start + batch]
                ],
            )
            await session.commit()
        issue.recipients = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(*_key_range(issue.id))
        )
        issue.status, issue.fanned_out_at = SENDING, svc.now()
        await session.commit()
    return queued


async def delivery_counts(session: AsyncSession, issue_id: int) -> dict[str, int]:
    return await outbox.delivery_counts(session, f"newsletter:{issue_id}:")


async def report(session: AsyncSession, svc: Services) -> int:
    """Report finished sends to their editor, once (status sending -> sent)."""
    issues = list(await session.scalars(select(NewsletterIssue).where(NewsletterIssue.status == SENDING)))
    done = 0
    for issue in issues:
        counts = await delivery_counts(session, issue.id)
        if counts["pending"]:
            continue
        issue.sent_count, issue.blocked_count = counts["sent"], counts["blocked"]
        issue.failed_count, issue.cancelled_count = counts["failed"], counts["cancelled"]
        issue.status, issue.reported_at = SENT, svc.now()
        editor = await session.get(User, issue.editor_id)
        lang = editor.language if editor else "ko"
        await enqueue(
            session,
            key=f"nlreport:{issue.id}:{issue.editor_id}",
            chat_id=issue.editor_id,
            text=t(
                lang,
                "nl.report",
                month=issue.month,
                recipients=issue.recipients or 0,
                sent=counts["sent"],
                blocked=counts["blocked"],
                failed=counts["failed"],
                cancelled=counts["cancelled"],
                started=svc.fmt(issue.fanned_out_at, lang),
                finished=svc.fmt(svc.now(), lang),
            ),
        )
        done += 1
    return done


async def daily(session: AsyncSession, svc: Services) -> int:
    """The job at send_time: expire old subscriptions, send what is due, report what finished."""
    n = await new_residents.expire(session, svc)
    await session.commit()
    n += await fan_out(session, svc)
    n += await report(session, svc)
    return n


def next_send_text(svc: Services, lang: str, now: datetime | None = None) -> str:
    y, m = issue_month(svc, now)
    return svc.fmt(send_at(svc, y, m), lang)
