"""Notices to outside bodies (한전, 도시가스사, 지역난방공사, 국민연금공단 ...) through the channel the
district profile configures for each (onestop.channels):

* ``telegram``: a message to the body's chat through the outbox, with a 수신 확인 button; pressing
  it in that chat is the acknowledgement.
* ``webhook``: an HTTPS POST of the JSON body, signed with HMAC-SHA256 over the exact body bytes
  (header ``X-Onestop-Signature: sha256=<hex>``; the secret is the channel's own ``secret`` or the
  AGENCY_WEBHOOK_SECRET setting). A 2xx answer is the acknowledgement (a ``reference`` in a JSON
  answer is kept). Network errors, 408/425/429 and 5xx are retried with backoff; other answers,
  or too many attempts, fail the notice and the coordinator department relays it by hand.

Every notice is a row (agency_notifications) with its attempts, last error and acknowledgement.
``Idempotency-Key`` lets the body drop a repeat (a crash after its 2xx but before our commit
sends once more: at-least-once, like the outbox). The httpx transport is ``svc.http_transport``
(None = the network; tests use httpx.MockTransport or a local server), so no test leaves the
machine. Bodies and logs never carry the phone number except the request itself.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlparse

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AgencyNotification, OnestopItem
from workflows.context import Services
from workflows.district import District
from workflows.outbox import enqueue
from workflows.texts import t

log = logging.getLogger(__name__)

WEBHOOK, TELEGRAM = "webhook", "telegram"
PENDING, SENT, ACKNOWLEDGED, FAILED = "pending", "sent", "acknowledged", "failed"
SIGNATURE_HEADER = "X-Onestop-Signature"
MAX_ATTEMPTS = 6
BACKOFF_FIRST, BACKOFF_MAX = timedelta(seconds=60), timedelta(hours=1)
TIMEOUT = 10.0
RETRYABLE = frozenset({408, 425, 429})


class AckError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # not_found, wrong_chat, already


@dataclass(frozen=True)
class Channel:
    type: str
    url: str | None = None
    chat_id: int | None = None
    secret: str | None = None


def parse_channel(code: str, c: dict) -> Channel:
    """One configured channel: an https webhook (http only on the loopback) or a Telegram chat;
    anything else is a configuration error (ValueError)."""
    if c.get("type") == WEBHOOK:
        url = c.get("url") or ""
        parsed = urlparse(url)
        loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
        if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
            raise ValueError(f"channel {code}: a webhook must be https:// (http only on the loopback)")
        return Channel(WEBHOOK, url=url, secret=c.get("secret"))
    if c.get("type") == TELEGRAM and isinstance(c.get("chat_id"), int):
        return Channel(TELEGRAM, chat_id=c["chat_id"])
    raise ValueError(f"channel {code}: needs type webhook (url) or telegram (chat_id)")


def channels(district: District) -> dict[str, Channel]:
    """Configured channels by body code; a malformed entry is a configuration error."""
    return {code: parse_channel(code, c)
            for code, c in ((district.raw.get("onestop") or {}).get("channels") or {}).items()}


def ack_callback(notification_id: int) -> str:
    """The 수신 확인 button's data (handlers/onestop_officer.AgencyAckCb)."""
    return f"oack:{notification_id}"


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str | bytes, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """For receivers (and tests): does the signature header match these exact bytes?"""
    return bool(header) and hmac.compare_digest(sign(secret, body), header)


async def create(session: AsyncSession, svc: Services, *, item: OnestopItem, channel: Channel, payload: dict,
                 chat_text: str) -> AgencyNotification:
    """Record a notice; a Telegram one is queued at once, a webhook one waits for deliver_due."""
    now = svc.now()
    n = AgencyNotification(item_id=item.id, agency_code=item.agency_code, channel=channel.type,
                           target=channel.url if channel.type == WEBHOOK else str(channel.chat_id),
                           payload=payload, status=PENDING, attempts=0, next_attempt_at=now, created_at=now)
    session.add(n)
    await session.flush()
    if channel.type == TELEGRAM:
        await enqueue(session, key=f"agency:{n.id}", chat_id=channel.chat_id, text=chat_text,
                      buttons=[[(t("ko", "onestop.agency.ack_btn"), ack_callback(n.id))]])
        n.status, n.sent_at, n.attempts = SENT, now, 1
    return n


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _ref(resp: httpx.Response) -> str | None:
    try:
        data = resp.json()
    except ValueError:
        return None
    ref = data.get("reference") or data.get("id") if isinstance(data, dict) else None
    return str(ref)[:200] if ref is not None else None


