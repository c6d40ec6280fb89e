"""The licensing bodies of the 등록면허세 one-stop (data/licensing_bodies.json, or the file the
district profile names in license_tax.bodies_file) and the payment confirmation each receives in
place of the fax (지방세법 §38: the body checks payment before issuing the certificate).

Channels, as in workflows/onestop/agency_notify.py (whose Channel type, signature and backoff rules this
module reuses; its own notices are tied to the birth/death one-stop's items, so the confirmation
rows here are license_tax_confirmations):

* ``telegram``: a message to the body's chat through the outbox, queued with the payment in one
  transaction; that chat may also use /verify and report a refused licence.
* ``webhook``: a JSON POST signed with HMAC-SHA256 over the exact body (``X-Onestop-Signature:
  sha256=<hex>``; the channel's ``secret`` or the AGENCY_WEBHOOK_SECRET setting), with
  ``Idempotency-Key: license-tax-<notice no>``. Delivered at once after the payment commits (the
  caller starts ``license_tax.deliver_confirmations``), retried with backoff by the scheduler; a 2xx is delivery. Other
  4xx, a missing secret or too many attempts fail it and the tax officers relay it by hand.
* ``department``: a department of the district itself (e.g. 위생과 for 식품접객업): its officers.

Webhook rows are delivered by the one signed webhook queue (workflows/webhooks.py): claimed before
the POST, so a scheduled run and an immediate one never both send a row; retried after a crash
mid-send (at-least-once, like the outbox).
"""

from __future__ import annotations

import json
import logging
import ssl
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Awaitable, Callable

import certifi
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import LicenseTaxConfirmation
from workflows.onestop import agency_notify
from workflows import webhooks
from workflows.onestop.agency_notify import Channel
from workflows.context import Services
from workflows.district import District
from workflows.outbox import Buttons, enqueue
from workflows.roles import officers_of
from workflows.texts import ENGLISH_DATA

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

DATA = Path(__file__).parent.parent / "data" / "licensing_bodies.json"
WEBHOOK, TELEGRAM, DEPARTMENT, MANUAL = agency_notify.WEBHOOK, agency_notify.TELEGRAM, "department", "manual"
PENDING, SENDING, SENT, FAILED = webhooks.PENDING, webhooks.SENDING, "sent", "failed"


@dataclass(frozen=True)
class Body:
    code: str
    kind: str
    name_ko: str
    name_en: str
    phone: str
    channel: Channel | None
    department: str | None = None  # channel type department
    verify_chat_ids: frozenset[int] = frozenset()

    def name(self, lang: str) -> str:
        return self.name_en if lang in ENGLISH_DATA else self.name_ko

    @property
    def chats(self) -> frozenset[int]:
        """Chats that speak for this body (/verify, a refused licence)."""
        own = {self.channel.chat_id} if self.channel and self.channel.type == TELEGRAM else set()
        return frozenset(own) | self.verify_chat_ids


def _channel(code: str, c: dict | None) -> tuple[Channel | None, str | None]:
    if not c:
        return None, None
    if c.get("type") == DEPARTMENT and c.get("code"):
        return None, c["code"]
    try:
        return agency_notify.parse_channel(code, c), None
    except ValueError as e:
        raise ValueError(f"licensing body {e} (or type department with a code)") from None


@lru_cache(maxsize=8)
def _bodies_at(path: str) -> dict[str, Body]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    out = {}
    for b in raw["bodies"]:
        channel, dept = _channel(b["code"], b.get("channel"))
        out[b["code"]] = Body(
            b["code"],
            b.get("kind", ""),
            b["name_ko"],
            b["name_en"],
            b.get("phone", ""),
            channel,
            dept,
            frozenset(int(x) for x in b.get("verify_chat_ids") or ()),
        )
    return out


def load_bodies(district: District) -> dict[str, Body]:
    path = (district.raw.get("license_tax") or {}).get("bodies_file")
    bodies = _bodies_at(str(path or DATA))
    for b in bodies.values():
        if b.department and b.department not in district.departments:
            raise ValueError(f"licensing body {b.code}: unknown department {b.department}")
    return bodies


