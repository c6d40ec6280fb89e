"""The audit log (개인정보 보호법 §29, 안전성 확보조치: who did what to personal data, and when).

One append-only row per role change and per officer or admin action on personal data. ``detail``
names things (a receipt number, a role, a department code, a count), never the data itself, so the
log can be exported to an auditor without becoming a leak of its own.

Action names use underscores (``complaint_view``), one namespace per feature; each of ours has a
label in workflows/texts.py (``audit.label.<action>``). Other modules may record actions of their
own: the export shows them with their code when they have no label.

An admin exports a window (``/audit [days]``, handlers/admin/audit.py): ``export`` gathers the rows, builds
the spreadsheet in a worker thread and records the export itself.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import AuditEntry, utcnow
from workflows.texts import TEXTS, t

DETAIL_MAX = 500

# --- what is recorded ------------------------------------------------------------------------------
# role changes (workflows/roles.py)
ROLE_GRANT, ROLE_REVOKE = "role_grant", "role_revoke"
INVITE_CREATE, INVITE_REDEEM = "invite_create", "invite_redeem"
# complaints (workflows/complaints/service.py): the card shows the decrypted phone; media = photos and place
COMPLAINT_VIEW, COMPLAINT_MEDIA = "complaint_view", "complaint_media"
COMPLAINT_TAKE, COMPLAINT_ANSWER, COMPLAINT_TRANSFER = "complaint_take", "complaint_answer", "complaint_transfer"
COMPLAINT_REJECT, COMPLAINT_EXTEND = "complaint_reject", "complaint_extend"
# birth/death one-stop (workflows/onestop/service.py)
ONESTOP_VIEW, ONESTOP_CONTACT = "onestop_view", "onestop_contact"
ONESTOP_TAKE, ONESTOP_COMPLETE, ONESTOP_SUPPLEMENT = "onestop_take", "onestop_complete", "onestop_supplement"
# 등록면허세 (workflows/license_tax/service.py): the officer's card, and every officer event on a notice
TAX_VIEW, TAX_ACTION = "tax_view", "tax_action"
# exports and imports
REPORT_EXPORT, REPORT_SEND = "report_export", "report_send"
FOOD_IMPORT = "food_import"
AUDIT_EXPORT = "audit_export"
BROADCAST_SEND = "broadcast_send"  # /broadcast (workflows/broadcast.py): audience and count, never the text

ACTIONS = (
    ROLE_GRANT,
    ROLE_REVOKE,
    INVITE_CREATE,
    INVITE_REDEEM,
    COMPLAINT_VIEW,
    COMPLAINT_MEDIA,
    COMPLAINT_TAKE,
    COMPLAINT_ANSWER,
    COMPLAINT_TRANSFER,
    COMPLAINT_REJECT,
    COMPLAINT_EXTEND,
    ONESTOP_VIEW,
    ONESTOP_CONTACT,
    ONESTOP_TAKE,
    ONESTOP_COMPLETE,
    ONESTOP_SUPPLEMENT,
    TAX_VIEW,
    TAX_ACTION,
    REPORT_EXPORT,
    REPORT_SEND,
    FOOD_IMPORT,
    AUDIT_EXPORT,
    BROADCAST_SEND,
)

SYSTEM = "system"  # actor_role of what the bot does on its own (actor_id None)

DEFAULT_DAYS, MAX_DAYS = 30, 366
MAX_ROWS = 100_000  # per export; a longer log is cut to its newest rows (and the summary says so)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def record(
    session: AsyncSession,
    action: str,
    *,
    actor_id: int | None,
    actor_role: str,
    subject_kind: str | None = None,
    subject_id: object = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one entry to the caller's unit of work (it commits with the action it records)."""
    entry = AuditEntry(
        at=at or utcnow(),
        actor_id=actor_id,
        actor_role=actor_role[:20],
        action=action[:40],
        subject_kind=subject_kind,
        subject_id=None if subject_id is None else str(subject_id)[:40],
        detail=None if detail is None else detail[:DETAIL_MAX],
    )
    session.add(entry)
    return entry


def details(**values: object) -> str | None:
    """``details(dept="CLEAN", photos=2)`` -> "dept=CLEAN photos=2"; None values are left out.
    Only for codes and counts: a value is cut at 40 characters and cannot contain spaces."""
    parts = [f"{k}={'-'.join(str(v).split())[:40]}" for k, v in values.items() if v is not None]
    return " ".join(parts) or None


# --- the export ------------------------------------------------------------------------------------


def parse_days(arg: str | None) -> int:
    """The /audit argument: empty = 30; a whole number of days 1..366; anything else ValueError."""
    arg = (arg or "").strip()
    if not arg:
        return DEFAULT_DAYS
    if not arg.isascii() or not arg.isdigit() or len(arg) > 4:
        raise ValueError("not a number of days")
    days = int(arg)
    if not 1 <= days <= MAX_DAYS:
        raise ValueError("out of range")
    return days


