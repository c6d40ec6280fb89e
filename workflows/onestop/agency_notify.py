"""Notices to outside bodies (한전, 도시가스사, 지역난방공사, 국민연금공단 ...) through the channel the
district profile configures for each (onestop.channels):

* ``telegram``: a message to the body's chat through the outbox, with a 수신 확인 button; pressing
  it in that chat is the acknowledgement.
* ``webhook``: an HTTPS POST of the JSON body, signed with HMAC-SHA256 over the exact body bytes
  (header ``X-Onestop-Signature: sha256=<hex>``; the secret is the channel's own ``secret`` or the
  AGENCY_WEBHOOK_SECRET setting). A 2xx answer is the acknowledgement (a ``reference`` in a JSON
  answer is kept). Network errors, 408/425/429 and 5xx are retried with backoff; other answers,
  or too many attempts, fail the notice and the coordinator department relays it by hand.

Every notice is a row (agency_notifications) with its attempts, last error and acknowledgement;
webhook notices are delivered by the one signed webhook queue (workflows/webhooks.py), which
claims each row before its POST.
``Idempotency-Key`` lets the body drop a repeat (a crash after its 2xx but before our commit
sends once more: at-least-once, like the outbox). The httpx transport is ``svc.http_transport``
(None = the network; tests use httpx.MockTransport or a local server), so no test leaves the
machine. Bodies and logs never carry the phone number except the request itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import AgencyNotification, OnestopItem
from workflows import webhooks
from workflows.context import Services
from workflows.district import District
from workflows.outbox import enqueue
from workflows.texts import t
from workflows.webhooks import (  # noqa: F401 - the webhook rules, named here too for this feature's callers
    MAX_ATTEMPTS,
    PENDING,
    RETRYABLE,
    SIGNATURE_HEADER,
    TIMEOUT,
    WEBHOOK,
    backoff,
    body_bytes,
    sign,
    verify,
)

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

TELEGRAM = "telegram"
SENT, ACKNOWLEDGED, FAILED = "sent", "acknowledged", "failed"


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
    return {
        code: parse_channel(code, c) for code, c in ((district.raw.get("onestop") or {}).get("channels") or {}).items()
    }


def ack_callback(notification_id: int) -> str:
    """The 수신 확인 button's data (handlers/onestop_officer.AgencyAckCb)."""
    return f"oack:{notification_id}"


async def create(
    session: AsyncSession, svc: Services, *, item: OnestopItem, channel: Channel, payload: dict, chat_text: str
) -> AgencyNotification:
    """Record a notice; a Telegram one is queued at once, a webhook one waits for birth_death.deliver_notices."""
    now = svc.now()
    n = AgencyNotification(
        item_id=item.id,
        agency_code=item.agency_code,
        channel=channel.type,
        target=channel.url if channel.type == WEBHOOK else str(channel.chat_id),
        payload=payload,
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(n)
    await session.flush()
    if channel.type == TELEGRAM:
        await enqueue(
            session,
            key=f"agency:{n.id}",
            chat_id=channel.chat_id,
            text=chat_text,
            buttons=[[(t("ko", "onestop.agency.ack_btn"), ack_callback(n.id))]],
        )
        n.status, n.sent_at, n.attempts = SENT, now, 1
    return n


def _ref(resp: httpx.Response) -> str | None:
    try:
        data = resp.json()
    except ValueError:
        return None
    ref = data.get("reference") or data.get("id") if isinstance(data, dict) else None
    return str(ref)[:200] if ref is not None else None


def request(svc: Services, n: AgencyNotification, *, phone: str | None) -> webhooks.Request | str:
    """The signed POST of one webhook notice (``phone``: the family's contact number, only in the
    request itself), or why it cannot be sent."""
    channel = channels(svc.district).get(n.agency_code)
    secret = (channel.secret if channel else None) or getattr(svc, "agency_webhook_secret", None)
    if channel is None or channel.type != WEBHOOK or not channel.url or not secret:
        return "channel or secret not configured"
    body = dict(n.payload)
    if phone:
        body["contact_phone"] = phone
    body.update(notification_id=n.id, sent_at=svc.now().isoformat())
    return webhooks.Request(
        url=channel.url, secret=secret, body=body, idempotency_key=f"onestop-{n.id}", user_agent="minwon-onestop/1"
    )


def delivered(svc: Services, n: AgencyNotification, resp: httpx.Response) -> None:
    """A 2xx: the notice is acknowledged (with the body's ``reference``, when its answer names one)."""
    n.status, n.sent_at, n.acknowledged_at, n.ack_ref = ACKNOWLEDGED, svc.now(), svc.now(), _ref(resp)


def failed(n: AgencyNotification, error: str) -> None:
    n.status, n.last_error = FAILED, error[:300]


async def acknowledge(
    session: AsyncSession, svc: Services, *, notification_id: int, chat_id: int, user_id: int
) -> AgencyNotification:
    """수신 확인 pressed in the body's Telegram chat (only that chat counts): the notice is marked;
    what it means for the family's item is the one-stop service's (birth_death.acknowledge_notice)."""
    n = await session.get(AgencyNotification, notification_id)
    if n is None or n.channel != TELEGRAM:
        raise AckError("not_found")
    if str(chat_id) != n.target:
        raise AckError("wrong_chat")
    if n.status == ACKNOWLEDGED:
        raise AckError("already")
    n.status, n.acknowledged_at, n.ack_by = ACKNOWLEDGED, svc.now(), user_id
    return n