def body_for_chat(bodies: dict[str, Body], chat_id: int) -> Body | None:
    return next((b for b in bodies.values() if chat_id in b.chats), None)


async def queue(
    session: AsyncSession,
    svc: Services,
    *,
    notice_id: int,
    body: Body,
    payload: dict,
    chat_text: Callable[[str], str],
    buttons: Callable[[str], Buttons],
    group_text: Callable[[str], str] | None = None,
) -> LicenseTaxConfirmation:
    """Record the confirmation for one paid notice; chat and department ones go into the outbox now
    (same transaction as the payment), a webhook one waits for license_tax.deliver_confirmations. A department body's
    group chat gets ``group_text`` (nothing of the business or the payment), its officers the whole."""
    now = svc.now()
    if body.channel is not None and body.channel.type == WEBHOOK:
        channel, target = WEBHOOK, body.channel.url
    elif body.channel is not None:
        channel, target = TELEGRAM, str(body.channel.chat_id)
    elif body.department:
        channel, target = DEPARTMENT, body.department
    else:
        channel, target = MANUAL, "-"
    c = LicenseTaxConfirmation(
        notice_id=notice_id,
        body_code=body.code,
        channel=channel,
        target=target,
        payload=payload,
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(c)
    await session.flush()
    if channel == TELEGRAM:
        await enqueue(
            session, key=f"lt:body:{c.id}", chat_id=body.channel.chat_id, text=chat_text("ko"), buttons=buttons("ko")
        )
    elif channel == DEPARTMENT:
        dept = svc.district.department(body.department)
        chats = list(await officers_of(session, body.department)) + ([dept.group_chat_id] if dept.group_chat_id else [])
        for chat_id in chats:
            group = chat_id == dept.group_chat_id and group_text is not None
            await enqueue(
                session,
                key=f"lt:body:{c.id}:{chat_id}",
                chat_id=chat_id,
                text=group_text("ko") if group else chat_text("ko"),
            )
    if channel in (TELEGRAM, DEPARTMENT):
        c.status, c.sent_at, c.attempts = SENT, now, 1  # the outbox delivers it (at least once)
    elif channel == MANUAL:
        c.status, c.last_error = FAILED, "no channel configured"
    return c


async def _request(session: AsyncSession, svc: Services, c: LicenseTaxConfirmation) -> webhooks.Request | str:
    body = load_bodies(svc.district).get(c.body_code)
    channel = body.channel if body else None
    secret = (channel.secret if channel else None) or svc.agency_webhook_secret
    if channel is None or channel.type != WEBHOOK or not channel.url or not secret:
        return "channel or secret not configured"
    return webhooks.Request(
        url=channel.url,
        secret=secret,
        body={**c.payload, "confirmation_id": c.id, "sent_at": svc.now().isoformat()},
        idempotency_key=f"license-tax-{c.payload.get('notice_no')}",
        user_agent="minwon-licensetax/1",
    )


def webhook_queue(
    delivered: Callable[[AsyncSession, Services, LicenseTaxConfirmation, httpx.Response, int], Awaitable[None]],
    failed: Callable[[AsyncSession, Services, LicenseTaxConfirmation, str], Awaitable[None]],
) -> webhooks.Queue:
    """The signed webhook queue of the confirmations (workflows/webhooks.py): the request is built
    here from the body's channel; what a delivery or a failure does to the notice is the tax
    service's (license_tax.deliver_confirmations)."""
    return webhooks.Queue(
        "license tax confirmation",
        LicenseTaxConfirmation,
        _request,
        delivered,
        failed,
        client_options={"verify": _ssl_context()},
    )


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """Built once: loading the CA bundle for every client costs tens of milliseconds, which the
    confirmation right after a payment should not wait for."""
    return ssl.create_default_context(cafile=certifi.where())