async def deliver_due(session: AsyncSession, svc: Services, *, limit: int = 20) -> int:
    """Scheduler duty: POST every webhook notice that is due; each outcome is committed at once."""
    from workflows import birth_death

    now = svc.now()
    rows = (await session.execute(select(AgencyNotification).where(
        AgencyNotification.channel == WEBHOOK, AgencyNotification.status == PENDING,
        AgencyNotification.next_attempt_at <= now).order_by(AgencyNotification.id).limit(limit))).scalars().all()
    if not rows:
        return 0
    configured = channels(svc.district)
    done = 0
    async with httpx.AsyncClient(transport=svc.http_transport, timeout=TIMEOUT) as client:
        for n in rows:
            item = await birth_death.get_item(session, n.item_id)
            channel = configured.get(n.agency_code)
            secret = (channel.secret if channel else None) or getattr(svc, "agency_webhook_secret", None)
            if channel is None or channel.type != WEBHOOK or not secret:
                await _fail(session, svc, n, item, "channel or secret not configured")
                await session.commit()
                continue
            body = dict(n.payload)
            phone = await birth_death.contact_for(svc, item.application, item)
            if phone:
                body["contact_phone"] = phone
            body.update(notification_id=n.id, sent_at=svc.now().isoformat())
            raw = body_bytes(body)
            n.attempts += 1
            n.target = channel.url
            try:
                resp = await client.post(channel.url, content=raw, headers={
                    "Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(secret, raw),
                    "Idempotency-Key": f"onestop-{n.id}", "User-Agent": "minwon-onestop/1"})
            except httpx.HTTPError as e:
                _retry_or_fail_later(n, svc.now(), type(e).__name__)
            else:
                if 200 <= resp.status_code < 300:
                    n.status, n.sent_at, n.acknowledged_at = ACKNOWLEDGED, svc.now(), svc.now()
                    n.ack_ref, n.last_error = _ref(resp), None
                    await birth_death.outside_acknowledged(session, svc, item, ref=n.ack_ref)
                    done += 1
                elif resp.status_code in RETRYABLE or resp.status_code >= 500:
                    _retry_or_fail_later(n, svc.now(), f"HTTP {resp.status_code}")
                else:
                    await _fail(session, svc, n, item, f"HTTP {resp.status_code}")
            if n.status == PENDING and n.attempts >= MAX_ATTEMPTS:
                await _fail(session, svc, n, item, n.last_error or "too many attempts")
            log.info("agency notice %s to %s: %s (attempt %d)", n.id, n.agency_code, n.status, n.attempts)
            await session.commit()
    return done


def _retry_or_fail_later(n: AgencyNotification, now: datetime, error: str) -> None:
    n.last_error = error[:300]
    n.next_attempt_at = now + backoff(n.attempts)


async def _fail(session: AsyncSession, svc: Services, n: AgencyNotification, item: OnestopItem, error: str) -> None:
    from workflows import birth_death

    n.status, n.last_error = FAILED, error[:300]
    await birth_death.relay_by_hand(session, svc, item, error)


async def acknowledge(session: AsyncSession, svc: Services, *, notification_id: int, chat_id: int,
                      user_id: int) -> AgencyNotification:
    """수신 확인 pressed in the body's Telegram chat (only that chat counts)."""
    from workflows import birth_death

    n = await session.get(AgencyNotification, notification_id)
    if n is None or n.channel != TELEGRAM:
        raise AckError("not_found")
    if str(chat_id) != n.target:
        raise AckError("wrong_chat")
    if n.status == ACKNOWLEDGED:
        raise AckError("already")
    now = svc.now()
    n.status, n.acknowledged_at, n.ack_by = ACKNOWLEDGED, now, user_id
    item = await birth_death.get_item(session, n.item_id)
    await birth_death.outside_acknowledged(session, svc, item, actor_id=user_id, ref=f"telegram:{user_id}")
    return n
