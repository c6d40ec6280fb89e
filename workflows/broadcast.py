"""/broadcast (issue 16 §5): an admin sends one message to an audience — all staff, one department's
officers and head(s), or every resident who consented to the service — through the outbox (the
delivery worker keeps Telegram's limits, retries and records each outcome), and asks for its
delivery report (sent, blocked, failed) as the newsletter editor and 위생과 do.

Residents get service notices only (a change of opening hours, an outage of the bot, a new service):
정보통신망법 §50 forbids sending advertising (영리목적의 광고성 정보) without a separate opt-in, which
the service consent is not; the screen says so before the admin writes.

What is sent is the admin's plain text, escaped (no markup of theirs is interpreted), or one photo
with that text as its caption; the length is checked after rendering, against Telegram's limits
(4,096 for a message, 1,024 for a caption). The preview is the very message the recipients get.
A send is recorded in the audit log (audience and count, never the text), and its messages carry
the outbox key ``bc:<admin id>:<token>:<recipient>``, by which the report counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import Consent, OutboxMessage, RoleGrant, User
from workflows.errors import DomainError
from workflows import audit, roles
from workflows.context import Services
from workflows.outbox import Queued, delivery_counts, enqueue_many
from workflows.roles import Principal
from workflows.texts import CAPTION_LIMIT, MESSAGE_LIMIT, escape, t, visible_len
from workflows.users import COMPLAINT_PURPOSE

STAFF, DEPARTMENT, RESIDENTS = "staff", "dept", "residents"


ERROR_KEYS = {
    "empty": "bc.err.empty",
    "too_long": "bc.err.too_long",
    "caption_too_long": "bc.err.caption_too_long",
    "nobody": "bc.err.nobody",
}
AUDIENCE_KEYS = {STAFF: "bc.aud.staff", RESIDENTS: "bc.aud.residents"}


class BroadcastError(DomainError):
    """Input that cannot be sent; .code names the text (ERROR_KEYS)."""

    keys = ERROR_KEYS


@dataclass(frozen=True)
class Audience:
    kind: str  # STAFF, DEPARTMENT or RESIDENTS
    department: str | None = None

    @property
    def code(self) -> str:
        return f"{DEPARTMENT}:{self.department}" if self.kind == DEPARTMENT else self.kind

    def name(self, svc: Services, lang: str) -> str:
        """Plain text (escape it for HTML)."""
        if self.kind == DEPARTMENT:
            return t(lang, "bc.aud.department", department=svc.district.department(self.department).name(lang))
        return t(lang, AUDIENCE_KEYS[self.kind])


def parse_audience(code: str | None, svc: Services) -> Audience | None:
    """The audience a button or the form's data names, or None (unknown: a forged or old button)."""
    kind, _, dept = (code or "").partition(":")
    if kind in (STAFF, RESIDENTS) and not dept:
        return Audience(kind)
    if kind == DEPARTMENT and dept in svc.district.departments:
        return Audience(DEPARTMENT, dept)
    return None


async def recipients(session: AsyncSession, svc: Services, a: Audience) -> list[int]:
    """Who gets it: users the bot can still reach (not known to have blocked it).

    * staff — everyone holding a role now (officer, head, operator, evaluator, admin), and ADMIN_IDS;
    * a department — its officers and head(s);
    * residents — everyone whose consent to the service (개인정보 §15) is in force."""
    active = User.is_active.is_(True)
    if a.kind == RESIDENTS:
        consented = exists().where(
            Consent.user_id == User.id, Consent.purpose == COMPLAINT_PURPOSE, Consent.withdrawn_at.is_(None)
        )
        return sorted(set(await session.scalars(select(User.id).where(active, consented))))
    q = select(RoleGrant.user_id).join(User, User.id == RoleGrant.user_id).where(RoleGrant.revoked_at.is_(None), active)
    if a.kind == DEPARTMENT:
        q = q.where(RoleGrant.role.in_(roles.DEPARTMENT_ROLES), RoleGrant.department_code == a.department)
    ids = set(await session.scalars(q))
    if a.kind == STAFF and svc.admin_ids:
        ids |= set(await session.scalars(select(User.id).where(User.id.in_(svc.admin_ids), active)))
    return sorted(ids)


def render(text: str | None, photo: str | None) -> tuple[str, dict]:
    """(Bot API method, parameters) of the message every recipient gets — and the admin's preview:
    the text escaped (plain text, nothing of it read as markup), or the photo with it as the caption.
    Raises BroadcastError: empty, too_long, caption_too_long (counted after rendering)."""
    body = escape((text or "").strip())
    if not body and not photo:
        raise BroadcastError("empty")
    limit = CAPTION_LIMIT if photo else MESSAGE_LIMIT
    n = visible_len(body)
    if n > limit:
        raise BroadcastError("caption_too_long" if photo else "too_long", n=n, max=limit)
    if photo:
        params = {"photo": photo, **({"caption": body, "parse_mode": "HTML"} if body else {})}
        return "sendPhoto", params
    return "sendMessage", {"text": body, "parse_mode": "HTML"}


def prefix(admin_id: int, token: int) -> str:
    """The outbox key prefix of one send (the report counts its rows)."""
    return f"bc:{admin_id}:{token}:"


async def _free_token(session: AsyncSession, svc: Services, admin_id: int) -> int:
    """A token for a new send: the time (unix seconds), moved on while an earlier send of this admin
    already uses it (two sends in one second, or a clock that stands still in a test)."""
    token = int(svc.now().timestamp())
    while await session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedup_key.startswith(prefix(admin_id, token))).limit(1)
    ):
        token += 1
    return token


@dataclass(frozen=True)
class Sent:
    token: int
    recipients: int


async def send(
    session: AsyncSession, svc: Services, admin: Principal, a: Audience, text: str | None, photo: str | None
) -> Sent:
    """Queue the message to every recipient of the audience (the caller commits) and audit it."""
    if not admin.is_admin:
        raise PermissionError(admin.user_id)
    method, params = render(text, photo)
    ids = await recipients(session, svc, a)
    if not ids:
        raise BroadcastError("nobody")
    token = await _free_token(session, svc, admin.user_id)
    p = prefix(admin.user_id, token)
    await enqueue_many(session, [Queued(key=f"{p}{uid}", chat_id=uid, method=method, params=params) for uid in ids])
    audit.record(
        session,
        audit.BROADCAST_SEND,
        actor_id=admin.user_id,
        actor_role=roles.ADMIN,
        subject_kind="broadcast",
        subject_id=f"{admin.user_id}:{token}",
        detail=audit.details(audience=a.code, recipients=len(ids), photo="yes" if photo else None),
        at=svc.now(),
    )
    return Sent(token, len(ids))


async def report(session: AsyncSession, admin_id: int, token: int) -> dict[str, int] | None:
    """The delivery report of one of this admin's sends — pending, sent, blocked (403), failed,
    cancelled — or None when there is no such send."""
    counts = await delivery_counts(session, prefix(admin_id, token))
    return counts if sum(counts.values()) else None