@dataclass
class Export:
    days: int
    since: datetime
    until: datetime
    total: int  # entries in the window
    counts: list[tuple[str, int]]  # per action, most frequent first
    rows: list  # the file's rows (AuditEntry's columns): the newest MAX_ROWS, oldest first
    xlsx: bytes
    filename: str

    @property
    def truncated(self) -> bool:
        return len(self.rows) < self.total


async def window_entries(session: AsyncSession, since: datetime, until: datetime, limit: int | None = None) -> list:
    """Entries with since <= at < until, oldest first; at most ``limit`` (default MAX_ROWS), the newest."""
    A = AuditEntry  # plain rows, not ORM objects: a year of a busy district's log is fetched at once
    rows = (
        await session.execute(
            select(A.id, A.at, A.actor_id, A.actor_role, A.action, A.subject_kind, A.subject_id, A.detail)
            .where(A.at >= since, A.at < until)
            .order_by(A.at.desc(), A.id.desc())
            .limit(limit or MAX_ROWS)
        )
    ).all()
    return list(reversed(rows))


async def window_counts(session: AsyncSession, since: datetime, until: datetime) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(AuditEntry.action, func.count())
        .where(AuditEntry.at >= since, AuditEntry.at < until)
        .group_by(AuditEntry.action)
    )
    return sorted(((a, int(n)) for a, n in rows.all()), key=lambda x: (-x[1], x[0]))


def label(lang: str, action: str) -> str:
    """The action in words; an action some other module recorded without a label keeps its code."""
    key = "audit.label." + action
    return t(lang, key) if key in TEXTS else action


def _cell(value):
    """A spreadsheet must not run a text cell as a formula (=, +, -, @ first)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def workbook_xlsx(
    rows: list, counts: list[tuple[str, int]], *, tz, lang: str, since: datetime, until: datetime
) -> bytes:
    """Two sheets: every entry (times in the district's zone) and the counts per action."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], data, widths: dict[str, int]):
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        for col, w in widths.items():
            ws.column_dimensions[col].width = w
        head = []
        for h in header:
            c = WriteOnlyCell(ws, value=h)
            c.font = bold
            head.append(c)
        ws.append(head)
        for row in data:
            ws.append([_cell(v) for v in row])

    def local(dt: datetime) -> str:
        return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")

    sheet(
        t(lang, "audit.sheet.log"),
        t(lang, "audit.sheet.columns").split("|"),
        (
            (
                n,
                local(e.at),
                e.actor_id,
                e.actor_role,
                e.action,
                label(lang, e.action),
                e.subject_kind,
                e.subject_id,
                e.detail,
            )
            for n, e in enumerate(rows, start=1)
        ),
        {"B": 20, "E": 20, "F": 28, "H": 16, "I": 48},
    )
    period = f"{local(since)} ~ {local(until)}"
    sheet(
        t(lang, "audit.sheet.summary"),
        t(lang, "audit.sheet.summary_columns").split("|"),
        [("", period, None), *((a, label(lang, a), n) for a, n in counts)],
        {"A": 20, "B": 40},
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def export(session: AsyncSession, *, tz, now: datetime, days: int, actor_id: int, lang: str) -> Export:
    """The window's entries as a spreadsheet, and the export recorded (in the caller's unit of work)."""
    since, until = now - timedelta(days=days), now
    counts = await window_counts(session, since, until)
    rows = await window_entries(session, since, until)
    xlsx = await asyncio.to_thread(workbook_xlsx, rows, counts, tz=tz, lang=lang, since=since, until=until)
    total = sum(n for _, n in counts)
    record(
        session,
        AUDIT_EXPORT,
        actor_id=actor_id,
        actor_role="admin",
        subject_kind="audit_log",
        detail=details(days=days, rows=len(rows), total=total),
        at=now,
    )
    name = f"audit-{since.astimezone(tz):%Y%m%d}-{until.astimezone(tz):%Y%m%d}.xlsx"
    return Export(days, since, until, total, counts, rows, xlsx, name)


def summary_text(e: Export, *, tz, lang: str) -> str:
    lines = "\n".join(t(lang, "audit.summary_line", label=label(lang, a), action=a, n=f"{n:,}") for a, n in e.counts)
    text = t(
        lang,
        "audit.summary",
        days=e.days,
        since=f"{e.since.astimezone(tz):%Y-%m-%d %H:%M}",
        until=f"{e.until.astimezone(tz):%Y-%m-%d %H:%M}",
        total=f"{e.total:,}",
        lines=lines or t(lang, "audit.none"),
    )
    if e.truncated:
        text += t(lang, "audit.truncated", n=f"{len(e.rows):,}")
    return text
